"""The demo of the life of an entitlement on a small synthetic county, after the 低保 procedure's demo:
review cases open in the review queue, one stopped with its termination notice, one adjusted with its
notice, one in 渐退, the recomputation list of a raised standard awaiting approval; running it again
changes nothing, and deleting the procedure's rows removes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.benefits.models import Entitlement, StandardRecomputation
from jiuzhu.demo import program_life
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import demo_procedure, procedure_accounts, procedure_delete
from jiuzhu.synth import synth_county
from jiuzhu.workflow.models import Case, Notice

pytestmark = pytest.mark.django_db


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
    demo_procedure(layout=layout, log=lines.append)
    program_life.build(layout=layout, log=lines.append)
    return {"layout": layout, "log": lines}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_life_of_an_entitlement_in_the_demo(built: dict[str, Any]) -> None:
    reviews = Case.objects.filter(purpose="review")
    assert reviews.count() == 3
    assert sorted(reviews.filter(status="open").values_list("state", flat=True)) == [
        "investigation",
        "review_decision",
    ]
    stopped = reviews.get(outcome="stopped")
    assert stopped.entitlement.status == "ended"
    termination = Notice.objects.get(case=stopped, kind="termination")
    assert "1．家庭成员稳定就业" in termination.body
    adjustment = Notice.objects.get(kind="adjustment")
    assert "调整为" in adjustment.body
    adjusted = Entitlement.objects.get(events__kind="adjust")
    assert adjusted.events.filter(kind="adjust").count() == 1
    tapered = Entitlement.objects.get(events__kind="taper")
    assert tapered.valid_until is not None and tapered.details["taper"]["months"] == 6
    rec = StandardRecomputation.objects.get()
    raised = rec.rows.filter(new_amount__isnull=False)
    assert rec.status == "draft" and raised.count() >= 3
    assert all(r.new_amount is not None and r.new_amount > r.old_amount for r in raised)
    # What could not be recomputed is listed with its reason (no new amount).
    assert all(r.note for r in rec.rows.filter(new_amount__isnull=True))
    assert any("提标重算清单" in line for line in built["log"])
    # The queues and pages show it to the demo users.
    queue = _client("caseworker").get("/workflow/reviews/").content.decode()
    assert all(c.number in queue for c in reviews.filter(status="open"))
    todo = _client("approver").get("/workflow/").content.decode()
    assert reviews.get(state="review_decision").number in todo
    page = _client("approver").get(f"/benefits/recomputations/{rec.pk}/").content.decode()
    assert "审批通过" in page
    household = _client("approver").get(f"/benefits/households/{tapered.household_id}/").content.decode()
    assert "渐退期" in household
    # Again: nothing new.
    counts = (Case.objects.count(), Notice.objects.count(), StandardRecomputation.objects.count())
    program_life.build(layout=built["layout"], log=lambda _: None)
    assert (Case.objects.count(), Notice.objects.count(), StandardRecomputation.objects.count()) == counts
    # Deleting the procedure's rows removes the life's too.
    procedure_delete(built["layout"].county_code)
    assert not Case.objects.exists() and not StandardRecomputation.objects.exists()
