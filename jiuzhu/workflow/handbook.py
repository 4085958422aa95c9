"""The handbook (规程手册) and the responsibility list (责任清单) of a region, built from what is in force:
the policy version, the workflow definitions and the notice templates.

Nothing here is written by hand: a time limit changed in the admin (a new policy version), a region's
variant of a definition or a new notice template changes the handbook the next time it is read. The
functions return plain dataclasses; the pages render them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from jiuzhu.accounts.roles import ROLES, Role
from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram, CasePurpose, NoticeKind, StepKind, TransitionAction
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import CODE_RE
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import in_jurisdiction

from .flowchart import (
    Flow,
    condition_label,
    evidence_label,
    flow_of,
    level_label,
    limit_label,
    mermaid,
    role_label,
    setting_label,
)
from .models import Definition, Step, Transition
from .notice_defaults import DEFAULT_TEXTS
from .notices import NOTICE_FACTS, notice_template_in_force
from .selectors import definition_for

# --- which region ------------------------------------------------------------------------------------


def docs_region(*, user: Any, requested: str | None) -> str | None:
    """The region whose configuration a page shows: ``requested`` when it is a region within the
    user's jurisdiction (else ``NotFound``, one answer for "no such region" and "not yours"), else
    the user's own region; ``None`` (the national definitions) for a user bound to no region."""
    if requested:
        if not CODE_RE.match(requested) or not in_jurisdiction(user, requested):
            raise NotFound()
        if not Region.objects.filter(code=requested).exists():
            raise NotFound()
        return requested
    return getattr(user, "region_id", None) or None


def region_name(region_code: str | None) -> str:
    if not region_code:
        return "全国"
    return Region.objects.values_list("name", flat=True).get(code=region_code)


# --- what is in force --------------------------------------------------------------------------------


def _definition(
    program: str, region_code: str | None, purpose: str = CasePurpose.APPLICATION
) -> Definition | None:
    if region_code:
        try:
            return definition_for(program=program, region_code=region_code, purpose=purpose)
        except NotFound:
            return None
    return (
        Definition.objects.filter(program=program, purpose=purpose, region__isnull=True, active=True)
        .order_by("-version")
        .first()
    )


def _with_rows(definitions: list[Definition]) -> list[Definition]:
    prefetch_related_objects(
        definitions,
        "region",
        Prefetch("steps", queryset=Step.objects.order_by("position", "id")),
        Prefetch("transitions", queryset=Transition.objects.order_by("position", "id")),
    )
    return definitions


def definitions_in_force(
    *, region_code: str | None, purpose: str = CasePurpose.APPLICATION
) -> dict[str, Definition]:
    """Per program that has one, the definition in force for ``region_code`` (``selectors.definition_for``;
    the latest active national one for ``None``) for ``purpose``, steps and transitions prefetched."""
    found = [d for p in AidProgram.codes() if (d := _definition(p, region_code, purpose)) is not None]
    return {d.program: d for d in _with_rows(found)}


def definition_in_force(
    *, program: str, region_code: str | None, purpose: str = CasePurpose.APPLICATION
) -> Definition | None:
    found = _definition(program, region_code, purpose)
    return _with_rows([found])[0] if found is not None else None


def policy_or_none(*, region_code: str | None, on: date) -> PolicyVersion | None:
    if not region_code:
        return None
    try:
        return policy_in_force(region_code=region_code, on=on)
    except NotFound:
        return None


# --- the handbook's data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class StepRow:
    code: str
    name: str
    kind_label: str
    role: str
    role_label: str
    level_label: str
    evidence: tuple[str, ...]
    limit: str
    pauses_clock: bool
    duties: str


@dataclass(frozen=True)
class MoveRow:
    source: str
    target: str
    action_label: str
    name: str
    condition: str
    reason_required: bool


@dataclass(frozen=True)
class Procedure:
    program: str
    program_label: str
    name: str
    version: int
    scope: str
    mermaid: str
    steps: tuple[StepRow, ...]
    moves: tuple[MoveRow, ...]


@dataclass(frozen=True)
class StepDuty:
    program_label: str
    step: str
    level_label: str
    limit: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class RoleDuties:
    role: str
    role_label: str
    levels: str
    duties: str
    steps: tuple[StepDuty, ...]


