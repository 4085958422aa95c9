"""Rules on needs and income — medical costs, disability, unemployment, income up, a child's guardian
lost — each at its boundaries, on DuckDB (run date 2026-11-30, 低保 standard 800 a person a month)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from jiuzhu.monitoring import rules as R

from .tables import feed, hit_people, hits, outsider, person

JUNE = date(2026, 6, 1)


def _bill(n: int, out_of_pocket: str, when: date = JUNE) -> dict[str, object]:
    return feed("medical_bill", n, when, amount=out_of_pocket, bill_no=f"YB{n}", total="20000.00")


@pytest.mark.parametrize(("oop", "expected"), [("6000.00", []), ("6000.01", [1])])
def test_medical_over_the_assisted_threshold(oop: str, expected: list[int]) -> None:
    assert hit_people(R.MEDICAL, people=[person(1)], rows=[_bill(1, oop)]) == expected


def test_medical_threshold_and_window_come_from_the_policy() -> None:
    assert hit_people(
        R.MEDICAL, people=[person(1)], rows=[_bill(1, "5000.01")], monitor_medical_oop_assisted=5000
    ) == [1]
    for when in (date(2025, 11, 30), date(2026, 12, 1)):
        assert hit_people(R.MEDICAL, people=[person(1)], rows=[_bill(1, "9000.00", when)]) == []
    assert hit_people(R.MEDICAL, people=[person(1)], rows=[_bill(1, "9000.00", date(2025, 12, 1))]) == [1]


def test_medical_warning_not_for_people_outside() -> None:
    assert hit_people(R.MEDICAL, people=[outsider(1)], rows=[_bill(1, "9000.00")]) == []


# The lead: out of pocket over 10000, and a per-capita income under 800 × 1.5 = 1200.
@pytest.mark.parametrize(
    ("oop", "income", "expected"),
    [
        ("10000.00", "0.00", []),
        ("10000.01", "0.00", [1]),
        ("10000.01", "1199.99", [1]),
        ("10000.01", "1200.00", []),
        ("10000.01", None, [1]),  # no income known
    ],
)
def test_medical_lead_outside(oop: str, income: str | None, expected: list[int]) -> None:
    people = [outsider(1, income_pc=income)]
    assert hit_people(R.MEDICAL_LEAD, people=people, rows=[_bill(1, oop)]) == expected


def test_medical_lead_not_for_the_assisted_and_follows_the_ratio() -> None:
    assert hit_people(R.MEDICAL_LEAD, people=[person(1)], rows=[_bill(1, "20000.00")]) == []
    people = [outsider(1, income_pc="1500.00")]
    assert hit_people(
        R.MEDICAL_LEAD, people=people, rows=[_bill(1, "20000.00")], monitor_lead_income_ratio="2"
    ) == [1]
    (hit,) = hits(R.MEDICAL_LEAD, people=[outsider(2, income_pc="300.00")], rows=[_bill(2, "12000.00")])
    assert hit["purpose"] == "lead"
    assert json.loads(hit["evidence"])["家庭月人均收入"] == "300.00"


def _certificate(n: int, grade: str, when: date = JUNE) -> dict[str, object]:
    return feed("disability", n, when, kind="physical", category="physical", grade=grade)


@pytest.mark.parametrize(
    ("when", "expected"),
    [(date(2025, 12, 1), [1]), (date(2026, 11, 30), [1]), (date(2025, 11, 30), []), (date(2026, 12, 1), [])],
)
def test_disability_new_certificate_of_the_assisted(when: date, expected: list[int]) -> None:
    rows = [_certificate(1, "4", when)]
    assert hit_people(R.DISABILITY, people=[person(1), outsider(2)], rows=rows) == expected


@pytest.mark.parametrize(
    ("grade", "income", "expected"),
    [("1", "0", [1]), ("2", "1199.99", [1]), ("3", "0", []), ("2", "1200.00", [])],
)
def test_disability_lead_severe_and_low_income(grade: str, income: str, expected: list[int]) -> None:
    rows = [_certificate(1, grade)]
    assert hit_people(R.DISABILITY_LEAD, people=[outsider(1, income_pc=income)], rows=rows) == expected


def test_disability_lead_not_for_the_assisted_nor_old_certificates() -> None:
    assert hit_people(R.DISABILITY_LEAD, people=[person(1)], rows=[_certificate(1, "1")]) == []
    old = [_certificate(2, "1", date(2025, 11, 30))]
    assert hit_people(R.DISABILITY_LEAD, people=[outsider(2)], rows=old) == []


def _unemployed(n: int, when: date = JUNE) -> dict[str, object]:
    return feed("hrss_unemployment", n, when, amount="1400.00", ended_on="2027-06-01")


@pytest.mark.parametrize(
    ("relation", "programs", "expected"),
    [
        ("head", "near_dibao", [1]),
        ("head", "disability_living,near_dibao", [1]),
        ("spouse", "near_dibao", []),
        ("head", "dibao,near_dibao", []),
        ("head", "", []),
    ],
)
def test_unemployment_lead_head_of_a_near_dibao_household(
    relation: str, programs: str, expected: list[int]
) -> None:
    people = [person(1, relation=relation, programs=programs, assisted=bool(programs))]
    assert hit_people(R.UNEMPLOYMENT_LEAD, people=people, rows=[_unemployed(1)]) == expected


@pytest.mark.parametrize(
    ("programs", "expected"),
    [("dibao", [1]), ("tekun", [1]), ("near_dibao", []), ("disability_living", [])],
)
def test_unemployment_warning_for_dibao_and_tekun(programs: str, expected: list[int]) -> None:
    assert (
        hit_people(R.UNEMPLOYMENT, people=[person(1, programs=programs)], rows=[_unemployed(1)]) == expected
    )


@pytest.mark.parametrize(("when", "expected"), [(date(2025, 11, 30), []), (date(2025, 12, 1), [1])])
def test_unemployment_window(when: date, expected: list[int]) -> None:
    assert hit_people(R.UNEMPLOYMENT, people=[person(1)], rows=[_unemployed(1, when)]) == expected
    lead = [person(2, programs="near_dibao")]
    assert hit_people(R.UNEMPLOYMENT_LEAD, people=lead, rows=[_unemployed(2, when)]) == [2 for _ in expected]


# Income up: a household of three (head 1, spouse 2, child 3), 低保 standard 800: 2400 a month is the
# line; the month read is October 2026 for a run on 2026-11-30.
def _family(**kw: object) -> list[dict[str, object]]:
    return [
        person(1, household_id=1, members=3, **kw),
        person(2, household_id=1, members=3, relation="spouse", **kw),
        person(3, household_id=1, members=3, relation="child", **kw),
    ]


def _wage(n: int, amount: str, month: date = date(2026, 10, 1), employer: str = "E") -> dict[str, object]:
    return feed("hrss_wage", n, month, amount=amount, employer=employer, row_key=f"w{n}{month}{employer}")


def _tax(n: int, amount: str, income_type: str, month: date = date(2026, 10, 1)) -> dict[str, object]:
    return feed(
        "tax",
        n,
        month,
        amount=amount,
        kind=income_type,
        income_type=income_type,
        row_key=f"t{n}{income_type}",
    )


@pytest.mark.parametrize(("second", "expected"), [("1000.00", []), ("1000.01", [1])])
def test_income_up_household_per_capita_over_the_standard(second: str, expected: list[int]) -> None:
    rows = [_wage(1, "1400.00"), _wage(2, second)]
    assert hit_people(R.INCOME_UP, people=_family(), rows=rows) == expected  # the head is the subject


def test_income_up_counts_taxed_income_other_than_wages_once() -> None:
    # Wages of 2000 reported by both departments count once; 400.01 of business income tips it over.
    rows = [_wage(1, "2000.00"), _tax(1, "2000.00", "wages"), _tax(2, "400.01", "business")]
    (hit,) = hits(R.INCOME_UP, people=_family(), rows=rows)
    assert json.loads(hit["evidence"]) == {"家庭月收入": "2400.01", "家庭人数": "3", "低保标准": "800.00"}
    assert hit["event_date"] == date(2026, 10, 1)
    rows = [_wage(1, "2000.00"), _tax(1, "2000.00", "wages"), _tax(2, "400.00", "business")]
    assert hit_people(R.INCOME_UP, people=_family(), rows=rows) == []


def test_income_up_only_the_month_before_the_run() -> None:
    rows = [_wage(1, "5000.00", date(2026, 9, 1)), _wage(2, "5000.00", date(2026, 11, 1))]
    assert hit_people(R.INCOME_UP, people=_family(), rows=rows) == []


def test_income_up_ratio_from_the_policy_and_only_the_assisted() -> None:
    rows = [_wage(1, "3000.00")]
    assert hit_people(R.INCOME_UP, people=_family(), rows=rows, monitor_income_ratio="1.25") == []
    assert hit_people(R.INCOME_UP, people=_family(), rows=rows, monitor_income_ratio="1.2") == [1]
    assert hit_people(R.INCOME_UP, people=_family(assisted=False, programs=""), rows=rows) == []


# A child whose guardian died or is in custody: household 1 with the head (1), the child (2).
def _child_household(birth: date = date(2015, 6, 1), programs: str = "dibao") -> list[dict[str, object]]:
    return [
        person(1, household_id=1, members=2, programs=programs),
        person(2, household_id=1, members=2, relation="child", birth_date=birth, programs=programs),
    ]


@pytest.mark.parametrize(
    ("birth", "expected"),
    [(date(2008, 12, 1), [2]), (date(2008, 11, 30), [])],  # 17 on the run date / 18 that day
)
def test_guardian_died_lead_for_a_minor(birth: date, expected: list[int]) -> None:
    rows = [feed("police_death", 1, date(2026, 10, 3), kind="death")]
    assert hit_people(R.GUARDIAN_DIED, people=_child_household(birth), rows=rows) == expected


@pytest.mark.parametrize(
    ("programs", "expected"),
    [("", [2]), ("dibao", [2]), ("de_facto_orphan", []), ("tekun", [])],
)
def test_guardian_died_not_for_a_child_already_supported(programs: str, expected: list[int]) -> None:
    people = _child_household(programs=programs)
    for p in people:
        p["assisted"] = bool(programs)
    rows = [feed("police_death", 1, date(2026, 10, 3), kind="death")]
    assert hit_people(R.GUARDIAN_DIED, people=people, rows=rows) == expected


def test_guardian_died_window_and_only_a_guardian() -> None:
    old = [feed("police_death", 1, date(2025, 11, 30), kind="death")]
    assert hit_people(R.GUARDIAN_DIED, people=_child_household(), rows=old) == []
    # The child's own death, or a sibling's, is not a guardian's.
    people = [*_child_household(), person(3, household_id=1, relation="child", birth_date=date(2012, 1, 1))]
    rows = [feed("police_death", 3, date(2026, 10, 3), kind="death")]
    assert hit_people(R.GUARDIAN_DIED, people=people, rows=rows) == []
    (hit,) = hits(
        R.GUARDIAN_DIED,
        people=_child_household(),
        rows=[feed("police_death", 1, date(2026, 10, 3), kind="death")],
    )
    assert (hit["purpose"], hit["household_id"]) == ("lead", 1)
    evidence = json.loads(hit["evidence"])
    assert (evidence["监护人关系"], evidence["监护人编号"]) == ("head", "1")
    assert people[0]["id_number"] not in hit["evidence"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 30), None, [2]),
        (date(2026, 12, 1), None, []),
        (date(2025, 1, 1), "2026-11-30", []),
        (date(2025, 1, 1), "2026-12-01", [2]),
    ],
)
def test_guardian_detained(start: date, end: str | None, expected: list[int]) -> None:
    rows = [feed("justice", 1, start, kind="prison", end_date=end)]
    assert hit_people(R.GUARDIAN_DETAINED, people=_child_household(), rows=rows) == expected
