"""The national 特困人员认定 procedure (民发〔2021〕43号, rules §3.3), as data.

受理 opens the case in ``verification``: the cross-check of the applicant's household *and* of the
legally liable supporters starts on the day of acceptance (the verification report, whose supporters
must have signed their authorisations). The investigation (15 working days, ``tekun_investigation_days``)
covers the finances, the living situation and the supporters' situation, and includes the county-led
self-care assessment (six items → the care tier) with the 三无 finding it records. 民主评议 is optional
(the region's mode, as for 低保); the township's review opinion; a 7-day public notice (a minor's case is
not noticed); an objection that holds sends the case to re-investigation (15 working days) and a new
notice. The county confirms within 10 working days; a refusal is notified in writing within 3 working
days (``refusal_notice_days``). The step codes and evidence are those of 低保 where the meaning is the
same, so that the same step services record them.
"""

from __future__ import annotations

from jiuzhu.core.vocab import AidProgram, CaseOutcome, DeadlineKind, StepKind

from .dibao import APPROVER, BACK, CASEWORKER, REVIEWER, F
from .spec import COUNTY, TOWNSHIP, DefinitionSpec, StepSpec, TransitionSpec, exits

_STEPS = (
    StepSpec(
        "verification",
        "受理与核对",
        StepKind.START,
        CASEWORKER,
        TOWNSHIP,
        ("verification_report",),
        limit_setting="investigation_start_days",
        duties="受理当日启动对申请人及其法定赡养、抚养、扶养义务人的经济状况核对，附入核对报告",
    ),
    StepSpec(
        "investigation",
        "调查核实与自理能力评估",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("home_investigation", "selfcare_assessment"),
        limit_setting="tekun_investigation_days",
        duties="入户调查申请人经济状况、生活状况和义务人履行义务能力；县级民政部门牵头、乡镇和村协助开展"
        "生活自理能力评估（六项），认定“三无”条件",
    ),
    StepSpec(
        "community_review",
        "民主评议",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("community_review",),
        limit_setting="community_review_days",
        duties="本地开展民主评议的，组织评议并记录到会人数、表决结果和评议意见",
    ),
    StepSpec(
        "review",
        "乡镇审核",
        StepKind.TASK,
        REVIEWER,
        TOWNSHIP,
        ("review_opinion",),
        limit_setting="review_days",
        duties="根据核对、调查和自理能力评估结果提出审核意见",
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
        duties="在申请人所在村（社区）公示 7 天（未成年人不公示），受理并核实异议",
    ),
    StepSpec(
        "reinvestigation",
        "重新调查核实",
        StepKind.TASK,
        CASEWORKER,
        TOWNSHIP,
        ("home_investigation",),
        limit_setting="reinvestigation_days",
        duties="公示异议成立的，重新调查核实，重新提出审核意见并再次公示",
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
        ("confirmation_opinion", "spot_check_done", "county_home_visit", "selfcare_assessment"),
        limit_setting="confirmation_days",
        duties="审查材料、审核意见和自理能力评估结果，确定护理等级和供养形式，作出确认或不予确认的决定；"
        "不予确认的 3 个工作日内书面告知理由",
    ),
    StepSpec("confirmed", "确认给予", StepKind.END, outcome=CaseOutcome.CONFIRMED),
    StepSpec("refused", "不予确认", StepKind.END, outcome=CaseOutcome.REFUSED),
    StepSpec("withdrawn", "撤回", StepKind.END, outcome=CaseOutcome.WITHDRAWN),
    StepSpec("terminated", "终止", StepKind.END, outcome=CaseOutcome.TERMINATED),
)


_TRANSITIONS = (
    TransitionSpec("verification", "investigation", F, "启动调查核实"),
    TransitionSpec("investigation", "community_review", F, "提交民主评议", "community_review_always"),
    TransitionSpec("investigation", "review", F, "提交乡镇审核", "!community_review_always"),
    TransitionSpec("community_review", "review", F, "提交乡镇审核"),
    TransitionSpec("review", "public_notice", F, "开始公示", "notice_needed"),
    TransitionSpec("review", "confirmation", F, "报县级确认（未成年人，不公示）", "notice_skipped"),
    TransitionSpec("public_notice", "confirmation", F, "报县级确认", "no_objection_held"),
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
    TransitionSpec("investigation", "verification", BACK, "退回重新核对", reason_required=True),
    TransitionSpec("review", "investigation", BACK, "退回调查核实", reason_required=True),
    TransitionSpec("confirmation", "review", BACK, "退回乡镇审核", reason_required=True),
    TransitionSpec("investigation", "materials", BACK, "告知补正材料", reason_required=True),
    TransitionSpec("review", "materials", BACK, "告知补正材料", reason_required=True),
    TransitionSpec("materials", "investigation", F, "材料已补正，返回调查核实", "came_from"),
    TransitionSpec("materials", "review", F, "材料已补正，返回乡镇审核", "came_from"),
    *exits(_STEPS),
)

TEKUN = DefinitionSpec(program=AidProgram.TEKUN, name="特困人员认定", steps=_STEPS, transitions=_TRANSITIONS)
