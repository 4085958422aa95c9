"""The financial assets held on a past date (``assets.financial_assets_on``), which the trend chart's
year ends use: department data as it stood on that date, by the means test's rules (latest record of
each account on or before the date, source precedence, only members who signed the authorisation),
never the family's declaration, which speaks of the check date only. No database; every total below is
added up by hand from the records listed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuzhu.verification.engine.assets import financial_assets_on

from .helpers import declared, fact, household, member

# Member 1 signed the authorisation: one bank account reported three times, a securities holding and
# an insurance policy; the family also declared deposits of 99 999 on the check date.
SIGNED = member(
    1,
    facts=(
        fact("bank", date(2024, 6, 30), "10000", institution="工商银行"),
        fact("bank", date(2025, 6, 30), "15000", institution="工商银行"),
        fact("bank", date(2026, 10, 31), "12000", institution="工商银行"),
        fact("securities", date(2025, 3, 1), "5000"),
        fact("insurance", date(2025, 12, 1), "3000", policy_no="P-1"),
    ),
    decl=declared(deposits="99999"),
)
# Member 2 did not sign: the bank's record of her account is never read.
UNSIGNED = member(
    2, authorised=False, facts=(fact("bank", date(2024, 1, 31), "50000", institution="农业银行"),)
)
INP = household(SIGNED, UNSIGNED)  # check date 2026-11-15


def test_each_year_end_counts_the_records_known_then() -> None:
    assert financial_assets_on(INP, date(2024, 12, 31)) == Decimal("10000")  # the 2024 bank record only
    assert financial_assets_on(INP, date(2025, 12, 31)) == Decimal("23000")  # 15 000 + 5 000 + 3 000
    assert financial_assets_on(INP, date(2026, 11, 15)) == Decimal("20000")  # 12 000 + 5 000 + 3 000


def test_a_date_before_any_record_counts_nothing_not_the_declaration() -> None:
    # On 2023-12-31 no department reports anything; the 99 999 declared for the check date is not a
    # value the family held then.
    assert financial_assets_on(INP, date(2023, 12, 31)) == Decimal("0")


def test_a_record_dated_on_the_day_counts() -> None:
    assert financial_assets_on(INP, date(2025, 6, 30)) == Decimal("20000")  # 15 000 + 5 000
    assert financial_assets_on(INP, date(2025, 6, 29)) == Decimal("15000")  # 10 000 + 5 000
