"""The national 低保 审核确认 procedure (rules §1.3–§1.7), as data.

受理 opens the case in ``verification`` (the household's means check, attached to the case); then the
home investigation, the community review where the region holds one, the township's review opinion,
the public notice (skipped for minors unless the region notices them), and the confirmation by the
county or, where delegated, the township. A close relative's case goes to the county even where
confirmation is delegated (the county's own home visit, rules §1.2); the county's spot checks are
drawn on entering either confirming step. An objection that holds sends the case to re-investigation
and a new notice; a step may send the case back to an earlier one with a reason, or to ``materials``
while the family supplies missing items (the whole-case clock pauses there). Withdraw and terminate
lead from every open state to their end states.
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
        "家庭经济状况核对",
        StepKind.START,
        CASEWORKER,
        TOWNSHIP,
        ("verification_report",),
        limit_setting="investigation_start_days",
        duties="将家庭经济状况核对报告附入案件，启动入户调查",
    ),
    StepSpec(
        "investigation",
        "入户调查",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("home_investigation",),
        limit_setting="investigation_days",
        duties="两名以上工作人员入户，核实吃、穿、住、用等情况，调查人员和家庭成员签字",
    ),
    StepSpec(
        "community_review",
        "民主评议",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("community_review",),
        limit_setting="community_review_days",
        duties="组织民主评议，记录到会人数、表决结果和评议意见",
    ),
    StepSpec(
        "review",
        "乡镇审核",
        StepKind.TASK,
        REVIEWER,
        TOWNSHIP,
        ("review_opinion",),
        limit_setting="review_days",
        duties="根据核对、调查（评议）结果提出审核意见",
    ),
    StepSpec(
        "public_notice",
        "公示",
        StepKind.WAIT,
        REVIEWER,
        TOWNSHIP,
        ("public_notice_ended",),
        limit_setting="public_notice_days",
        limit_kind=DeadlineKind.NATURAL,
        duties="在申请家庭所在村（社区）公示审核意见，受理并核实异议",
    ),
    StepSpec(
        "reinvestigation",
        "重新调查核实",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("home_investigation",),
        limit_setting="reinvestigation_days",
        duties="公示异议成立的，重新组织调查核实，重新提出审核意见并再次公示",
    ),
    StepSpec(
        "materials",
        "补正材料",
        StepKind.WAIT,
        CASEWORKER,
        TOWNSHIP,
        (),
        limit_setting="materials_days",
        pauses_clock=True,
        duties="一次性告知需补正的材料，材料补齐后返回原环节（期间暂停计算办理时限）",
    ),
    StepSpec(
        "confirmation",
        "县级确认",
        StepKind.TASK,
        APPROVER,
        COUNTY,
        ("confirmation_opinion", "spot_check_done", "county_home_visit"),
        limit_setting="confirmation_days",
        duties="审查材料和审核意见，按比例抽查，作出确认或不予确认的决定",
    ),
    StepSpec(
        "township_confirmation",
        "乡镇确认（委托）",
        StepKind.TASK,
        REVIEWER,
        TOWNSHIP,
        ("confirmation_opinion", "spot_check_done"),
        limit_setting="confirmation_days",
        duties="受县级民政部门委托，作出确认或不予确认的决定（县级按比例抽查；近亲属案件仍由县级确认）",
    ),
    StepSpec("confirmed", "确认给予", StepKind.END, outcome=CaseOutcome.CONFIRMED),
    StepSpec("refused", "不予确认", StepKind.END, outcome=CaseOutcome.REFUSED),
    StepSpec("withdrawn", "撤回", StepKind.END, outcome=CaseOutcome.WITHDRAWN),
    StepSpec("terminated", "终止", StepKind.END, outcome=CaseOutcome.TERMINATED),
)


_TRANSITIONS = (
    TransitionSpec("verification", "investigation", F, "启动入户调查"),
    TransitionSpec("investigation", "community_review", F, "提交民主评议", "community_review_always"),
    TransitionSpec("investigation", "review", F, "提交乡镇审核", "!community_review_always"),
    TransitionSpec("community_review", "review", F, "提交乡镇审核"),
    TransitionSpec("review", "public_notice", F, "开始公示", "notice_needed"),
    TransitionSpec("review", "confirmation", F, "报县级确认（不公示）", "notice_skipped&confirm_county"),
    TransitionSpec(
        "review",
        "confirmation",
        F,
        "报县级确认（近亲属案件，不公示）",
        "notice_skipped&confirm_township&close_relative",
    ),
    TransitionSpec(
        "review",
        "township_confirmation",
        F,
        "提交乡镇确认（不公示）",
        "notice_skipped&confirm_township&!close_relative",
    ),
    TransitionSpec("public_notice", "confirmation", F, "报县级确认", "no_objection_held&confirm_county"),
    TransitionSpec(
        "public_notice",
        "confirmation",
        F,
        "报县级确认（近亲属案件）",
        "no_objection_held&confirm_township&close_relative",
    ),
    TransitionSpec(
        "public_notice",
        "township_confirmation",
        F,
        "提交乡镇确认",
        "no_objection_held&confirm_township&!close_relative",
    ),
    TransitionSpec("public_notice", "reinvestigation", F, "异议成立，重新调查核实", "objection_held"),
    TransitionSpec(
        "reinvestigation",
        "community_review",
        F,
        "提交民主评议",
        "community_review_on_objection_or_always",
    ),
    TransitionSpec("reinvestigation", "review", F, "重新提出审核意见", "community_review_never"),
    TransitionSpec("confirmation", "confirmed", F, "确认给予", "opinion_agree"),
    TransitionSpec("confirmation", "refused", F, "不予确认", "opinion_disagree"),
    TransitionSpec("township_confirmation", "confirmed", F, "确认给予", "opinion_agree"),
    TransitionSpec("township_confirmation", "refused", F, "不予确认", "opinion_disagree"),
    TransitionSpec("investigation", "verification", BACK, "退回重新核对", reason_required=True),
    TransitionSpec("review", "investigation", BACK, "退回入户调查", reason_required=True),
    TransitionSpec("confirmation", "review", BACK, "退回乡镇审核", reason_required=True),
    TransitionSpec("township_confirmation", "review", BACK, "退回乡镇审核", reason_required=True),
    TransitionSpec("investigation", "materials", BACK, "告知补正材料", reason_required=True),
    TransitionSpec("review", "materials", BACK, "告知补正材料", reason_required=True),
    TransitionSpec("materials", "investigation", F, "材料已补正，返回入户调查", "came_from"),
    TransitionSpec("materials", "review", F, "材料已补正，返回乡镇审核", "came_from"),
    *exits(_STEPS),
)

DIBAO = DefinitionSpec(
    program=AidProgram.DIBAO, name="最低生活保障审核确认", steps=_STEPS, transitions=_TRANSITIONS
)
