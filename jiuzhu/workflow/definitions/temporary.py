"""The national 临时救助 procedure (rules §5), as data.

一门受理 at the township opens the case (the household's means check is attached for the expenditure
type; the emergency type needs none); the township investigates and gives its review opinion; an
expenditure case is then publicly noticed for ``temporary_notice_days`` working days, while an
emergency case takes the simplified path without a notice (暂行办法: in emergencies the procedure may
be simplified; a 先行救助 opens such a case after the township has paid). Who approves follows the
amount the benefit rule computes (``benefits.engine.temporary``): within the township's cap the
township, under the county's mandate; up to the general cap the county; above it the county's case-by-
case approval (一事一议) first, then the county's decision. An objection that holds sends the case to
re-investigation; steps may send the case back with a reason; withdraw and terminate lead from every
open state to their end states.
"""

from __future__ import annotations

from jiuzhu.core.vocab import AidProgram, CaseOutcome, DeadlineKind, StepKind, TransitionAction

from .spec import COUNTY, TOWNSHIP, DefinitionSpec, StepSpec, TransitionSpec, exits

CASEWORKER = "township_caseworker"
REVIEWER = "township_reviewer"
APPROVER = "county_approver"

F = TransitionAction.FORWARD
BACK = TransitionAction.SEND_BACK

_STEPS = (
    StepSpec(
        "verification",
        "受理登记",
        StepKind.START,
        CASEWORKER,
        TOWNSHIP,
        ("temporary_means_checked",),
        limit_setting="investigation_start_days",
        duties="一门受理，登记救助事由和申请金额；支出型附入家庭经济状况核对报告，启动调查核实",
    ),
    StepSpec(
        "investigation",
        "调查核实",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("home_investigation",),
        limit_setting="temporary_investigation_days",
        duties="入户或到现场核实困难情形、救助事由和金额，调查人员和申请人签字",
    ),
    StepSpec(
        "review",
        "乡镇审核",
        StepKind.TASK,
        REVIEWER,
        TOWNSHIP,
        ("review_opinion",),
        limit_setting="review_days",
        duties="提出审核意见和拟救助金额；支出型转入公示，急难型按简易程序直接报审批",
    ),
    StepSpec(
        "public_notice",
        "公示",
        StepKind.WAIT,
        REVIEWER,
        TOWNSHIP,
        ("public_notice_ended",),
        limit_setting="temporary_notice_days",
        limit_kind=DeadlineKind.WORKING,
        duties="在申请人所在村（社区）公示拟救助金额（工作日计），受理并核实异议",
    ),
    StepSpec(
        "reinvestigation",
        "重新调查核实",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("home_investigation",),
        limit_setting="reinvestigation_days",
        duties="公示异议成立的，重新调查核实后重新提出审核意见",
    ),
    StepSpec(
        "township_confirmation",
        "乡镇审批（县级委托）",
        StepKind.TASK,
        REVIEWER,
        TOWNSHIP,
        ("confirmation_opinion", "spot_check_done"),
        limit_setting="temporary_approval_days",
        duties="救助金额在乡镇审批限额内的，受县级民政部门委托作出给予或不予救助的决定（含对先行救助的追认）",
    ),
    StepSpec(
        "county_special",
        "县级一事一议",
        StepKind.TASK,
        APPROVER,
        COUNTY,
        ("special_approval",),
        limit_setting="temporary_approval_days",
        duties="救助金额超过一般上限的，县级民政部门一事一议研究，同意的可在最高限额内给予",
    ),
    StepSpec(
        "confirmation",
        "县级审批",
        StepKind.TASK,
        APPROVER,
        COUNTY,
        ("confirmation_opinion", "spot_check_done"),
        limit_setting="temporary_approval_days",
        duties="审查材料和审核意见，作出给予或不予临时救助的决定（含对先行救助的追认）",
    ),
    StepSpec("confirmed", "给予救助", StepKind.END, outcome=CaseOutcome.CONFIRMED),
    StepSpec("refused", "不予救助", StepKind.END, outcome=CaseOutcome.REFUSED),
    StepSpec("withdrawn", "撤回", StepKind.END, outcome=CaseOutcome.WITHDRAWN),
    StepSpec("terminated", "终止", StepKind.END, outcome=CaseOutcome.TERMINATED),
)


_APPROVERS = (
    ("township_confirmation", "乡镇审批", "temporary_approve_township"),
    ("confirmation", "报县级审批", "temporary_approve_county"),
    ("county_special", "报县级一事一议", "temporary_approve_special"),
)

_TRANSITIONS = (
    TransitionSpec("verification", "investigation", F, "启动调查核实"),
    TransitionSpec("investigation", "review", F, "提交乡镇审核"),
    TransitionSpec("review", "public_notice", F, "开始公示", "temporary_notice"),
    *(
        TransitionSpec(
            "review", target, F, f"{name}（简易程序，不公示）", f"temporary_simplified&{condition}"
        )
        for target, name, condition in _APPROVERS
    ),
    *(
        TransitionSpec("public_notice", target, F, name, f"no_objection_held&{condition}")
        for target, name, condition in _APPROVERS
    ),
    TransitionSpec("public_notice", "reinvestigation", F, "异议成立，重新调查核实", "objection_held"),
    TransitionSpec("reinvestigation", "review", F, "重新提出审核意见"),
    TransitionSpec("county_special", "confirmation", F, "一事一议后作出决定"),
    TransitionSpec("confirmation", "confirmed", F, "给予救助", "opinion_agree"),
    TransitionSpec("confirmation", "refused", F, "不予救助", "opinion_disagree"),
    TransitionSpec("township_confirmation", "confirmed", F, "给予救助", "opinion_agree"),
    TransitionSpec("township_confirmation", "refused", F, "不予救助", "opinion_disagree"),
    TransitionSpec("investigation", "verification", BACK, "退回受理登记", reason_required=True),
    TransitionSpec("review", "investigation", BACK, "退回调查核实", reason_required=True),
    TransitionSpec("township_confirmation", "review", BACK, "退回乡镇审核", reason_required=True),
    TransitionSpec("county_special", "review", BACK, "退回乡镇审核", reason_required=True),
    TransitionSpec("confirmation", "review", BACK, "退回乡镇审核", reason_required=True),
    *exits(_STEPS),
)

TEMPORARY = DefinitionSpec(
    program=AidProgram.TEMPORARY, name="临时救助审核审批", steps=_STEPS, transitions=_TRANSITIONS
)
