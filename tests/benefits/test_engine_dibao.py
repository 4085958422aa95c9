"""The 低保 allowance by 补差 (rules §1.8) at its edges, each figure worked by hand: the standard (at,
one yuan under, one yuan over), the floor (just under, at, over), the top-ups of each group and
together, rounding to the fen, a one- and a five-member household; then invariants over generated
households. No database.

Unless a test says otherwise: standard 800 yuan a month (a prefecture-level city, rules §9), no floor,
no top-ups, minors under 18, elderly from 60."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.benefits.engine.dibao import Allowance, Member, Settings, Step, dibao_allowance

D = Decimal
GAP = "（标准 − 人均收入）× 人数"
FLOOR = "差额低于保底金额，按保底金额 × 人数"
TOTAL = "月保障金合计"

BASE = Settings(
    standard=D("800"),
    minimum_allowance=D("0"),
    topup_minor=D("0"),
    topup_elderly=D("0"),
    topup_severe_disability=D("0"),
    minor_age=18,
    elderly_age=60,
)
TOPUPS = replace(BASE, topup_minor=D("50"), topup_elderly=D("40"), topup_severe_disability=D("100"))


def adults(n: int) -> list[Member]:
    return [Member(i, f"成员{i}", 40, False) for i in range(1, n + 1)]


def one(age: int, severe: bool = False) -> list[Member]:
    return [Member(1, "甲", age, severe)]


def calc(members: list[Member], pc: str, settings: Settings = BASE) -> Allowance:
    return dibao_allowance(members=members, per_capita_income=D(pc), settings=settings)


# --- the standard: at, one yuan under, one yuan over --------------------------------------------------


def test_income_at_the_standard_leaves_nothing_to_fill() -> None:
    assert calc(adults(3), "800.00") == Allowance(
        eligible=False,
        monthly_total=D("0.00"),
        gap=D("0.00"),
        floor_applied=False,
        topups=D("0.00"),
        steps=(),
        reasons=("家庭人均月收入 800.00 元，不低于低保标准 800.00 元，无差额可补",),
    )


def test_one_yuan_under_the_standard_fills_one_yuan_per_member() -> None:
    # (800 − 799) × 3 = 3
    assert calc(adults(3), "799.00") == Allowance(
        eligible=True,
        monthly_total=D("3.00"),
        gap=D("3.00"),
        floor_applied=False,
        topups=D("0.00"),
        steps=(Step(GAP, "(800.00 − 799.00) × 3 = 3.00", D("3.00")),),
        reasons=("家庭人均月收入 799.00 元，低于低保标准 800.00 元",),
    )


def test_one_yuan_over_the_standard_is_not_eligible() -> None:
    r = calc(adults(3), "801.00")
    assert (r.eligible, r.monthly_total, r.gap, r.steps) == (False, D("0.00"), D("0.00"), ())
    assert r.reasons == ("家庭人均月收入 801.00 元，不低于低保标准 800.00 元，无差额可补",)


def test_a_fen_under_the_standard_is_eligible() -> None:
    r = calc(adults(1), "799.99")
    assert (r.eligible, r.monthly_total) == (True, D("0.01"))


def test_not_eligible_gets_neither_floor_nor_top_ups() -> None:
    settings = replace(TOPUPS, minimum_allowance=D("100"))
    r = calc([Member(1, "甲", 70, True), Member(2, "乙", 5, False)], "800", settings)
    assert (r.eligible, r.monthly_total, r.floor_applied, r.topups, r.steps) == (
        False,
        D("0.00"),
        False,
        D("0.00"),
        (),
    )
    assert r.reasons == ("家庭人均月收入 800.00 元，不低于低保标准 800.00 元，无差额可补",)


def test_the_worked_example() -> None:
    # (800 − 650) × 3 = 450
    r = calc(adults(3), "650")
    assert r.steps == (Step(GAP, "(800.00 − 650.00) × 3 = 450.00", D("450.00")),)
    assert (r.monthly_total, r.gap) == (D("450.00"), D("450.00"))


# --- household size -----------------------------------------------------------------------------------


def test_one_member_without_income_gets_the_whole_standard() -> None:
    r = calc(adults(1), "0")
    assert r.steps == (Step(GAP, "(800.00 − 0.00) × 1 = 800.00", D("800.00")),)
    assert r.monthly_total == D("800.00")


def test_five_members_rural_standard_with_every_top_up() -> None:
    # rural standard 650: (650 − 412.40) × 5 = 237.60 × 5 = 1,188.00
    # minors 8 and 15: 2 × 50 = 100; elderly 66 and 72: 2 × 40 = 80; severe disability (72): 1 × 100
    # total 1,188 + 100 + 80 + 100 = 1,468
    members = [
        Member(11, "张一", 8, False),
        Member(12, "张二", 15, False),
        Member(13, "张三", 40, False),
        Member(14, "张四", 66, False),
        Member(15, "张五", 72, True),
    ]
    r = calc(members, "412.40", replace(TOPUPS, standard=D("650")))
    assert r == Allowance(
        eligible=True,
        monthly_total=D("1468.00"),
        gap=D("1188.00"),
        floor_applied=False,
        topups=D("280.00"),
        steps=(
            Step(GAP, "(650.00 − 412.40) × 5 = 1188.00", D("1188.00")),
            Step("未成年人加发", "50.00 × 2（张一、张二）= 100.00", D("100.00")),
            Step("老年人加发", "40.00 × 2（张四、张五）= 80.00", D("80.00")),
            Step("重度残疾人加发", "100.00 × 1（张五）= 100.00", D("100.00")),
            Step(TOTAL, "1188.00 + 100.00 + 80.00 + 100.00 = 1468.00", D("1468.00")),
        ),
        reasons=("家庭人均月收入 412.40 元，低于低保标准 650.00 元",),
    )


def test_no_members_is_an_error() -> None:
    with pytest.raises(ValueError, match="家庭成员为空"):
        calc([], "100")


# --- top-ups ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "severe", "topups", "labels"),
    [
        (17, False, "50.00", ["未成年人加发"]),  # under 18: a minor
        (18, False, "0.00", []),
        (59, False, "0.00", []),
        (60, False, "40.00", ["老年人加发"]),  # 60 and over: elderly
        (40, True, "100.00", ["重度残疾人加发"]),
        (70, True, "140.00", ["老年人加发", "重度残疾人加发"]),  # both groups, both top-ups
        (10, True, "150.00", ["未成年人加发", "重度残疾人加发"]),
        (0, False, "50.00", ["未成年人加发"]),
    ],
)
def test_top_up_groups(age: int, severe: bool, topups: str, labels: list[str]) -> None:
    # (800 − 500) × 1 = 300, plus the top-ups
    r = calc(one(age, severe), "500", TOPUPS)
    assert r.topups == D(topups)
    assert r.monthly_total == D("300.00") + D(topups)
    assert r.gap == D("300.00")
    shown = [s.label for s in r.steps]
    assert shown == ([GAP, *labels, TOTAL] if labels else [GAP])


def test_elderly_and_severely_disabled_member_gets_both_top_ups() -> None:
    r = calc(one(70, True), "500", TOPUPS)
    assert r.steps == (
        Step(GAP, "(800.00 − 500.00) × 1 = 300.00", D("300.00")),
        Step("老年人加发", "40.00 × 1（甲）= 40.00", D("40.00")),
        Step("重度残疾人加发", "100.00 × 1（甲）= 100.00", D("100.00")),
        Step(TOTAL, "300.00 + 40.00 + 100.00 = 440.00", D("440.00")),
    )
    assert (r.monthly_total, r.topups) == (D("440.00"), D("140.00"))


def test_the_ages_come_from_the_settings() -> None:
    # a region where minors are under 16 and the elderly 65 and over
    settings = replace(TOPUPS, minor_age=16, elderly_age=65)
    assert calc(one(15), "500", settings).topups == D("50.00")
    assert calc(one(16), "500", settings).topups == D("0.00")
    assert calc(one(64), "500", settings).topups == D("0.00")
    assert calc(one(65), "500", settings).topups == D("40.00")


def test_no_top_ups_is_zero_to_the_fen() -> None:
    # stored as "0.00", like every other amount
    assert calc(adults(2), "700").to_json()["topups"] == "0.00"


def test_a_group_the_region_pays_nothing_shows_no_line() -> None:
    settings = replace(TOPUPS, topup_minor=D("0"))
    r = calc([Member(1, "甲", 5, False), Member(2, "乙", 61, False)], "500", settings)
    # (800 − 500) × 2 = 600; elderly 40; no minor line
    assert [s.label for s in r.steps] == [GAP, "老年人加发", TOTAL]
    assert r.monthly_total == D("640.00")


# --- the floor ----------------------------------------------------------------------------------------

FLOORED = replace(BASE, minimum_allowance=D("100"))  # floor 100 × 2 members = 200


def test_gap_just_under_the_floor_is_raised_to_it() -> None:
    # (800 − 700.50) × 2 = 199.00 < 200
    assert calc(adults(2), "700.50", FLOORED) == Allowance(
        eligible=True,
        monthly_total=D("200.00"),
        gap=D("199.00"),
        floor_applied=True,
        topups=D("0.00"),
        steps=(
            Step(GAP, "(800.00 − 700.50) × 2 = 199.00", D("199.00")),
            Step(FLOOR, "100.00 × 2 = 200.00（差额 199.00 元）", D("200.00")),
        ),
        reasons=("家庭人均月收入 700.50 元，低于低保标准 800.00 元",),
    )


def test_gap_at_the_floor_is_the_gap() -> None:
    # (800 − 700) × 2 = 200 = the floor: nothing to raise
    r = calc(adults(2), "700", FLOORED)
    assert (r.monthly_total, r.floor_applied) == (D("200.00"), False)
    assert [s.label for s in r.steps] == [GAP]


def test_gap_over_the_floor_is_the_gap() -> None:
    # (800 − 699) × 2 = 202
    r = calc(adults(2), "699", FLOORED)
    assert (r.monthly_total, r.gap, r.floor_applied) == (D("202.00"), D("202.00"), False)


def test_top_ups_come_on_top_of_the_floor() -> None:
    # (800 − 790) × 1 = 10 < floor 100 → 100; elderly + 40 → 140
    settings = replace(BASE, minimum_allowance=D("100"), topup_elderly=D("40"))
    r = calc(one(65), "790", settings)
    assert r.steps == (
        Step(GAP, "(800.00 − 790.00) × 1 = 10.00", D("10.00")),
        Step(FLOOR, "100.00 × 1 = 100.00（差额 10.00 元）", D("100.00")),
        Step("老年人加发", "40.00 × 1（甲）= 40.00", D("40.00")),
        Step(TOTAL, "100.00 + 40.00 = 140.00", D("140.00")),
    )
    assert (r.monthly_total, r.gap, r.floor_applied, r.topups) == (
        D("140.00"),
        D("10.00"),
        True,
        D("40.00"),
    )


# --- rounding and odd inputs --------------------------------------------------------------------------


def test_the_gap_rounds_half_up_to_the_fen() -> None:
    # (800 − 700.015) × 1 = 99.985 → 99.99 (half-even would give 99.98); the income is shown unrounded
    r = calc(adults(1), "700.015")
    assert r.steps == (Step(GAP, "(800.00 − 700.015) × 1 = 99.99", D("99.99")),)
    assert r.monthly_total == D("99.99")
    assert r.reasons == ("家庭人均月收入 700.015 元，低于低保标准 800.00 元",)


def test_the_gap_is_rounded_once_after_multiplying() -> None:
    # (800 − 766.6667) × 3 = 33.3333 × 3 = 99.9999 → 100.00 (rounding 33.3333 first would give 99.99)
    assert calc(adults(3), "766.6667").monthly_total == D("100.00")


def test_a_top_up_rounds_half_up_to_the_fen() -> None:
    # 33.345 → 33.35 (half-even: 33.34); gap (800 − 500) = 300; total 333.35
    r = calc(one(70), "500", replace(BASE, topup_elderly=D("33.345")))
    assert r.steps[1] == Step("老年人加发", "33.345 × 1（甲）= 33.35", D("33.35"))
    assert r.monthly_total == D("333.35")


def test_a_fractional_floor_rounds_half_up() -> None:
    # floor 100.125 × 1 = 100.125 → 100.13 (half-even: 100.12) > gap (800 − 790) × 1 = 10 → 100.13
    r = calc(adults(1), "790", replace(BASE, minimum_allowance=D("100.125")))
    assert (r.monthly_total, r.floor_applied) == (D("100.13"), True)
    assert r.steps[1] == Step(FLOOR, "100.125 × 1 = 100.13（差额 10.00 元）", D("100.13"))


def test_negative_income_counts_as_nothing() -> None:
    # −120.50 → 0: (800 − 0) × 2 = 1,600, the most a household of two can be owed
    r = calc(adults(2), "-120.50")
    assert r.steps == (Step(GAP, "(800.00 − 0.00) × 2 = 1600.00", D("1600.00")),)
    assert r.monthly_total == D("1600.00")
    assert r.reasons == (
        "家庭人均月收入 -120.50 元为负数，按 0 元计算",
        "家庭人均月收入 0.00 元，低于低保标准 800.00 元",
    )


def test_zero_income_is_not_negative() -> None:
    assert calc(adults(1), "0").reasons == ("家庭人均月收入 0.00 元，低于低保标准 800.00 元",)


# --- storage ------------------------------------------------------------------------------------------


def test_json_holds_strings_for_amounts_and_reads_back() -> None:
    settings = replace(BASE, minimum_allowance=D("100"), topup_elderly=D("40"))
    r = calc(one(65), "790", settings)
    data = r.to_json()
    assert data == {
        "eligible": True,
        "monthly_total": "140.00",
        "gap": "10.00",
        "floor_applied": True,
        "topups": "40.00",
        "steps": [
            {"label": GAP, "formula": "(800.00 − 790.00) × 1 = 10.00", "amount": "10.00"},
            {"label": FLOOR, "formula": "100.00 × 1 = 100.00（差额 10.00 元）", "amount": "100.00"},
            {"label": "老年人加发", "formula": "40.00 × 1（甲）= 40.00", "amount": "40.00"},
            {"label": TOTAL, "formula": "100.00 + 40.00 = 140.00", "amount": "140.00"},
        ],
        "reasons": ["家庭人均月收入 790.00 元，低于低保标准 800.00 元"],
    }
    assert Allowance.from_json(data) == r


def test_json_of_a_refusal_reads_back() -> None:
    r = calc(adults(2), "900")
    data = r.to_json()
    assert data == {
        "eligible": False,
        "monthly_total": "0.00",
        "gap": "0.00",
        "floor_applied": False,
        "topups": "0.00",
        "steps": [],
        "reasons": ["家庭人均月收入 900.00 元，不低于低保标准 800.00 元，无差额可补"],
    }
    assert Allowance.from_json(data) == r


# --- invariants ---------------------------------------------------------------------------------------

_MONEY = st.integers(min_value=0, max_value=300_000).map(lambda cents: Decimal(cents) / 100)
_INCOME = st.integers(min_value=-50_000, max_value=300_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def _settings(draw: st.DrawFn) -> Settings:
    return Settings(
        standard=draw(st.integers(1, 200_000).map(lambda cents: Decimal(cents) / 100)),
        minimum_allowance=draw(_MONEY),
        topup_minor=draw(_MONEY),
        topup_elderly=draw(_MONEY),
        topup_severe_disability=draw(_MONEY),
        minor_age=draw(st.integers(14, 18)),
        elderly_age=draw(st.integers(55, 70)),
    )


_MEMBERS = st.lists(
    st.builds(Member, st.integers(1, 10_000), st.just("成员"), st.integers(0, 100), st.booleans()),
    min_size=1,
    max_size=8,
)


@given(_MEMBERS, _INCOME, _settings())
def test_total_is_never_negative_and_eligible_iff_under_the_standard(
    members: list[Member], income: Decimal, settings: Settings
) -> None:
    r = dibao_allowance(members=members, per_capita_income=income, settings=settings)
    assert r.monthly_total >= 0
    assert r.eligible == (income < settings.standard)
    if not r.eligible:
        assert r.monthly_total == 0
    assert r.monthly_total == r.monthly_total.quantize(D("0.01"))
    if r.steps:  # the lines printed add up to the total
        assert r.steps[-1].amount == r.monthly_total


@given(_MEMBERS, _INCOME, _INCOME, _settings())
def test_more_income_never_means_a_larger_allowance(
    members: list[Member], a: Decimal, b: Decimal, settings: Settings
) -> None:
    low, high = sorted((a, b))
    at_low = dibao_allowance(members=members, per_capita_income=low, settings=settings)
    at_high = dibao_allowance(members=members, per_capita_income=high, settings=settings)
    assert at_high.monthly_total <= at_low.monthly_total


@given(_MEMBERS, _INCOME, _settings())
def test_the_json_reads_back(members: list[Member], income: Decimal, settings: Settings) -> None:
    r = dibao_allowance(members=members, per_capita_income=income, settings=settings)
    assert Allowance.from_json(r.to_json()) == r
