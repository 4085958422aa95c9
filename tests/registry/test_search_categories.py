"""A household's categories appear once each in the search list and the API summary."""

from __future__ import annotations

import re
from datetime import date

import pytest

from jiuzhu.registry.models import PersonCategory

from ..factories import add_member, new_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def dibao_household(tree):
    household = new_household(head__name="戴低保")
    spouse = add_member(household, "spouse")
    child = add_member(household, "child")
    for person, category in ((household.head, "dibao"), (spouse, "dibao"), (child, "child_in_difficulty")):
        PersonCategory.objects.create(person=person, category=category, start_date=date(2024, 1, 1))
    # An ended tag is not held any more.
    PersonCategory.objects.create(
        person=spouse, category="tekun", start_date=date(2020, 1, 1), end_date=date(2021, 1, 1)
    )
    return household


def test_search_page_shows_each_category_once(dibao_household, caseworker, client_for) -> None:
    body = client_for(caseworker).get("/households/", {"q": "戴"}).content.decode()
    row = re.search(r"<tr>\s*<td data-label=\"户编号\">.*?</tr>", body, flags=re.S)
    assert row is not None
    tags = re.findall(r'<span class="tag">([^<]+)</span>', row.group(0))
    assert tags == ["低保", "困境儿童"]


def test_api_summary_lists_each_category_once(dibao_household, caseworker, client_for) -> None:
    items = client_for(caseworker).get("/api/registry/households", {"q": "戴"}).json()["items"]
    assert items[0]["categories"] == [
        {"category": "dibao", "label": "低保"},
        {"category": "child_in_difficulty", "label": "困境儿童"},
    ]
    assert items[0]["member_count"] == 3
