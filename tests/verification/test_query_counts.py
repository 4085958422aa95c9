"""Query counts of the report page and its API twin, pinned for households of 1 and 5 members: a
report is a snapshot, so showing it reads the same rows whatever the household's size.

Each count is the whole request, the same on SQLite and PostgreSQL: the session, the user, the
user's and the groups' permissions (4); the report with its household, applicant and author (1, the
jurisdiction gate); the audit line of the view (the chain's last line and the insert, 2). The page adds
the caller's region for the header. The first request warms what is cached per process.

The household check (一证申请, assembled live) reads, besides the four of every request and the audit
line: the memberships with persons and authorisations, and the members' facts (the API: 8); the page
also reads the household and the applicant (the jurisdiction gates), the caller's region and the
household's past reports (12).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.audit.services import AuditContext
from jiuzhu.verification.services import report_create

from ..factories import add_member, make_id_number, new_household
from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/verification/reports/{pk}/", 8), ("/api/verification/reports/{pk}", 7)],
    ids=["report page", "report API"],
)
def test_report_query_count_does_not_grow_with_the_household(
    tree, feed, county_policy, caseworker, authorise, client_for, url, expected
) -> None:
    client = client_for(caseworker)
    counts: list[int] = []
    for seq, size in enumerate((1, 1, 5)):
        h = new_household(head__id_number=make_id_number(7000 + seq * 10, birth=date(1960, 1, 1)))
        members: list[Any] = [
            add_member(h, "child", id_number=make_id_number(7000 + seq * 10 + i, birth=date(2012, 1, 1)))
            for i in range(1, size)
        ]
        authorise(h.head, *members)
        for p in [h.head, *members]:
            feed("hrss_pension", p.id_number, date(2026, 1, 1), "100", kind="employee")
        report = report_create(ctx=AuditContext(user=caseworker), id_number=h.head.id_number, as_of=AS_OF)
        assert len(report.inputs["members"]) == size
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url.format(pk=report.pk))
        assert response.status_code == 200, response.content[:300]
        counts.append(len(ctx))
    assert counts[1:] == [expected, expected]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/verification/{pk}/?applicant={applicant}", 13),
        ("/api/verification/households?id_number={id_number}", 9),
    ],
    ids=["household check page", "household check API"],
)
def test_household_check_query_count_does_not_grow_with_the_household(
    tree, feed, county_policy, caseworker, authorise, client_for, url, expected
) -> None:
    client = client_for(caseworker)
    counts: list[int] = []
    for seq, size in enumerate((1, 1, 5)):
        h = new_household(head__id_number=make_id_number(7500 + seq * 10, birth=date(1960, 1, 1)))
        members: list[Any] = [
            add_member(h, "child", id_number=make_id_number(7500 + seq * 10 + i, birth=date(2012, 1, 1)))
            for i in range(1, size)
        ]
        authorise(h.head, *members)
        for p in [h.head, *members]:
            feed("hrss_pension", p.id_number, date(2026, 1, 1), "100", kind="employee")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url.format(pk=h.pk, applicant=h.head.pk, id_number=h.head.id_number))
        assert response.status_code == 200, response.content[:300]
        counts.append(len(ctx))
    # PostgreSQL receives the memberships and the members' facts in one round trip (fetch_together).
    expected -= 1 if connection.vendor == "postgresql" else 0
    assert counts[1:] == [expected, expected]
