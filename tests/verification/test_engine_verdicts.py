"""Per-program verdicts at and around the thresholds, and each veto item."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.verification.engine.means import assess

from .helpers import declared, fact, household, member, monthly


def _verdict(result, program):
    return next(v for v in result.verdicts if v.program == program)


def _single_with_monthly_income(pc: str, **policy):
    # other income carries no employment-cost deduction, so per-capita monthly income = amount / 12
    return assess(household(member(decl=declared(other_income=str(Decimal(pc) * 12))), **policy))


@pytest.mark.parametrize(("pc", "dibao"), [("519", "yes"), ("520", "no"), ("521", "no")])
def test_dibao_strictly_below_the_rural_standard(pc: str, dibao: str) -> None:
    r = _single_with_monthly_income(pc)
    assert r.per_capita_monthly_income == Decimal(pc)
    assert _verdict(r, "dibao").outcome == dibao


@pytest.mark.parametrize(("pc", "dibao"), [("699", "yes"), ("700", "no"), ("701", "no")])
def test_urban_households_use_the_urban_standard(pc: str, dibao: str) -> None:
    r = assess(household(member(decl=declared(other_income=str(Decimal(pc) * 12))), urban=True))
    assert _verdict(r, "dibao").outcome == dibao


@pytest.mark.parametrize(
    ("pc", "near"), [("519", "no"), ("520", "yes"), ("779", "yes"), ("780", "no"), ("781", "no")]
)
def test_near_dibao_band_is_standard_to_one_and_a_half(pc: str, near: str) -> None:
    # line = 1.5 × 520 = 780
    assert _verdict(_single_with_monthly_income(pc), "near_dibao").outcome == near


def test_near_dibao_line_capped_by_minimum_wage() -> None:
    # urban 1.5 × 1,300 = 1,950 > minimum wage 1,700 → the line is 1,700
    kw = {"dibao_standard_urban": Decimal("1300"), "financial_assets_months": Decimal("24")}
    r = assess(household(member(decl=declared(other_income=str(1699 * 12))), urban=True, **kw))
    assert _verdict(r, "near_dibao").outcome == "yes"
    r = assess(household(member(decl=declared(other_income=str(1700 * 12))), urban=True, **kw))
    assert _verdict(r, "near_dibao").outcome == "no"
    assert "1700" in " ".join(_verdict(r, "near_dibao").reasons)


def test_financial_assets_at_and_over_the_limit() -> None:
    # limit per person = 24 × urban 700 = 16,800
    at = assess(household(member(facts=(fact("bank", date(2026, 11, 1), "16800", institution="农信"),))))
    assert at.vetoes == []
    assert _verdict(at, "dibao").outcome == "yes"
    over = assess(household(member(facts=(fact("bank", date(2026, 11, 1), "16801", institution="农信"),))))
    assert len(over.vetoes) == 1 and "人均金融资产 16801.00 元" in over.vetoes[0]
    assert _verdict(over, "dibao").outcome == "no"
    assert any("一票否决" in reason for reason in _verdict(over, "dibao").reasons)


def test_financial_assets_take_the_latest_balance_per_account() -> None:
    facts = (
        fact("bank", date(2025, 6, 1), "50000", institution="A"),
        fact("bank", date(2026, 10, 1), "3000", institution="A"),
        fact("bank", date(2026, 10, 1), "2000", institution="B"),
        fact("bank", date(2026, 12, 1), "99999", institution="B"),
    )
    r = assess(household(member(facts=facts), member(2)))
    assert r.financial_assets == Decimal("5000.00")
    assert r.per_capita_financial_assets == Decimal("2500.00")


def test_bank_data_is_not_read_without_authorisation() -> None:
    facts = (fact("bank", date(2026, 11, 1), "90000", institution="A"),)
    r = assess(household(member(facts=facts, authorised=False, decl=declared(deposits="100"))))
    assert r.financial_assets == Decimal("100.00")
    assert [ln.source for ln in r.lines if ln.category == "deposits"] == ["declared"]


@pytest.mark.parametrize(
    ("facts", "veto"),
    [
        ((fact("vehicle", date(2024, 1, 1), "60000", "car", plate="A1", event="buy"),), "机动车"),
        ((fact("vehicle", date(2024, 1, 1), "3000", "e_bike", plate="E1", event="buy"),), None),
        (
            (
                fact("vehicle", date(2024, 1, 1), "60000", "car", plate="A1", event="buy"),
                fact("vehicle", date(2025, 1, 1), "40000", "car", plate="A1", event="sell"),
            ),
            None,
        ),
        ((fact("real_estate", date(2020, 1, 1), None, "residential", unit_no="U1", event="hold"),), None),
        (
            (
                fact("real_estate", date(2020, 1, 1), None, "residential", unit_no="U1", event="hold"),
                fact("real_estate", date(2021, 1, 1), None, "residential", unit_no="U2", event="buy"),
            ),
            "住宅 2 处",
        ),
        (
            (fact("real_estate", date(2020, 1, 1), None, "non_residential", unit_no="S1", event="hold"),),
            "非住宅房产",
        ),
        (
            (fact("business", date(2022, 1, 1), "10000", "individual", reg_no="R1", status="active"),),
            "市场主体登记",
        ),
        (
            (
                fact("business", date(2022, 1, 1), "10000", "individual", reg_no="R1", status="active"),
                fact("business", date(2023, 1, 1), "10000", "individual", reg_no="R1", status="cancelled"),
            ),
            None,
        ),
    ],
)
def test_each_veto_item(facts, veto) -> None:
    r = assess(household(member(facts=facts)))
    if veto is None:
        assert r.vetoes == []
        assert _verdict(r, "dibao").outcome == "yes"
    else:
        assert len(r.vetoes) == 1 and veto in r.vetoes[0]
        for program in ("dibao", "near_dibao", "rigid_expense", "tekun"):
            assert _verdict(r, program).outcome == "no"


def test_rigid_expense_household_around_the_ratio() -> None:
    # two members, 24,000 income → 1,000 per head per month (above near line 780),
    # annual 12,000 per head < 21,000 disposable; medical not deducted here
    def run(medical: str):
        facts = (fact("medical_bill", date(2026, 2, 1), medical, bill_no="M"),)
        return assess(
            household(
                member(1, decl=declared(other_income="24000"), facts=facts), member(2), deductible_expenses=()
            )
        )

    assert _verdict(run("15000"), "rigid_expense").outcome == "yes"  # 62.50 %
    assert _verdict(run("14400"), "rigid_expense").outcome == "no"  # exactly 60 %
    assert _verdict(run("14401"), "rigid_expense").outcome == "yes"


def _six_month_region(*members):
    # reference period 2026-05 … 2026-10; the 刚性支出 window stays the national 12 months, 2025-11 … 2026-10
    return household(*members, reference_months=6, deductible_expenses=())


def test_rigid_expense_window_reaches_past_a_shorter_reference_period() -> None:
    # two members, wages 2,000 a month: 12,000 over the 6-month reference period, 10,800 after the 10 %
    # employment cost → 900 per head per month (above the near line 780), 10,800 a year per head
    # (< 21,000). A bill in February lies outside the reference period but inside the 12-month window,
    # whose income is 24,000.
    def run(medical: str, **policy):
        bill = fact("medical_bill", date(2026, 2, 1), medical)
        facts = (*monthly("hrss_wage", "2000", employer="甲"), bill)
        inp = _six_month_region(member(1, facts=facts), member(2))
        return assess(replace(inp, policy=replace(inp.policy, **policy)))

    r = run("15000")
    assert r.per_capita_monthly_income == Decimal("900.00")
    assert r.totals["rigid_window_expense"] == Decimal("15000.00")
    assert r.totals["rigid_window_income"] == Decimal("24000.00")
    assert r.totals["rigid_expense_all"] == Decimal("0.00")  # nothing in the reference period itself
    assert r.rigid_expense_ratio == Decimal("0.6250")
    assert r.rigid_expense_period == "近 12 个月（2025-11至2026-10）"
    assert _verdict(r, "rigid_expense").outcome == "yes"
    assert _verdict(run("14400"), "rigid_expense").outcome == "no"  # exactly 60 %
    assert _verdict(run("14401"), "rigid_expense").outcome == "yes"
    # a region that sets the window to its reference period does not see the February bill
    same = run("15000", rigid_expense_months=6)
    assert same.rigid_expense_ratio == Decimal("0.0000")
    assert _verdict(same, "rigid_expense").outcome == "no"


def test_declared_income_is_taken_pro_rata_over_the_rigid_window() -> None:
    # 6,000 declared for the 6-month reference period → 1,000 a month (above 780), 12,000 a year
    # (< 21,000); over the 12-month window that is 12,000.
    def run(medical: str):
        facts = (fact("medical_bill", date(2026, 2, 1), medical),)
        return assess(_six_month_region(member(decl=declared(other_income="6000"), facts=facts)))

    r = run("7300")
    assert r.totals["rigid_window_income"] == Decimal("12000.00")
    assert r.rigid_expense_ratio == Decimal("0.6083")
    assert _verdict(r, "rigid_expense").outcome == "yes"
    assert _verdict(run("7200"), "rigid_expense").outcome == "no"  # exactly 60 %


def test_each_stretch_of_the_window_keeps_its_own_sources() -> None:
    # wage feed 2,000 a month for 2025-11 … 2026-04 only, wages of 6,000 declared for the reference
    # period 2026-05 … 2026-10: the declaration wins there (no feed), the feed before it. Income over the
    # window is 12,000 + 6,000 = 18,000, not 12,000 (the feed winning the whole window) nor 12,000 (the
    # declaration taken pro rata). Per head: (6,000 − 600) / 6 = 900 a month, 10,800 a year.
    def run(medical: str):
        feed = monthly(
            "hrss_wage",
            "2000",
            months=[date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 5)],
            employer="甲",
        )
        facts = (*feed, fact("medical_bill", date(2026, 1, 15), medical))
        return assess(_six_month_region(member(decl=declared(wages="6000"), facts=facts)))

    r = run("8000")
    assert r.per_capita_monthly_income == Decimal("900.00")
    assert r.totals["rigid_window_income"] == Decimal("18000.00")
    assert r.rigid_expense_ratio == Decimal("0.4444")
    assert _verdict(r, "rigid_expense").outcome == "no"
    assert _verdict(run("10800"), "rigid_expense").outcome == "no"  # exactly 60 %
    assert _verdict(run("10801"), "rigid_expense").outcome == "yes"


def test_a_window_shorter_than_the_reference_period() -> None:
    # reference 12 months, window 6 (2026-05 … 2026-10). Wages 1,000 a month: 900 a head a month after
    # the 10 % employment cost, 10,800 a year; 6,000 over the window. Declared tuition of 2,000 covers
    # the 12 months, so half of it falls in the window; a February bill does not.
    def run(*bills: tuple[date, str]):
        facts = (
            *monthly("hrss_wage", "1000", employer="甲"),
            *(fact("medical_bill", d, a) for d, a in bills),
        )
        inp = household(
            member(decl=declared(education_expense="2000"), facts=facts),
            rigid_expense_months=6,
            deductible_expenses=(),
        )
        return assess(inp)

    r = run((date(2026, 8, 3), "2600"), (date(2026, 2, 3), "5000"))
    assert r.totals["rigid_window_income"] == Decimal("6000.00")
    assert r.totals["rigid_window_expense"] == Decimal("3600.00")  # 2,600 + 2,000 × 6/12
    assert _verdict(r, "rigid_expense").outcome == "no"  # exactly 60 %
    assert _verdict(run((date(2026, 8, 3), "2601")), "rigid_expense").outcome == "yes"


def test_tekun_for_an_elderly_person_alone() -> None:
    r = assess(household(member(age=75)))
    assert _verdict(r, "tekun").outcome == "yes"
    assert _verdict(assess(household(member(age=75), supporters=1)), "tekun").outcome == "review"
    assert _verdict(assess(household(member(age=40))), "tekun").outcome == "no"
    disabled = member(age=40, disability_category="intellectual", disability_grade=3)
    assert _verdict(assess(household(disabled)), "tekun").outcome == "yes"
    physical3 = member(age=40, disability_category="physical", disability_grade=3)
    assert _verdict(assess(household(physical3)), "tekun").outcome == "no"
    # the list is the region's: one that counts grade-3 physical disability decides otherwise
    wider = {"intellectual": 3, "mental": 3, "physical": 3, "visual": 1}
    assert _verdict(assess(household(physical3, no_labour_disability=wider)), "tekun").outcome == "yes"


def test_reasons_speak_the_figures() -> None:
    r = assess(household(member(facts=monthly("hrss_wage", "1000"))))
    reasons = _verdict(r, "dibao").reasons
    assert reasons == ["人均月收入 900.00 元，不低于农村低保标准 520 元"]
