"""Invariants of the means engine over generated households (rules §2–§4), and of the period arithmetic
against a month-by-month count written here.

- a veto never yields "yes" (nor "review") for any program;
- 刚性支出 "yes" implies 低保 "no" and 边缘 "no" (§4.2 condition 1), and 边缘 "yes" implies 低保 "no";
- more income never makes a household better placed: the tier (低保 > 边缘 > 刚性支出 > none) never rises,
  and 特困 never goes from "no" to "yes" or "review".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.verification.engine.inputs import Declared, Fact, MeansInput, MemberInput
from jiuzhu.verification.engine.means import assess
from jiuzhu.verification.engine.period import Period

from .helpers import AS_OF, PERIOD_MONTHS, policy

_AMOUNT = st.integers(min_value=0, max_value=400_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def _member(draw: st.DrawFn, pid: int) -> MemberInput:
    facts: list[Fact] = []
    if draw(st.booleans()):
        wage = draw(_AMOUNT)
        months = draw(st.lists(st.sampled_from(PERIOD_MONTHS), unique=True, max_size=12))
        facts += [Fact("hrss_wage", m, wage, "", {"employer": "甲"}) for m in months]
    if draw(st.booleans()):
        facts.append(Fact("medical_bill", draw(st.sampled_from(PERIOD_MONTHS)), draw(_AMOUNT) * 5, "", {}))
    if draw(st.booleans()):
        facts.append(Fact("bank", date(2026, 10, 1), draw(_AMOUNT) * 10, "", {"institution": "农信"}))
    if draw(st.integers(0, 5)) == 0:
        kind = draw(st.sampled_from(["car", "e_bike", "truck"]))
        facts.append(
            Fact("vehicle", date(2024, 1, 1), Decimal(30000), kind, {"plate": f"P{pid}", "event": "buy"})
        )
    if draw(st.integers(0, 8)) == 0:
        facts.append(
            Fact("business", date(2022, 1, 1), None, "individual", {"reg_no": f"R{pid}", "status": "active"})
        )
    items = draw(
        st.dictionaries(
            st.sampled_from(
                ["other_income", "support_received", "education_expense", "scholarship", "deposits"]
            ),
            _AMOUNT,
            max_size=3,
        )
    )
    return MemberInput(
        person_id=pid,
        name=f"成员{pid}",
        age=draw(st.integers(0, 95)),
        labour_capacity=draw(st.sampled_from(["full", "partial", "none"])),
        facts=tuple(facts),
        declared=tuple(Declared(k, v) for k, v in items.items()),
    )


@st.composite
def households(draw: st.DrawFn) -> MeansInput:
    size = draw(st.integers(1, 4))
    members = tuple(draw(_member(pid)) for pid in range(1, size + 1))
    deductible = draw(st.sampled_from([(), ("medical", "education", "rehabilitation")]))
    return MeansInput(
        members=members,
        urban=draw(st.booleans()),
        as_of=AS_OF,
        policy=policy(deductible_expenses=deductible, vehicles_max=draw(st.sampled_from([0, 1]))),
        supporters=draw(st.integers(0, 2)),
    )


def _outcomes(inp: MeansInput) -> dict[str, str]:
    return {v.program: v.outcome for v in assess(inp).verdicts}


def _tier(outcomes: dict[str, str]) -> int:
    for tier, program in ((3, "dibao"), (2, "near_dibao"), (1, "rigid_expense")):
        if outcomes[program] == "yes":
            return tier
    return 0


@settings(max_examples=150, deadline=None)
@given(households())
def test_a_veto_never_yields_yes(inp: MeansInput) -> None:
    result = assess(inp)
    if result.vetoes:
        assert {v.program: v.outcome for v in result.verdicts} == {
            "dibao": "no",
            "near_dibao": "no",
            "rigid_expense": "no",
            "tekun": "no",
        }
        for v in result.verdicts:
            assert any(reason.startswith("一票否决：") for reason in v.reasons)


@settings(max_examples=150, deadline=None)
@given(households())
def test_the_programs_exclude_each_other(inp: MeansInput) -> None:
    outcomes = _outcomes(inp)
    if outcomes["rigid_expense"] == "yes":
        assert (outcomes["dibao"], outcomes["near_dibao"]) == ("no", "no")
    if outcomes["near_dibao"] == "yes":
        assert outcomes["dibao"] == "no"
    if outcomes["tekun"] in ("yes", "review"):
        assert outcomes["dibao"] == "yes"  # 无生活来源 is income under the standard and no veto


@settings(max_examples=150, deadline=None)
@given(households(), st.integers(0, 3), _AMOUNT.filter(lambda a: a > 0))
def test_more_income_never_places_a_household_better(inp: MeansInput, who: int, extra: Decimal) -> None:
    who = who % len(inp.members)
    richer = list(inp.members)
    richer[who] = replace(richer[who], declared=(*richer[who].declared, Declared("other_income", extra)))
    before, after = _outcomes(inp), _outcomes(replace(inp, members=tuple(richer)))
    assert _tier(after) <= _tier(before)
    if before["tekun"] == "no":
        assert after["tekun"] == "no"
    if before["dibao"] == "no":
        assert after["dibao"] == "no"


def _net_income(inp: MeansInput) -> Decimal:
    """Net income of a generated household over the reference period, by the rules (§2.2–§2.3) as the
    generator's inputs allow: wages from the wage feed less the employment cost (10 % of wages in the
    test policy), declared other income and support received; scholarships are excluded, deposits,
    vehicles and businesses are assets; medical bills and education costs are deducted where the
    policy lists them. Never below zero."""
    deducts = bool(inp.policy.deductible_expenses)  # the generator lists all three or none
    net = Decimal(0)
    for m in inp.members:
        wages = sum((f.amount or Decimal(0) for f in m.facts if f.feed == "hrss_wage"), Decimal(0))
        declared = {d.item: d.amount for d in m.declared}
        net += wages - wages / 10
        net += declared.get("other_income", Decimal(0)) + declared.get("support_received", Decimal(0))
        if deducts:
            net -= sum((f.amount or Decimal(0) for f in m.facts if f.feed == "medical_bill"), Decimal(0))
            net -= declared.get("education_expense", Decimal(0))
    return max(Decimal(0), net)


@settings(max_examples=100, deadline=None)
@given(households())
def test_per_capita_income_is_net_income_over_months_and_people(inp: MeansInput) -> None:
    r = assess(inp)
    net = _net_income(inp)
    expected = (net / len(PERIOD_MONTHS) / len(inp.members)).quantize(Decimal("0.01"))
    # the engine rounds each line to the cent: the employment cost by at most half a cent per member
    assert abs(r.totals["net_income"] - net) <= Decimal("0.02")
    assert abs(r.per_capita_monthly_income - expected) <= Decimal("0.01")
    assert r.totals["net_income"] >= 0


# --- the period arithmetic, against a month-by-month count ------------------------------------------


def _months_of(start: date, end: date) -> list[date]:
    """First days of the months from ``start``'s month up to, not including, ``end``'s month."""
    out, d = [], start.replace(day=1)
    while d < end.replace(day=1):
        out.append(d)
        d = (d + timedelta(days=32)).replace(day=1)
    return out


_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(_DATES, st.integers(1, 36))
def test_period_before_is_the_whole_months_before_the_month_of_the_date(as_of: date, months: int) -> None:
    p = Period.before(as_of, months)
    assert p.end == as_of.replace(day=1)
    assert p.months == months == len(_months_of(p.start, p.end))
    assert p.start.day == 1
    first, last = _months_of(p.start, p.end)[0], _months_of(p.start, p.end)[-1]
    assert p.label == f"{first:%Y-%m}至{last:%Y-%m}"
    assert not p.contains(as_of) and not p.contains(None)
    assert p.contains(p.start) and p.contains(p.end - timedelta(days=1)) and not p.contains(p.end)
    assert not p.contains(p.start - timedelta(days=1))


@given(_DATES, st.integers(1, 36), _DATES, st.one_of(st.none(), _DATES))
def test_months_overlapping_counts_the_months_touched(
    as_of: date, months: int, start: date, end: date | None
) -> None:
    p = Period.before(as_of, months)
    in_period = set(_months_of(p.start, p.end))
    # months touched by [start, end]: from start's month through end's month, or on when still open
    until = date(2100, 1, 1) if end is None else end.replace(day=1) + timedelta(days=31)
    touched = set(_months_of(start, until))
    assert p.months_overlapping(start, end) == len(in_period & touched)
