"""The overpayment recovered (追缴) after a finding of hidden income or assets, worked by hand: months
counted from the entitlement's start (or the concealment's start, when later) to the finding's month,
both included; month ends and a leap year; one-off grants and entitlements without cash. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.benefits.engine.recovery import month_of, months_inclusive, overpayment

MONTHLY, ONCE, NO_CASH = "monthly", "once", "no_cash"


def test_months_inclusive_counts_calendar_months_both_ends() -> None:
    assert months_inclusive(date(2024, 1, 1), date(2024, 1, 31)) == 1
    assert months_inclusive(date(2024, 1, 31), date(2024, 2, 1)) == 2
    assert months_inclusive(date(2023, 11, 30), date(2024, 2, 29)) == 4  # Nov, Dec, Jan, Feb
    assert months_inclusive(date(2024, 3, 1), date(2024, 2, 29)) == 0
    assert months_inclusive(date(2024, 5, 1), date(2023, 5, 1)) == 0
    assert months_inclusive(date(2022, 12, 1), date(2023, 1, 1)) == 2
    assert month_of(date(2024, 2, 29)) == date(2024, 2, 1)


def test_monthly_from_the_start_month_to_the_finding_month_in_a_leap_year() -> None:
    # Paid from January 2024 at 520.00 a month; found on 29 February 2024: January and February,
    # 2 × 520.00 = 1040.00.
    r = overpayment(
        payment=MONTHLY, amount=Decimal("520.00"), start_month=date(2024, 1, 1), found_on=date(2024, 2, 29)
    )
    assert (r.from_month, r.through_month, r.months) == (date(2024, 1, 1), date(2024, 2, 1), 2)
    assert r.amount_due == Decimal("1040.00")
    assert [s.formula for s in r.steps] == [
        "2024年1月至2024年2月，共 2 个月",
        "520.00 元 × 2 个月 = 1040.00 元",
    ]


def test_across_a_year_end_with_fen() -> None:
    # November 2023 to January 2024 at 612.50: 3 × 612.50 = 1837.50.
    r = overpayment(
        payment=MONTHLY, amount=Decimal("612.50"), start_month=date(2023, 11, 1), found_on=date(2024, 1, 31)
    )
    assert (r.months, r.amount_due) == (3, Decimal("1837.50"))
    # 333.33 × 3 = 999.99 (no rounding up of a month's amount).
    r = overpayment(
        payment=MONTHLY, amount=Decimal("333.33"), start_month=date(2023, 11, 1), found_on=date(2024, 1, 1)
    )
    assert (r.months, r.amount_due) == (3, Decimal("999.99"))
    # 100.005 a month (a policy with mills) × 3 = 300.015 → 300.02, rounded once on the total.
    r = overpayment(
        payment=MONTHLY, amount=Decimal("100.005"), start_month=date(2023, 11, 1), found_on=date(2024, 1, 1)
    )
    assert r.amount_due == Decimal("300.02")


def test_a_concealment_that_began_later_counts_from_its_month() -> None:
    # Paid since March 2023; the hidden wages began on 31 January 2024; found on 1 March 2024: January,
    # February, March 2024 = 3 × 450.00 = 1350.00.
    r = overpayment(
        payment=MONTHLY,
        amount=Decimal("450.00"),
        start_month=date(2023, 3, 1),
        found_on=date(2024, 3, 1),
        concealed_from=date(2024, 1, 31),
    )
    assert (r.from_month, r.through_month, r.months, r.amount_due) == (
        date(2024, 1, 1),
        date(2024, 3, 1),
        3,
        Decimal("1350.00"),
    )


def test_a_concealment_that_began_before_the_entitlement_counts_from_the_start() -> None:
    # Hidden since 31 December 2022; paid from February 2023; found 15 May 2023: Feb–May = 4 × 300.
    r = overpayment(
        payment=MONTHLY,
        amount=Decimal("300"),
        start_month=date(2023, 2, 1),
        found_on=date(2023, 5, 15),
        concealed_from=date(2022, 12, 31),
    )
    assert (r.from_month, r.months, r.amount_due) == (date(2023, 2, 1), 4, Decimal("1200.00"))


def test_nothing_paid_yet_when_found_before_the_first_month() -> None:
    # Decided in June with the allowance from the month after (July); found on 30 June: nothing paid.
    r = overpayment(
        payment=MONTHLY, amount=Decimal("520.00"), start_month=date(2024, 7, 1), found_on=date(2024, 6, 30)
    )
    assert (r.months, r.amount_due) == (0, Decimal("0.00"))
    assert r.steps[0].formula == "认定时尚未发放，无需追缴"
    # Found in the first month itself: that month.
    r = overpayment(
        payment=MONTHLY, amount=Decimal("520.00"), start_month=date(2024, 7, 1), found_on=date(2024, 7, 1)
    )
    assert (r.months, r.amount_due) == (1, Decimal("520.00"))


def test_validity_ending_before_the_finding_stops_the_months() -> None:
    # Valid January–June 2024 (刚性支出 style); found in September: 6 × 200.00 = 1200.00.
    r = overpayment(
        payment=MONTHLY,
        amount=Decimal("200.00"),
        start_month=date(2024, 1, 1),
        found_on=date(2024, 9, 30),
        last_month=date(2024, 6, 1),
    )
    assert (r.through_month, r.months, r.amount_due) == (date(2024, 6, 1), 6, Decimal("1200.00"))
    # A validity later than the finding changes nothing: Jan–Mar = 3 × 200.
    r = overpayment(
        payment=MONTHLY,
        amount=Decimal("200.00"),
        start_month=date(2024, 1, 1),
        found_on=date(2024, 3, 31),
        last_month=date(2024, 12, 1),
    )
    assert (r.through_month, r.months, r.amount_due) == (date(2024, 3, 1), 3, Decimal("600.00"))
    # Validity ending in the finding's month: the same month.
    r = overpayment(
        payment=MONTHLY,
        amount=Decimal("200.00"),
        start_month=date(2024, 1, 1),
        found_on=date(2024, 3, 31),
        last_month=date(2024, 3, 1),
    )
    assert (r.through_month, r.months) == (date(2024, 3, 1), 3)


def test_a_one_off_grant_is_recovered_whole_or_not_at_all() -> None:
    r = overpayment(
        payment=ONCE, amount=Decimal("1560"), start_month=date(2024, 2, 1), found_on=date(2024, 8, 1)
    )
    assert (r.months, r.amount_due) == (1, Decimal("1560.00"))
    assert r.steps[0].formula == "2024年2月一次性发放 1560.00 元，全部追缴"
    # Concealment from the grant's month (any day of it): recovered.
    r = overpayment(
        payment=ONCE,
        amount=Decimal("1560"),
        start_month=date(2024, 2, 1),
        found_on=date(2024, 8, 1),
        concealed_from=date(2024, 2, 29),
    )
    assert r.amount_due == Decimal("1560.00")
    # Concealment that began the month after the grant did not obtain it.
    r = overpayment(
        payment=ONCE,
        amount=Decimal("1560"),
        start_month=date(2024, 2, 1),
        found_on=date(2024, 8, 1),
        concealed_from=date(2024, 3, 1),
    )
    assert (r.months, r.amount_due) == (0, Decimal("0.00"))
    assert r.steps[0].formula == "隐瞒始于2024年3月，晚于发放月份，无需追缴"


def test_no_cash_entitlements_recover_nothing() -> None:
    r = overpayment(
        payment=NO_CASH, amount=Decimal("0"), start_month=date(2024, 1, 1), found_on=date(2024, 12, 31)
    )
    assert (r.months, r.amount_due) == (0, Decimal("0.00"))


def test_to_json_and_negative_amounts() -> None:
    r = overpayment(
        payment=MONTHLY, amount=Decimal("10.00"), start_month=date(2024, 12, 1), found_on=date(2025, 1, 2)
    )
    assert r.to_json() == {
        "from_month": "2024-12-01",
        "through_month": "2025-01-01",
        "months": 2,
        "monthly_amount": "10.00",
        "amount_due": "20.00",
        "steps": [
            {"label": "追缴月份", "formula": "2024年12月至2025年1月，共 2 个月"},
            {"label": "应追缴金额", "formula": "10.00 元 × 2 个月 = 20.00 元"},
        ],
    }
    with pytest.raises(ValueError):
        overpayment(
            payment=MONTHLY, amount=Decimal("-1"), start_month=date(2024, 1, 1), found_on=date(2024, 2, 1)
        )
