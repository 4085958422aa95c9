"""The demo of the disability subsidies and the children's programs on a small synthetic county, after
the 低保 procedure's demo: each of the four programs has cases in every state of its procedure and at
least one entitlement, walked by the demo users; the household page shows the children; running it
again changes nothing; deleting the procedure's demo removes it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.benefits.models import Entitlement
from jiuzhu.benefits.selectors import disability_certificate_check
from jiuzhu.demo import program_disability
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import demo_procedure, procedure_accounts, procedure_delete
from jiuzhu.demo.programs import MODULES
from jiuzhu.synth import synth_county
from jiuzhu.workflow.models import Case, CaseEvent

pytestmark = pytest.mark.django_db

PROGRAMS = ("disability_living", "disability_care", "de_facto_orphan", "child_in_difficulty")


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
    program_disability.build(layout=layout, log=lines.append)
    return {"layout": layout, "log": lines}


def _states(program: str) -> set[str]:
    cases = Case.objects.filter(program=program)
    return {c.state for c in cases}


def test_the_disability_and_children_demo(built: dict[str, Any]) -> None:
    assert program_disability in MODULES
    assert any("残疾人两项补贴、困境儿童" in line for line in built["log"])
    for program in ("disability_living", "disability_care"):
        assert _states(program) == set(program_disability.DISABILITY_STATES), program
    for program in ("de_facto_orphan", "child_in_difficulty"):
        assert _states(program) == set(program_disability.CHILD_STATES), program
    # At least one entitlement each, for the case's subject, decided by the county's approver.
    for program in PROGRAMS:
        entitlements = Entitlement.objects.filter(program=program, status="active")
        assert entitlements.exists(), program
        for e in entitlements:
            assert e.person_id is not None and e.decision.decided_by.username == "approver"
    living = Entitlement.objects.get(program="disability_living")
    assert Entitlement.objects.filter(household=living.household, program="dibao", status="active").exists()
    assert disability_certificate_check(
        person_id=living.person_id, on=timezone.localdate(), claimed=living.details
    ).ok
    orphan = Entitlement.objects.get(program="de_facto_orphan")
    assert orphan.amount > 0 and orphan.details["basis"]
    assert Entitlement.objects.get(program="child_in_difficulty").payment == "no_cash"
    # Each step by the demo user of its role.
    actors = Counter(
        CaseEvent.objects.filter(
            case__program__in=PROGRAMS, action__in=("forward", "send_back", "withdraw")
        ).values_list("actor__username", flat=True)
    )
    assert {"caseworker", "reviewer", "approver"} <= set(actors)
    # The household's benefits page shows the child with the guardian and the parents.
    client = Client()
    client.force_login(User.objects.get(username="caseworker"))
    body = client.get(f"/benefits/households/{orphan.household_id}/").content.decode()
    assert "儿童保障" in body and "事实无人抚养儿童" in body
    # Running it again changes nothing.
    before = Case.objects.count()
    lines: list[str] = []
    program_disability.build(layout=built["layout"], log=lines.append)
    assert Case.objects.count() == before and "沿用现有数据" in lines[0]
    # The procedure's delete removes these programs' rows too.
    procedure_delete(built["layout"].county_code)
    assert not Case.objects.filter(program__in=PROGRAMS).exists()
    assert not Entitlement.objects.filter(program__in=PROGRAMS).exists()
