"""The public notice board of a village or community (公示栏, rules §1.6): the notices running there
and those that ended in the last weeks, as posted — each in the words of the township's PUBLIC_NOTICE
template in force (``notices.public_notice_text``), with the masked name, household size, program,
amount and the notice period. Nothing else of the family (no ID number, address or diagnosis) is read for it.
Printable for the village's board; open to the users whose jurisdiction holds the village."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram
from jiuzhu.core.web import web_view
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import require_jurisdiction

from .models import PublicNotice
from .notices import public_notice_text

RECENT_DAYS = 30  # notices that ended within this many days stay on the board, marked as ended
BOARD_PERM = "workflow.view_case"


@web_view(BOARD_PERM)
def board(request: HttpRequest, code: str) -> HttpResponse:
    if not (len(code) == 12 and code.isascii() and code.isdigit()):
        raise NotFound()
    require_jurisdiction(request.user, code)
    village = Region.objects.filter(code=code).select_related("parent").first()
    if village is None:
        raise NotFound()
    today = timezone.localdate()
    township = village.parent or village
    bodies: dict[date, str] = {}
    rows = (
        PublicNotice.objects.filter(village=village, ends_on__gte=today - timedelta(days=RECENT_DAYS))
        .only(
            "masked_name", "household_size", "program", "amount", "starts_on", "ends_on", "closed_on", "round"
        )
        .order_by("-starts_on", "-id")
    )
    notices = [
        {
            "masked_name": n.masked_name,
            "household_size": n.household_size,
            "program": AidProgram.label_of(n.program),
            "amount": n.amount,
            "starts_on": n.starts_on,
            "ends_on": n.ends_on,
            "round": n.round,
            "running": n.closed_on is None and n.starts_on <= today <= n.ends_on,
            "text": public_notice_text(
                notice=n, region_code=township.code, region_name=township.name, bodies=bodies
            ),
        }
        for n in rows
    ]
    return render(
        request,
        "workflow/board.html",
        {
            "village": village,
            "current": [n for n in notices if n["running"]],
            "recent": [n for n in notices if not n["running"]],
            "today": today,
            "recent_days": RECENT_DAYS,
        },
    )
