import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.core.errors import NotFound
from jiuzhu.registry.selectors import household_file, household_search

from ..conftest import COUNTY, EAST_TOWN, WEST_VILLAGE
from ..factories import add_member, make_id_number, new_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(tree):
    east = new_household(head__name="孙大明")
    add_member(east, "spouse", name="周小红", id_number=make_id_number(777, male=False))
    west = new_household(region=tree[WEST_VILLAGE], head__name="孙二明")
    return east, west


def _numbers(page) -> set[str]:
    return {h.number for h in page.items}


def test_search_by_name_prefix_is_scoped(caseworker, households) -> None:
    east, _west = households
    assert _numbers(household_search(user=caseworker, query="孙")) == {east.number}


def test_county_user_sees_both_townships(make_user, households) -> None:
    approver = make_user("county_approver", COUNTY)
    assert _numbers(household_search(user=approver, query="孙")) == {h.number for h in households}


def test_search_by_member_full_id_number_and_last_digits(caseworker, households) -> None:
    east, _ = households
    member_id = make_id_number(777, male=False)
    assert _numbers(household_search(user=caseworker, query=member_id)) == {east.number}
    assert _numbers(household_search(user=caseworker, query=member_id[-6:])) == {east.number}
    assert _numbers(household_search(user=caseworker, query=member_id[-6:].lower())) == {east.number}
    assert _numbers(household_search(user=caseworker, query="000000")) == set()


def test_region_filter_outside_jurisdiction_is_refused(caseworker, households) -> None:
    with pytest.raises(NotFound):
        household_search(user=caseworker, region_code=WEST_VILLAGE)


def test_category_filter(caseworker, households) -> None:
    from datetime import date

    from jiuzhu.registry.models import PersonCategory

    east, _ = households
    PersonCategory.objects.create(person=east.head, category="dibao", start_date=date(2024, 1, 1))
    assert _numbers(household_search(user=caseworker, category="dibao")) == {east.number}
    assert _numbers(household_search(user=caseworker, category="tekun")) == set()


def test_pagination(caseworker, tree) -> None:
    for _ in range(25):
        new_household()
    first = household_search(user=caseworker, page=1)
    second = household_search(user=caseworker, page=2)
    assert (len(first.items), len(second.items), first.total, first.pages) == (20, 5, 25, 2)
    assert first.has_next and not second.has_next
    assert not _numbers(first) & _numbers(second)


def test_search_query_count_is_fixed(caseworker, tree) -> None:
    for _ in range(3):
        add_member(new_household(), "child")
    with CaptureQueriesContext(connection) as few:
        household_search(user=caseworker, query="张")
    for _ in range(10):
        add_member(new_household(), "child")
    with CaptureQueriesContext(connection) as many:
        household_search(user=caseworker, query="张")
    assert len(few) == len(many) == 4


def test_household_file_query_count_is_fixed(caseworker, tree) -> None:
    small = new_household()
    big = new_household()
    for _ in range(6):
        add_member(big)
    counts = []
    for h in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            household_file(user=caseworker, household_id=h.pk)
        counts.append(len(ctx))
    assert counts[0] == counts[1] <= 4


def test_household_outside_jurisdiction_is_not_found(other_caseworker, households) -> None:
    east, _ = households
    with pytest.raises(NotFound):
        household_file(user=other_caseworker, household_id=east.pk)


def test_user_without_region_sees_nothing(make_user, households) -> None:
    nobody = make_user("township_caseworker", EAST_TOWN)
    nobody.region = None
    assert household_search(user=nobody).items == []


def test_search_by_name_pages_in_household_order(caseworker, tree) -> None:
    # Few matches take the sorted path; the order and the pages are those of the plain path.
    made = [new_household(head__name=f"赖利{i}").pk for i in range(23)]
    first = household_search(user=caseworker, query="赖利", page=1)
    second = household_search(user=caseworker, query="赖利", page=2)
    assert [h.pk for h in first.items + second.items] == sorted(made)
    assert (first.total, first.pages) == (23, 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner statistics")
def test_person_names_have_a_finer_histogram_on_postgresql() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'registry_person'::regclass AND attname = 'name'"
        )
        assert cur.fetchone()[0] == 1000
