"""The means engine at the edges a one-word change would move: each test here was written against a
mutant that survived the rest of the suite (scripts/mutation.py lists them). Every expected value is
worked by hand from the rules (rules §2–§4) and the helpers' policy: rural 低保 standard 520, urban 700,
边缘 line 1.5 × standard, minimum wage 1,700, disposable income 21,000, 刚性支出 ratio 60 %, reference
period and 刚性支出 window the 12 months 2025-11 … 2026-10, no vehicle, no non-residential unit, no
business registration, one dwelling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.verification.engine.inputs import Fact
from jiuzhu.verification.engine.means import assess
from jiuzhu.verification.engine.period import Period, money

from .helpers import PERIOD_MONTHS, declared, fact, household, member, monthly

PERIOD = "2025-11至2026-10"
WINDOW = "近 12 个月（2025-11至2026-10）"
D = Decimal


def _verdict(result, program):
    return next(v for v in result.verdicts if v.program == program)


def _outcomes(result) -> dict[str, str]:
    return {v.program: v.outcome for v in result.verdicts}


def _lines(result) -> list[tuple]:
    return [
        (ln.person_id, ln.name, ln.category, ln.label, ln.source, ln.period, ln.amount, ln.used, ln.note)
        for ln in result.lines
    ]


# --- 刚性支出 is for households that are neither 低保 nor 边缘 (rules §4.2 condition 1) -----------------


def test_a_dibao_household_with_heavy_medical_bills_is_not_also_rigid_expense() -> None:
    # 6,000 a year → 500 a month < 520: 低保. Bills of 5,000 are 83 % of income and not deducted here;
    # 刚性支出 would otherwise hold (12,000 a year < 21,000, ratio > 60 %).
    bills = (fact("medical_bill", date(2026, 3, 2), "5000"),)
    r = assess(household(member(decl=declared(other_income="6000"), facts=bills), deductible_expenses=()))
    assert _outcomes(r) == {"dibao": "yes", "near_dibao": "no", "rigid_expense": "no", "tekun": "no"}
    assert _verdict(r, "near_dibao").reasons == ["符合低保条件，按低保认定"]
    assert _verdict(r, "rigid_expense").reasons == ["已符合低保或低保边缘条件"]


def test_a_near_dibao_household_with_heavy_medical_bills_is_not_also_rigid_expense() -> None:
    # 7,200 a year → 600 a month: between 520 and 780, so 边缘; bills 5,000 / 7,200 = 69 %.
    bills = (fact("medical_bill", date(2026, 3, 2), "5000"),)
    r = assess(household(member(decl=declared(other_income="7200"), facts=bills), deductible_expenses=()))
    assert _outcomes(r) == {"dibao": "no", "near_dibao": "yes", "rigid_expense": "no", "tekun": "no"}
    assert _verdict(r, "near_dibao").reasons == [
        "人均月收入 600.00 元，低于低保边缘线 780.00 元（低保标准的 1.5 倍）"
    ]
    assert _verdict(r, "rigid_expense").reasons == ["已符合低保或低保边缘条件"]


# --- a veto blocks every program, 特困 included ------------------------------------------------------


def test_a_veto_blocks_tekun_for_an_elderly_person_without_income() -> None:
    car = (fact("vehicle", date(2024, 1, 1), "60000", "car", plate="甲A1", event="buy"),)
    r = assess(household(member(age=75, facts=car)))
    veto = "一票否决：机动车（不含豁免车型） 1 辆，超过允许的 0 辆：小型汽车 甲A1（成员1）"
    assert r.vetoes == ["机动车（不含豁免车型） 1 辆，超过允许的 0 辆：小型汽车 甲A1（成员1）"]
    assert _outcomes(r) == {"dibao": "no", "near_dibao": "no", "rigid_expense": "no", "tekun": "no"}
    assert _verdict(r, "tekun").reasons == ["不符合“无生活来源”：家庭收入或财产超过规定", veto]
    assert _verdict(r, "dibao").reasons == [veto]  # 0.00 is under the standard: only the veto is said
    assert _verdict(r, "near_dibao").reasons == [veto]
    assert _verdict(r, "rigid_expense").reasons == [
        f"{WINDOW}刚性支出 0.00 元、家庭总收入 0.00 元，占比：无刚性支出，未超过 60%",
        veto,
    ]


def test_a_veto_blocks_tekun_review_too() -> None:
    shop = (fact("real_estate", date(2021, 1, 1), "200000", "non_residential", unit_no="S1", event="hold"),)
    r = assess(household(member(age=75, facts=shop), supporters=1))
    assert _verdict(r, "tekun").outcome == "no"


# --- unemployment benefit counts the months it was paid within the period ---------------------------


@pytest.mark.parametrize(
    ("start", "ended", "months"),
    [
        (date(2026, 1, 10), "2026-03-20", 3),  # January, February, March
        (date(2026, 1, 10), "2026-01-31", 1),
        (date(2025, 6, 1), "2025-12-15", 2),  # began before the period: November and December
        (date(2025, 6, 1), None, 12),  # still paid: the whole period
        (date(2026, 10, 31), None, 1),
        (date(2025, 6, 1), "2025-10-31", 0),  # ended before the period
        (date(2026, 11, 1), None, 0),  # begins after it
    ],
)
def test_unemployment_benefit_counts_only_the_months_it_ran(
    start: date, ended: str | None, months: int
) -> None:
    benefit = (fact("hrss_unemployment", start, "1500", ended_on=ended),)
    r = assess(household(member(facts=benefit)))
    assert r.totals["transfer"] == D(1500 * months).quantize(D("0.01"))
    if months:
        assert _lines(r) == [
            (
                1,
                "成员1",
                "transfer",
                "失业保险金",
                "hrss_unemployment",
                PERIOD,
                D(1500 * months),
                True,
                f"1500元×{months}个月",
            )
        ]
    else:
        assert r.lines == []


def test_an_unemployment_record_without_amount_or_date_counts_nothing() -> None:
    facts = (
        fact("hrss_unemployment", date(2026, 1, 10), None, ended_on=None),
        fact("hrss_unemployment", date(2026, 1, 10), "0", ended_on=None),
    )
    assert assess(household(member(facts=facts))).lines == []


# --- holdings: each vehicle, unit and registration counts once, and two count as two ----------------


@pytest.mark.parametrize(
    ("facts", "policy", "veto"),
    [
        (
            (
                fact("vehicle", date(2024, 1, 1), "60000", "car", plate="甲A1", event="buy"),
                fact("vehicle", date(2024, 2, 1), "30000", "car", plate="甲A2", event="buy"),
            ),
            {"vehicles_max": 1},
            "机动车（不含豁免车型） 2 辆，超过允许的 1 辆：小型汽车 甲A1（成员1）、小型汽车 甲A2（成员1）",
        ),
        (
            (
                fact("business", date(2022, 1, 1), "10000", "individual", reg_no="R1", status="active"),
                fact("business", date(2023, 1, 1), "10000", "enterprise", reg_no="R2", status="active"),
            ),
            {"business_registrations_max": 1},
            "市场主体登记 2 个，超过允许的 1 个：个体工商户 R1（成员1）、企业 R2（成员1）",
        ),
        (
            (
                fact("real_estate", date(2020, 1, 1), None, "non_residential", unit_no="S1", event="hold"),
                fact("real_estate", date(2020, 1, 1), None, "parking", unit_no="P1", event="hold"),
            ),
            {"nonresidential_units_max": 1},
            "非住宅房产（商铺、车位、办公用房等） 2 处，超过允许的 1 处："
            "非住宅房产 S1（成员1）、非住宅房产 P1（成员1）",
        ),
    ],
)
def test_two_holdings_are_two(facts, policy, veto) -> None:
    r = assess(household(member(facts=facts), **policy))
    assert r.vetoes == [veto]
    assert assess(household(member(facts=facts[:1]), **policy)).vetoes == []


def test_holdings_of_two_members_add_up() -> None:
    a = (fact("vehicle", date(2024, 1, 1), "60000", "car", plate="甲A1", event="buy"),)
    b = (fact("vehicle", date(2024, 1, 1), "50000", "truck", plate="甲B1", event="buy"),)
    r = assess(household(member(1, facts=a), member(2, facts=b), vehicles_max=1))
    assert r.holdings == {"vehicle": 2, "residential": 0, "non_residential": 0, "business_registration": 0}


def test_a_vehicle_sold_then_bought_again_counts_by_its_latest_record() -> None:
    facts = (
        fact("vehicle", date(2023, 1, 1), "60000", "car", plate="甲A1", event="buy"),
        fact("vehicle", date(2024, 1, 1), "50000", "car", plate="甲A1", event="sell"),
        fact("vehicle", date(2025, 1, 1), "40000", "car", plate="甲A1", event="buy"),
    )
    r = assess(household(member(facts=facts), vehicles_max=1))
    assert r.holdings["vehicle"] == 1
    assert [(ln.label, ln.period, ln.amount) for ln in r.lines] == [
        ("小型汽车 甲A1", "2025-01-01", D("40000.00"))
    ]


def test_a_sold_holding_listed_first_does_not_hide_the_others() -> None:
    facts = (
        fact("vehicle", date(2023, 1, 1), "50000", "car", plate="甲A9", event="sell"),
        fact("vehicle", date(2024, 1, 1), "60000", "car", plate="甲A1", event="buy"),
        fact("real_estate", date(2019, 1, 1), None, "residential", unit_no="U9", event="sell"),
        fact("real_estate", date(2020, 1, 1), None, "residential", unit_no="U1", event="hold"),
        fact("business", date(2021, 1, 1), None, "individual", reg_no="R9", status="cancelled"),
        fact("business", date(2022, 1, 1), None, "individual", reg_no="R1", status="active"),
    )
    r = assess(household(member(facts=facts), vehicles_max=5, business_registrations_max=5))
    assert r.holdings == {"vehicle": 1, "residential": 1, "non_residential": 0, "business_registration": 1}


def test_a_sold_dwelling_is_not_held() -> None:
    facts = (
        fact("real_estate", date(2020, 1, 1), None, "residential", unit_no="U1", event="hold"),
        fact("real_estate", date(2021, 1, 1), None, "residential", unit_no="U2", event="buy"),
        fact("real_estate", date(2025, 1, 1), None, "residential", unit_no="U2", event="sell"),
    )
    r = assess(household(member(facts=facts)))
    assert (r.holdings["residential"], r.vetoes) == (1, [])


def test_records_dated_on_the_check_date_count_and_later_ones_do_not() -> None:
    # AS_OF is 2026-11-15: a sale on that day counts, one a day later does not.
    def cars(sold: date):
        return (
            fact("vehicle", date(2024, 1, 1), "60000", "car", plate="甲A1", event="buy"),
            fact("vehicle", sold, "50000", "car", plate="甲A1", event="sell"),
        )

    assert assess(household(member(facts=cars(date(2026, 11, 15))))).vetoes == []
    assert len(assess(household(member(facts=cars(date(2026, 11, 16))))).vetoes) == 1


def test_two_records_of_one_account_on_one_day_keep_the_later_one() -> None:
    facts = (
        fact("bank", date(2026, 10, 1), "100", institution="农信"),
        fact("bank", date(2026, 10, 1), "200", institution="农信"),
    )
    assert assess(household(member(facts=facts))).financial_assets == D("200.00")


# --- 无劳动能力: the 60th and the 18th birthday, disability grades -----------------------------------


@pytest.mark.parametrize(
    ("age", "outcome", "why"),
    [
        (59, "no", None),
        (60, "yes", "年满60周岁"),
        (61, "yes", "年满60周岁"),
        (17, "yes", "未满18周岁"),
        (18, "no", None),
    ],
)
def test_tekun_age_boundaries(age: int, outcome: str, why: str | None) -> None:
    r = assess(household(member(age=age)))
    assert _verdict(r, "tekun").outcome == outcome
    expected = (
        [f"成员1（{why}）无劳动能力、无生活来源、无法定义务人"]
        if why
        else ["家庭成员均不符合“无劳动能力”条件"]
    )
    assert _verdict(r, "tekun").reasons == expected


def test_the_age_handed_to_the_engine_turns_on_the_birthday() -> None:
    from jiuzhu.registry.models import Person

    elder = Person(birth_date=date(1966, 11, 15))
    assert (elder.age_on(date(2026, 11, 14)), elder.age_on(date(2026, 11, 15))) == (59, 60)
    young = Person(birth_date=date(2008, 11, 15))
    assert (young.age_on(date(2026, 11, 14)), young.age_on(date(2026, 11, 15))) == (17, 18)
    leap = Person(birth_date=date(1966, 2, 28))
    assert leap.age_on(date(2026, 2, 27)) == 59


@pytest.mark.parametrize(
    ("kw", "why"),
    [
        ({"disability_category": "physical", "disability_grade": 2}, "2级残疾（physical）"),
        ({"disability_category": "physical", "disability_grade": 1}, "1级残疾（physical）"),
        ({"disability_category": "physical", "disability_grade": 3}, None),
        ({"disability_category": "visual", "disability_grade": 2}, None),
        ({"disability_category": "hearing", "disability_grade": 1}, None),  # not on the region's list
        ({"labour_capacity": "none"}, "经认定无劳动能力"),
        ({"labour_capacity": "partial"}, None),
    ],
)
def test_tekun_no_labour_by_disability_or_assessment(kw: dict, why: str | None) -> None:
    r = assess(household(member(age=40, **kw)))
    assert _verdict(r, "tekun").outcome == ("yes" if why else "no")
    if why:
        assert _verdict(r, "tekun").reasons == [f"成员1（{why}）无劳动能力、无生活来源、无法定义务人"]


def test_tekun_names_every_member_without_labour_capacity_and_the_supporters() -> None:
    r = assess(household(member(1, age=75), member(2, age=10), member(3, age=40), supporters=2))
    assert _verdict(r, "tekun").outcome == "review"
    assert _verdict(r, "tekun").reasons == [
        "成员1（年满60周岁）、成员2（未满18周岁）无劳动能力且无生活来源；"
        "有法定义务人 2 人，需核实其履行义务能力"
    ]


# --- thresholds and their reasons --------------------------------------------------------------------


def test_dibao_reasons_name_the_area_and_the_figures() -> None:
    yes = assess(household(member(decl=declared(other_income="6000")), urban=True))
    assert _verdict(yes, "dibao").reasons == ["人均月收入 500.00 元，低于城市低保标准 700 元"]
    no = assess(household(member(decl=declared(other_income="8400"))))  # 700 a month, rural
    assert _verdict(no, "dibao").reasons == ["人均月收入 700.00 元，不低于农村低保标准 520 元"]
    assert _verdict(no, "near_dibao").reasons == [
        "人均月收入 700.00 元，低于低保边缘线 780.00 元（低保标准的 1.5 倍）"
    ]
    at = assess(household(member(decl=declared(other_income="6240"))))  # exactly 520
    assert _verdict(at, "dibao").reasons == ["人均月收入 520.00 元，不低于农村低保标准 520 元"]
    assert _verdict(at, "tekun").reasons == ["不符合“无生活来源”：家庭收入或财产超过规定"]


def test_near_dibao_line_exactly_at_the_minimum_wage_is_not_capped() -> None:
    # urban 1.5 × 1,000 = 1,500; a minimum wage of 1,500 leaves it as it is (the cap applies only above)
    kw = {"dibao_standard_urban": D("1000"), "minimum_wage_monthly": D("1500")}
    r = assess(household(member(decl=declared(other_income=str(1400 * 12))), urban=True, **kw))
    assert _verdict(r, "near_dibao").reasons == [
        "人均月收入 1400.00 元，低于低保边缘线 1500.00 元（低保标准的 1.5 倍）"
    ]
    capped = assess(
        household(
            member(decl=declared(other_income=str(1400 * 12))),
            urban=True,
            **{**kw, "minimum_wage_monthly": D("1450")},
        )
    )
    assert _verdict(capped, "near_dibao").reasons == [
        "人均月收入 1400.00 元，低于低保边缘线 1450 元（按月最低工资封顶）"
    ]


def test_near_dibao_line_not_capped_where_the_region_says_so() -> None:
    kw = {"dibao_standard_urban": D("1300"), "near_dibao_capped_by_minimum_wage": False}
    r = assess(household(member(decl=declared(other_income=str(1800 * 12))), urban=True, **kw))
    assert _verdict(r, "near_dibao").outcome == "yes"  # line 1,950, not 1,700


def test_rigid_expense_annual_income_at_the_disposable_income_is_refused() -> None:
    # one member, 21,000 a year: exactly the disposable income, so not under it; bills 15,000 (71 %)
    bills = (fact("medical_bill", date(2026, 3, 2), "15000"),)
    r = assess(household(member(decl=declared(other_income="21000"), facts=bills), deductible_expenses=()))
    assert _verdict(r, "rigid_expense").outcome == "no"
    assert _verdict(r, "rigid_expense").reasons == [
        "人均年收入 21000.00 元，不低于上年度居民人均可支配收入 21000 元"
    ]
    under = assess(
        household(member(decl=declared(other_income="20988"), facts=bills), deductible_expenses=())
    )
    assert _verdict(under, "rigid_expense").outcome == "yes"
    assert _verdict(under, "rigid_expense").reasons == [
        f"{WINDOW}刚性支出 15000.00 元、家庭总收入 20988.00 元，占比：71.47%，超过 60%；"
        "人均年收入 20988.00 元，低于上年度居民人均可支配收入 21000 元"
    ]


def test_rigid_expense_with_spending_and_no_income() -> None:
    # no income at all is 低保 first; a veto-free household with no income but a negative net is too
    bills = (fact("medical_bill", date(2026, 3, 2), "500"),)
    r = assess(household(member(facts=bills), deductible_expenses=()))
    assert _outcomes(r)["dibao"] == "yes" and r.rigid_expense_ratio is None
    # with 低保 out of reach (a region whose standard is 0), the ratio's absence counts as exceeding it
    zero = assess(
        household(
            member(facts=bills),
            deductible_expenses=(),
            dibao_standard_rural=D("0"),
            near_dibao_multiplier=D("0"),
        )
    )
    assert _verdict(zero, "rigid_expense").outcome == "yes"
    assert (
        _verdict(zero, "rigid_expense")
        .reasons[0]
        .startswith(f"{WINDOW}刚性支出 500.00 元、家庭总收入 0.00 元，占比：家庭无收入，超过 60%")
    )


def test_financial_assets_limit_follows_the_months_setting() -> None:
    # 12 months × urban 700 = 8,400 per person
    facts = (fact("bank", date(2026, 11, 1), "8401", institution="农信"),)
    r = assess(household(member(facts=facts), financial_assets_months=D("12.0")))
    assert r.vetoes == ["人均金融资产 8401.00 元，超过上限 8400.00 元（城市低保标准的 12 倍）"]


def test_financial_assets_are_per_person() -> None:
    # 20,000 for two people is 10,000 each, under 16,800
    facts = (fact("bank", date(2026, 11, 1), "20000", institution="农信"),)
    r = assess(household(member(1, facts=facts), member(2)))
    assert (r.financial_assets, r.per_capita_financial_assets, r.vetoes) == (D("20000.00"), D("10000.00"), [])


# --- every line of a household with each kind of income, exclusion and deduction ---------------------


def _income_household():
    m1 = member(
        1,
        age=45,
        facts=(
            *monthly("hrss_wage", "2000", employer="甲"),
            *monthly("tax", "1000", kind="wages"),
            *monthly("tax", "300", PERIOD_MONTHS[:4], kind="business"),
            *monthly("hrss_contribution", "100", kind="pension"),
            fact("hrss_unemployment", date(2026, 1, 10), "1500", ended_on="2026-03-20"),
        ),
        decl=declared(wages="5000", business="100", support_paid="1200"),
    )
    m2 = member(
        2,
        age=70,
        facts=(
            *monthly("hrss_pension", "1500", kind="employee"),
            *monthly("hrss_pension", "150", kind="resident_basic"),
            *monthly("hrss_pension", "50", kind="resident_personal"),
            fact("medical_bill", date(2026, 3, 2), "5000", bill_no="B1"),
        ),
        decl=declared(veteran="1200", support_received="2400", other_income="600"),
    )
    m3 = member(3, age=16, decl=declared(education_expense="2000", rehabilitation_expense="1000"))
    return household(m1, m2, m3, deductible_expenses=("medical", "education"))


def test_every_income_line_with_its_source_and_note() -> None:
    r = assess(_income_household())
    by_hrss, by_tax = "以人社工资数据为准（来源优先级）", "以税务数据为准（来源优先级）"
    not_counted = "按规定不计入家庭收入"
    assert _lines(r) == [
        (1, "成员1", "wages", "工资性收入", "hrss_wage", PERIOD, D("24000.00"), True, ""),
        (
            1,
            "成员1",
            "employment_cost",
            "必要就业成本扣减",
            "policy",
            PERIOD,
            D("2400.00"),
            True,
            "工资收入×0.1",
        ),
        (1, "成员1", "wages", "工资性收入", "tax", PERIOD, D("12000.00"), False, by_hrss),
        (1, "成员1", "wages", "工资性收入", "declared", PERIOD, D("5000.00"), False, by_hrss),
        (1, "成员1", "business", "经营净收入", "tax", PERIOD, D("1200.00"), True, ""),
        (1, "成员1", "business", "经营净收入", "declared", PERIOD, D("100.00"), False, by_tax),
        (
            1,
            "成员1",
            "transfer",
            "失业保险金",
            "hrss_unemployment",
            PERIOD,
            D("4500.00"),
            True,
            "1500元×3个月",
        ),
        (
            1,
            "成员1",
            "contribution",
            "个人缴纳社会保险费",
            "hrss_contribution",
            PERIOD,
            D("1200.00"),
            True,
            "",
        ),
        (1, "成员1", "support_paid", "支付的赡养/抚养/扶养费", "declared", PERIOD, D("1200.00"), True, ""),
        (2, "成员2", "transfer", "职工养老金", "hrss_pension", PERIOD, D("18000.00"), True, ""),
        (
            2,
            "成员2",
            "excluded",
            "城乡居民基础养老金",
            "hrss_pension",
            PERIOD,
            D("1800.00"),
            False,
            not_counted,
        ),
        (2, "成员2", "transfer", "城乡居民个人账户养老金", "hrss_pension", PERIOD, D("600.00"), True, ""),
        (2, "成员2", "excluded", "优待抚恤金", "declared", PERIOD, D("1200.00"), False, not_counted),
        (2, "成员2", "transfer", "收到的赡养/抚养/扶养费", "declared", PERIOD, D("2400.00"), True, ""),
        (2, "成员2", "transfer", "其他收入", "declared", PERIOD, D("600.00"), True, ""),
        (2, "成员2", "rigid_deduction", "医疗自付费用", "medical_bill", PERIOD, D("5000.00"), True, ""),
        (3, "成员3", "rigid_deduction", "教育支出", "declared", PERIOD, D("2000.00"), True, ""),
        (
            3,
            "成员3",
            "rigid_deduction",
            "残疾康复支出",
            "declared",
            PERIOD,
            D("1000.00"),
            False,
            "本地政策不予扣减",
        ),
    ]


def test_every_total_and_verdict_of_that_household() -> None:
    # gross = wages 24,000 + business 1,200 + transfers (4,500 + 18,000 + 600 + 2,400 + 600 = 26,100) = 51,300
    # less employment cost 2,400, contributions 1,200, support paid 1,200 → 46,500 (annual per head
    # 46,500 / 3 = 15,500); less deductible rigid spending 5,000 + 2,000 → net 39,500; per head per month
    # 39,500 / 12 / 3 = 1,097.22. Rigid spending 8,000 (rehabilitation counts though not deducted) over
    # income 51,300 = 15.59 %.
    r = assess(_income_household())
    assert (r.size, r.months, r.period, r.rigid_expense_period) == (3, 12, PERIOD, WINDOW)
    assert r.totals == {
        "gross_income": D("51300.00"),
        "wages": D("24000.00"),
        "business": D("1200.00"),
        "property": D("0.00"),
        "transfer": D("26100.00"),
        "employment_cost": D("2400.00"),
        "contribution": D("1200.00"),
        "support_paid": D("1200.00"),
        "rigid_deduction": D("7000.00"),
        "excluded": D("3000.00"),
        "rigid_expense_all": D("8000.00"),
        "rigid_window_expense": D("8000.00"),
        "rigid_window_income": D("51300.00"),
        "net_income": D("39500.00"),
    }
    assert r.per_capita_monthly_income == D("1097.22")
    assert r.rigid_expense_ratio == D("0.1559")
    assert (r.financial_assets, r.per_capita_financial_assets, r.vetoes) == (D("0.00"), D("0.00"), [])
    assert [(v.program, v.label, v.outcome, v.reasons) for v in r.verdicts] == [
        ("dibao", "低保", "no", ["人均月收入 1097.22 元，不低于农村低保标准 520 元"]),
        ("near_dibao", "低保边缘", "no", ["人均月收入 1097.22 元，不低于低保边缘线 780.00 元"]),
        (
            "rigid_expense",
            "刚性支出困难",
            "no",
            [f"{WINDOW}刚性支出 8000.00 元、家庭总收入 51300.00 元，占比：15.59%，未超过 60%"],
        ),
        ("tekun", "特困", "no", ["不符合“无生活来源”：家庭收入或财产超过规定"]),
    ]
    plain = r.to_json()
    assert plain["totals"]["net_income"] == "39500.00"
    assert plain["lines"][0] == {
        "person_id": 1,
        "name": "成员1",
        "category": "wages",
        "label": "工资性收入",
        "source": "hrss_wage",
        "period": PERIOD,
        "amount": "24000.00",
        "used": True,
        "note": "",
    }
    assert plain["holdings"] == {
        "vehicle": 0,
        "residential": 0,
        "non_residential": 0,
        "business_registration": 0,
    }
    assert plain["verdicts"][0]["reasons"] == ["人均月收入 1097.22 元，不低于农村低保标准 520 元"]


def test_employment_cost_on_the_urban_dibao_standard() -> None:
    # 5 months × 1,000 wages; base 700 × 5 = 3,500, × 0.2 = 700
    facts = monthly("hrss_wage", "1000", PERIOD_MONTHS[:5])
    r = assess(
        household(
            member(facts=facts),
            urban=True,
            employment_cost_base="dibao_standard",
            employment_cost_rate=D("0.2"),
        )
    )
    cost = [ln for ln in r.lines if ln.category == "employment_cost"]
    assert [(ln.amount, ln.note) for ln in cost] == [(D("700.00"), "低保标准×5个月×0.2")]


def test_employment_cost_on_the_minimum_wage_is_noted() -> None:
    facts = monthly("hrss_wage", "1000", PERIOD_MONTHS[:2])
    r = assess(household(member(facts=facts), employment_cost_base="minimum_wage"))
    cost = [ln for ln in r.lines if ln.category == "employment_cost"]
    assert [(ln.amount, ln.note) for ln in cost] == [(D("340.00"), "当地最低工资×2个月×0.1")]


def test_an_employment_cost_only_when_wages_are_used() -> None:
    # property income from tax, none of it wages: no employment cost
    r = assess(household(member(facts=monthly("tax", "50", kind="property"))))
    assert [ln.category for ln in r.lines] == ["property"]
    assert r.totals["property"] == D("600.00")


def test_wage_months_are_counted_once_per_month() -> None:
    # two employers in the same month: one month worked for the minimum-wage base (1,700 × 0.1 = 170)
    facts = (
        fact("hrss_wage", date(2026, 1, 1), "500", employer="甲"),
        fact("hrss_wage", date(2026, 1, 1), "700", employer="乙"),
    )
    r = assess(household(member(facts=facts), employment_cost_base="minimum_wage"))
    assert [(ln.category, ln.amount, ln.note) for ln in r.lines] == [
        ("wages", D("1200.00"), ""),
        ("employment_cost", D("170.00"), "当地最低工资×1个月×0.1"),
    ]


def test_a_region_without_a_precedence_for_an_item_falls_back() -> None:
    # no precedence configured: income from the declaration only, assets from the feed then the declaration
    facts = (*monthly("hrss_wage", "1000"), fact("bank", date(2026, 10, 1), "3000", institution="农信"))
    r = assess(
        household(member(facts=facts, decl=declared(wages="100", deposits="50")), source_precedence={})
    )
    assert [(ln.category, ln.source, ln.amount, ln.used) for ln in r.lines] == [
        ("wages", "declared", D("100.00"), True),
        ("employment_cost", "policy", D("10.00"), True),
        ("deposits", "bank", D("3000.00"), True),
        ("deposits", "declared", D("50.00"), False),
    ]
    assert r.lines[-1].note == "以银行存款数据为准（来源优先级）"


def test_excluded_income_that_the_region_counts() -> None:
    r = assess(
        household(
            member(
                decl=declared(one_child="600"), facts=monthly("hrss_pension", "100", kind="resident_basic")
            ),
            excluded_income=(),
        )
    )
    assert _lines(r) == [
        (1, "成员1", "transfer", "城乡居民基础养老金", "hrss_pension", PERIOD, D("1200.00"), True, ""),
        (
            1,
            "成员1",
            "transfer",
            "独生子女奖励金",
            "declared",
            PERIOD,
            D("600.00"),
            True,
            "本地政策未列为豁免，计入收入",
        ),
    ]


def test_declared_rehabilitation_cost_is_deducted_and_counted_pro_rata_in_a_shorter_window() -> None:
    # window 6 months of a 12-month reference: half the declared 1,200 falls in it
    r = assess(
        household(
            member(decl=declared(other_income="12000", rehabilitation_expense="1200")), rigid_expense_months=6
        )
    )
    assert r.totals["rigid_deduction"] == D("1200.00")
    assert r.totals["rigid_window_expense"] == D("600.00")
    assert r.totals["rigid_window_income"] == D("6000.00")


def test_a_longer_window_adds_the_earlier_months_at_the_declared_rate() -> None:
    # reference 6 months, window 12: declared 3,000 for 6 months → 6,000 over 12; a feed wage of
    # 500 in 2026-01 (inside the window, before the reference period) adds 500, and another in
    # 2026-06 is inside the reference period where the feed wins.
    facts = (fact("hrss_wage", date(2026, 1, 1), "500"), fact("hrss_wage", date(2026, 6, 1), "800"))
    r = assess(household(member(facts=facts, decl=declared(other_income="3000")), reference_months=6))
    assert r.totals["wages"] == D("800.00")
    # reference: 800 wages + 3,000 other; earlier stretch: 500 wages + 3,000 other (pro rata 6/6)
    assert r.totals["rigid_window_income"] == D("7300.00")


# --- the financial assets of the check date, line by line -------------------------------------------


def test_every_asset_line_and_the_vetoes_they_raise() -> None:
    m1 = member(
        1,
        age=45,
        facts=(
            fact("bank", date(2025, 6, 1), "50000", institution="农信"),
            fact("bank", date(2026, 10, 1), "3000", institution="农信"),
            fact("bank", date(2026, 10, 1), "2000", institution="工行"),
            fact("bank", date(2026, 12, 1), "99999", institution="工行"),  # after the check date
            fact("securities", date(2026, 9, 1), "1000"),
            fact("insurance", date(2026, 8, 1), "500", policy_no="P1"),
            fact("vehicle", date(2023, 1, 1), "70000", "car", plate="甲A1", event="buy"),
            fact("vehicle", date(2024, 1, 1), "60000", "car", plate="甲A1", event="buy"),
            fact("vehicle", date(2024, 1, 1), "3000", "e_bike", plate="E1", event="buy"),
            fact("vehicle", date(2024, 1, 1), "50000", "truck", plate="甲B2", event="buy"),
            fact("vehicle", date(2025, 1, 1), "40000", "truck", plate="甲B2", event="sell"),
            fact("real_estate", date(2020, 1, 1), None, "residential", unit_no="U1", event="hold"),
            fact("real_estate", date(2021, 1, 1), "200000", "non_residential", unit_no="S1", event="hold"),
            fact("business", date(2022, 1, 1), "10000", "individual", reg_no="R1", status="active"),
            fact("business", date(2022, 1, 1), "10000", "enterprise", reg_no="R2", status="cancelled"),
        ),
        decl=declared(deposits="999"),
    )
    m2 = member(
        2,
        age=10,
        authorised=False,
        facts=(fact("bank", date(2026, 10, 1), "90000", institution="农信"),),
        decl=declared(deposits="100"),
    )
    r = assess(household(m1, m2))
    assert _lines(r) == [
        (1, "成员1", "deposits", "银行存款（农信）", "bank", "2026-10-01", D("3000.00"), True, ""),
        (1, "成员1", "deposits", "银行存款（工行）", "bank", "2026-10-01", D("2000.00"), True, ""),
        (
            1,
            "成员1",
            "deposits",
            "银行存款",
            "declared",
            "申报",
            D("999.00"),
            False,
            "以银行存款数据为准（来源优先级）",
        ),
        (1, "成员1", "securities", "证券", "securities", "2026-09-01", D("1000.00"), True, ""),
        (1, "成员1", "insurance", "商业保险现金价值（P1）", "insurance", "2026-08-01", D("500.00"), True, ""),
        (1, "成员1", "vehicle", "小型汽车 甲A1", "vehicle", "2024-01-01", D("60000.00"), True, ""),
        (
            1,
            "成员1",
            "vehicle",
            "电动自行车 E1",
            "vehicle",
            "2024-01-01",
            D("3000.00"),
            False,
            "豁免车型，不计入",
        ),
        (1, "成员1", "residential", "住宅 U1", "real_estate", "2020-01-01", D("0.00"), True, ""),
        (
            1,
            "成员1",
            "non_residential",
            "非住宅房产 S1",
            "real_estate",
            "2021-01-01",
            D("200000.00"),
            True,
            "",
        ),
        (
            1,
            "成员1",
            "business_registration",
            "个体工商户 R1",
            "business",
            "2022-01-01",
            D("10000.00"),
            True,
            "",
        ),
        (2, "成员2", "deposits", "银行存款", "declared", "申报", D("100.00"), True, ""),
    ]
    # 3,000 + 2,000 + 1,000 + 500 + 100 = 6,600 for two people → 3,300 each, under 16,800
    assert (r.financial_assets, r.per_capita_financial_assets) == (D("6600.00"), D("3300.00"))
    assert r.holdings == {"vehicle": 1, "residential": 1, "non_residential": 1, "business_registration": 1}
    assert r.vetoes == [
        "机动车（不含豁免车型） 1 辆，超过允许的 0 辆：小型汽车 甲A1（成员1）",
        "非住宅房产（商铺、车位、办公用房等） 1 处，超过允许的 0 处：非住宅房产 S1（成员1）",
        "市场主体登记 1 个，超过允许的 0 个：个体工商户 R1（成员1）",
    ]
    assert r.rigid_expense_ratio is None


def test_unknown_kinds_are_shown_by_their_code() -> None:
    facts = (
        fact("vehicle", date(2024, 1, 1), "1000", "boat", plate="船1", event="buy"),
        fact("business", date(2024, 1, 1), None, "partnership", reg_no="R9", status="active"),
    )
    r = assess(household(member(facts=facts), vehicles_max=5, business_registrations_max=5))
    assert [(ln.label, ln.amount) for ln in r.lines] == [
        ("boat 船1", D("1000.00")),
        ("partnership R9", D("0.00")),
    ]


def test_records_without_a_key_or_a_date() -> None:
    facts = (
        fact("vehicle", date(2024, 1, 1), "1000", "car", event="buy"),  # no plate: one vehicle all the same
        fact("bank", date(2026, 1, 1), None, institution="农信"),  # no amount: a zero balance
    )
    undated = Fact("vehicle", None, Decimal("1"), "car", {"plate": "X"})  # no date: not on any day
    r = assess(household(member(facts=(*facts, undated)), vehicles_max=5))
    assert [(ln.category, ln.label, ln.period, ln.amount) for ln in r.lines] == [
        ("deposits", "银行存款（农信）", "2026-01-01", D("0.00")),
        ("vehicle", "小型汽车 ", "2024-01-01", D("1000.00")),
    ]


def test_a_record_after_the_check_date_does_not_hide_the_ones_after_it() -> None:
    facts = (
        fact("bank", date(2026, 12, 1), "99999", institution="工行"),  # after the check date, listed first
        fact("bank", date(2026, 10, 1), "2000", institution="工行"),
    )
    assert assess(household(member(facts=facts))).financial_assets == D("2000.00")


def test_the_region_orders_the_sources_of_each_asset() -> None:
    facts = (fact("bank", date(2026, 10, 1), "3000", institution="农信"),)
    precedence = {"deposits": ["declared", "bank"]}
    r = assess(household(member(facts=facts, decl=declared(deposits="800")), source_precedence=precedence))
    assert [(ln.source, ln.amount, ln.used, ln.note) for ln in r.lines] == [
        ("declared", D("800.00"), True, ""),
        ("bank", D("3000.00"), False, "以家庭申报为准（来源优先级）"),
    ]
    assert r.financial_assets == D("800.00")


def test_a_source_without_a_label_is_named_by_its_code() -> None:
    facts = (fact("bank_b", date(2026, 10, 1), "3000", institution="农信"),)
    precedence = {"deposits": ["bank_b", "declared"]}
    r = assess(household(member(facts=facts, decl=declared(deposits="800")), source_precedence=precedence))
    assert [(ln.source, ln.used, ln.note) for ln in r.lines] == [
        ("bank_b", True, ""),
        ("declared", False, "以bank_b为准（来源优先级）"),
    ]


def test_one_yuan_of_rigid_spending_without_income_exceeds_every_ratio() -> None:
    bills = (fact("medical_bill", date(2026, 3, 2), "1"),)
    kw = {"deductible_expenses": (), "dibao_standard_rural": D("0"), "near_dibao_multiplier": D("0")}
    assert _verdict(assess(household(member(facts=bills), **kw)), "rigid_expense").outcome == "yes"
    assert _verdict(assess(household(member(), **kw)), "rigid_expense").outcome == "no"


def test_declared_costs_count_once_in_a_window_longer_than_the_reference_period() -> None:
    # reference 6 months, window 12: tuition of 1,200 declared for the reference period is not doubled
    r = assess(
        household(member(decl=declared(other_income="6000", education_expense="1200")), reference_months=6)
    )
    assert r.totals["rigid_window_expense"] == D("1200.00")
    assert r.totals["rigid_window_income"] == D("12000.00")


def test_amounts_are_rounded_half_up_to_the_cent() -> None:
    # 6,000.06 over 12 months = 500.005 a month → 500.01 (half up; half even would give 500.00)
    r = assess(household(member(decl=declared(other_income="6000.06"))))
    assert r.per_capita_monthly_income == D("500.01")
    assert money(D("0.125")) == D("0.13") and money(D("-0.125")) == D("-0.13")


def test_holdings_without_a_number_are_shown_without_one() -> None:
    facts = (
        fact("real_estate", date(2020, 1, 1), None, "residential", event="hold"),
        fact("business", date(2022, 1, 1), None, "individual", status="active"),
    )
    r = assess(household(member(facts=facts), business_registrations_max=5))
    assert [ln.label for ln in r.lines] == ["住宅 ", "个体工商户 "]


def test_a_pension_of_an_unknown_kind_is_counted_under_its_code() -> None:
    r = assess(household(member(facts=monthly("hrss_pension", "100", PERIOD_MONTHS[:3], kind="survivor"))))
    assert _lines(r) == [(1, "成员1", "transfer", "survivor", "hrss_pension", PERIOD, D("300.00"), True, "")]


def test_empty_household_is_refused() -> None:
    with pytest.raises(ValueError) as refused:
        assess(household())
    assert str(refused.value) == "家庭成员为空，无法核对"


def test_period_label_and_bounds() -> None:
    p = Period.before(date(2026, 1, 31), 12)
    assert (p.start, p.end, p.months, p.label) == (date(2025, 1, 1), date(2026, 1, 1), 12, "2025-01至2025-12")
