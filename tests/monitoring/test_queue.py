"""The warning queues (selectors.queue): what each role works from, the filters, the lights on hand-computed
working days, the counts per light, the pagination, jurisdiction; and the queue page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.monitoring import selectors

from ..conftest import COUNTY, EAST_TOWN, EAST_VILLAGE, WEST_TOWN, WEST_VILLAGE
from ..factories import add_member, new_household, new_policy, new_warning

pytestmark = pytest.mark.django_db

# A Monday with no holiday in its week or the next (2026-03-02); the policy's 临期 threshold is 3 working
# days: Tue 3 (1), Wed 4 (2), Thu 5 (3), Fri 6 (4). Red before 2 March, yellow 2–5 March, green from 6 March.
MONDAY = date(2026, 3, 2)


@pytest.fixture
def world(tree: dict[str, Any]) -> dict[str, Any]:
    new_policy(overdue_warning_days=3)
    east = new_household(head__name="东镇甲")
    east2 = new_household(head__name="东二村乙", region=tree["980101001002"])
    west = new_household(head__name="西镇丙", region=tree[WEST_VILLAGE])
    return {"east": east, "east2": east2, "west": west, "tree": tree}


def _ids(page: selectors.WarningPage) -> list[int]:
    return [r.id for r in page.rows]


def test_each_role_works_from_its_queue(world, make_user) -> None:
    east, east2, west = world["east"], world["east2"], world["west"]
    open_ = new_warning(east, due_on=date(2026, 3, 20))
    verified = new_warning(east2, due_on=date(2026, 3, 19), status="verified")
    closed = new_warning(east, person=add_member(east, "spouse"), status="closed", outcome="dismiss")
    escalated = new_warning(
        east, rule="vehicle_acquired", due_on=date(2026, 2, 20), escalated_at="2026-02-23T08:00:00+08:00"
    )
    lead_here = new_warning(east, rule="disability_lead", purpose="lead", due_on=date(2026, 3, 25))
    lead_there = new_warning(east2, rule="disability_lead", purpose="lead", due_on=date(2026, 3, 26))
    west_open = new_warning(west, due_on=date(2026, 3, 18))
    west_escalated = new_warning(
        west, rule="vehicle_acquired", due_on=date(2026, 2, 1), escalated_at="2026-02-03T08:00:00+08:00"
    )

    caseworker = make_user("township_caseworker", EAST_TOWN)
    page = selectors.queue(user=caseworker, today=MONDAY)
    assert page.kind == "township"
    # Due date order; closed ones and 西镇's are not here.
    assert _ids(page) == [escalated.pk, verified.pk, open_.pk, lead_here.pk, lead_there.pk]

    approver = make_user("county_approver", COUNTY)
    page = selectors.queue(user=approver, today=MONDAY)
    assert page.kind == "escalated"
    assert _ids(page) == [west_escalated.pk, escalated.pk]
    every = selectors.queue(user=approver, kind="all", today=MONDAY)
    assert set(_ids(every)) == {
        open_.pk,
        verified.pk,
        closed.pk,
        escalated.pk,
        lead_here.pk,
        lead_there.pk,
        west_open.pk,
        west_escalated.pk,
    }

    assistant = make_user("village_assistant", EAST_VILLAGE)
    page = selectors.queue(user=assistant, today=MONDAY)
    assert (page.kind, _ids(page)) == ("leads", [lead_here.pk])

    auditor = make_user("auditor", WEST_TOWN)
    page = selectors.queue(user=auditor, today=MONDAY)
    assert page.kind == "all" and set(_ids(page)) == {west_open.pk, west_escalated.pk}


def test_lights_follow_the_working_days_left(world, caseworker) -> None:
    east = world["east"]
    people = [east.head, *(add_member(east, "child") for _ in range(5))]
    red = new_warning(east, person=people[0], due_on=date(2026, 3, 1))
    yellow_today = new_warning(east, person=people[1], due_on=MONDAY)
    yellow_last = new_warning(east, person=people[2], due_on=date(2026, 3, 5))
    green_first = new_warning(east, person=people[3], due_on=date(2026, 3, 6))
    green_later = new_warning(east, person=people[4], due_on=date(2026, 3, 16))
    new_warning(east, person=people[5], due_on=date(2026, 2, 1), status="closed", outcome="dismiss")

    page = selectors.queue(user=caseworker, today=MONDAY)
    lights = {r.id: (r.light, r.days_left) for r in page.rows}
    assert lights == {
        red.pk: ("red", -1),  # Sunday 1 March → Monday: one working day over
        yellow_today.pk: ("yellow", 0),
        yellow_last.pk: ("yellow", 3),
        green_first.pk: ("green", 4),
        green_later.pk: ("green", 10),
    }
    assert page.counts == {"red": 1, "yellow": 2, "green": 2}
    for light, expected in (
        ("red", [red.pk]),
        ("yellow", [yellow_today.pk, yellow_last.pk]),
        ("green", [green_first.pk, green_later.pk]),
    ):
        assert _ids(selectors.queue(user=caseworker, light=light, today=MONDAY)) == expected, light
    # Closed ones have no light, even in the 'all' queue with a light filter.
    assert red.pk in _ids(selectors.queue(user=caseworker, kind="all", light="red", today=MONDAY))
    assert len(_ids(selectors.queue(user=caseworker, kind="all", light="red", today=MONDAY))) == 1


def test_filters_rule_purpose_status_and_village(world, caseworker) -> None:
    east, east2, west = world["east"], world["east2"], world["west"]
    death = new_warning(east, due_on=date(2026, 3, 20))
    car = new_warning(east, rule="vehicle_acquired", due_on=date(2026, 3, 21), status="verified")
    lead = new_warning(east2, rule="disability_lead", purpose="lead", due_on=date(2026, 3, 22))
    new_warning(west)

    def ids(**f: Any) -> list[int]:
        return _ids(selectors.queue(user=caseworker, today=MONDAY, **f))

    assert ids(rule="vehicle_acquired") == [car.pk]
    assert ids(purpose="lead") == [lead.pk]
    assert ids(status="verified") == [car.pk]
    assert ids(status="open") == [death.pk, lead.pk]
    assert ids(village=EAST_VILLAGE) == [death.pk, car.pk]
    assert ids(village="980101001002") == [lead.pk]
    assert ids(village=WEST_VILLAGE) == []  # outside: nothing, not an error
    assert ids(village="99") == []
    assert ids(rule="death", village=EAST_VILLAGE) == [death.pk]


def test_pagination_keeps_the_due_date_order(world, caseworker) -> None:
    east = world["east"]
    people = [east.head, *(add_member(east, "child") for _ in range(4))]
    made = [new_warning(east, person=p, due_on=date(2026, 3, 10 + n)) for n, p in enumerate(people)]
    first = selectors.queue(user=caseworker, per_page=2, page=1, today=MONDAY)
    third = selectors.queue(user=caseworker, per_page=2, page=3, today=MONDAY)
    beyond = selectors.queue(user=caseworker, per_page=2, page=99, today=MONDAY)
    assert (first.total, first.pages, first.has_next, first.has_previous) == (5, 3, True, False)
    assert _ids(first) == [made[0].pk, made[1].pk]
    assert _ids(third) == [made[4].pk] and not third.has_next and third.has_previous
    assert beyond.page == 3 and _ids(beyond) == [made[4].pk]


def test_the_queue_reads_a_fixed_number_of_queries(world, caseworker) -> None:
    east = world["east"]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.queue(user=caseworker, today=MONDAY)
        return len(ctx.captured_queries)

    new_warning(east)
    count()  # the user's permissions are read once and kept on the user
    few = count()
    for _ in range(6):
        new_warning(east, person=add_member(east, "child"))
    assert count() == few


def test_users_without_the_permission_are_refused(world, make_user) -> None:
    with pytest.raises(PermissionDenied):
        selectors.queue(user=make_user("verification_officer", COUNTY))


def test_the_queue_page(world, caseworker, client_for, make_user) -> None:
    east, west = world["east"], world["west"]
    today = timezone.localdate()
    new_warning(east, due_on=today + timedelta(days=30))
    new_warning(east, rule="vehicle_acquired", due_on=today - timedelta(days=30), escalated_at=timezone.now())
    new_warning(west)
    client = client_for(caseworker)
    body = client.get("/monitoring/warnings/").content.decode()
    assert "东镇甲" in body and "西镇丙" not in body
    assert "死亡、火化" in body and "新增机动车（非豁免车型）" in body
    assert 'data-light="red"' in body and "督办" in body
    assert 'href="/monitoring/warnings/"' in body  # the nav link
    filtered = client.get("/monitoring/warnings/", {"rule": "death"}).content.decode()
    assert "死亡、火化" in filtered and 'data-light="red"' not in filtered
    assert client.get("/monitoring/warnings/", {"village": "bad", "page": "x"}).status_code == 200
    assert client.get("/monitoring/warnings/", {"queue": "nonsense"}).status_code == 200
    officer = client_for(make_user("verification_officer", COUNTY))
    assert officer.get("/monitoring/warnings/").status_code == 403
