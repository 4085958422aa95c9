"""The demo's 低保边缘 and 刚性支出困难 on the small synthetic county the 低保 procedure's test uses: cases
of both programs in the states the county's procedure reaches, an entitlement of each (no money, the
专项救助 eligibility, a validity), one 单人保 (a 低保 entitlement of one member), one expired entitlement
ended by the expiry service; running it again changes nothing; deleting the county's procedure data
removes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent
from jiuzhu.demo import program_margins
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import demo_procedure, procedure_accounts, procedure_delete
from jiuzhu.demo.programs import MODULES
from jiuzhu.synth import synth_county
from jiuzhu.workflow.models import Case

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
    program_margins.build(layout=layout, log=lines.append)
    return {"layout": layout, "log": lines}


def test_margins_demo(built: dict[str, Any]) -> None:
    assert program_margins in MODULES
    near = Case.objects.filter(program="near_dibao")
    rigid = Case.objects.filter(program="rigid_expense")
    open_states = {"verification", "investigation", "review", "public_notice", "confirmation"}
    assert open_states | {"reinvestigation", "community_review", "materials"} <= set(
        near.filter(status="open").values_list("state", flat=True)
    )
    assert {"confirmed", "refused", "withdrawn"} <= set(near.values_list("outcome", flat=True))
    assert open_states <= set(rigid.filter(status="open").values_list("state", flat=True))
    assert {"confirmed", "refused"} <= set(rigid.values_list("outcome", flat=True))

    for program in ("near_dibao", "rigid_expense"):
        rows = Entitlement.objects.filter(program=program)
        assert rows.exists()
        for e in rows:
            assert e.payment == "no_cash" and e.amount == 0 and e.valid_until is not None
            assert e.details["special_assistance"] == ["medical", "education", "housing", "employment"]
    expired = Entitlement.objects.get(program="near_dibao", status="ended")
    assert expired.valid_until is not None and expired.end_month == expired.valid_until
    assert expired.valid_until < timezone.localdate()
    assert EntitlementEvent.objects.filter(entitlement=expired, kind="expire").exists()
    single = Entitlement.objects.get(program="dibao", decision__case_number__endswith="-DB")
    assert single.person_id is not None and single.members == 1 and single.amount > 0
    edge = Entitlement.objects.get(program="near_dibao", details__single_member_id=single.person_id)
    assert single.household_id == edge.household_id
    assert any("低保边缘" in line for line in built["log"])

    # Again: nothing changes.
    counts = (Case.objects.count(), Decision.objects.count(), Entitlement.objects.count())
    program_margins.build(layout=built["layout"], log=lambda _: None)
    assert (Case.objects.count(), Decision.objects.count(), Entitlement.objects.count()) == counts

    procedure_delete(built["layout"].county_code)
    assert not Case.objects.exists() and not Entitlement.objects.exists() and not Decision.objects.exists()
