"""The periodic review of an entitlement (定期复核, rules §1.11; 特困's 年审, rules §3), as data: one
definition per program that has a lasting entitlement (临时救助 is paid once and is not reviewed).

A review case opens ``review_open_days_before`` the entitlement's next review date (``jiuzhu
reviews-open``) in ``investigation``: the township's caseworkers visit and check the household again
(入户核查, a new means check attached where the household's finances are in question); the township's
reviewer gives an opinion (乡镇审核); the county decides (县级确认) one of four ends, each made by the
review's own step service (``workflow.services.reviews``), which records the entitlement's change and
the notice that goes with it:

- 维持 (maintained): nothing material changed; the next review date is set;
- 调整 (adjusted): the amount recomputed with the program's rule, from a month, with a 调整告知书;
- 暂停发放 (suspended): payment held (e.g. the household does not cooperate), with a notice;
- 停保 (stopped): the entitlement ends with its reasons and last month, with a 终止救助告知书.

特困's 年审 is the county's (rules §3: the county reviews every 特困 person each year): the township's
check goes straight to the county. A case may be sent back a step with a reason, or terminated.
"""

from __future__ import annotations

from jiuzhu.core.vocab import AidProgram, CaseOutcome, CasePurpose, StepKind, TransitionAction

from .spec import COUNTY, TOWNSHIP, DefinitionSpec, StepSpec, TransitionSpec, exits

CASEWORKER = "township_caseworker"
REVIEWER = "township_reviewer"
APPROVER = "county_approver"

F = TransitionAction.FORWARD
BACK = TransitionAction.SEND_BACK

# The ends of a review and their outcomes (the step service makes each move).
REVIEW_ENDS: dict[str, str] = {
    "maintained": CaseOutcome.MAINTAINED,
    "adjusted": CaseOutcome.ADJUSTED,
    "suspended": CaseOutcome.SUSPENDED,
    "stopped": CaseOutcome.STOPPED,
}
DECISION_STEP = "review_decision"

_CHECK = StepSpec(
    "investigation",
    "入户核查",
    StepKind.START,
    CASEWORKER,
    TOWNSHIP,
    ("home_investigation",),
    limit_setting="investigation_days",
    duties="入户核查家庭人口、收入、财产变化情况，必要时重新开展家庭经济状况核对",
)
_TOWNSHIP = StepSpec(
    "review",
    "乡镇审核",
    StepKind.TASK,
    REVIEWER,
    TOWNSHIP,
    ("review_opinion",),
    limit_setting="review_days",
    duties="根据核查结果提出维持、调整、暂停或停保的审核意见",
)
_COUNTY = StepSpec(
    DECISION_STEP,
    "县级确认",
    StepKind.TASK,
    APPROVER,
    COUNTY,
    ("confirmation_opinion",),
    limit_setting="confirmation_days",
    duties="作出维持、调整（自某月起）、暂停发放或停保的决定，调整和停保须告知理由",
)
_TEKUN_COUNTY = StepSpec(
    DECISION_STEP,
    "县级年审",
    StepKind.TASK,
    APPROVER,
    COUNTY,
    ("confirmation_opinion",),
    limit_setting="confirmation_days",
    duties="县级民政部门年审特困人员，结果记入救助供养证；不再符合条件的终止供养",
)
_ENDS = (
    StepSpec("maintained", "维持", StepKind.END, outcome=CaseOutcome.MAINTAINED),
    StepSpec("adjusted", "调整", StepKind.END, outcome=CaseOutcome.ADJUSTED),
    StepSpec("suspended", "暂停发放", StepKind.END, outcome=CaseOutcome.SUSPENDED),
    StepSpec("stopped", "停保", StepKind.END, outcome=CaseOutcome.STOPPED),
    StepSpec("terminated", "终止办理", StepKind.END, outcome=CaseOutcome.TERMINATED),
)
_END_NAMES = {"maintained": "维持", "adjusted": "调整", "suspended": "暂停发放", "stopped": "停保"}


def _review_spec(program: str, name: str, *, township_review: bool = True) -> DefinitionSpec:
    county = _TEKUN_COUNTY if not township_review else _COUNTY
    steps = (_CHECK, _TOWNSHIP, county, *_ENDS) if township_review else (_CHECK, county, *_ENDS)
    transitions: list[TransitionSpec] = []
    if township_review:
        transitions += [
            TransitionSpec("investigation", "review", F, "提交乡镇审核"),
            TransitionSpec("review", DECISION_STEP, F, "报县级确认"),
            TransitionSpec("review", "investigation", BACK, "退回重新核查", reason_required=True),
            TransitionSpec(DECISION_STEP, "review", BACK, "退回乡镇审核", reason_required=True),
        ]
    else:
        transitions += [
            TransitionSpec("investigation", DECISION_STEP, F, "报县级年审"),
            TransitionSpec(DECISION_STEP, "investigation", BACK, "退回重新核查", reason_required=True),
        ]
    transitions += [TransitionSpec(DECISION_STEP, code, F, label) for code, label in _END_NAMES.items()]
    transitions += exits(steps, withdraw=False)
    return DefinitionSpec(
        program=program, name=name, steps=steps, transitions=tuple(transitions), purpose=CasePurpose.REVIEW
    )


def review_specs() -> dict[str, DefinitionSpec]:
    """The review definition of every program with a lasting entitlement."""
    out: dict[str, DefinitionSpec] = {}
    for program in AidProgram:
        if program == AidProgram.TEMPORARY:
            continue
        if program == AidProgram.TEKUN:
            out[program.value] = _review_spec(program.value, "特困人员年审", township_review=False)
        else:
            out[program.value] = _review_spec(program.value, f"{program.label}定期复核")
    return out


REVIEW_SPECS = review_specs()
