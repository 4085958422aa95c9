"""一户一条救助链 and a person's payment history: everything in time order, in the caller's jurisdiction
only, identifiers masked for the auditor."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jiuzhu.audit.models import AuditEvent
from jiuzhu.benefits.models import EntitlementEvent
from jiuzhu.core.masking import id_number_masked
from jiuzhu.intake.models import Application
from jiuzhu.monitoring.rules import RULES_BY_CODE
from jiuzhu.payments import selectors_oversight

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN, WEST_VILLAGE
from ..factories import (
    add_member,
    new_case,
    new_entitlement,
    new_household,
    new_policy,
    oversight_hold,
    oversight_line,
    oversight_warning,
)

pytestmark = pytest.mark.django_db


def _aware(y: int, m: int, d: int, h: int = 10) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h, 0))


@pytest.fixture
def chain_household(tree):
    """东镇's household: applied 2025-12-01, case opened, 低保 decided 2025-12-20 from 2026-01 at 520, cut to
    400 from 2026-03 (adjusted 2026-02-25); paid January and February, March held by the death rule, a
    warning raised 2026-02-20."""
    new_policy()
    household = new_household(head__name="链户主")
    child = add_member(household, "child", name="链子女")
    Application.objects.create(
        number="SQ-980101001-2025-00001",
        channel="window",
        township_id=EAST_TOWN,
        id_number=household.head.id_number,
        name=household.head.name,
        applicant=household.head,
        household=household,
        programs=["dibao"],
        submitted_at=_aware(2025, 12, 1, 9),
    )
    case = new_case(household=household, state="investigation", accepted_on=date(2025, 12, 2))
    type(case).objects.filter(pk=case.pk).update(opened_at=_aware(2025, 12, 2, 11))
    ent = new_entitlement(
        household, amount="520.00", start_month=date(2026, 1, 1), decided_on=date(2025, 12, 20)
    )
    EntitlementEvent.objects.create(
        entitlement=ent,
        at=_aware(2026, 2, 25),
        kind="adjust",
        changes={"amount": ["520.00", "400.00"], "from_month": "2026-03-01"},
        reason="家庭收入增加",
    )
    type(ent).objects.filter(pk=ent.pk).update(amount=Decimal("400.00"))
    ent.refresh_from_db()
    jan = oversight_line(ent, month=date(2026, 1, 1), base_amount="520.00", status="paid")
    feb = oversight_line(ent, month=date(2026, 2, 1), base_amount="520.00", status="paid")
    mar = oversight_line(ent, month=date(2026, 3, 1), status="held")
    oversight_hold(mar, rule="death")
    oversight_warning(household.head, rule="death", raised_on=date(2026, 2, 20), due_on=date(2026, 3, 5))
    return household, child, ent, (jan, feb, mar)


def test_the_chain_lists_everything_in_time_order(chain_household, make_user) -> None:
    household, _, _, _ = chain_household
    user = make_user("township_caseworker", EAST_TOWN)
    chain = selectors_oversight.household_chain(user=user, household_id=household.pk)
    got = [(i.on, i.kind) for i in chain.items]
    assert got == [
        (date(2025, 12, 1), "application"),
        (date(2025, 12, 2), "case"),
        (date(2025, 12, 20), "decision"),
        (date(2026, 1, 1), "entitlement"),
        (date(2026, 1, 1), "payment"),
        (date(2026, 2, 1), "payment"),
        (date(2026, 2, 20), "warning"),
        (date(2026, 2, 25), "event"),
        (date(2026, 3, 1), "payment"),
        (date(2026, 3, 1), "hold"),
    ]
    # 520 + 520 paid; March's 400 held: neither due nor unpaid yet.
    assert (chain.paid_total, chain.due_total, chain.unpaid_total) == (Decimal("1040.00"), 0, 0)
    event = next(i for i in chain.items if i.kind == "event")
    assert "520.00 → 400.00" in event.detail and "家庭收入增加" in event.detail


def test_the_chain_page_for_staff_and_auditor_and_not_for_elsewhere(
    chain_household, make_user, client_for
) -> None:
    household, _, _, _ = chain_household
    url = f"/oversight/households/{household.pk}/chain/"
    staff = client_for(make_user("township_caseworker", EAST_TOWN)).get(url)
    assert staff.status_code == 200
    body = staff.content.decode()
    assert (
        household.number in body and household.head.id_number in body and RULES_BY_CODE["death"].name in body
    )
    auditor = client_for(make_user("auditor", COUNTY)).get(url)
    assert auditor.status_code == 200
    text = auditor.content.decode()
    assert household.head.id_number not in text and id_number_masked(household.head.id_number) in text
    account = f"62210000{household.pk:08d}"  # the factory's: 16 digits
    assert account not in text and "*" * 12 + account[-4:] in text
    for role, region in (
        ("township_caseworker", WEST_TOWN),
        ("auditor", WEST_TOWN),
        ("county_approver", "980102000000"),
    ):
        assert client_for(make_user(role, region)).get(url).status_code == 404, role
    assert (
        AuditEvent.objects.filter(action="view", object_type="household", object_id=str(household.pk)).count()
        == 2
    )


def test_the_household_file_links_to_the_chain(chain_household, make_user, client_for) -> None:
    household, _, _, _ = chain_household
    page = client_for(make_user("township_caseworker", EAST_TOWN)).get(f"/households/{household.pk}/")
    assert f"/oversight/households/{household.pk}/chain/" in page.content.decode()


def test_the_chain_api(chain_household, make_user, client_for) -> None:
    household, _, _, _ = chain_household
    client = client_for(make_user("auditor", EAST_TOWN))
    data = client.get(f"/api/oversight/households/{household.pk}/chain").json()
    assert data["household_number"] == household.number
    assert [i["kind"] for i in data["items"]][:4] == ["application", "case", "decision", "entitlement"]
    assert data["paid_total"] == "1040.00"
    other = client_for(make_user("auditor", WEST_TOWN))
    assert other.get(f"/api/oversight/households/{household.pk}/chain").status_code == 404


def test_a_persons_payments_in_the_jurisdiction(chain_household, make_user, client_for, tree) -> None:
    household, child, _, _ = chain_household
    # The child's own 特困 paid to the head as guardian, and a west household's line paid to the child
    # (a line outside 东镇: a 东镇 user does not see it).
    tekun = new_entitlement(
        household, program="tekun", amount="150.00", person=child, start_month=date(2026, 1, 1)
    )
    oversight_line(tekun, month=date(2026, 2, 1), payee=household.head, status="paid")
    west = new_household(region=tree[WEST_VILLAGE], head__residence_region=tree[WEST_VILLAGE])
    west_ent = new_entitlement(west, amount="300.00", start_month=date(2026, 1, 1))
    oversight_line(west_ent, month=date(2026, 2, 1), payee=child, status="paid")
    user = make_user("township_caseworker", EAST_TOWN)
    data = selectors_oversight.person_payments(user=user, person_id=child.pk)
    assert [(x.payroll.month, x.entitlement_id) for x in data.lines] == [(date(2026, 2, 1), tekun.pk)]
    assert (data.paid_total, data.months) == (Decimal("150.00"), 1)
    head = selectors_oversight.person_payments(user=user, person_id=household.head.pk)
    # jan 520 + feb 520 + feb 150 (the child's, to the head) paid; March held.
    assert (head.paid_total, head.months, len(head.lines)) == (Decimal("1190.00"), 2, 4)
    county = selectors_oversight.person_payments(user=make_user("auditor", COUNTY), person_id=child.pk)
    assert {x.entitlement_id for x in county.lines} == {tekun.pk, west_ent.pk}
    page = client_for(user).get(f"/oversight/persons/{child.pk}/payments/")
    assert page.status_code == 200 and "150.00" in page.content.decode()
    api = client_for(make_user("auditor", EAST_TOWN)).get(
        f"/api/oversight/persons/{household.head.pk}/payments"
    )
    assert api.status_code == 200
    assert {x["id_number"] for x in api.json()["lines"]} == {id_number_masked(household.head.id_number)}
    for path in (f"/oversight/persons/{child.pk}/payments/", f"/api/oversight/persons/{child.pk}/payments"):
        assert client_for(make_user("township_caseworker", WEST_TOWN)).get(path).status_code == 404


def test_the_chain_reads_a_fixed_number_of_queries(chain_household, make_user) -> None:
    """Whatever the household's size of history: one more line, hold, event and warning add no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    household, _, ent, _ = chain_household
    user = make_user("auditor", EAST_TOWN)
    selectors_oversight.household_chain(
        user=user, household_id=household.pk
    )  # the user's permissions, cached
    with CaptureQueriesContext(connection) as before:
        selectors_oversight.household_chain(user=user, household_id=household.pk)
    line = oversight_line(ent, month=date(2026, 4, 1), status="held")
    oversight_hold(line, rule="vehicle_acquired")
    oversight_warning(
        household.head, rule="vehicle_acquired", raised_on=date(2026, 3, 20), due_on=date(2026, 4, 3)
    )
    EntitlementEvent.objects.create(entitlement=ent, at=_aware(2026, 3, 25), kind="maintain", changes={})
    with CaptureQueriesContext(connection) as after:
        chain = selectors_oversight.household_chain(user=user, household_id=household.pk)
    assert len(chain.items) == 14
    assert len(after.captured_queries) == len(before.captured_queries)
