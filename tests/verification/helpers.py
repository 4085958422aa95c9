from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from jiuzhu.policy.params import PolicyParams
from jiuzhu.verification.engine.inputs import Declared, Fact, MeansInput, MemberInput

AS_OF = date(2026, 11, 15)  # reference period 2025-11 … 2026-10
PERIOD_MONTHS = [date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 11)]

BASE = PolicyParams(
    version_id=1,
    region="980101000000",
    effective_from=date(2026, 1, 1),
    document_no="测试",
    dibao_standard_urban=Decimal("700"),
    dibao_standard_rural=Decimal("520"),
    tekun_multiplier=Decimal("1.3"),
    near_dibao_multiplier=Decimal("1.5"),
    minimum_wage_monthly=Decimal("1700"),
    near_dibao_capped_by_minimum_wage=True,
    disposable_income_prev_year=Decimal("21000"),
    rigid_expense_ratio=Decimal("0.6"),
    reference_months=12,
    rigid_expense_months=12,
    employment_cost_base="income",
    employment_cost_rate=Decimal("0.1"),
    financial_assets_months=Decimal("24"),
    residential_units_max=1,
    nonresidential_units_max=0,
    vehicles_max=0,
    business_registrations_max=0,
    exempt_vehicle_types=("motorcycle", "e_bike", "disability_scooter"),
    excluded_income=(
        "veteran",
        "family_planning",
        "scholarship",
        "good_samaritan",
        "social_assistance",
        "resident_basic_pension",
        "one_child",
    ),
    deductible_expenses=("medical", "education", "rehabilitation"),
    source_precedence={
        "wages": ["hrss_wage", "tax", "declared"],
        "business": ["tax", "declared"],
        "property": ["tax", "declared"],
        "deposits": ["bank", "declared"],
        "securities": ["securities", "declared"],
        "insurance": ["insurance", "declared"],
    },
    elderly_age=60,
    minor_age=18,
    no_labour_disability={"intellectual": 3, "mental": 3, "physical": 2, "visual": 1},
    large_medical_expense=Decimal("10000"),
    large_deposit_change=Decimal("20000"),
)


def policy(**overrides: Any) -> PolicyParams:
    return replace(BASE, **overrides)


def monthly(
    feed: str, amount: str, months: list[date] = PERIOD_MONTHS, kind: str = "", **data: Any
) -> tuple[Fact, ...]:
    return tuple(Fact(feed, m, Decimal(amount), kind, dict(data)) for m in months)


def fact(feed: str, on: date, amount: str | None = None, kind: str = "", **data: Any) -> Fact:
    return Fact(feed, on, Decimal(amount) if amount is not None else None, kind, dict(data))


def declared(**items: str) -> tuple[Declared, ...]:
    return tuple(Declared(k, Decimal(v)) for k, v in items.items())


def member(
    pid: int = 1, *, age: int = 40, facts: tuple[Fact, ...] = (), decl: tuple[Declared, ...] = (), **kw: Any
) -> MemberInput:
    return MemberInput(person_id=pid, name=f"成员{pid}", age=age, facts=facts, declared=decl, **kw)


def household(
    *members: MemberInput, urban: bool = False, supporters: int = 0, **policy_overrides: Any
) -> MeansInput:
    return MeansInput(
        members=members, urban=urban, as_of=AS_OF, policy=policy(**policy_overrides), supporters=supporters
    )
