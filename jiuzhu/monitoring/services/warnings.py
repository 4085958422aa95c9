"""The closed loop of a warning (rules §7, §10.8): verified (what was found) → given an outcome → closed.

- ``warning_verify``: records what the verification found (入户核实、部门核对); open → verified. May be
  recorded again while the warning is verified (the finding corrected).
- ``warning_close``: the outcome of a verified warning, and what it starts, in one transaction with the
  warning's close:
    * ``assist`` (纳入救助): an application for the household's program through 一门受理
      (``jiuzhu.intake.services.application_start``, at the window, from the subject's ID number);
    * ``adjust`` (调整待遇): a review case (定期复核 definition, ``purpose`` review) for the live entitlement,
      opened as the periodic reviews are (``jiuzhu.workflow.services.reviews``), the county deciding it;
    * ``stop`` (停止救助): by whoever may change entitlements (the county approver, the township reviewer
      where confirmation is delegated), the termination at once with its 终止救助告知书
      (``reviews.entitlement_stop``); by the township caseworker, who may not, a review case proposing
      停保 with the reasons, which the county decides (``review_decide`` issues the notice);
    * ``dismiss`` (排除): the reason is required.
- ``warnings_escalate``: a warning not closed by its deadline is escalated (督办) once, and shows in the
  county's queue.

Every write takes the warning's ``version`` (optimistic locking: a stale form gets a conflict) and leaves
an audit line. Village assistants verify the leads of their village; the outcome is the township's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.benefits.life import LIVE
from jiuzhu.benefits.models import Entitlement
from jiuzhu.benefits.programs import PER_PERSON
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import AidProgram, ApplicationChannel, AuditObject, CasePurpose
from jiuzhu.intake.services import application_start
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Membership
from jiuzhu.workflow.definitions import REVIEWS
from jiuzhu.workflow.services import case_open
from jiuzhu.workflow.services.reviews import entitlement_stop

from ..models import Warning
from ..selectors import CHANGE_PERM, NOT_CLOSED, escalation_candidates, rule_name

STALE = "该预警已被他人处理，请刷新后重试"
OUTCOMES = tuple(Warning.Outcome.values)


@dataclass(frozen=True)
class Closed:
    warning: Warning
    application: Any = None  # intake.Application (assist)
    case: Any = None  # workflow.Case (adjust; stop proposed to the county)
    entitlement: Entitlement | None = None  # stop at once
    notice: Any = None  # the 终止救助告知书 of a stop at once


def _audit(ctx: AuditContext, w: Warning, **detail: Any) -> None:
    audit_record(
        ctx=ctx,
        action="update",
        object_type=AuditObject.WARNING,
        object_id=w.pk,
        region_code=w.region_id,
        detail=detail,
    )


def _locked(ctx: AuditContext, warning_id: int, version: int) -> Warning:
    require_perm(ctx.user, CHANGE_PERM)
    w = get_in_jurisdiction(
        Warning.objects.select_for_update(of=("self",)).select_related("person"),
        user=ctx.user,
        pk=warning_id,
        region_field="region__code",
    )
    if w.version != version:
        raise Conflict(STALE)
    if w.status == Warning.Status.CLOSED:
        raise Conflict("该预警已办结，不能再办理")
    return w


def _assistant_may(ctx: AuditContext, w: Warning) -> None:
    if getattr(ctx.user, "role", "") == Role.VILLAGE_ASSISTANT and w.purpose != Warning.Purpose.LEAD:
        raise PermissionDenied("村(居)协理员只核实本村的主动发现线索，预警由乡镇经办人员核实")


def _multiline(value: Any, key: str, label: str, errors: dict[str, str], *, required: bool = False) -> str:
    """Free text of a text area: each line cleaned (``clean_text``), blank lines dropped, joined again."""
    lines: list[str] = []
    for line in str(value or "").splitlines():
        cleaned = clean_text(line, key, label, errors, max_length=2000)
        if cleaned:
            lines.append(cleaned)
    text = "\n".join(lines)
    if key in errors:
        return ""
    if required and not text:
        errors[key] = f"{label}不能为空"
    elif len(text) > 2000:
        errors[key] = f"{label}不能超过2000个字（现为{len(text)}个）"
    return text


def _save(w: Warning, **values: Any) -> Warning:
    Warning.objects.filter(pk=w.pk).update(**values, version=F("version") + 1)
    w.refresh_from_db()
    return w


def warning_verify(*, ctx: AuditContext, warning_id: int, version: int, verification: str) -> Warning:
    """Record what the verification found; the warning is then verified (module docstring)."""
    errors: dict[str, str] = {}
    text = _multiline(verification, "verification", "核实情况", errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        w = _locked(ctx, warning_id, version)
        _assistant_may(ctx, w)
        w = _save(
            w,
            status=Warning.Status.VERIFIED,
            verification=text,
            verified_by=ctx.user,
            verified_at=timezone.now(),
        )
        _audit(ctx, w, change="verify", rule=w.rule, verification=text[:200])
    return w


# --- outcomes ---------------------------------------------------------------------------------------------


def _live_entitlement(w: Warning, entitlement_id: int | None) -> Entitlement:
    """The live entitlement of the warning's household the outcome acts on: the one given, or the only
    one (the person's own before the household's when the person holds one)."""
    live = Entitlement.objects.filter(household_id=w.household_id, status__in=LIVE).select_related(
        "decision", "household"
    )
    if entitlement_id is not None:
        e = live.filter(pk=entitlement_id).first()
        if e is None:
            raise ValidationFailed({"entitlement_id": "请选择该户在保的救助项目"})
        return e
    rows = list(live.order_by("id"))
    own = [e for e in rows if e.person_id == w.person_id]
    if len(own) == 1:
        return own[0]
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise ValidationFailed({"entitlement_id": "该户没有在保的救助项目，可选择“排除”或“纳入救助”"})
    raise ValidationFailed({"entitlement_id": "该户有多个在保项目，请选择要处理的一项"})


def _applicant(e: Entitlement) -> int:
    """Who a review case is opened with: the decision's applicant while still a member, else the head,
    else any current member (as the periodic reviews do)."""
    ids = set(
        Membership.objects.filter(household_id=e.household_id, end_date__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    for candidate in (e.decision.applicant_id, e.household.head_id):
        if candidate in ids:
            return int(candidate)
    if not ids:
        raise ValidationFailed({"entitlement_id": "该户已无现有成员，不能立复核案件"})
    return int(min(ids))


def _review_case(ctx: AuditContext, w: Warning, e: Entitlement, extra: dict[str, Any]) -> Any:
    """A review case for ``e``, opened as the periodic reviews open theirs (``reviews.reviews_open``),
    recording the warning that led to it."""
    if e.program not in REVIEWS:
        raise ValidationFailed(
            {"entitlement_id": f"{AidProgram.label_of(e.program)}没有复核流程，请由有权人员直接调整或终止"}
        )
    subject = e.person_id if e.program in PER_PERSON else None
    return case_open(
        ctx=ctx,
        program=e.program,
        household_id=e.household_id,
        applicant_id=_applicant(e),
        subject_id=subject,
        purpose=CasePurpose.REVIEW,
        entitlement_id=e.pk,
        details={
            **((e.decision.computation or {}).get("details") or {}),
            **{k: v for k, v in (e.details or {}).items() if k != "migration"},
            "review_class": e.review_class,
            "warning": w.pk,
            "warning_rule": w.rule,
            "warning_rule_name": rule_name(w.rule),
            **extra,
        },
    )


def _lines(text: str) -> list[str]:
    return text.splitlines()


def warning_close(
    *,
    ctx: AuditContext,
    warning_id: int,
    version: int,
    outcome: str,
    reason: str = "",
    program: str | None = None,
    entitlement_id: int | None = None,
    end_month: date | None = None,
) -> Closed:
    """The outcome of a verified warning and what it starts (module docstring); the warning is closed.
    ``reason``: the explanation (required to dismiss or stop; for a stop, one reason per line);
    ``program``: the program applied for (assist); ``entitlement_id``: the live entitlement adjusted or
    stopped (default: the only one); ``end_month``: the last month paid on a stop (default: this month)."""
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = "处理结果须为纳入救助、调整待遇、停止救助或排除"
    required = outcome in (Warning.Outcome.DISMISS, Warning.Outcome.STOP)
    text = _multiline(reason, "reason", "处理说明", errors, required=required)
    if outcome == Warning.Outcome.ASSIST and program not in AidProgram.codes():
        errors["program"] = "请选择申请的救助项目"
    if errors:
        raise ValidationFailed(errors)
    today = timezone.localdate()
    result: dict[str, Any] = {}
    with transaction.atomic():
        w = _locked(ctx, warning_id, version)
        if getattr(ctx.user, "role", "") == Role.VILLAGE_ASSISTANT:
            raise PermissionDenied("处理结果由乡镇经办人员办理，村(居)协理员只核实线索")
        if w.status != Warning.Status.VERIFIED:
            raise Conflict("请先记录核实情况，再作出处理结果")
        label = rule_name(w.rule)
        if outcome == Warning.Outcome.ASSIST:
            assert program is not None
            app = application_start(
                ctx=ctx,
                id_number=w.person.id_number,
                channel=ApplicationChannel.WINDOW,
                statement=f"动态监测（{label}）核实后发起：{text or w.verification}"[:1000],
                programs=[program],
            )
            result["application"] = app
            ref = f"application:{app.number}"
        elif outcome == Warning.Outcome.ADJUST:
            e = _live_entitlement(w, entitlement_id)
            case = _review_case(ctx, w, e, {"warning_reason": text or w.verification[:500]})
            result["case"] = case
            ref = f"case:{case.number}"
        elif outcome == Warning.Outcome.STOP:
            e = _live_entitlement(w, entitlement_id)
            reasons = _lines(text)
            if ctx.user is not None and ctx.user.has_perm("benefits.change_entitlement"):
                changed = entitlement_stop(
                    ctx=ctx,
                    entitlement_id=e.pk,
                    end_month=(end_month or today).replace(day=1),
                    reasons=reasons,
                )
                result["entitlement"], result["notice"] = changed.entitlement, changed.notice
                ref = f"entitlement:{e.pk}" + (f";notice:{changed.notice.pk}" if changed.notice else "")
            else:
                case = _review_case(
                    ctx,
                    w,
                    e,
                    {
                        "proposed_outcome": "stopped",
                        "proposed_reasons": reasons,
                        "proposed_end_month": (end_month or today).replace(day=1).isoformat(),
                    },
                )
                result["case"] = case
                ref = f"case:{case.number}"
        else:
            ref = ""
        w = _save(
            w,
            status=Warning.Status.CLOSED,
            outcome=outcome,
            outcome_reason=text,
            outcome_ref=ref[:60],
            closed_by=ctx.user,
            closed_at=timezone.now(),
        )
        _audit(ctx, w, change="close", rule=w.rule, outcome=outcome, ref=ref, reason=text[:200])
    return Closed(warning=w, **result)


# --- escalation -------------------------------------------------------------------------------------------


def warnings_escalate(*, ctx: AuditContext, today: date | None = None) -> int:
    """Escalate (督办) every warning not closed and past its deadline, once: it then shows in the county's
    queue. Idempotent; each warning is claimed with a conditional UPDATE, so two scans at once never
    escalate one twice. Returns how many were escalated."""
    today = today or timezone.localdate()
    done = 0
    for pk in list(escalation_candidates(today).values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Warning.objects.filter(
                pk=pk, escalated_at__isnull=True, status__in=NOT_CLOSED, due_on__lt=today
            ).update(escalated_at=timezone.now())
            if claimed:
                w = Warning.objects.get(pk=pk)
                _audit(ctx, w, change="escalate", rule=w.rule, due_on=w.due_on.isoformat())
                done += 1
    return done


def warnings_escalate_scheduled(*, today: date | None = None, channel: str = "worker") -> int:
    return warnings_escalate(ctx=AuditContext.system(channel=channel), today=today)


__all__: Sequence[str] = (
    "OUTCOMES",
    "Closed",
    "warning_close",
    "warning_verify",
    "warnings_escalate",
    "warnings_escalate_scheduled",
)
