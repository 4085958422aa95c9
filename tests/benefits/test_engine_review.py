"""The review class of a 低保 entitlement (rules §1.11, the 咸阳 A/B/C classes) and its next review date,
worked by hand. Working age is 18 to 59 unless a test says otherwise. No database."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.benefits.engine.review import (
    ReviewMember,
    able_to_work,
    add_months,
    next_review,
    review_class,
)
from jiuzhu.core.vocab import ReviewClass
from jiuzhu.registry.choices import LabourCapacity

A, B, C = ReviewClass.A, ReviewClass.B, ReviewClass.C
MONTHS = {A: 12, B: 12, C: 6}


def person(
    age: int = 40,
    labour: str = "full",
    *,
    disabled: bool = False,
    ill: bool = False,
    employed: bool = False,
) -> ReviewMember:
    return ReviewMember(
        age=age, labour_capacity=labour, severe_disability=disabled, severe_illness=ill, employed=employed
    )


def test_the_classes_and_their_labels() -> None:
    assert [(m.value, m.label) for m in ReviewClass] == [
        ("A", "A类（每年复核）"),
        ("B", "B类（每年复核）"),
        ("C", "C类（每半年复核）"),
    ]


def test_the_able_codes_are_the_registry_codes() -> None:
    assert {c.value for c in LabourCapacity} == {"full", "partial", "none"}


# --- who is able to work ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "able"),
    [
        (person(40, "full"), True),
        (person(40, "partial"), True),
        (person(40, "none"), False),
        (person(17, "full"), False),  # a minor
        (person(18, "full"), True),
        (person(59, "full"), True),
        (person(60, "full"), False),  # elderly
        (person(40, "full", disabled=True), False),  # severe disability: no capacity (rules §3.1)
        (person(40, "full", ill=True), True),  # severe illness leaves the recorded capacity
        (person(40, "none", employed=True), True),  # works, whatever is recorded
        (person(65, "none", employed=True), True),
        (person(16, "full", employed=True), True),
    ],
)
def test_able_to_work(member: ReviewMember, able: bool) -> None:
    assert able_to_work(member) is able


def test_working_age_follows_the_policy_ages() -> None:
    assert able_to_work(person(16), minor_age=16, elderly_age=65) is True
    assert able_to_work(person(15), minor_age=16, elderly_age=65) is False
    assert able_to_work(person(64), minor_age=16, elderly_age=65) is True
    assert able_to_work(person(65), minor_age=16, elderly_age=65) is False


@pytest.mark.parametrize(("age", "klass"), [(17, A), (18, C), (59, C), (60, A)])
def test_review_class_default_working_age_is_18_to_59(age: int, klass: ReviewClass) -> None:
    assert review_class(members=[person(age, "full")], income_stable=False) == klass


def test_review_class_passes_the_policy_ages_on() -> None:
    # 62 and able: outside working age under 60, inside under 65
    household = [person(62, "full")]
    assert review_class(members=household, income_stable=False) == A
    assert review_class(members=household, income_stable=False, elderly_age=65) == C
    # 17: a minor under 18, of working age from 16
    household = [person(17, "full")]
    assert review_class(members=household, income_stable=False) == A
    assert review_class(members=household, income_stable=False, minor_age=16) == C


# --- the classes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stable", [True, False])
def test_nobody_able_to_work_is_a(stable: bool) -> None:
    household = [person(72, "none"), person(68, "full"), person(10, "full"), person(45, "none")]
    assert review_class(members=household, income_stable=stable) == A


def test_a_severely_ill_member_with_stable_income_is_a() -> None:
    household = [person(45, "full"), person(44, "full", ill=True)]
    assert review_class(members=household, income_stable=True) == A


def test_a_severely_disabled_member_with_stable_income_is_a() -> None:
    household = [person(45, "full"), person(12, "none", disabled=True)]
    assert review_class(members=household, income_stable=True) == A


def test_severe_illness_with_unstable_income_and_a_worker_is_c() -> None:
    household = [person(45, "full"), person(44, "full", ill=True)]
    assert review_class(members=household, income_stable=False) == C


def test_able_to_work_and_unstable_income_is_c() -> None:
    household = [person(35, "partial"), person(8, "none")]
    assert review_class(members=household, income_stable=False) == C


def test_an_employed_elder_with_unstable_income_is_c() -> None:
    household = [person(66, "none", employed=True), person(64, "none")]
    assert review_class(members=household, income_stable=False) == C


def test_able_to_work_and_stable_income_is_b() -> None:
    household = [person(35, "full"), person(33, "partial"), person(6, "full")]
    assert review_class(members=household, income_stable=True) == B


def test_no_members_is_an_error() -> None:
    with pytest.raises(ValueError, match="家庭成员为空"):
        review_class(members=[], income_stable=True)


# --- the next review ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "klass", "due"),
    [
        (date(2026, 3, 15), A, date(2027, 3, 15)),
        (date(2026, 3, 15), B, date(2027, 3, 15)),
        (date(2026, 3, 15), C, date(2026, 9, 15)),
        (date(2026, 8, 31), C, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), C, date(2028, 2, 29)),  # 2028 is a leap year
        (date(2024, 2, 29), A, date(2025, 2, 28)),
        (date(2026, 7, 1), C, date(2027, 1, 1)),  # across the year
        (date(2026, 6, 30), C, date(2026, 12, 30)),  # December is month 12, not 0
    ],
)
def test_next_review(decided: date, klass: ReviewClass, due: date) -> None:
    assert next_review(decided_on=decided, review_class=klass, months=MONTHS) == due


def test_next_review_reads_the_months_of_the_class() -> None:
    # 咸阳's urban C households: every quarter
    months = {A: 12, B: 12, C: 3}
    assert next_review(decided_on=date(2026, 11, 30), review_class=C, months=months) == date(2027, 2, 28)
    assert next_review(decided_on=date(2026, 1, 10), review_class=B, months={B: 24}) == date(2028, 1, 10)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 11, 15), 1, date(2026, 12, 15)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
        (date(2026, 5, 20), 25, date(2028, 6, 20)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_a_class_without_months_is_an_error() -> None:
    with pytest.raises(ValueError, match="政策未设置C类（每半年复核）的复核间隔"):
        next_review(decided_on=date(2026, 1, 1), review_class=C, months={A: 12, B: 12})


@pytest.mark.parametrize("months", [0, -6])
def test_months_under_one_is_an_error(months: int) -> None:
    with pytest.raises(ValueError, match="复核间隔须至少 1 个月"):
        next_review(decided_on=date(2026, 1, 1), review_class=A, months={A: months})


def test_one_month_is_allowed() -> None:
    assert next_review(decided_on=date(2026, 1, 31), review_class=A, months={A: 1}) == date(2026, 2, 28)
