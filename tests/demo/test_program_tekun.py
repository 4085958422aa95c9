"""The demo's 特困人员认定 on a small synthetic county: cases in every state of the procedure, walked by
the demo users of each step, the self-care assessments with their tiers, person entitlements with the
care tier and the support form, a refusal with its notice; running it again changes nothing, and the
county's demo data can be deleted."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement
from jiuzhu.demo import program_tekun
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import procedure_accounts, procedure_delete
from jiuzhu.demo.programs import MODULES
from jiuzhu.regions.models import Region
from jiuzhu.synth import synth_county
from jiuzhu.workflow.models import Case, Notice, SelfCareAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(db: None, tmp_path: Path) -> dict[str, Any]:
    from jiuzhu.policy.calendar_services import calendar_seed, package_years

    county = synth_county(households=1200, seed=3, progress=False, as_of=date(2026, 1, 1))
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
    first, last = package_years()
    today = timezone.localdate()
    calendar_seed(
        ctx=AuditContext.system(), first_year=max(first, today.year - 2), last_year=min(last, today.year)
    )
    lines: list[str] = []
    program_tekun.build(layout=layout, log=lines.append)
    return {"layout": layout, "log": lines}


def test_every_state_walked_by_the_demo_users(built: dict[str, Any]) -> None:
    assert program_tekun in MODULES
    cases = Case.objects.filter(program="tekun")
    open_states = set(cases.filter(status="open").values_list("state", flat=True))
    assert open_states == {"verification", "investigation", "public_notice", "confirmation"}, built["log"]
    outcomes = sorted(cases.filter(status="closed").values_list("outcome", flat=True))
    assert outcomes == ["confirmed", "confirmed", "refused"], built["log"]
    # The steps were taken by the users whose role does them.
    for case in cases.exclude(state="verification"):
        actors = {e.action: e.actor.username for e in case.events.select_related("actor")}
        assert actors["selfcare_assessment"] == "caseworker"
    confirmed = cases.filter(outcome="confirmed")
    for case in confirmed:
        closing = case.events.filter(to_state="confirmed").select_related("actor").get()
        assert closing.actor.username == "approver"
    # Entitlements: per person, with the care tier and the support form.
    rows = Entitlement.objects.filter(program="tekun")
    assert rows.count() == 2
    forms = sorted(e.details["support_form"] for e in rows)
    assert forms == ["central", "dispersed"]
    for e in rows:
        assert e.person_id is not None and e.details["care_tier"] in ("partial", "full")
        assert e.amount > 0
    central = rows.get(details__support_form="central")
    assert central.details["care_tier"] == "full" and "福利中心" in central.details["institution"]
    # Every case past acceptance has its assessment; the refusal its notice.
    assert SelfCareAssessment.objects.filter(case__program="tekun").count() == cases.count() - 1
    refused = cases.get(outcome="refused")
    assert Notice.objects.filter(case=refused, kind="refusal").exists()
    assert refused.details["sanwu"]["outcome"] == "no"


def test_running_again_changes_nothing_and_delete_removes_it(built: dict[str, Any]) -> None:
    layout = built["layout"]
    before = Case.objects.filter(program="tekun").count()
    lines: list[str] = []
    program_tekun.build(layout=layout, log=lines.append)
    assert Case.objects.filter(program="tekun").count() == before
    assert "沿用现有数据" in lines[0]
    procedure_delete(layout.county_code)
    bounds = Region.objects.get(code=layout.county_code).bounds()
    assert not Case.objects.filter(region__code__range=bounds).exists()
    assert not SelfCareAssessment.objects.exists()
