"""Workflow definitions as rows: the national specs written by ``definition_sync`` (a new version only
when a spec changed), and a region's variant (national latest + the region's patch) materialised whole
by ``definition_patch``. A case is pinned to the version it started under, so a new version never
changes a running case."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.vocab import AidProgram, AuditObject, CasePurpose
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import in_jurisdiction

from ..definitions import all_specs
from ..definitions.spec import DefinitionSpec, PatchError, StepSpec, TransitionSpec, apply_patch, soundness
from ..models import Definition, Step, Transition


def definition_spec(definition: Definition) -> DefinitionSpec:
    """The rows of a definition as a spec (for the flowchart, the handbook and soundness)."""
    steps = tuple(
        StepSpec(
            code=s.code,
            name=s.name,
            kind=s.kind,
            role=s.role,
            level=s.level,
            evidence=tuple(s.evidence or ()),
            limit_setting=s.limit_setting,
            limit_days=s.limit_days,
            limit_kind=s.limit_kind,
            pauses_clock=s.pauses_clock,
            outcome=s.outcome,
            duties=s.duties,
        )
        for s in Step.objects.filter(definition=definition).order_by("position", "id")
    )
    transitions = tuple(
        TransitionSpec(
            source=t.source,
            target=t.target,
            action=t.action,
            name=t.name,
            condition=t.condition,
            reason_required=t.reason_required,
        )
        for t in Transition.objects.filter(definition=definition).order_by("position", "id")
    )
    return DefinitionSpec(
        program=definition.program,
        name=definition.name,
        steps=steps,
        transitions=transitions,
        purpose=definition.purpose,
    )


def _write_rows(definition: Definition, spec: DefinitionSpec) -> None:
    Step.objects.bulk_create(
        Step(
            definition=definition,
            code=s.code,
            name=s.name,
            kind=s.kind,
            position=i,
            role=s.role,
            level=s.level,
            evidence=list(s.evidence),
            limit_setting=s.limit_setting,
            limit_days=s.limit_days,
            limit_kind=s.limit_kind,
            pauses_clock=s.pauses_clock,
            outcome=s.outcome,
            duties=s.duties,
        )
        for i, s in enumerate(spec.steps)
    )
    Transition.objects.bulk_create(
        Transition(
            definition=definition,
            source=t.source,
            target=t.target,
            action=t.action,
            name=t.name,
            condition=t.condition,
            reason_required=t.reason_required,
            position=i,
        )
        for i, t in enumerate(spec.transitions)
    )


def _check_admin(ctx: AuditContext) -> None:
    user = ctx.user
    if user is None:
        return  # the command line (workflow-sync)
    if not (getattr(user, "is_superuser", False) or getattr(user, "role", "") == Role.ADMIN):
        raise PermissionDenied("只有管理员可以维护办理流程")


def _problems(spec: DefinitionSpec) -> list[str]:
    return soundness(spec, roles=Role.values)


def definition_sync(*, ctx: AuditContext) -> list[Definition]:
    """Write the national definitions (``definitions/*.py``) as rows: a new version of a program only
    when its spec differs from the latest stored one. Idempotent; returns the latest national version
    of every program."""
    _check_admin(ctx)
    out = []
    with transaction.atomic():
        for spec in all_specs():
            program, purpose = spec.program, spec.purpose
            problems = _problems(spec)
            if problems:
                raise ValidationFailed({"definition": f"{program}：" + "；".join(problems)})
            latest = (
                Definition.objects.select_for_update()
                .filter(program=program, purpose=purpose, region__isnull=True)
                .order_by("-version")
                .first()
            )
            if latest is not None and definition_spec(latest) == spec:
                out.append(latest)
                continue
            definition = Definition.objects.create(
                program=program,
                purpose=purpose,
                region=None,
                version=(latest.version + 1) if latest else 1,
                name=spec.name,
            )
            _write_rows(definition, spec)
            audit_record(
                ctx=ctx,
                action="create",
                object_type=AuditObject.WORKFLOW_DEFINITION,
                object_id=definition.pk,
                detail={"program": program, "purpose": purpose, "version": definition.version},
            )
            out.append(definition)
    return out


def definition_patch(
    *,
    ctx: AuditContext,
    program: str,
    region_code: str,
    patch: dict[str, Any],
    purpose: str = CasePurpose.APPLICATION,
) -> Definition:
    """A region's variant: the latest national definition of ``program`` with ``patch`` applied
    (format: ``definitions.spec``), checked for soundness and stored whole as a new version; earlier
    variants of the region are deactivated (cases keep theirs)."""
    _check_admin(ctx)
    if program not in AidProgram.codes():
        raise ValidationFailed({"program": "未知的救助项目"})
    region = Region.objects.filter(code=region_code).first()
    if region is None or (ctx.user is not None and not in_jurisdiction(ctx.user, region_code)):
        raise NotFound()
    if not isinstance(patch, dict):
        raise ValidationFailed({"patch": "地方调整应为 JSON 对象"})
    with transaction.atomic():
        base = (
            Definition.objects.filter(program=program, purpose=purpose, region__isnull=True, active=True)
            .order_by("-version")
            .first()
        )
        if base is None:
            raise NotFound(f"尚未配置“{AidProgram.label_of(program)}”的全国流程，请先运行 workflow-sync")
        try:
            spec = apply_patch(definition_spec(base), patch)
        except (PatchError, TypeError, AttributeError) as exc:
            raise ValidationFailed({"patch": f"地方调整无法应用：{exc}"}) from None
        if not patch.get("name"):
            spec = DefinitionSpec(
                program=spec.program,
                name=f"{spec.name}（{region.name}）",
                steps=spec.steps,
                transitions=spec.transitions,
                purpose=spec.purpose,
            )
        problems = _problems(spec)
        if problems:
            raise ValidationFailed({"patch": "调整后的流程不完整：" + "；".join(problems)})
        mine = Definition.objects.filter(program=program, purpose=purpose, region=region)
        last = mine.aggregate(m=Max("version"))["m"]
        mine.filter(active=True).update(active=False)
        definition = Definition.objects.create(
            program=program,
            purpose=purpose,
            region=region,
            version=(last or 0) + 1,
            name=spec.name,
            base=base,
            patch=patch,
        )
        _write_rows(definition, spec)
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.WORKFLOW_DEFINITION,
            object_id=definition.pk,
            region_code=region.code,
            detail={"program": program, "version": definition.version, "base": base.pk},
        )
    return definition
