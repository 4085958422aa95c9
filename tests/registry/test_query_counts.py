"""Query counts of the registry's pages and API endpoints, pinned for households of 1 and 5 members
(each member with a category tag): the count is the same, so it does not grow with the household.

Each count is the whole request, the same on SQLite and PostgreSQL:
- every request: the session, the user, the user's and the groups' permissions (4);
- household file: the household (the jurisdiction gate), the memberships with their persons, the
  members' open categories, the history (4), and the audit line of the view (the chain's last line and
  the insert, 2): 10 for the API; the page adds the caller's region for the header (11);
- search: the capped count, the page of households, their current members and those members' open
  categories (4): 8 for the API, 9 for the page.
The first request of a client warms what is cached per process; the pinned counts are the second
(1 member) and the third (5 members).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.registry.models import PersonCategory

from ..factories import add_member, make_id_number, new_household

pytestmark = pytest.mark.django_db


def _household(size: int, seq: int) -> Any:
    h = new_household(head__name=f"查{seq}户主", head__id_number=make_id_number(6000 + seq * 10))
    members = [h.head] + [
        add_member(h, "child", id_number=make_id_number(6000 + seq * 10 + i)) for i in range(1, size)
    ]
    for p in members:
        PersonCategory.objects.create(person=p, category="dibao", start_date=date(2024, 1, 1))
    return h


def _counts(
    client: Any, url_of: Callable[[Any, int], str], *, size_check: Callable[[Any, int], None]
) -> list[int]:
    counts = []
    for seq, size in enumerate((1, 1, 5)):
        h = _household(size, seq)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url_of(h, seq))
        assert response.status_code == 200, response.content[:300]
        size_check(response, size)
        counts.append(len(ctx))
    return counts[1:]


def _api_members(response: Any, size: int) -> None:
    assert len(response.json()["members"]) == size


def _api_count(response: Any, size: int) -> None:
    assert response.json()["items"][0]["member_count"] == size


def _page_lists(response: Any, size: int) -> None:
    assert response.content.decode().count('<span class="tag">') >= 1


@pytest.mark.parametrize(
    ("url_of", "size_check", "expected"),
    [
        (lambda h, seq: f"/households/{h.pk}/", _page_lists, 11),
        (lambda h, seq: f"/api/registry/households/{h.pk}", _api_members, 10),
        (lambda h, seq: f"/households/?q=查{seq}", _page_lists, 9),
        (lambda h, seq: f"/api/registry/households?q=查{seq}", _api_count, 8),
    ],
    ids=["household page", "household API", "search page", "search API"],
)
def test_query_count_does_not_grow_with_the_household(
    caseworker, client_for, url_of, size_check, expected
) -> None:
    assert _counts(client_for(caseworker), url_of, size_check=size_check) == [expected, expected]
