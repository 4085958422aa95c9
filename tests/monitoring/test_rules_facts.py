"""Rules on registered facts — death, 户籍注销, custody, vehicle, property, business, residence,
schooling — each at its boundaries, on DuckDB (run date 2026-11-30 unless said)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from jiuzhu.batch.rules.model import Rule
from jiuzhu.monitoring import rules as R

from .tables import feed, hit_people, hits, outsider, person

# The lookback window for a run on 2026-11-30 with monitor_lookback_months = 12: after 2025-11-30, up to
# and including 2026-11-30.
INSIDE = [date(2025, 12, 1), date(2026, 11, 30)]
OUTSIDE = [date(2025, 11, 30), date(2026, 12, 1)]


def _row(rule: Rule, when: date) -> dict[str, Any]:
    """A row that the rule would raise, dated ``when``."""
    code = rule.feed or ""
    if rule is R.PROPERTY:
        return feed(code, 1, when, event="buy", unit_no="U1", kind="residential", amount="300000")
    if rule is R.BUSINESS:
        return feed(code, 1, when, status="active", reg_no="92990101MA0001", kind="individual")
    if rule is R.VEHICLE:
        return feed(code, 1, when, event="buy", vehicle_type="car", plate="云A00001", amount="80000")
    raise AssertionError(rule.code)


@pytest.mark.parametrize("rule", [R.PROPERTY, R.BUSINESS, R.VEHICLE], ids=lambda r: r.code)
@pytest.mark.parametrize("when", INSIDE)
def test_acquisitions_in_the_lookback_window_hit(rule: Rule, when: date) -> None:
    assert hit_people(rule, people=[person(1)], rows=[_row(rule, when)]) == [1]


@pytest.mark.parametrize("rule", [R.PROPERTY, R.BUSINESS, R.VEHICLE], ids=lambda r: r.code)
@pytest.mark.parametrize("when", OUTSIDE)
def test_acquisitions_outside_the_lookback_window_do_not(rule: Rule, when: date) -> None:
    assert hit_people(rule, people=[person(1)], rows=[_row(rule, when)]) == []


@pytest.mark.parametrize("rule", [R.PROPERTY, R.BUSINESS, R.VEHICLE], ids=lambda r: r.code)
def test_acquisitions_of_people_outside_assistance_do_not(rule: Rule) -> None:
    assert hit_people(rule, people=[outsider(1)], rows=[_row(rule, date(2026, 6, 1))]) == []


def test_the_lookback_window_follows_the_policy() -> None:
    # 30 November less 6 months is 30 May: a 6-month window starts the day after.
    row = _row(R.PROPERTY, date(2026, 5, 30))
    assert hit_people(R.PROPERTY, people=[person(1)], rows=[row], monitor_lookback_months=6) == []
    assert hit_people(R.PROPERTY, people=[person(1)], rows=[row], monitor_lookback_months=7) == [1]


@pytest.mark.parametrize(("event", "expected"), [("buy", [1]), ("hold", []), ("sell", [])])
def test_property_only_a_purchase(event: str, expected: list[int]) -> None:
    row = feed("real_estate", 1, date(2026, 6, 1), event=event, unit_no="U1", kind="residential")
    assert hit_people(R.PROPERTY, people=[person(1)], rows=[row]) == expected


@pytest.mark.parametrize(("status", "expected"), [("active", [1]), ("cancelled", [])])
def test_business_only_an_active_registration(status: str, expected: list[int]) -> None:
    row = feed("business", 1, date(2026, 6, 1), status=status, reg_no="R1", kind="individual")
    assert hit_people(R.BUSINESS, people=[person(1)], rows=[row]) == expected


@pytest.mark.parametrize(
    ("vehicle_type", "exempt", "expected"),
    [
        ("car", "motorcycle,e_bike,disability_scooter", [1]),
        ("e_bike", "motorcycle,e_bike,disability_scooter", []),
        ("disability_scooter", "motorcycle,e_bike,disability_scooter", []),
        ("motorcycle", "e_bike,disability_scooter", [1]),  # a county that no longer exempts motorcycles
        ("car", "", [1]),
    ],
)
def test_vehicle_exempt_types_come_from_the_policy(
    vehicle_type: str, exempt: str, expected: list[int]
) -> None:
    row = feed("vehicle", 1, date(2026, 6, 1), event="buy", vehicle_type=vehicle_type, plate="P1")
    assert hit_people(R.VEHICLE, people=[person(1)], rows=[row], exempt_vehicle_types=exempt) == expected


def test_property_evidence_names_the_unit_and_price() -> None:
    (hit,) = hits(R.PROPERTY, people=[person(1)], rows=[_row(R.PROPERTY, date(2026, 6, 1))])
    assert json.loads(hit["evidence"]) == {"不动产单元号": "U1", "用途": "residential", "价格": "300000.00"}
    assert hit["event_date"] == date(2026, 6, 1)
    assert (hit["rule"], hit["purpose"], hit["household_id"]) == ("property_acquired", "warning", 1)


@pytest.mark.parametrize(("when", "expected"), [(date(2026, 11, 30), [1]), (date(2026, 12, 1), [])])
def test_death_on_or_before_the_run_date(when: date, expected: list[int]) -> None:
    row = feed("police_death", 1, when, kind="cremation")
    assert hit_people(R.DEATH, people=[person(1)], rows=[row]) == expected


def test_death_long_ago_still_hits_and_only_the_assisted() -> None:
    rows = [feed("police_death", n, date(2015, 3, 1), kind="death") for n in (1, 2)]
    assert hit_people(R.DEATH, people=[person(1), outsider(2)], rows=rows) == [1]


@pytest.mark.parametrize(
    ("status", "when", "expected"),
    [
        ("cancelled", date(2026, 11, 30), [1]),
        ("cancelled", date(2020, 1, 1), [1]),
        ("cancelled", date(2026, 12, 1), []),
        ("normal", date(2026, 11, 1), []),
        (None, date(2026, 11, 1), []),
    ],
)
def test_hukou_cancelled(status: str | None, when: date, expected: list[int]) -> None:
    row = feed("police_hukou", 1, when, status=status, hukou_region="530102001001", kind="H1")
    assert hit_people(R.HUKOU_CANCELLED, people=[person(1)], rows=[row]) == expected


def test_hukou_cancelled_not_for_people_outside() -> None:
    row = feed("police_hukou", 1, date(2026, 11, 1), status="cancelled")
    assert hit_people(R.HUKOU_CANCELLED, people=[outsider(1)], rows=[row]) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 30), None, [1]),  # taken in on the run date
        (date(2026, 12, 1), None, []),  # not yet
        (date(2024, 1, 1), "2026-12-01", [1]),  # released the day after the run date
        (date(2024, 1, 1), "2026-11-30", []),  # released on the run date
        (date(2024, 1, 1), "2025-06-30", []),  # released long ago
    ],
)
def test_detained_in_custody_on_the_run_date(start: date, end: str | None, expected: list[int]) -> None:
    row = feed("justice", 1, start, kind="prison", end_date=end)
    assert hit_people(R.DETAINED, people=[person(1)], rows=[row]) == expected


def test_detained_compulsory_rehabilitation_counts_and_the_evidence() -> None:
    row = feed("justice", 1, date(2026, 3, 1), kind="compulsory_rehab", end_date="2028-03-01")
    (hit,) = hits(R.DETAINED, people=[person(1), outsider(2)], rows=[row])
    assert json.loads(hit["evidence"]) == {
        "类型": "compulsory_rehab",
        "开始日期": "2026-03-01",
        "结束日期": "2028-03-01",
    }


# Absence: the newest residence registration lies outside the household's county and began more than
# monitor_absence_months (6) months before the run date: 2026-05-30 + 6 months = 2026-11-30, not before it.
ELSEWHERE = "530200001001"


@pytest.mark.parametrize(
    ("since", "as_of", "expected"),
    [
        (date(2026, 5, 29), date(2026, 11, 30), [1]),
        (date(2026, 5, 30), date(2026, 11, 30), []),
        (date(2026, 5, 30), date(2026, 12, 1), [1]),
        (date(2026, 8, 31), date(2027, 2, 28), []),  # 31 August + 6 months = 28 February (clamped)
        (date(2026, 8, 31), date(2027, 3, 1), [1]),
    ],
)
def test_absent_longer_than_the_policy_months(since: date, as_of: date, expected: list[int]) -> None:
    row = feed("residence", 1, since, region=ELSEWHERE, kind="residence_permit")
    assert hit_people(R.ABSENT, people=[person(1)], rows=[row], as_of=as_of) == expected


def test_absent_follows_the_policy_months() -> None:
    row = feed("residence", 1, date(2026, 8, 1), region=ELSEWHERE, kind="residence_permit")
    assert hit_people(R.ABSENT, people=[person(1)], rows=[row], monitor_absence_months=3) == [1]
    assert hit_people(R.ABSENT, people=[person(1)], rows=[row], monitor_absence_months=4) == []


def test_absent_not_within_the_county_nor_after_coming_back() -> None:
    same_county = feed("residence", 1, date(2020, 1, 1), region="530102009001", kind="residence_permit")
    left = feed("residence", 2, date(2020, 1, 1), region=ELSEWHERE, kind="residence_permit")
    back = feed("residence", 2, date(2026, 10, 1), region="530102001001", kind="residence_permit")
    assert hit_people(R.ABSENT, people=[person(1), person(2)], rows=[same_county, left, back]) == []


def test_absent_only_the_newest_registration_counts() -> None:
    home = feed("residence", 1, date(2019, 1, 1), region="530102001001", kind="residence_permit")
    away = feed("residence", 1, date(2020, 1, 1), region=ELSEWHERE, kind="residence_permit")
    (hit,) = hits(R.ABSENT, people=[person(1), outsider(2)], rows=[home, away])
    assert json.loads(hit["evidence"]) == {
        "居住地": ELSEWHERE,
        "居住起始日期": "2020-01-01",
        "登记类型": "residence_permit",
    }


def _school(n: int, when: date, status: str) -> dict[str, Any]:
    return feed("education", n, when, kind=status, level="senior", school="安和县第一中学")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (("enrolled", "dropped"), [1]),
        (("enrolled", "graduated"), [1]),
        (("dropped", "enrolled"), [1]),
        (("enrolled", "enrolled"), []),
        (("dropped",), []),  # a first record is no change
    ],
)
def test_school_status_changed(statuses: tuple[str, ...], expected: list[int]) -> None:
    dates = [date(2025, 9, 1), date(2026, 7, 1)][-len(statuses) :]
    rows = [_school(1, d, s) for d, s in zip(dates, statuses, strict=True)]
    assert hit_people(R.SCHOOL, people=[person(1)], rows=rows) == expected


def test_school_change_only_the_newest_and_in_the_window() -> None:
    # Changed and changed back: the newest record is the same as the one before it.
    back = [
        _school(1, date(2025, 12, 1), "enrolled"),
        _school(1, date(2026, 3, 1), "dropped"),
        _school(1, date(2026, 9, 1), "enrolled"),
        _school(1, date(2026, 10, 1), "enrolled"),
    ]
    assert hit_people(R.SCHOOL, people=[person(1)], rows=back) == []
    old = [_school(2, date(2024, 9, 1), "enrolled"), _school(2, date(2025, 11, 30), "graduated")]
    assert hit_people(R.SCHOOL, people=[person(2)], rows=old) == []
    (hit,) = hits(
        R.SCHOOL,
        people=[person(3)],
        rows=[_school(3, date(2025, 9, 1), "enrolled"), _school(3, date(2025, 12, 1), "graduated")],
    )
    assert json.loads(hit["evidence"]) == {
        "学籍状态": "graduated",
        "原学籍状态": "enrolled",
        "学段": "senior",
        "学校": "安和县第一中学",
    }
