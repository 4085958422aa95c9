"""Reads of 一门受理, scoped to the caller: the township's queue, one application, the close-relative
register, the cooperation requests; and the public status lookup (application number and the last six
characters of the ID number), which answers alike for a wrong number and a wrong pair."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram, ApplicationStatus, CaseStatus, CooperationStatus
from jiuzhu.regions.refusals import refusal_note
from jiuzhu.regions.scope import jurisdiction_bounds
from jiuzhu.registry.models import Membership
from jiuzhu.workflow.models import Case, Step

from .models import Application, CooperationRequest
from .throttle import lookup_locked, lookup_missed

NOT_FOUND_PUBLIC = "未找到与所填信息相符的申请"


def applications_scoped(qs: QuerySet[Application], user: Any) -> QuerySet[Application]:
    """Applications of the caller's subtree: by the accepting township, or by the village (a village
    assistant sees the applications of their village)."""
    bounds = jurisdiction_bounds(user)
    if bounds is None:
        return qs
    if bounds == ("", ""):
        return qs.none()
    return qs.filter(Q(township__code__range=bounds) | Q(village__code__range=bounds))


def applications_list(
    *, user: Any, status: str = "", channel: str = "", q: str = "", close_relative: bool = False
) -> QuerySet[Application]:
    qs = applications_scoped(Application.objects.select_related("township", "village"), user)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if close_relative:
        qs = qs.filter(close_relative=True)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(name__icontains=q))
    return qs.order_by("-submitted_at", "-id")


def application_get(*, user: Any, application_id: int) -> Application:
    """One application in the caller's jurisdiction; ``NotFound`` alike for missing and elsewhere."""
    qs = Application.objects.select_related("township", "village", "household", "applicant", "hukou_region")
    app = applications_scoped(qs, user).filter(pk=application_id).first()
    if app is None:
        refusal_note(qs, user=user, pk=application_id)
        raise NotFound()
    return app


def application_members(app: Application) -> tuple[tuple[str, str], ...]:
    """The household's current members as (person id, name) choices: whom a per-person program's case
    may be for."""
    if app.household_id is None:
        return ()
    rows = (
        Membership.objects.filter(household_id=app.household_id, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    )
    return tuple((str(m.person_id), m.person.name) for m in rows)


def cooperation_list(*, user: Any, incoming_only: bool = False) -> QuerySet[CooperationRequest]:
    """Requests to the caller's region (to answer), and with ``incoming_only`` false also those sent
    from it (to follow)."""
    bounds = jurisdiction_bounds(user)
    qs = CooperationRequest.objects.select_related("application", "from_region", "to_region")
    if bounds is None:
        return qs
    if bounds == ("", ""):
        return qs.none()
    where = Q(to_region__code__range=bounds)
    if not incoming_only:
        where |= Q(from_region__code__range=bounds)
    return qs.filter(where)


def cooperation_get(*, user: Any, request_id: int) -> CooperationRequest:
    qs = CooperationRequest.objects.select_related("application", "from_region", "to_region")
    request = cooperation_list(user=user).filter(pk=request_id).first()
    if request is None:
        refusal_note(qs, user=user, pk=request_id)
        raise NotFound()
    return request


def is_overdue(request: CooperationRequest, today: date) -> bool:
    return request.status == CooperationStatus.OVERDUE or (
        request.status == CooperationStatus.OPEN and request.due_on < today
    )


# --- the public status lookup --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseProgress:
    program_label: str
    step: str
    due_on: date | None
    due_provisional: bool
    closed: bool


@dataclass(frozen=True)
class PublicStatus:
    status: str
    status_label: str
    cases: list[CaseProgress] = field(default_factory=list)


def application_status_public(*, number: str, query_code: str, id_last6: str) -> PublicStatus | None:
    """What an applicant may learn with the application number, its 查询码 and the last six characters
    of the ID number: the status, and once accepted each case's current step and deadline. Nothing
    else (no names). None for an unknown number, a wrong code or ID, and a number locked after
    ``LOOKUP_MAX_MISSES`` wrong answers, alike."""
    number = str(number or "").strip().upper()[:40]
    code = str(query_code or "").strip().upper()[:8]
    given = str(id_last6 or "").strip().upper()[:6]
    if lookup_locked(number):
        return None
    app = Application.objects.filter(number=number).first() if number else None
    stored = (app.query_code.upper() + app.id_number[-6:].upper()) if app is not None else "\x00" * 14
    offered = code.ljust(8, "\x01") + given.ljust(6, "\x01")
    matches = hmac.compare_digest(stored.encode(), offered.encode())
    if app is None or not matches or len(app.query_code) != 8 or len(given) != 6:
        lookup_missed(number)
        return None
    cases: list[CaseProgress] = []
    if app.status == ApplicationStatus.ACCEPTED:
        rows = list(Case.objects.filter(application_no=app.number).order_by("id"))
        steps = {
            (s.definition_id, s.code): s.name
            for s in Step.objects.filter(definition_id__in={c.definition_id for c in rows})
        }
        for c in rows:
            cases.append(
                CaseProgress(
                    program_label=AidProgram.label_of(c.program),
                    step=steps.get((c.definition_id, c.state), c.state),
                    due_on=c.due_on,
                    due_provisional=c.due_provisional,
                    closed=c.status == CaseStatus.CLOSED,
                )
            )
    return PublicStatus(app.status, ApplicationStatus.label_of(app.status), cases)