@dataclass(frozen=True)
class NoticeEntry:
    kind: str
    kind_label: str
    built_in: bool  # the platform's text: the region has entered no template of its own
    title: str
    issuer: str
    document_prefix: str
    body: str


@dataclass(frozen=True)
class Handbook:
    region_code: str | None
    region_name: str
    on: date
    policy: PolicyVersion | None
    policy_sections: tuple[Section, ...]
    procedures: tuple[Procedure, ...]
    duties: tuple[RoleDuties, ...]
    notices: tuple[NoticeEntry, ...]
    notice_facts: tuple[tuple[str, str], ...]  # the variables a template may use
    gaps: tuple[str, ...]


# The policy chapter: which settings, grouped as the rules group them (rules §1.1–§1.7).
_POLICY_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("标准", ("dibao_standard_urban", "dibao_standard_rural")),
    (
        "各项时限",
        (
            "case_limit_days",
            "case_limit_extended_days",
            "investigation_start_days",
            "investigation_days",
            "community_review_days",
            "review_days",
            "public_notice_days",
            "reinvestigation_days",
            "confirmation_days",
            "refusal_notice_days",
            "materials_days",
            "cooperation_days",
            "overdue_warning_days",
        ),
    ),
    (
        "入户调查与民主评议",
        (
            "investigators_min",
            "community_review_mode",
            "community_review_quorum",
            "community_review_majority",
        ),
    ),
    ("公示与确认", ("public_notice_minors", "confirm_level", "spot_check_rate")),
    (
        "保障金：起始月份、保底与增发",
        (
            "allowance_start",
            "minimum_allowance",
            "topup_minor",
            "topup_elderly",
            "topup_severe_disability",
            "policy_at_decision",
        ),
    ),
    ("复核周期", ("review_months_a", "review_months_b", "review_months_c")),
    ("申请渠道", ("online_application", "remote_application")),
)
_PERCENT = {"community_review_quorum", "community_review_majority", "spot_check_rate"}
_MONTHS = {"review_months_a", "review_months_b", "review_months_c"}


def _policy_value(policy: PolicyVersion, name: str) -> str:
    field = PolicyVersion._meta.get_field(name)
    value = getattr(policy, name)
    label = setting_label(name)
    if getattr(field, "choices", None):
        return str(getattr(policy, f"get_{name}_display")())
    if isinstance(value, bool):
        return "是" if value else "否"
    if name in _PERCENT:
        return f"{(Decimal(value) * 100).normalize():f}%"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if name in _MONTHS:
        return f"{value}个月"
    if name == "investigators_min":
        return f"{value}人"
    if "自然日" in label:
        return f"{value}日（自然日）"
    if "工作日" in label:
        return f"{value}个工作日"
    return str(value)


def policy_sections(policy: PolicyVersion) -> tuple[Section, ...]:
    basis = Section(
        "政策依据",
        (
            Item("文件依据（文号）", policy.document_no),
            Item("制定区划", policy.region.name),
            Item(
                "有效期",
                f"{policy.effective_from:%Y-%m-%d} 起"
                + (f"至 {policy.effective_to:%Y-%m-%d}" if policy.effective_to else "，长期有效"),
            ),
        ),
    )
    groups = tuple(
        Section(
            title,
            tuple(Item(setting_label(n), _policy_value(policy, n)) for n in names),
        )
        for title, names in _POLICY_GROUPS
    )
    return (basis, *groups)


def _step_rows(flow: Flow, policy: PolicyVersion | None) -> tuple[StepRow, ...]:
    return tuple(
        StepRow(
            code=s.code,
            name=s.name,
            kind_label=StepKind.label_of(s.kind),
            role=s.role,
            role_label=role_label(s.role) if s.role else "",
            level_label=level_label(s.level),
            evidence=tuple(evidence_label(e) for e in s.evidence),
            limit=limit_label(s, policy),
            pauses_clock=s.pauses_clock,
            duties=s.duties,
        )
        for s in flow.steps
    )


def _move_rows(flow: Flow) -> tuple[MoveRow, ...]:
    names = {s.code: s.name for s in flow.steps}
    return tuple(
        MoveRow(
            source=names.get(t.source, "任一办理中环节" if t.source in ("*", "") else t.source),
            target=names.get(t.target, t.target),
            action_label=TransitionAction.label_of(t.action),
            name=t.name,
            condition=condition_label(t.condition) if t.condition else "",
            reason_required=t.reason_required,
        )
        for t in flow.transitions
    )


