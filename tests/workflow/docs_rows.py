"""A 低保 definition written out as rows, for the flowchart and handbook tests: the national steps and
transitions of the plan, and a region's variant without 民主评议 (a province that drops it)."""

from __future__ import annotations

from typing import Any

from jiuzhu.workflow.models import Definition, Step, Transition

# code, name, kind, role, level, evidence, limit_setting, limit_kind, pauses_clock, outcome
STEPS: list[tuple[Any, ...]] = [
    (
        "verification",
        "家庭经济状况核对",
        "start",
        "township_caseworker",
        4,
        ["verification_report"],
        "investigation_start_days",
        "working",
        False,
        "",
    ),
    (
        "investigation",
        "入户调查",
        "task",
        "township_caseworker",
        4,
        ["home_investigation"],
        "investigation_days",
        "working",
        False,
        "",
    ),
    (
        "community_review",
        "民主评议",
        "task",
        "township_caseworker",
        4,
        ["community_review"],
        "community_review_days",
        "working",
        False,
        "",
    ),
    (
        "review",
        "乡镇审核",
        "task",
        "township_reviewer",
        4,
        ["review_opinion"],
        "review_days",
        "working",
        False,
        "",
    ),
    (
        "public_notice",
        "公示",
        "wait",
        "township_reviewer",
        4,
        ["public_notice_ended"],
        "public_notice_days",
        "natural",
        False,
        "",
    ),
    (
        "reinvestigation",
        "重新调查核实",
        "task",
        "township_caseworker",
        4,
        ["home_investigation"],
        "reinvestigation_days",
        "working",
        False,
        "",
    ),
    ("materials", "补正材料", "wait", "township_caseworker", 4, [], "materials_days", "working", True, ""),
    (
        "confirmation",
        "县级确认",
        "task",
        "county_approver",
        3,
        ["confirmation_opinion", "spot_check_done", "county_home_visit"],
        "confirmation_days",
        "working",
        False,
        "",
    ),
    (
        "township_confirmation",
        "乡镇确认（委托）",
        "task",
        "township_reviewer",
        4,
        ["confirmation_opinion"],
        "confirmation_days",
        "working",
        False,
        "",
    ),
    ("confirmed", "确认给予", "end", "", None, [], "", "working", False, "confirmed"),
    ("refused", "不予确认", "end", "", None, [], "", "working", False, "refused"),
    ("withdrawn", "撤回", "end", "", None, [], "", "working", False, "withdrawn"),
    ("terminated", "终止", "end", "", None, [], "", "working", False, "terminated"),
]
# source, target, action, name, condition, reason_required
MOVES: list[tuple[str, str, str, str, str, bool]] = [
    ("verification", "investigation", "forward", "开始入户调查", "", False),
    ("investigation", "community_review", "forward", "提交民主评议", "community_review_always", False),
    ("investigation", "review", "forward", "提交乡镇审核", "not_community_review_always", False),
    ("community_review", "review", "forward", "提交乡镇审核", "", False),
    ("review", "public_notice", "forward", "公示", "notice_needed", False),
    ("review", "confirmation", "forward", "报县级确认", "notice_skipped&confirm_county", False),
    ("review", "township_confirmation", "forward", "乡镇确认", "notice_skipped&confirm_township", False),
    ("public_notice", "confirmation", "forward", "报县级确认", "no_objection_held&confirm_county", False),
    (
        "public_notice",
        "township_confirmation",
        "forward",
        "乡镇确认",
        "no_objection_held&confirm_township",
        False,
    ),
    ("public_notice", "reinvestigation", "forward", "重新调查", "objection_held", False),
    (
        "reinvestigation",
        "community_review",
        "forward",
        "提交民主评议",
        "community_review_on_objection_or_always",
        False,
    ),
    ("reinvestigation", "review", "forward", "提交乡镇审核", "community_review_never", False),
    ("confirmation", "confirmed", "forward", "确认给予", "opinion_agree", False),
    ("confirmation", "refused", "forward", "不予确认", "opinion_disagree", False),
    ("township_confirmation", "confirmed", "forward", "确认给予", "opinion_agree", False),
    ("township_confirmation", "refused", "forward", "不予确认", "opinion_disagree", False),
    ("investigation", "verification", "send_back", "退回重新核对", "", True),
    ("review", "investigation", "send_back", "退回重新调查", "", True),
    ("confirmation", "review", "send_back", "退回乡镇审核", "", True),
    ("township_confirmation", "review", "send_back", "退回乡镇审核", "", True),
    ("investigation", "materials", "send_back", "补正材料", "", True),
    ("review", "materials", "send_back", "补正材料", "", True),
    ("materials", "investigation", "forward", "材料补齐", "", False),
    ("materials", "review", "forward", "材料补齐", "", False),
]
OPEN = [s[0] for s in STEPS if s[2] != "end"]


def make_definition(*, region: Any = None, version: int = 1, drop: tuple[str, ...] = ()) -> Definition:
    """The definition as rows; ``drop`` leaves out steps (and every move to or from them)."""
    d = Definition.objects.create(
        program="dibao",
        region=region,
        version=version,
        name="低保审核确认",
        patch={"drop_steps": list(drop)} if drop else {},
    )
    for i, (code, name, kind, role, level, evidence, setting, limit_kind, pauses, outcome) in enumerate(
        STEPS
    ):
        if code in drop:
            continue
        Step.objects.create(
            definition=d,
            code=code,
            name=name,
            kind=kind,
            position=i,
            role=role,
            level=level,
            evidence=evidence,
            limit_setting=setting,
            limit_kind=limit_kind,
            pauses_clock=pauses,
            outcome=outcome,
        )
    moves = [m for m in MOVES if m[0] not in drop and m[1] not in drop]
    moves += [(s, "withdrawn", "withdraw", "申请人撤回", "", True) for s in OPEN if s not in drop]
    moves += [(s, "terminated", "terminate", "终止办理", "", True) for s in OPEN if s not in drop]
    for i, (source, target, action, name, condition, reason) in enumerate(moves):
        Transition.objects.create(
            definition=d,
            source=source,
            target=target,
            action=action,
            name=name,
            condition=condition,
            reason_required=reason,
            position=i,
        )
    return d
