"""End to end: a monitoring run (``services.runs``) raises the warnings from the feeds; the township's
caseworker finds them in the queue, verifies and closes them; the next run adds no evidence and opens
nothing for the facts already handled; an unhandled one past its deadline reaches the county's queue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.monitoring import selectors
from jiuzhu.monitoring.models import Warning
from jiuzhu.monitoring.services.runs import monitoring_run
from jiuzhu.monitoring.services.warnings import warning_close, warning_verify, warnings_escalate
from jiuzhu.regions.models import Region
from jiuzhu.workflow.models import Case
from tests.conftest import COUNTY
from tests.factories import add_member, new_entitlement, new_household, new_policy, workflow_definitions
from tests.monitoring.test_extract import feed

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 15)


@pytest.fixture
def world(tree: dict[str, Region]) -> dict[str, Any]:
    new_policy(dibao_standard_rural=Decimal("520"))
    workflow_definitions()
    household = new_household()
    head = household.head
    spouse = add_member(household, "spouse")
    e = new_entitlement(household, program="dibao")
    feed("police_death", head.id_number, date(2026, 10, 1), kind="death", source="death")
    feed(
        "vehicle",
        spouse.id_number,
        date(2026, 10, 5),
        "80000",
        kind="car",
        vehicle_type="car",
        event="buy",
        plate="皖A1",
    )
    return {"household": household, "head": head, "spouse": spouse, "entitlement": e}


def test_a_runs_warnings_are_handled_in_the_township_and_not_raised_again(
    world, caseworker, make_user
) -> None:
    county = Region.objects.get(code=COUNTY)
    monitoring_run(ctx=AuditContext.system(), as_of=AS_OF, county=county)
    page = selectors.queue(user=caseworker, today=AS_OF)
    by_rule = {r.rule: r for r in page.rows}
    assert set(by_rule) == {"death", "vehicle_acquired"}
    death = Warning.objects.get(pk=by_rule["death"].id)
    car = Warning.objects.get(pk=by_rule["vehicle_acquired"].id)
    assert (death.person, car.person) == (world["head"], world["spouse"])
    detail = selectors.warning_detail(user=caseworker, warning_id=death.pk, today=AS_OF)
    assert [e.event_date for e in detail.evidence] == [date(2026, 10, 1)]
    assert [e.id for e in detail.entitlements] == [world["entitlement"].pk]

    ctx = AuditContext(user=caseworker)
    car = warning_verify(
        ctx=ctx, warning_id=car.pk, version=car.version, verification="购车属实，价格 8 万元"
    )
    closed = warning_close(
        ctx=ctx, warning_id=car.pk, version=car.version, outcome="adjust", reason="重新核对财产"
    )
    assert Case.objects.get().number == closed.case.number

    # The same facts a week later: no new evidence, no new warning (the car's is closed, the death's open).
    monitoring_run(ctx=AuditContext.system(), as_of=AS_OF + timedelta(days=7), county=county)
    assert Warning.objects.count() == 2
    assert Warning.objects.get(pk=death.pk).evidence_count == 1

    # The death warning, untouched past its deadline, is escalated to the county's queue.
    assert warnings_escalate(ctx=AuditContext.system(), today=death.due_on + timedelta(days=1)) == 1
    approver = make_user("county_approver", COUNTY)
    assert [r.id for r in selectors.queue(user=approver, today=death.due_on + timedelta(days=1)).rows] == [
        death.pk
    ]
