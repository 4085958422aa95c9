"""Income by category, exclusions and deductions, with figures computed by hand."""

from decimal import Decimal

from jiuzhu.verification.engine.means import assess

from .helpers import PERIOD_MONTHS, declared, fact, household, member, monthly


def _line(result, category, source=None):
    return [ln for ln in result.lines if ln.category == category and (source is None or ln.source == source)]


def test_wages_net_of_employment_cost_and_per_capita() -> None:
    # 12 × 1,000 = 12,000 wages; 10 % employment cost = 1,200; two members → 10,800 / 12 / 2 = 450.00
    r = assess(household(member(1, facts=monthly("hrss_wage", "1000")), member(2, age=70)))
    assert r.period == "2025-11至2026-10"
    assert r.totals["wages"] == Decimal("12000.00")
    assert r.totals["employment_cost"] == Decimal("1200.00")
    assert r.totals["net_income"] == Decimal("10800.00")
    assert r.per_capita_monthly_income == Decimal("450.00")


def test_records_outside_the_reference_period_are_ignored() -> None:
    from datetime import date

    facts = (
        *monthly("hrss_wage", "1000"),
        fact("hrss_wage", date(2025, 10, 1), "9999"),
        fact("hrss_wage", date(2026, 11, 1), "9999"),
    )
    assert assess(household(member(facts=facts))).totals["wages"] == Decimal("12000.00")


def test_employment_cost_on_minimum_wage_counts_months_worked() -> None:
    # 8 months × 1,500 = 12,000; deduction 10 % × 1,700 × 8 = 1,360
    r = assess(
        household(
            member(facts=monthly("hrss_wage", "1500", PERIOD_MONTHS[:8])), employment_cost_base="minimum_wage"
        )
    )
    assert r.totals["employment_cost"] == Decimal("1360.00")
    # the deduction never exceeds the wages
    r = assess(
        household(
            member(facts=monthly("hrss_wage", "100", PERIOD_MONTHS[:1])),
            employment_cost_base="dibao_standard",
            employment_cost_rate=Decimal("0.3"),
        )
    )
    assert r.totals["employment_cost"] == Decimal("100.00")


def test_source_priority_department_data_beats_declaration() -> None:
    facts = monthly("hrss_wage", "1000") + monthly("tax", "1250", kind="wages")
    r = assess(household(member(facts=facts, decl=declared(wages="5000"))))
    wages = _line(r, "wages")
    assert [(ln.source, ln.used) for ln in wages] == [
        ("hrss_wage", True),
        ("tax", False),
        ("declared", False),
    ]
    assert wages[1].amount == Decimal("15000.00")
    assert "人社工资数据为准" in wages[2].note
    assert r.totals["wages"] == Decimal("12000.00")


def test_configured_precedence_can_prefer_tax_data() -> None:
    facts = monthly("hrss_wage", "1000") + monthly("tax", "1250", kind="wages")
    r = assess(household(member(facts=facts), source_precedence={"wages": ["tax", "hrss_wage", "declared"]}))
    assert r.totals["wages"] == Decimal("15000.00")


def test_declaration_is_used_when_no_department_has_data() -> None:
    r = assess(household(member(decl=declared(wages="6000", business="2400", property="1200"))))
    assert (r.totals["wages"], r.totals["business"], r.totals["property"]) == (
        Decimal("6000.00"),
        Decimal("2400.00"),
        Decimal("1200.00"),
    )
    assert r.totals["employment_cost"] == Decimal("600.00")


def test_business_and_property_from_tax() -> None:
    facts = monthly("tax", "300", PERIOD_MONTHS[:4], kind="business") + monthly("tax", "50", kind="property")
    r = assess(household(member(facts=facts, decl=declared(business="100"))))
    assert (r.totals["business"], r.totals["property"]) == (Decimal("1200.00"), Decimal("600.00"))


def test_transfers_exclusions_and_outgoings() -> None:
    from datetime import date

    facts = (
        monthly("hrss_pension", "2000", kind="employee")
        + monthly("hrss_pension", "150", kind="resident_basic")
        + monthly("hrss_contribution", "200", kind="pension")
        + (
            fact("hrss_unemployment", date(2026, 5, 10), "1500", ended_on=None),
            fact("medical_bill", date(2026, 3, 2), "5000", bill_no="B1"),
        )
    )
    decl = declared(scholarship="3000", support_received="6000", support_paid="1200")
    r = assess(household(member(age=62, facts=facts, decl=decl)))
    # transfer = 24,000 pension + 9,000 unemployment (6 months: 2026-05 … 2026-10) + 6,000 support = 39,000
    assert r.totals["transfer"] == Decimal("39000.00")
    # excluded, shown but not counted: basic pension 1,800 and scholarship 3,000
    assert r.totals["excluded"] == Decimal("4800.00")
    assert all(not ln.used for ln in _line(r, "excluded"))
    # net = 39,000 − 2,400 contributions − 1,200 support paid − 5,000 medical = 30,400
    assert r.totals["contribution"] == Decimal("2400.00")
    assert r.totals["net_income"] == Decimal("30400.00")
    assert r.per_capita_monthly_income == Decimal("2533.33")


def test_exclusion_follows_the_local_list() -> None:
    r = assess(household(member(decl=declared(scholarship="3000")), excluded_income=()))
    assert r.totals["transfer"] == Decimal("3000.00")
    assert "未列为豁免" in _line(r, "transfer")[0].note


def test_rigid_expense_not_deducted_where_policy_says_so() -> None:
    from datetime import date

    r = assess(
        household(
            member(
                decl=declared(other_income="12000"),
                facts=(fact("medical_bill", date(2026, 1, 5), "3000", bill_no="X"),),
            ),
            deductible_expenses=(),
        )
    )
    assert r.totals["net_income"] == Decimal("12000.00")
    assert r.totals["rigid_expense_all"] == Decimal("3000.00")
