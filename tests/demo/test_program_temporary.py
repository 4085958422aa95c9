"""The demo's 临时救助 on the small synthetic county, after the 低保 procedure: cases of both types in
every state they pass, a 先行救助 ratified later, one whose paperwork is late (flagged, red in the
queue), one for a non-resident registered at the place, one refused by the once-per-cause rule, one
waiting for the county's 一事一议; running it again changes nothing; its rows go with the county's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.benefits.models import Entitlement
from jiuzhu.demo import program_temporary
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import demo_procedure, procedure_accounts, procedure_delete
from jiuzhu.demo.programs import MODULES
from jiuzhu.synth import synth_county
from jiuzhu.workflow.models import Case, Notice, PriorAid

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
    demo_procedure(layout=layout, log=lambda _: None)
    lines: list[str] = []
    program_temporary.build(layout=layout, log=lines.append)
    return {"layout": layout, "log": lines}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_fills_every_state_of_both_types(built: dict[str, Any]) -> None:
    assert program_temporary in MODULES
    cases = Case.objects.filter(program="temporary")
    by_kind: dict[str, set[str]] = {"emergency": set(), "expense": set()}
    for case in cases:
        by_kind[case.details["kind"]].add(case.state)
    assert {
        "verification",
        "investigation",
        "review",
        "township_confirmation",
        "county_special",
        "confirmation",
        "confirmed",
        "refused",
        "withdrawn",
    } <= by_kind["emergency"]
    assert {
        "verification",
        "investigation",
        "review",
        "public_notice",
        "reinvestigation",
        "confirmation",
        "confirmed",
        "terminated",
    } <= by_kind["expense"]
    # the refusal is the once-per-cause rule's
    refused = cases.get(outcome="refused")
    assert "同一事由" in Notice.objects.get(case=refused, kind="refusal").body
    grants = Entitlement.objects.filter(program="temporary", payment="once")
    assert grants.count() >= 5


def test_the_demo_prior_aids(built: dict[str, Any]) -> None:
    aids = list(PriorAid.objects.select_related("case"))
    assert len(aids) == 3
    ratified = [a for a in aids if a.case.outcome == "confirmed"]
    late = [a for a in aids if a.overdue]
    strangers = [a for a in aids if a.non_resident]
    assert len(ratified) == 1 and len(late) == 1 and len(strangers) == 1
    assert late[0].case.status == "open" and late[0].due_on < timezone.localdate()
    assert Notice.objects.filter(kind="prior_aid_notice").count() == 3
    # the ratification paid nothing twice
    assert not Entitlement.objects.filter(decision__case_number=ratified[0].case.number).exists()
    # the caseworker sees the late one red in the queue and on the register
    body = _client("caseworker").get("/workflow/overdue/").content.decode()
    assert late[0].case.number in body and 'data-prior-aid="red"' in body
    register = _client("caseworker").get("/workflow/temporary/prior-aid/").content.decode()
    assert "补办超期" in register and "流动人口" in register
    # the county approver has the 一事一议 to do
    todo = _client("approver").get("/workflow/").content.decode()
    assert "县级一事一议" in todo


def test_running_again_changes_nothing_and_the_county_is_deleted_whole(built: dict[str, Any]) -> None:
    layout = built["layout"]
    before = (Case.objects.filter(program="temporary").count(), PriorAid.objects.count())
    lines: list[str] = []
    program_temporary.build(layout=layout, log=lines.append)
    assert (Case.objects.filter(program="temporary").count(), PriorAid.objects.count()) == before
    assert "沿用现有数据" in lines[0]
    procedure_delete(layout.county_code)
    assert not PriorAid.objects.exists() and not Case.objects.filter(program="temporary").exists()