def procedure(
    definition: Definition, *, policy: PolicyVersion | None, current: str | None = None
) -> Procedure:
    flow = flow_of(definition)
    return Procedure(
        program=definition.program,
        program_label=AidProgram.label_of(definition.program),
        name=definition.name,
        version=definition.version,
        scope=definition.region.name if definition.region else "全国",
        mermaid=mermaid(definition, policy=policy, current=current),
        steps=_step_rows(flow, policy),
        moves=_move_rows(flow),
    )


def role_duties(
    definitions: dict[str, Definition], *, policy: PolicyVersion | None
) -> tuple[RoleDuties, ...]:
    """Every role of the platform with its standing duties and every workflow step it performs in the
    definitions in force."""
    steps: dict[str, list[StepDuty]] = {r.value: [] for r in Role}
    for program, definition in definitions.items():
        for s in flow_of(definition).steps:
            if not s.role or s.kind == StepKind.END:
                continue
            steps.setdefault(s.role, []).append(
                StepDuty(
                    program_label=AidProgram.label_of(program),
                    step=s.name,
                    level_label=level_label(s.level),
                    limit=limit_label(s, policy),
                    evidence=tuple(evidence_label(e) for e in s.evidence),
                )
            )
    out = [
        RoleDuties(
            role=role.value,
            role_label=role.label,
            levels="、".join(lv.label for lv in spec.levels),
            duties=spec.duties,
            steps=tuple(steps.pop(role.value, [])),
        )
        for role, spec in ROLES.items()
    ]
    # A role code in a definition that the platform does not know: shown, so the mistake is visible.
    out += [RoleDuties(code, code, "", "", tuple(rows)) for code, rows in steps.items() if rows]
    return tuple(out)


def responsibilities_build(*, region_code: str | None, on: date) -> tuple[RoleDuties, ...]:
    definitions = definitions_in_force(region_code=region_code)
    return role_duties(definitions, policy=policy_or_none(region_code=region_code, on=on))


def notice_entries(*, region_code: str | None, on: date) -> tuple[NoticeEntry, ...]:
    """Each notice as ``region_code`` would issue it on ``on`` (``notices.notice_template_in_force``):
    its template in force, else the built-in text; the national handbook shows the built-in texts."""
    out = []
    for kind in NoticeKind:
        title, body = DEFAULT_TEXTS[kind.value]
        issuer = prefix = ""
        if region_code:
            issuer, prefix, title, body = notice_template_in_force(
                region_code=region_code, kind=kind.value, on=on
            )
        out.append(
            NoticeEntry(
                kind=kind.value,
                kind_label=kind.label,
                built_in=(title, body) == DEFAULT_TEXTS[kind.value],
                title=title,
                issuer=issuer,
                document_prefix=prefix,
                body=body,
            )
        )
    return tuple(out)


def handbook_build(*, region_code: str | None, on: date) -> Handbook:
    """The handbook of ``region_code`` (``None``: the national definitions, without a policy) on ``on``."""
    policy = policy_or_none(region_code=region_code, on=on)
    definitions = definitions_in_force(region_code=region_code)
    gaps = []
    if policy is None:
        gaps.append("本区划在该日期没有生效的政策参数，时限按政策参数名称列出；请管理员在后台录入。")
    if not definitions:
        gaps.append("尚未配置任何审核确认流程定义（运行 workflow_sync 或在后台配置）。")
    return Handbook(
        region_code=region_code,
        region_name=region_name(region_code),
        on=on,
        policy=policy,
        policy_sections=policy_sections(policy) if policy else (),
        procedures=tuple(procedure(d, policy=policy) for d in definitions.values())
        + tuple(
            procedure(d, policy=policy)
            for d in definitions_in_force(region_code=region_code, purpose=CasePurpose.REVIEW).values()
        ),
        duties=role_duties(definitions, policy=policy),
        notices=notice_entries(region_code=region_code, on=on),
        notice_facts=tuple(NOTICE_FACTS.items()),
        gaps=tuple(gaps),
    )
