"""Queues: to do (the user's role at the user's level, in their jurisdiction), done (cases the user
acted on), overdue; lights red / yellow / green; filters and pages; a fixed number of queries whatever
the page size; the pages show each light in words as well as colour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow import deadlines
from jiuzhu.workflow.selectors import queue
from jiuzhu.workflow.services import case_act

from ..conftest import COUNTY, WEST_TOWN
from ..factories import new_case, new_household, new_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _numbers(page):
    return [r.number for r in page.rows]


def test_todo_is_the_users_steps_in_their_jurisdiction(
    policy, dibao, caseworker, reviewer, approver, tree
) -> None:
    mine = new_case(state="investigation")
    review = new_case(state="review")
    confirm = new_case(state="confirmation")
    west = new_case(
        state="investigation",
        household=new_household(region=tree["980101002001"], head__hukou_region=tree["980101002001"]),
    )
    closed = new_case(state="confirmed")
    assert _numbers(queue(user=caseworker, kind="todo")) == [mine.number]
    assert _numbers(queue(user=reviewer, kind="todo")) == [review.number]
    assert _numbers(queue(user=approver, kind="todo")) == [confirm.number]
    assert closed.number not in _numbers(queue(user=approver, kind="todo"))
    west_worker = new_user(role="township_caseworker", region=tree[WEST_TOWN])
    assert _numbers(queue(user=west_worker, kind="todo")) == [west.number]
    auditor = new_user(role="auditor", region=tree[COUNTY])
    assert queue(user=auditor, kind="todo").total == 0


def test_done_lists_the_cases_the_user_acted_on(policy, dibao, reviewer, caseworker) -> None:
    case = new_case(state="review")
    new_case(state="review")
    assert queue(user=reviewer, kind="done").total == 0
    case_act(
        ctx=AuditContext(user=reviewer), case_id=case.pk, version=1, target="investigation", reason="补充"
    )
    assert _numbers(queue(user=reviewer, kind="done")) == [case.number]
    assert queue(user=caseworker, kind="done").total == 0


def test_overdue_and_lights(policy, dibao, caseworker, make_user) -> None:
    red = new_case(state="investigation", step_due_on=TODAY - timedelta(days=1))
    yellow = new_case(state="investigation", step_due_on=TODAY)  # no working day left
    green = new_case(state="investigation", step_due_on=TODAY + timedelta(days=60))  # 40+ working days
    page = queue(user=caseworker, kind="todo")
    assert [(r.number, r.light, r.light_label) for r in page.rows] == [
        (red.number, "red", "已超期"),
        (yellow.number, "yellow", "临期"),
        (green.number, "green", "正常"),
    ]
    assert page.rows[1].days_left == 0 and page.rows[0].days_left is not None and page.rows[0].days_left <= 0
    assert _numbers(queue(user=caseworker, kind="overdue")) == [red.number]
    # The county sees its townships' overdue cases; the other township does not.
    assert _numbers(queue(user=make_user("county_approver", COUNTY), kind="overdue")) == [red.number]
    assert queue(user=make_user("township_caseworker", WEST_TOWN), kind="overdue").total == 0


def test_filters_and_pages(policy, dibao, caseworker, tree) -> None:
    east2 = tree["980101001002"]
    a = new_case(state="investigation", step_due_on=TODAY + timedelta(days=1))
    b = new_case(state="verification", step_due_on=TODAY + timedelta(days=2))
    c = new_case(
        state="investigation",
        step_due_on=TODAY + timedelta(days=3),
        household=new_household(region=east2, head__hukou_region=east2),
    )
    assert _numbers(queue(user=caseworker, kind="todo", step="investigation")) == [a.number, c.number]
    assert _numbers(queue(user=caseworker, kind="todo", region_code="980101001002")) == [c.number]
    assert queue(user=caseworker, kind="todo", region_code="980101002001").total == 0  # not theirs
    assert queue(user=caseworker, kind="todo", region_code="bad").total == 0
    assert queue(user=caseworker, kind="todo", program="tekun").total == 0
    first = queue(user=caseworker, kind="todo", per_page=2)
    second = queue(user=caseworker, kind="todo", per_page=2, page=2)
    assert (_numbers(first), _numbers(second), first.pages, first.has_next, second.has_previous) == (
        [a.number, b.number],
        [c.number],
        2,
        True,
        True,
    )
    assert _numbers(queue(user=caseworker, kind="todo", per_page=2, page=99)) == [c.number]


@pytest.mark.parametrize("kind", ["todo", "done", "overdue"])
def test_the_query_count_does_not_grow_with_the_page(policy, dibao, caseworker, kind) -> None:
    """The user's steps (to do only), the count, the page with its household, applicant, region and
    policy, the step names of the page's definitions, and the calendar's reads."""
    with CaptureQueriesContext(connection) as cal:
        deadlines.work_calendar()
    expected = (4 if kind == "todo" else 3) + len(cal)
    counts = []
    for size in (1, 6):
        while len(queue(user=caseworker, kind=kind).rows) < size:
            new_case(state="investigation", step_due_on=TODAY - timedelta(days=1), opened_by=caseworker)
        with CaptureQueriesContext(connection) as ctx:
            page = queue(user=caseworker, kind=kind)
        counts.append(len(ctx))
        assert len(page.rows) == size
    assert counts == [expected, expected]


def test_queue_pages_show_lights_in_words(policy, dibao, caseworker, client_for, other_caseworker) -> None:
    case = new_case(state="investigation", step_due_on=TODAY - timedelta(days=1))
    client = client_for(caseworker)
    for url in (
        "/workflow/",
        "/workflow/overdue/",
        "/workflow/done/",
        "/workflow/?step=investigation&page=x",
    ):
        assert client.get(url).status_code == 200, url
    body = client.get("/workflow/").content.decode()
    assert case.number in body and 'data-light="red"' in body and "已超期" in body
    body = client.get("/workflow/?region=980101002001").content.decode()
    assert case.number not in body
    assert case.number not in client_for(other_caseworker).get("/workflow/overdue/").content.decode()
