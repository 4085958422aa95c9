"""The rule tables read from the database (I1): columns and types of ``batch.rules.schema``, the derived
columns (assisted, programs, members, standard, income_pc) hand-computed, the county scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from jiuzhu.batch.rules.schema import COVERAGE, FEEDS, PERSONS
from jiuzhu.benefits.models import Entitlement
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.monitoring.extract import arrow_schema, extract_tables, income_window
from jiuzhu.monitoring.rules import DEATH, DUPLICATE_PERSON, VEHICLE
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Membership
from tests.conftest import COUNTY
from tests.factories import add_member, new_entitlement, new_household, new_import_batch, new_policy

# Three rules whose tables, hits and warnings are worked out by hand below.
RULES = (DEATH, VEHICLE, DUPLICATE_PERSON)

AS_OF = date(2026, 11, 15)
NEIGHBOUR_VILLAGE = "980102001001"


def feed(
    feed: str, id_number: str, day: date | None, amount: str | None = None, kind: str = "", **data: Any
) -> None:
    FeedRecord.objects.create(
        feed=feed,
        id_number=id_number,
        date=day,
        amount=Decimal(amount) if amount is not None else None,
        kind=kind,
        data=data,
        row_key=f"{feed}-{FeedRecord.objects.count()}",
        batch=new_import_batch(feed=feed),
    )


@pytest.fixture
def county(tree: dict[str, Region]) -> dict[str, Any]:
    new_policy(dibao_standard_rural=Decimal("520"), dibao_standard_urban=Decimal("700"))
    new_policy("980102000000", dibao_standard_rural=Decimal("600"))
    h1 = new_household(bank_account="6222000011112222")
    a = h1.head
    b = add_member(h1, "spouse")
    c = add_member(h1, "child")
    Membership.objects.filter(person=c).update(co_resident=False)
    dibao = new_entitlement(h1, program="dibao")
    tekun = new_entitlement(h1, program="tekun", person=c)
    # The neighbouring county: one household sharing h1's account (its entitlement is read), one not.
    h2 = new_household(region=tree[NEIGHBOUR_VILLAGE], bank_account="6222000011112222")
    shared = new_entitlement(h2, program="dibao")
    h3 = new_household(region=tree[NEIGHBOUR_VILLAGE], bank_account="6222999999999999")
    new_entitlement(h3, program="dibao")
    ended = new_entitlement(new_household(), program="dibao", status="ended")
    # Income in Aug–Oct 2026 (the window for 15 Nov): A's wages 3000 (Aug), 人社 3000 and 税务 3300 in
    # Sep (the larger counts); B's pension 600 (Oct), property income 300 (Oct), unemployment benefit 900
    # a month registered 20 Sep (Sep and Oct). Outside the window or of a member not living with them:
    # not counted.
    feed("hrss_wage", a.id_number, date(2026, 8, 1), "3000", employer="甲厂")
    feed("hrss_wage", a.id_number, date(2026, 9, 1), "3000", employer="甲厂")
    feed("tax", a.id_number, date(2026, 9, 1), "3300", kind="wages", income_type="wages")
    feed("hrss_wage", a.id_number, date(2026, 7, 1), "1000", employer="甲厂")
    feed("hrss_wage", a.id_number, date(2026, 11, 1), "5000", employer="甲厂")
    feed("hrss_pension", b.id_number, date(2026, 10, 1), "600", kind="basic")
    feed("tax", b.id_number, date(2026, 10, 1), "300", kind="property", income_type="property")
    feed("hrss_unemployment", b.id_number, date(2026, 9, 20), "900", ended_on="2026-12-31")
    feed("hrss_wage", c.id_number, date(2026, 8, 1), "10000", employer="乙厂")
    feed(
        "police_death", a.id_number, date(2026, 10, 1), kind="death", death_date="2026-10-01", source="death"
    )
    feed(
        "vehicle",
        b.id_number,
        date(2026, 10, 5),
        "80000",
        kind="car",
        vehicle_type="car",
        event="buy",
        plate="皖A1",
    )
    feed("police_death", h3.head.id_number, date(2026, 10, 1), kind="death", source="death")
    return {
        "h1": h1,
        "a": a,
        "b": b,
        "c": c,
        "h2": h2,
        "dibao": dibao,
        "tekun": tekun,
        "shared": shared,
        "ended": ended,
    }


def rows(table: pa.Table, key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in table.to_pylist()}


@pytest.mark.django_db
def test_tables_have_the_schema_columns_and_types(county: dict[str, Any]) -> None:
    tables = extract_tables(as_of=AS_OF, county=Region.objects.get(code=COUNTY), rules=RULES)
    assert tables["persons"].schema == arrow_schema(PERSONS)
    assert tables["coverage"].schema == arrow_schema(COVERAGE)
    assert tables["feeds"].schema == arrow_schema(FEEDS)
    assert tables["settings"].schema == pa.schema(
        [
            ("county_code", pa.string()),
            ("exempt_vehicle_types", pa.string()),
            ("monitor_lookback_months", pa.decimal128(18, 4)),
        ]
    )


@pytest.mark.django_db
def test_persons_assisted_programs_members_standard_income(county: dict[str, Any]) -> None:
    tables = extract_tables(as_of=AS_OF, county=Region.objects.get(code=COUNTY), rules=RULES)
    persons = rows(tables["persons"], "person_id")
    a, b, c = (persons[county[k].pk] for k in "abc")
    ended_head = county["ended"].household.head_id
    # Only the test county's people: h1's three and the head of the household whose entitlement ended.
    assert set(persons) == {county["a"].pk, county["b"].pk, county["c"].pk, ended_head}
    assert (a["assisted"], a["programs"]) == (True, "dibao")
    assert (b["assisted"], b["programs"]) == (True, "dibao")
    # C does not live with them: the household's 低保 does not cover C, C's own 特困 does.
    assert (c["assisted"], c["programs"]) == (True, "tekun")
    assert (persons[ended_head]["assisted"], persons[ended_head]["programs"]) == (False, None)
    assert {p["members"] for p in (a, b, c)} == {2}
    assert a["standard"] == Decimal("520.00")
    # (3000 + 3300 + 600 + 300 + 900 × 2) ÷ 3 months ÷ 2 members = 9000 ÷ 6
    assert {p["income_pc"] for p in (a, b, c)} == {Decimal("1500.00")}
    assert persons[ended_head]["income_pc"] == Decimal("0.00")
    assert (a["relation"], b["relation"], c["relation"]) == ("head", "spouse", "child")
    assert (a["region_code"], a["township_code"], a["county_code"]) == (
        "980101001001",
        "980101001000",
        "980101000000",
    )
    assert a["urban_rural"] == "rural"
    assert a["bank_account"] == "6222000011112222"
    assert a["birth_date"] == county["a"].birth_date
    assert a["death_date"] is None
    assert a["in_school"] is False


@pytest.mark.django_db
def test_coverage_reaches_the_other_side_of_a_shared_account(county: dict[str, Any]) -> None:
    tables = extract_tables(as_of=AS_OF, county=Region.objects.get(code=COUNTY), rules=RULES)
    got = sorted((r["entitlement_id"], r["person_id"]) for r in tables["coverage"].to_pylist())
    assert got == sorted(
        [
            (county["dibao"].pk, county["a"].pk),
            (county["dibao"].pk, county["b"].pk),
            (county["tekun"].pk, county["c"].pk),
            (county["shared"].pk, county["h2"].head_id),
        ]
    )
    shared = next(r for r in tables["coverage"].to_pylist() if r["entitlement_id"] == county["shared"].pk)
    assert (shared["county_code"], shared["region_code"]) == ("980102000000", NEIGHBOUR_VILLAGE)
    assert shared["amount"] == Decimal("520.00")
    assert not Entitlement.objects.filter(pk=county["ended"].pk, status__in=("active", "suspended")).exists()


@pytest.mark.django_db
def test_feeds_of_the_rules_with_payload_fields(county: dict[str, Any]) -> None:
    tables = extract_tables(as_of=AS_OF, county=Region.objects.get(code=COUNTY), rules=RULES)
    feeds = tables["feeds"].to_pylist()
    # Only the feeds the rules read, and only of the county's people (not h3's death).
    assert sorted((f["feed"], f["id_number"]) for f in feeds) == sorted(
        [("police_death", county["a"].id_number), ("vehicle", county["b"].id_number)]
    )
    car = next(f for f in feeds if f["feed"] == "vehicle")
    assert (car["vehicle_type"], car["event"], car["plate"], car["amount"]) == (
        "car",
        "buy",
        "皖A1",
        Decimal("80000.00"),
    )
    assert car["unit_no"] is None
    death = next(f for f in feeds if f["feed"] == "police_death")
    # police_death's payload is not read by any rule: its fields stay empty.
    assert death["status"] is None and death["kind"] == "death"


@pytest.mark.django_db
def test_settings_per_county_in_force(county: dict[str, Any]) -> None:
    every = extract_tables(as_of=AS_OF, county=None, rules=RULES)
    settings = rows(every["settings"], "county_code")
    assert set(settings) == {"980101000000", "980102000000"}
    assert settings["980101000000"]["monitor_lookback_months"] == Decimal("12.0000")
    assert settings["980101000000"]["exempt_vehicle_types"] == ",".join(
        __import__("jiuzhu.policy.models", fromlist=["x"])._default_exempt_vehicles()
    )
    # Every county: the neighbouring county's people too, at their own standard.
    persons = rows(every["persons"], "person_id")
    assert persons[county["h2"].head_id]["standard"] == Decimal("600.00")


def test_income_window_is_three_whole_months_before() -> None:
    assert income_window(date(2026, 11, 15)) == (date(2026, 8, 1), date(2026, 11, 1))
    assert income_window(date(2026, 2, 28)) == (date(2025, 11, 1), date(2026, 2, 1))
    assert income_window(date(2026, 1, 1)) == (date(2025, 10, 1), date(2026, 1, 1))
