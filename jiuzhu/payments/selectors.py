"""Reads of payrolls, their lines, holds and jobs, scoped to the caller's jurisdiction.

A county (or higher) user sees the payrolls of its subtree and all their lines; a township or village user
sees the payrolls of its county, but only the lines and holds of its own subtree. Anything else is 404,
the same answer as for an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import require_perm
from jiuzhu.regions.codes import Level, level_of
from jiuzhu.regions.refusals import refusal_note
from jiuzhu.regions.scope import get_in_jurisdiction, jurisdiction_bounds, scoped

from .models import Payroll, PayrollHold, PayrollJob, PayrollLine

VIEW_PERM = "payments.view_payroll"


def _below_county(user: Any) -> bool:
    code = getattr(user, "region_id", None)
    return bool(code) and level_of(str(code)) > Level.COUNTY


def _county_of(code: str) -> str:
    return code[:6] + "000000"


def payrolls_scoped(user: Any) -> QuerySet[Payroll]:
    qs = Payroll.objects.select_related("region")
    if _below_county(user):
        return qs.filter(region_id=_county_of(user.region_id))
    return scoped(qs, user, "region__code")


def payrolls_list(
    *, user: Any, program: str = "", month: date | None = None, county: str = ""
) -> QuerySet[Payroll]:
    require_perm(user, VIEW_PERM)
    qs = payrolls_scoped(user)
    if program:
        qs = qs.filter(program=program)
    if month:
        qs = qs.filter(month=month.replace(day=1))
    if county:
        qs = qs.filter(region_id=county)
    return qs.order_by("-month", "region_id", "program")


def payroll_get(*, user: Any, payroll_id: int, county_only: bool = False) -> Payroll:
    """The payroll, if the caller may see it; ``county_only``: only for a user of its county or above
    (the writes on the whole payroll)."""
    require_perm(user, VIEW_PERM)
    if _below_county(user):
        payroll = None if county_only else payrolls_scoped(user).filter(pk=payroll_id).first()
        if payroll is None:
            refusal_note(Payroll.objects.all(), user=user, pk=payroll_id)
            raise NotFound()
        return payroll
    return get_in_jurisdiction(
        Payroll.objects.select_related("region"), user=user, pk=payroll_id, region_field="region__code"
    )


def lines_list(
    *, user: Any, payroll: Payroll, status: str = "", township: str = "", query: str = ""
) -> QuerySet[PayrollLine]:
    """The payroll's lines the caller may see (its subtree), filtered."""
    qs = scoped(PayrollLine.objects.filter(payroll=payroll), user, "region__code").select_related(
        "township", "household"
    )
    if status:
        qs = qs.filter(status=status)
    if township:
        qs = qs.filter(township_id=township)
    if query:
        qs = qs.filter(Q(holder_name__contains=query) | Q(id_number=query) | Q(household__number=query))
    return qs.order_by("township_id", "id")


def holds_list(*, user: Any, payroll: Payroll | None = None, status: str = "") -> QuerySet[PayrollHold]:
    """Holds of the caller's subtree (of one payroll, or of every payroll it may see)."""
    require_perm(user, VIEW_PERM)
    qs = scoped(PayrollHold.objects.all(), user, "line__region__code").select_related(
        "line", "line__payroll", "line__township", "line__household"
    )
    if payroll is not None:
        qs = qs.filter(line__payroll=payroll)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("line__township_id", "line_id", "id")


def hold_get(*, user: Any, hold_id: int) -> PayrollHold:
    require_perm(user, VIEW_PERM)
    return get_in_jurisdiction(
        PayrollHold.objects.select_related("line", "line__payroll"),
        user=user,
        pk=hold_id,
        region_field="line__region__code",
    )


def jobs_list(payroll: Payroll) -> list[PayrollJob]:
    return list(payroll.jobs.order_by("-id"))


@dataclass(frozen=True)
class TownshipTotal:
    township_id: str
    township: str
    lines: int
    amount: Decimal
    held: int
    stopped: int
    open_holds: int


def township_totals(*, user: Any, payroll: Payroll) -> list[TownshipTotal]:
    """Per township of the caller's subtree: lines, amount (held included, stopped excluded), held and
    stopped lines, open holds."""
    S = PayrollLine.Status
    rows = (
        scoped(PayrollLine.objects.filter(payroll=payroll), user, "region__code")
        .values("township_id", "township__name")
        .annotate(
            n=Count("id", filter=~Q(status=S.STOPPED)),
            amount=Sum("amount", filter=~Q(status=S.STOPPED)),
            held=Count("id", filter=Q(status=S.HELD)),
            stopped=Count("id", filter=Q(status=S.STOPPED)),
        )
        .order_by("township_id")
    )
    holds = dict(
        scoped(PayrollHold.objects.filter(line__payroll=payroll, status="held"), user, "line__region__code")
        .values("line__township_id")
        .annotate(n=Count("id"))
        .values_list("line__township_id", "n")
    )
    return [
        TownshipTotal(
            township_id=r["township_id"],
            township=r["township__name"],
            lines=r["n"],
            amount=r["amount"] or Decimal("0.00"),
            held=r["held"],
            stopped=r["stopped"],
            open_holds=holds.get(r["township_id"], 0),
        )
        for r in rows
    ]


def sees_whole_payroll(user: Any) -> bool:
    return jurisdiction_bounds(user) is None or not _below_county(user)
