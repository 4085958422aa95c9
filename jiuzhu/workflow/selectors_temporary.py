"""Reads for 临时救助's 先行救助: the register of payments made at once in the caller's jurisdiction, with
the light of each one's completion deadline (red past it, yellow within the policy's warning days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import CaseOutcome, CaseStatus, TemporaryCause
from jiuzhu.regions.scope import get_in_jurisdiction, scoped

from . import deadlines
from .models import PriorAid

PRIOR_AID_LIMIT = 200


@dataclass(frozen=True)
class PriorAidRow:
    id: int
    case_id: int
    case_number: str
    household_id: int
    household_number: str
    recipient_name: str
    region_name: str
    amount: Decimal
    cause: str
    cause_label: str
    reason: str
    paid_on: date
    paid_by: str
    due_on: date
    due_provisional: bool
    completed: bool  # the case is closed
    ratified: bool  # closed with a grant
    overdue: bool  # flagged by the scan
    light: str  # red/yellow/green while open, "" once completed
    light_label: str
    non_resident: bool


def _row(aid: PriorAid, today: date, cal: Any) -> PriorAidRow:
    case = aid.case
    open_ = case.status == CaseStatus.OPEN
    lamp = (
        deadlines.light(aid.due_on, today, int(case.policy_version.overdue_warning_days), cal)
        if open_
        else ""
    )
    return PriorAidRow(
        id=aid.pk,
        case_id=case.pk,
        case_number=case.number,
        household_id=aid.household_id,
        household_number=aid.household.number,
        recipient_name=aid.recipient.name,
        region_name=aid.region.name,
        amount=aid.amount,
        cause=aid.cause,
        cause_label=TemporaryCause.label_of(aid.cause),
        reason=aid.reason,
        paid_on=aid.paid_on,
        paid_by=aid.paid_by.get_full_name() or aid.paid_by.get_username(),
        due_on=aid.due_on,
        due_provisional=aid.due_provisional,
        completed=not open_,
        ratified=case.outcome == CaseOutcome.CONFIRMED,
        overdue=aid.overdue,
        light=lamp,
        light_label=deadlines.LIGHT_LABELS[lamp] if lamp else "已补办" if case.outcome else "",
        non_resident=aid.non_resident,
    )


def prior_aids(*, user: Any, open_only: bool = False) -> list[PriorAidRow]:
    """The 先行救助 of the caller's jurisdiction, the open ones by due date first, then the completed
    (newest first); at most ``PRIOR_AID_LIMIT``."""
    require_perm(user, "workflow.view_prioraid")
    qs = scoped(PriorAid.objects.all(), user, "region__code").select_related(
        "case", "case__policy_version", "household", "recipient", "region", "paid_by"
    )
    if open_only:
        qs = qs.filter(case__status=CaseStatus.OPEN)
    today = timezone.localdate()
    cal = deadlines.work_calendar()
    rows = [_row(a, today, cal) for a in qs.order_by("-paid_on", "-id")[:PRIOR_AID_LIMIT]]
    return sorted(rows, key=lambda r: (r.completed, r.due_on if not r.completed else date.max, -r.id))


def prior_aid_for_case(*, case_id: int) -> PriorAidRow | None:
    """The 先行救助 of a case already read in the caller's jurisdiction (the case page), if any."""
    aid = (
        PriorAid.objects.select_related(
            "case", "case__policy_version", "household", "recipient", "region", "paid_by"
        )
        .filter(case_id=case_id)
        .first()
    )
    return _row(aid, timezone.localdate(), deadlines.work_calendar()) if aid else None


def prior_aid_get(*, user: Any, prior_aid_id: int) -> PriorAidRow:
    require_perm(user, "workflow.view_prioraid")
    aid = get_in_jurisdiction(
        PriorAid.objects.select_related(
            "case", "case__policy_version", "household", "recipient", "region", "paid_by"
        ),
        user=user,
        pk=prior_aid_id,
        region_field="region__code",
    )
    return _row(aid, timezone.localdate(), deadlines.work_calendar())
