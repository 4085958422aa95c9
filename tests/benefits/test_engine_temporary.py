"""临时救助 (rules §5) at its edges, each figure worked by hand: the 支出型 formula and its months cap, the
急难型 floor (raised to when less is asked), the three caps (township, general, county) at, one fen
over and one fen under, the cut to each cap, the prior aid ratified, and the once-per-year-per-cause
rule across a year's end. No database.

Unless a test says otherwise: standard 800 yuan a month; township cap 3 months (2400.00), general cap
10 months (8000.00), county cap 30 months (24000.00); emergency floor 2 months (1600.00); at most 6
months of hardship; once per cause per year."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.benefits.engine.temporary import (
    PastGrant,
    Request,
    Settings,
    Step,
    approval_for,
    caps,
    same_cause_this_year,
    temporary_grant,
)

D = Decimal
ON = date(2026, 6, 15)
BASE = Settings(
    standard=D("800"),
    township_cap_months=D("3"),
    cap_months=D("10"),
    county_cap_months=D("30"),
    emergency_floor_months=D("2"),
    expense_months_max=6,
    times_per_cause=1,
)


def emergency(asked: str | None = None, **kw: object) -> Request:
    return Request(
        kind="emergency",
        cause="fire",
        on=ON,
        amount_asked=D(asked) if asked else None,
        **kw,  # type: ignore[arg-type]
    )


def expense(people: int, months: int, **kw: object) -> Request:
    return Request(kind="expense", cause="medical_expense", on=ON, people=people, months=months, **kw)  # type: ignore[arg-type]


def grant(request: Request, settings: Settings = BASE):  # type: ignore[no-untyped-def]
    return temporary_grant(request=request, settings=settings)


# --- the caps and who approves ------------------------------------------------------------------------


def test_caps_are_months_of_the_standard() -> None:
    assert caps(BASE) == (D("2400.00"), D("8000.00"), D("24000.00"))
    # 712.5 × 2.5 = 1781.25; × 10 = 7125.00; × 30 = 21375.00
    odd = replace(BASE, standard=D("712.5"), township_cap_months=D("2.5"))
    assert caps(odd) == (D("1781.25"), D("7125.00"), D("21375.00"))


@pytest.mark.parametrize(
    ("amount", "level"),
    [
        ("2399.99", "township_approval"),
        ("2400.00", "township_approval"),  # at the township cap: still the township's
        ("2400.01", "county_approval"),
        ("8000.00", "county_approval"),  # at the general cap: the county's ordinary approval
        ("8000.01", "county_special_approval"),
        ("24000.00", "county_special_approval"),
        ("30000.00", "county_special_approval"),
    ],
)
def test_who_approves_by_amount(amount: str, level: str) -> None:
    assert approval_for(D(amount), BASE) == level


def test_emergency_at_the_township_cap_is_the_townships() -> None:
    g = grant(emergency("2400"))
    assert (g.eligible, g.amount, g.top_up, g.approval) == (
        True,
        D("2400.00"),
        D("2400.00"),
        "township_approval",
    )
    assert g.steps == (Step("申请救助金额", "2400.00", D("2400.00")),)


def test_emergency_one_fen_over_the_township_cap_goes_to_the_county() -> None:
    g = grant(emergency("2400.01"))
    assert (g.amount, g.approval) == (D("2400.01"), "county_approval")


def test_above_the_general_cap_without_the_countys_special_approval_is_cut_to_it() -> None:
    g = grant(emergency("9000"))
    assert (g.eligible, g.amount, g.approval) == (True, D("8000.00"), "county_special_approval")
    assert g.steps[-1] == Step(
        "超过一般上限，按一般上限", "800 × 10 = 8000.00（超出部分须县级一事一议批准）", D("8000.00")
    )


def test_above_the_general_cap_with_the_countys_special_approval() -> None:
    g = grant(emergency("9000", county_special=True))
    assert (g.amount, g.approval) == (D("9000.00"), "county_special_approval")
    assert len(g.steps) == 1


def test_above_the_county_cap_is_cut_to_it_even_with_special_approval() -> None:
    g = grant(emergency("24000.01", county_special=True))
    assert g.amount == D("24000.00")
    assert g.steps[-1] == Step(
        "超过县级一事一议最高限额，按最高限额", "800 × 30 = 24000.00（申请 24000.01 元）", D("24000.00")
    )
    at = grant(emergency("24000", county_special=True))
    assert at.amount == D("24000.00") and len(at.steps) == 1


def test_above_the_county_cap_without_special_approval_is_cut_twice() -> None:
    g = grant(emergency("50000"))
    assert g.amount == D("8000.00")
    assert [s.amount for s in g.steps] == [D("50000.00"), D("24000.00"), D("8000.00")]


# --- 急难型: the floor --------------------------------------------------------------------------------


def test_emergency_without_an_amount_asked_gets_the_floor() -> None:
    g = grant(emergency())
    assert (g.amount, g.approval) == (D("1600.00"), "township_approval")
    assert g.steps == (Step("急难型最低救助额", "800 × 2 = 1600.00", D("1600.00")),)
    assert grant(emergency("0")).amount == D("1600.00")


def test_emergency_less_than_the_floor_asked_is_raised_to_the_floor() -> None:
    # rules §5: 急难型 at least 2 × the standard = 800 × 2 = 1600.00, whatever less is asked
    g = grant(emergency("1599.99"))
    assert (g.eligible, g.amount, g.top_up, g.approval) == (
        True,
        D("1600.00"),
        D("1600.00"),
        "township_approval",
    )
    assert g.steps == (
        Step("申请救助金额", "1599.99", D("1599.99")),
        Step("不低于急难型最低救助额", "800 × 2 = 1600.00（申请 1599.99 元）", D("1600.00")),
    )
    assert g.reasons == ("急难型临时救助（火灾），救助金额 1600.00 元",)
    assert grant(emergency("500")).amount == D("1600.00")
    assert grant(emergency("0.01")).amount == D("1600.00")


def test_emergency_at_or_above_the_floor_is_what_was_asked() -> None:
    at = grant(emergency("1600"))
    assert at.amount == D("1600.00")
    assert at.steps == (Step("申请救助金额", "1600.00", D("1600.00")),)
    above = grant(emergency("1600.01"))
    assert above.amount == D("1600.01") and len(above.steps) == 1


def test_the_floor_follows_the_settings() -> None:
    # 712.5 × 2.5 = 1781.25: 1781.24 asked is raised, 1781.25 is left
    odd = replace(BASE, standard=D("712.5"), emergency_floor_months=D("2.5"))
    g = grant(emergency("1781.24"), odd)
    assert g.amount == D("1781.25")
    formula = "712.5 × 2.5 = 1781.25（申请 1781.24 元）"
    assert g.steps[-1] == Step("不低于急难型最低救助额", formula, D("1781.25"))
    assert grant(emergency("1781.25"), odd).steps == (Step("申请救助金额", "1781.25", D("1781.25")),)


def test_a_floor_above_the_general_cap_is_still_cut_to_it() -> None:
    # floor 12 months: 800 × 12 = 9600.00 > 8000.00 (general cap), so the county's 一事一议 decides
    high = replace(BASE, emergency_floor_months=D("12"))
    g = grant(emergency("500"), high)
    assert (g.amount, g.approval) == (D("8000.00"), "county_special_approval")
    assert [s.amount for s in g.steps] == [D("500.00"), D("9600.00"), D("8000.00")]
    assert grant(emergency("500", county_special=True), high).amount == D("9600.00")


def test_the_floor_before_the_prior_aid_is_ratified() -> None:
    # 1000 asked → 1600.00; 1000.00 already paid at once → 600.00 more
    g = grant(emergency("1000", prior_aid=D("1000")))
    assert (g.amount, g.top_up) == (D("1600.00"), D("600.00"))
    assert g.steps[-1] == Step("已先行救助，本次补发", "1600.00 − 1000.00 = 600.00", D("600.00"))


def test_emergency_amounts_round_to_the_fen() -> None:
    assert grant(emergency("2000.005")).amount == D("2000.01")


# --- 支出型: standard × people × months ----------------------------------------------------------------


def test_expense_formula() -> None:
    # 800 × 3 × 2 = 4800.00: above the township cap, within the general cap
    g = grant(expense(3, 2))
    assert (g.amount, g.approval) == (D("4800.00"), "county_approval")
    assert g.steps == (Step("低保标准 × 救助人数 × 困难月数", "800 × 3 × 2 = 4800.00", D("4800.00")),)


def test_expense_months_at_the_maximum_and_over_it() -> None:
    # 800 × 1 × 6 = 4800.00 both ways; the seventh month is not counted
    assert grant(expense(1, 6)).amount == D("4800.00")
    over = grant(expense(1, 7))
    assert over.amount == D("4800.00")
    assert over.steps[0].formula == "800 × 1 × 6 = 4800.00（申请 7 个月，最多计 6 个月）"


def test_expense_of_one_person_for_three_months_is_the_township_cap() -> None:
    g = grant(expense(1, 3))
    assert (g.amount, g.approval) == (D("2400.00"), "township_approval")


def test_expense_not_more_than_the_expense_itself() -> None:
    g = grant(expense(3, 2, expense_amount=D("3000")))
    assert (g.amount, g.approval) == (D("3000.00"), "county_approval")
    assert g.steps[-1] == Step("不超过自付支出", "自付支出 3000.00 元", D("3000.00"))
    # an expense above the formula leaves it as it is
    assert grant(expense(3, 2, expense_amount=D("4800.01"))).amount == D("4800.00")
    assert grant(expense(3, 2, expense_amount=D("4800"))).amount == D("4800.00")


def test_expense_of_a_large_family_reaches_the_special_approval() -> None:
    # 800 × 5 × 6 = 24000.00 > 8000.00: cut to 8000.00 until the county approves it case by case
    g = grant(expense(5, 6))
    assert (g.amount, g.approval) == (D("8000.00"), "county_special_approval")
    assert grant(expense(5, 6, county_special=True)).amount == D("24000.00")


def test_expense_needs_people_and_months() -> None:
    with pytest.raises(ValueError):
        grant(expense(0, 2))
    with pytest.raises(ValueError):
        grant(expense(1, 0))


# --- once per cause per calendar year -----------------------------------------------------------------


def test_a_second_grant_for_the_same_cause_in_the_year_is_refused() -> None:
    past = (PastGrant(date(2026, 1, 1), "fire"),)
    g = grant(emergency("1000", past=past))
    assert (g.eligible, g.amount, g.top_up, g.times_this_year) == (False, D("0.00"), D("0.00"), 1)
    assert g.reasons == ("2026 年已因“火灾”获临时救助 1 次（每年不超过 1 次），县级未批准例外",)


def test_the_county_may_allow_one_more() -> None:
    past = (PastGrant(date(2026, 1, 1), "fire"),)
    g = grant(emergency("2000", past=past, county_exception=True))
    assert (g.eligible, g.amount) == (True, D("2000.00"))
    assert g.reasons[0] == "2026 年已因“火灾”获临时救助 1 次（每年不超过 1 次），经县级批准例外"


def test_a_grant_on_31_december_does_not_count_on_1_january() -> None:
    past = (PastGrant(date(2025, 12, 31), "fire"),)
    new_year = Request(kind="emergency", cause="fire", on=date(2026, 1, 1), amount_asked=D("1000"), past=past)
    assert grant(new_year).eligible
    same_year = replace(new_year, on=date(2025, 12, 31))
    assert not grant(same_year).eligible


def test_another_cause_in_the_same_year_is_not_counted() -> None:
    past = (PastGrant(date(2026, 3, 1), "traffic"), PastGrant(date(2026, 3, 2), "medical_expense"))
    assert grant(emergency("1000", past=past)).eligible
    assert same_cause_this_year(past, cause="traffic", on=ON) == 1
    assert same_cause_this_year(past, cause="fire", on=ON) == 0


def test_a_region_allowing_twice_refuses_the_third() -> None:
    twice = replace(BASE, times_per_cause=2)
    one = (PastGrant(date(2026, 2, 1), "fire"),)
    assert grant(emergency("1000", past=one), twice).eligible
    two = (*one, PastGrant(date(2026, 4, 1), "fire"))
    refused = grant(emergency("1000", past=two), twice)
    assert not refused.eligible and refused.times_this_year == 2


# --- 先行救助 ratified ----------------------------------------------------------------------------------


def test_the_decision_ratifies_the_prior_aid_and_pays_only_the_rest() -> None:
    g = grant(emergency("3000", prior_aid=D("2000")))
    assert (g.amount, g.top_up, g.approval) == (D("3000.00"), D("1000.00"), "county_approval")
    assert g.steps[-1] == Step("已先行救助，本次补发", "3000.00 − 2000.00 = 1000.00", D("1000.00"))


def test_prior_aid_equal_to_or_above_the_grant_pays_nothing_more() -> None:
    assert grant(emergency("2000", prior_aid=D("2000"))).top_up == D("0.00")
    assert grant(emergency("1500", prior_aid=D("2000"))).top_up == D("0.00")


# --- refusals of the input --------------------------------------------------------------------------


def test_a_cause_of_the_other_type_is_refused() -> None:
    with pytest.raises(ValueError):
        grant(Request(kind="emergency", cause="medical_expense", on=ON))
    with pytest.raises(ValueError):
        grant(Request(kind="expense", cause="fire", on=ON))
    with pytest.raises(ValueError):
        grant(Request(kind="gift", cause="fire", on=ON))


def test_no_standard_is_refused() -> None:
    with pytest.raises(ValueError):
        grant(emergency("100"), replace(BASE, standard=D("0")))


def test_to_json_keeps_amounts_as_text() -> None:
    data = grant(emergency("3000", prior_aid=D("2000"))).to_json()
    assert (
        data["amount"] == "3000.00" and data["top_up"] == "1000.00" and data["approval"] == "county_approval"
    )
    assert (data["township_cap"], data["cap"], data["county_cap"]) == ("2400.00", "8000.00", "24000.00")


# --- the edges one unit away (each line below was once let through) -----------------------------------


def test_a_standard_of_one_yuan_is_a_standard() -> None:
    g = grant(emergency(), replace(BASE, standard=D("1")))
    assert g.amount == D("2.00")  # 1 × 2


def test_the_input_errors_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="低保标准须大于 0"):
        grant(emergency("100"), replace(BASE, standard=D("0")))
    with pytest.raises(ValueError, match="未知的临时救助类型：gift"):
        grant(Request(kind="gift", cause="fire", on=ON))
    with pytest.raises(ValueError, match="事由“医疗支出”不属于急难型"):
        grant(Request(kind="emergency", cause="medical_expense", on=ON))


def test_one_person_one_month_and_one_yuan() -> None:
    assert grant(expense(1, 1)).amount == D("800.00")  # 800 × 1 × 1
    assert grant(expense(1, 1, expense_amount=D("1"))).amount == D("1.00")
    assert grant(emergency("3"), replace(BASE, standard=D("1"))).amount == D("3.00")  # floor 1 × 2 = 2
    g = grant(emergency("3000", prior_aid=D("1")))
    assert g.top_up == D("2999.00")


def test_at_the_general_cap_nothing_is_cut() -> None:
    g = grant(emergency("8000"))
    assert (g.amount, g.approval) == (D("8000.00"), "county_approval")
    assert g.steps == (Step("申请救助金额", "8000.00", D("8000.00")),)


def test_a_refusal_keeps_who_would_have_approved_and_the_figures() -> None:
    past = (PastGrant(date(2026, 2, 1), "fire"),)
    g = grant(emergency("9000", past=past))
    assert g.approval == "county_special_approval"
    assert [s.amount for s in g.steps] == [D("9000.00"), D("8000.00")]
    assert (g.township_cap, g.cap, g.county_cap) == (D("2400.00"), D("8000.00"), D("24000.00"))


def test_an_eligible_grant_counts_earlier_grants_and_says_what_it_is() -> None:
    past = (PastGrant(date(2026, 2, 1), "fire"),)
    g = grant(emergency("2000", past=past, county_exception=True))
    assert g.times_this_year == 1
    assert g.reasons[-1] == "急难型临时救助（火灾），救助金额 2000.00 元"
    assert grant(emergency("1000")).times_this_year == 0


def test_the_figures_as_json() -> None:
    g = grant(emergency("3000", prior_aid=D("2000")))
    assert g.to_json() == {
        "eligible": True,
        "amount": "3000.00",
        "top_up": "1000.00",
        "approval": "county_approval",
        "township_cap": "2400.00",
        "cap": "8000.00",
        "county_cap": "24000.00",
        "times_this_year": 0,
        "steps": [
            {"label": "申请救助金额", "formula": "3000.00", "amount": "3000.00"},
            {"label": "已先行救助，本次补发", "formula": "3000.00 − 2000.00 = 1000.00", "amount": "1000.00"},
        ],
        "reasons": ["急难型临时救助（火灾），救助金额 3000.00 元"],
    }
