"""特困 (rules §3) at its edges, each figure worked by hand: the 三无 test (ages 16 / 18 / 60 exactly,
16–18 in school or not, disability grades at the policy's limits, income at the 低保 standard, vetoes,
each reason a supporter cannot meet the duty, an able supporter, one to be checked), the self-care
tiers (0, 1, 3, 4, 6 items lost), and the amount (multiplier × standard rounded to the fen, + the care
standard). No database.

Unless a test says otherwise: elderly from 60, minors under 18, under 16 no capacity to work, the 2021
disability limits (intellectual and mental 1–3, physical 1–2, visual 1), supporters' old age 70, last
year's disposable income 24,000 yuan, 低保 standard 800 yuan a month."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jiuzhu.benefits.engine.dibao import Step
from jiuzhu.benefits.engine.tekun import (
    FULL,
    PARTIAL,
    SELF,
    Applicant,
    Finding,
    SanwuSettings,
    Supporter,
    labour_finding,
    means_finding,
    no_labour,
    sanwu,
    selfcare_tier,
    support_finding,
    supporter_unable,
    tekun_amount,
)

D = Decimal
S = SanwuSettings(
    elderly_age=60,
    minor_age=18,
    child_age=16,
    no_labour_disability={"intellectual": 3, "mental": 3, "physical": 2, "visual": 1},
    supporter_age=70,
    disposable_income=D("24000"),
)
ITEMS = ("eating", "dressing", "bed", "toileting", "walking", "bathing")


def person(age: int, **kw: object) -> Applicant:
    return Applicant(name="甲", age=age, **kw)  # type: ignore[arg-type]


def sup(**kw: object) -> Supporter:
    base: dict[str, object] = {"name": "乙", "relation": "子女", "age": 45}
    base.update(kw)
    return Supporter(**base)  # type: ignore[arg-type]


# --- no capacity to work: the ages exactly -----------------------------------------------------------


def test_exactly_60_is_elderly_and_59_is_not() -> None:
    assert no_labour(person(60), S) == "年满60周岁"
    assert no_labour(person(59), S) is None


def test_15_has_no_capacity_and_exactly_16_needs_school() -> None:
    assert no_labour(person(15), S) == "未满16周岁"
    assert no_labour(person(16), S) is None
    assert no_labour(person(16, in_school=True), S) == "16至18周岁在校就读"


def test_17_in_school_counts_and_exactly_18_in_school_does_not() -> None:
    assert no_labour(person(17, in_school=True), S) == "16至18周岁在校就读"
    assert no_labour(person(18, in_school=True), S) is None


def test_the_16_to_18_finding_says_why_not() -> None:
    assert labour_finding(person(17), S) == Finding(
        "labour", "无劳动能力", False, ("甲17周岁，未在校就读（16至18周岁须在校就读）",)
    )
    assert labour_finding(person(40), S).met is False
    assert labour_finding(person(40), S).reasons == (
        "甲40周岁，不属于老年人、未成年人或规定的残疾人，且未认定无劳动能力",
    )


def test_child_age_is_a_setting() -> None:
    assert no_labour(person(17), replace(S, child_age=18)) == "未满18周岁"


def test_disability_at_the_limit_counts_and_one_grade_milder_does_not() -> None:
    assert no_labour(person(40, disability_category="intellectual", disability_grade=3), S) == "智力残疾3级"
    assert no_labour(person(40, disability_category="intellectual", disability_grade=4), S) is None
    assert no_labour(person(40, disability_category="physical", disability_grade=2), S) == "肢体残疾2级"
    assert no_labour(person(40, disability_category="physical", disability_grade=3), S) is None
    assert no_labour(person(40, disability_category="visual", disability_grade=1), S) == "视力残疾1级"
    assert no_labour(person(40, disability_category="visual", disability_grade=2), S) is None
    assert no_labour(person(40, disability_category="hearing", disability_grade=1), S) is None


def test_found_without_capacity() -> None:
    assert no_labour(person(40, labour_capacity="none"), S) == "经认定无劳动能力"
    assert no_labour(person(40, labour_capacity="partial"), S) is None


# --- no means ----------------------------------------------------------------------------------------


def test_income_at_the_standard_is_a_means_of_living_and_a_fen_under_is_not() -> None:
    at = means_finding(per_capita_income=D("800"), standard=D("800"), vetoes=[])
    assert at.met is False
    assert at.reasons[0] == "家庭人均月收入 800.00 元，不低于低保标准 800.00 元"
    under = means_finding(per_capita_income=D("799.99"), standard=D("800"), vetoes=[])
    assert under == Finding(
        "means",
        "无生活来源",
        True,
        ("家庭人均月收入 799.99 元，低于低保标准 800.00 元", "家庭财产符合规定"),
    )


def test_an_asset_veto_is_a_means_of_living() -> None:
    f = means_finding(per_capita_income=D("0"), standard=D("800"), vetoes=["机动车 1 辆"])
    assert f.met is False
    assert f.reasons == ("家庭人均月收入 0.00 元，低于低保标准 800.00 元", "财产不符合规定：机动车 1 辆")


# --- supporters: each reason ----------------------------------------------------------------------------


def test_no_supporter_meets_the_condition() -> None:
    assert support_finding([], S) == Finding(
        "support", "无法定义务人或义务人无履行义务能力", True, ("无法定赡养、抚养、扶养义务人",)
    )


def test_an_able_supporter_fails_the_condition() -> None:
    f = support_finding([sup(annual_income=D("50000"), assets_within=True)], S)
    assert f.met is False
    assert f.reasons == ("乙（子女）具备履行义务能力",)


def test_tekun_supporter_is_unable() -> None:
    assert supporter_unable(sup(tekun=True), S) == (True, ("本人为特困人员",))


def test_dibao_supporter_exactly_60_is_unable_and_59_is_not() -> None:
    assert supporter_unable(sup(dibao=True, age=60), S) == (True, ("低保对象且年满60周岁",))
    assert supporter_unable(sup(dibao=True, age=59), S) == (False, ())


def test_supporter_exactly_70_with_low_income_is_unable() -> None:
    unable, why = supporter_unable(sup(age=70, annual_income=D("23999.99"), assets_within=True), S)
    assert unable is True
    assert why == ("年满70周岁，年收入 23999.99 元，低于上年度居民人均可支配收入，财产符合规定",)


def test_supporter_70_with_income_at_the_line_is_able_and_69_is_able() -> None:
    assert supporter_unable(sup(age=70, annual_income=D("24000"), assets_within=True), S) == (False, ())
    assert supporter_unable(sup(age=69, annual_income=D("0"), assets_within=True), S) == (False, ())


def test_supporter_70_with_assets_over_the_limit_is_able() -> None:
    assert supporter_unable(sup(age=75, annual_income=D("100"), assets_within=False), S) == (False, ())


def test_supporter_70_with_unknown_income_is_to_be_checked() -> None:
    assert supporter_unable(sup(age=72), S) == (None, ("年满70周岁，收入或财产情况待核实",))
    f = support_finding([sup(age=72)], S)
    assert f.met is None


def test_disabled_supporters_grade_2_any_and_grade_3_intellectual_only() -> None:
    low = {"annual_income": D("1000"), "assets_within": True}
    assert supporter_unable(sup(disability_category="physical", disability_grade=2, **low), S)[0] is True
    assert supporter_unable(sup(disability_category="physical", disability_grade=3, **low), S) == (False, ())
    assert supporter_unable(sup(disability_category="mental", disability_grade=3, **low), S)[0] is True
    assert supporter_unable(sup(disability_category="mental", disability_grade=4, **low), S) == (False, ())


def test_custody_missing_capacity_need_assets_within() -> None:
    assert supporter_unable(sup(in_prison=True, assets_within=True), S) == (
        True,
        ("在监狱服刑，财产符合规定",),
    )
    assert supporter_unable(sup(missing=True, assets_within=True), S) == (True, ("被宣告失踪，财产符合规定",))
    assert supporter_unable(sup(lacks_capacity=True, assets_within=True), S) == (
        True,
        ("无民事行为能力，财产符合规定",),
    )
    assert supporter_unable(sup(in_prison=True, assets_within=False), S) == (False, ())
    assert supporter_unable(sup(in_prison=True), S) == (None, ("在监狱服刑，财产情况待核实",))


def test_full_time_student_is_unable() -> None:
    assert supporter_unable(sup(age=20, full_time_student=True), S) == (True, ("全日制在校学生",))


def test_one_able_supporter_among_unable_ones_fails() -> None:
    f = support_finding([sup(tekun=True), sup(name="丙", relation="配偶")], S)
    assert f.met is False
    assert f.reasons == ("乙（子女）无履行义务能力：本人为特困人员", "丙（配偶）具备履行义务能力")


def test_the_whole_test_yes_no_review() -> None:
    ok = sanwu(
        person=person(65),
        per_capita_income=D("300"),
        standard=D("800"),
        vetoes=[],
        supporters=[sup(full_time_student=True)],
        settings=S,
    )
    assert ok.outcome == "yes"
    assert [f.met for f in ok.findings] == [True, True, True]
    assert ok.to_json()["findings"][2]["reasons"] == ["乙（子女）无履行义务能力：全日制在校学生"]
    pending = replace(ok, support=support_finding([sup(age=80)], S))
    assert pending.outcome == "review"
    failing = replace(pending, labour=labour_finding(person(40), S))
    assert failing.outcome == "no"


# --- self-care -------------------------------------------------------------------------------------------


def items(lost: int) -> dict[str, bool]:
    return {code: i >= lost for i, code in enumerate(ITEMS)}


@pytest.mark.parametrize(
    ("lost", "tier"), [(0, SELF), (1, PARTIAL), (3, PARTIAL), (4, FULL), (5, FULL), (6, FULL)]
)
def test_tiers_by_items_lost(lost: int, tier: str) -> None:
    result = selfcare_tier(items(lost))
    assert (result.lost, result.tier) == (lost, tier)


def test_three_lost_is_partial_four_is_full_with_the_items_named() -> None:
    three = selfcare_tier(items(3))
    assert three.lost_items == ("自主吃饭", "自主穿衣", "自主上下床")
    assert three.tier_label == "半护理（部分丧失生活自理能力）"
    four = selfcare_tier(items(4))
    assert four.tier_label == "全护理（完全丧失生活自理能力）"
    assert selfcare_tier(items(0)).to_json() == {
        "lost": 0,
        "tier": "self",
        "tier_label": "全自理",
        "lost_items": [],
    }


def test_every_item_must_be_given() -> None:
    partial = items(0)
    del partial["bathing"]
    with pytest.raises(ValueError):
        selfcare_tier(partial)
    with pytest.raises(ValueError):
        selfcare_tier({**items(0), "reading": True})


# --- amount ------------------------------------------------------------------------------------------------


def test_basic_is_multiplier_times_standard_plus_care() -> None:
    # 800 × 1.3 = 1040.00; + 412 (dispersed, partial) = 1452.00
    a = tekun_amount(
        standard=D("800"), multiplier=D("1.3"), care_standard=D("412"), tier=PARTIAL, form="dispersed"
    )
    assert (a.basic, a.care, a.total) == (D("1040.00"), D("412.00"), D("1452.00"))
    assert a.steps == (
        Step("基本生活标准（低保标准 × 倍数）", "800.00 × 1.3 = 1040.00", D("1040.00")),
        Step("照料护理标准（分散供养·半护理（部分丧失生活自理能力））", "412.00", D("412.00")),
        Step("月救助供养金合计", "1040.00 + 412.00 = 1452.00", D("1452.00")),
    )


def test_basic_rounds_half_up_to_the_fen() -> None:
    # 652.35 × 1.3 = 848.055 → 848.06 (half up); 652.25 × 1.3 = 847.925 → 847.93
    a = tekun_amount(
        standard=D("652.35"), multiplier=D("1.3"), care_standard=D("0"), tier=SELF, form="central"
    )
    assert a.basic == D("848.06")
    b = tekun_amount(
        standard=D("652.25"), multiplier=D("1.3"), care_standard=D("1030"), tier=FULL, form="central"
    )
    assert (b.basic, b.total) == (D("847.93"), D("1877.93"))
    # 520 × 1.333 = 693.16 exactly
    c = tekun_amount(
        standard=D("520"), multiplier=D("1.333"), care_standard=D("62"), tier=SELF, form="dispersed"
    )
    assert (c.basic, c.total) == (D("693.16"), D("755.16"))
    assert c.steps[0].formula == "520.00 × 1.333 = 693.16"


def test_a_whole_multiplier_is_written_plainly() -> None:
    a = tekun_amount(
        standard=D("700"), multiplier=D("2.000"), care_standard=D("0"), tier=SELF, form="dispersed"
    )
    assert a.steps[0].formula == "700.00 × 2 = 1400.00"


def test_unknown_tier_or_form_is_refused() -> None:
    with pytest.raises(ValueError):
        tekun_amount(standard=D("1"), multiplier=D("1"), care_standard=D("0"), tier="x", form="dispersed")
    with pytest.raises(ValueError):
        tekun_amount(standard=D("1"), multiplier=D("1"), care_standard=D("0"), tier=SELF, form="x")
