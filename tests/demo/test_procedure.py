"""The demo's 低保 procedure on a small synthetic county: a case walked from the window to an
entitlement, one refused with its reasons, open cases in every open state with red, yellow and green
lights, the applications that stop at the window; each queue of each demo user has something to show;
running it again changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import (
    REMOTE_COUNTY,
    demo_procedure,
    procedure_accounts,
    procedure_delete,
    scan_pdf,
    signature_png,
)
from jiuzhu.intake.models import Application, CooperationRequest
from jiuzhu.synth import synth_county
from jiuzhu.workflow.models import Case, HomeInvestigation, Notice, Objection, PublicNotice

pytestmark = pytest.mark.django_db

OPEN_STATES = {
    "verification",
    "investigation",
    "community_review",
    "review",
    "public_notice",
    "reinvestigation",
    "materials",
    "confirmation",
}


@pytest.fixture
def built(db: None, tmp_path: Path) -> dict[str, Any]:
    county = synth_county(households=600, seed=3, progress=False, as_of=date(2026, 1, 1))
    layout = Layout(county.county_code, list(county.township_codes), list(county.village_codes))
    accounts = demo_accounts(
        county_code=layout.county_code,
        township_codes=layout.township_codes,
        village_codes=layout.village_codes,
    )
    demo_users_ensure([*accounts, *procedure_accounts(layout)], password="x-demo-password")
    demo_verification_data(
        layout=layout, seed=1, as_of=timezone.localdate(), folder=tmp_path, sample=20, log=lambda _: None
    )
    lines: list[str] = []
    figures = demo_procedure(layout=layout, log=lines.append)
    return {"layout": layout, "figures": figures, "log": lines}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_files_made_in_code_are_what_they_claim() -> None:
    png = signature_png(2)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR" and png.endswith(b"IEND\xaeB`\x82")
    pdf = scan_pdf("mandate")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")


def _the_procedure_fills_every_state_and_queue(built: dict[str, Any]) -> None:
    figures = built["figures"]
    today = timezone.localdate()
    open_cases = Case.objects.filter(status="open")
    assert set(open_cases.values_list("state", flat=True)) == OPEN_STATES
    assert figures.states["confirmed"] == 1 and figures.states["refused"] == 1
    # Lights: each colour shown; the scanner flagged the overdue ones and escalated one.
    assert all(figures.lights[k] >= 1 for k in ("red", "yellow", "green")), figures.lights
    assert open_cases.filter(overdue=True, step_due_on__lt=today).count() == figures.lights["red"]
    assert open_cases.exclude(escalated_at=None).count() >= 1
    assert open_cases.filter(due_provisional=True).count() >= 1  # 25 working days reach past 2026
    # Materials: the clock paused since the case entered the step.
    assert open_cases.get(state="materials").paused_since is not None
    # Confirmation: one drawn for the spot check, one close-relative case without the county's visit.
    confirming = open_cases.filter(state="confirmation")
    assert confirming.filter(spot_check="selected").exists()
    relative = confirming.get(close_relative=True)
    assert not HomeInvestigation.objects.filter(case=relative, by_county=True).exists()
    # 公示 running on a village board, and one with an objection still to decide.
    running = PublicNotice.objects.filter(closed_on=None, starts_on__lte=today, ends_on__gte=today)
    assert running.count() == 2
    assert Objection.objects.filter(holds=None, notice__in=running).count() == 1
    assert figures.public_notices_running == 2


def _the_walked_case_goes_from_the_window_to_an_entitlement(built: dict[str, Any]) -> None:
    confirmed = Case.objects.get(outcome="confirmed")
    actions = list(confirmed.events.order_by("seq").values_list("action", "to_state"))
    moves = [to for action, to in actions if action in ("forward", "send_back", "open")]
    assert moves == [
        "verification",
        "investigation",
        "review",
        "public_notice",
        "reinvestigation",
        "community_review",
        "review",
        "public_notice",
        "confirmation",
        "confirmed",
    ]
    investigations = HomeInvestigation.objects.filter(case=confirmed).order_by("round")
    assert [i.investigators.count() for i in investigations] == [2, 2]
    assert all(i.family_signature.read(8) == b"\x89PNG\r\n\x1a\n" for i in investigations)
    notices = PublicNotice.objects.filter(case=confirmed).order_by("round")
    assert [n.round for n in notices] == [1, 2]
    assert Objection.objects.get(notice=notices[0]).holds is True
    assert all(n.closed_on is not None and n.ends_on < timezone.localdate() for n in notices)
    decision = Decision.objects.get(case_number=confirmed.number)
    assert decision.amount > 0 and decision.computation["allowance"]["steps"]
    entitlement = Entitlement.objects.get(decision=decision)
    assert entitlement.household_id == confirmed.household_id and entitlement.status == "active"
    kinds = set(Notice.objects.filter(case=confirmed).values_list("kind", flat=True))
    assert kinds == {"acceptance", "public_notice", "confirmation"}
    # The household file shows the entitlement; the case page shows the end state.
    page = _client("caseworker").get(f"/benefits/households/{confirmed.household_id}/")
    assert page.status_code == 200 and "在保" in page.content.decode()
    page = _client("approver").get(f"/workflow/cases/{confirmed.pk}/")
    assert page.status_code == 200 and "确认给予" in page.content.decode()


def _the_refusal_gives_its_reasons_in_a_notice(built: dict[str, Any]) -> None:
    refused = Case.objects.get(outcome="refused")
    notice = Notice.objects.get(case=refused, kind="refusal")
    reasons = Decision.objects.get(case_number=refused.number).reasons
    assert reasons and all(r in notice.body for r in reasons)
    assert not Entitlement.objects.filter(household=refused.household).exists()


def _the_window_holds_every_kind_of_application(built: dict[str, Any]) -> None:
    by_status = {
        status: list(Application.objects.filter(status=status))
        for status in ("submitted", "awaiting_materials", "refused_to_accept")
    }
    channels = {a.channel for a in by_status["submitted"]}
    assert {"online", "proxy", "window"} <= channels
    proxy = next(a for a in by_status["submitted"] if a.channel == "proxy")
    assert proxy.mandated_by == User.objects.get(username="village") and proxy.mandate.name
    [waiting] = by_status["awaiting_materials"]
    assert Notice.objects.filter(application_no=waiting.number, kind="missing_items").exists()
    [refused] = by_status["refused_to_accept"]
    assert Notice.objects.filter(application_no=refused.number, kind="refusal_to_accept").exists()
    remote = Application.objects.get(remote=True)
    [request] = CooperationRequest.objects.filter(application=remote)
    assert request.to_region_id == REMOTE_COUNTY[0] and request.due_on > request.requested_on
    assert Application.objects.filter(close_relative=True, status="accepted").count() == 1


def _each_demo_user_has_something_to_show(built: dict[str, Any]) -> None:
    def shows(username: str, url: str) -> str:
        response = _client(username).get(url)
        assert response.status_code == 200, (username, url)
        return response.content.decode()

    numbers = list(Case.objects.filter(status="open").values_list("number", flat=True))
    for username in ("caseworker", "reviewer", "approver", "caseworker2"):
        text = shows(username, "/workflow/")
        assert any(n in text for n in numbers), username
    assert "已超期" in shows("approver", "/workflow/overdue/")
    apps = shows("caseworker", "/intake/")
    assert all(a.number in apps for a in Application.objects.filter(status="submitted", remote=False))
    assert Application.objects.get(remote=True).number in shows("approver2", "/intake/cooperation/")
    village = User.objects.get(username="village").region_id
    board = shows("village", f"/workflow/board/{village}/")
    assert any(n.masked_name in board for n in PublicNotice.objects.filter(village_id=village))


def test_the_demo_procedure(built: dict[str, Any]) -> None:
    """One build (a few seconds), every check on it."""
    _the_procedure_fills_every_state_and_queue(built)
    _the_walked_case_goes_from_the_window_to_an_entitlement(built)
    _the_refusal_gives_its_reasons_in_a_notice(built)
    _the_window_holds_every_kind_of_application(built)
    _each_demo_user_has_something_to_show(built)
    _running_again_changes_nothing_and_delete_clears_it(built)


def _running_again_changes_nothing_and_delete_clears_it(built: dict[str, Any]) -> None:
    counts = (Case.objects.count(), Application.objects.count(), Notice.objects.count())
    lines: list[str] = []
    again = demo_procedure(layout=built["layout"], log=lines.append)
    assert (Case.objects.count(), Application.objects.count(), Notice.objects.count()) == counts
    assert again.states == built["figures"].states
    assert any("已存在" in line for line in lines)
    assert procedure_delete(built["layout"].county_code) == counts[0]
    assert not Case.objects.exists() and not Application.objects.exists()
