"""Dates in the life of an entitlement, worked out by hand: review intervals by class (the urban C
quarter), the next review across month ends and leap years, the day a review case opens, and the last
month of a 渐退期."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.benefits.engine.life import (
    next_review_after,
    review_due,
    review_interval,
    review_opens_on,
    taper_last_month,
)

MONTHS = {"A": 12, "B": 12, "C": 6}


def test_intervals_by_class_and_the_urban_quarter() -> None:
    assert review_interval(review_class="A", months=MONTHS, urban=True, c_urban_months=3) == 12
    assert review_interval(review_class="B", months=MONTHS, urban=True, c_urban_months=3) == 12
    assert review_interval(review_class="C", months=MONTHS, urban=True, c_urban_months=3) == 3
    assert review_interval(review_class="C", months=MONTHS, urban=False, c_urban_months=3) == 6
    assert review_interval(review_class="C", months=MONTHS, urban=True, c_urban_months=0) == 6


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="复核间隔"):
        review_interval(review_class="C", months={"A": 12}, urban=False)
    with pytest.raises(ValueError, match="至少 1 个月"):
        review_interval(review_class="A", months={"A": 0}, urban=False)


def test_next_review_across_a_month_end_and_a_leap_year() -> None:
    # 31 August 2027 + 6 months (C, rural) → February 2028 has 29 days → 29 February 2028.
    assert next_review_after(on=date(2027, 8, 31), review_class="C", months=MONTHS, urban=False) == date(
        2028, 2, 29
    )
    # 31 January 2027 + 3 months (C, urban quarter) → 30 April 2027 (April has 30 days).
    assert next_review_after(
        on=date(2027, 1, 31), review_class="C", months=MONTHS, urban=True, c_urban_months=3
    ) == date(2027, 4, 30)
    # 30 November 2027 + 3 months → 29 February 2028 (leap year); 2026 + 3 → 28 February 2027.
    assert next_review_after(
        on=date(2027, 11, 30), review_class="C", months=MONTHS, urban=True, c_urban_months=3
    ) == date(2028, 2, 29)
    assert next_review_after(
        on=date(2026, 11, 30), review_class="C", months=MONTHS, urban=True, c_urban_months=3
    ) == date(2027, 2, 28)
    # A review on 29 February 2028 + 12 months (A) → 28 February 2029.
    assert next_review_after(on=date(2028, 2, 29), review_class="A", months=MONTHS, urban=False) == date(
        2029, 2, 28
    )


def test_a_review_due_on_29_february_opens_30_days_before() -> None:
    # 29 Feb 2028 − 30 days: 29 days back is 31 January, one more is 30 January.
    assert review_opens_on(next_review_on=date(2028, 2, 29), days_before=30) == date(2028, 1, 30)
    assert not review_due(next_review_on=date(2028, 2, 29), today=date(2028, 1, 29), days_before=30)
    assert review_due(next_review_on=date(2028, 2, 29), today=date(2028, 1, 30), days_before=30)
    assert review_due(next_review_on=date(2028, 2, 29), today=date(2028, 3, 15), days_before=30)  # late
    # Across a year end: 15 January 2027 − 30 days = 16 December 2026.
    assert review_opens_on(next_review_on=date(2027, 1, 15), days_before=30) == date(2026, 12, 16)
    assert review_due(next_review_on=date(2027, 1, 15), today=date(2027, 1, 15), days_before=0)
    assert not review_due(next_review_on=date(2027, 1, 15), today=date(2027, 1, 14), days_before=0)


def test_taper_months() -> None:
    # Work found 15 March 2027, 6 months: paid March and April–September → last month September 2027.
    assert taper_last_month(found_work_on=date(2027, 3, 15), taper_months=6) == date(2027, 9, 1)
    # Found 31 October 2027, 6 months: November … April 2028 → April 2028.
    assert taper_last_month(found_work_on=date(2027, 10, 31), taper_months=6) == date(2028, 4, 1)
    # No 渐退期: the month of the finding is the last.
    assert taper_last_month(found_work_on=date(2027, 3, 1), taper_months=0) == date(2027, 3, 1)
    # 12 months from December: December 2028.
    assert taper_last_month(found_work_on=date(2027, 12, 20), taper_months=12) == date(2028, 12, 1)
    with pytest.raises(ValueError):
        taper_last_month(found_work_on=date(2027, 3, 1), taper_months=-1)
