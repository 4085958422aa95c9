"""What makes the report "talk": sensitive factors, anomalies across years and the yearly trend of
household income and assets. Pure functions over the facts already gathered for the report."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from jiuzhu.core.vocab import Employment, IncomeCategory
from jiuzhu.policy.params import PolicyParams

from .engine.assets import financial_assets_on
from .engine.inputs import Fact, MeansInput

YEARS = 5  # years on the trend chart
ANOMALY_YEARS = 3  # how far back changes are listed, and over which application frequency is counted
JOB_GAP_MONTHS = 3  # months without wages before a job counts as lost
WORKING_AGE = 16  # the national minimum working age (劳动法), for the dependency ratio
ZERO = Decimal("0")
_INCOME_FEEDS = {"hrss_wage", "hrss_pension"}
_TAX_INCOME = {IncomeCategory.BUSINESS.value, IncomeCategory.PROPERTY.value}


def _year_income(facts: list[Fact], year: int) -> Decimal:
    total = ZERO
    for f in facts:
        if f.date is None or f.date.year != year or f.amount is None:
            continue
        counted = (f.feed in _INCOME_FEEDS and f.kind != "resident_basic") or (
            f.feed == "tax" and f.kind in _TAX_INCOME
        )
        if counted:
            total += f.amount
    return total


def trend(inp: MeansInput) -> dict[str, Any]:
    """Household income and financial assets per calendar year, for the chart. The assets of a year are
    those held at its end (at the check date for the current year), computed as the means test computes
    them."""
    as_of = inp.as_of
    years = list(range(as_of.year - YEARS + 1, as_of.year + 1))
    all_facts = [f for m in inp.members for f in m.facts]
    return {
        "years": years,
        "income": [str(_year_income(all_facts, y)) for y in years],
        "assets": [str(financial_assets_on(inp, min(date(y, 12, 31), as_of))) for y in years],
    }


def sensitive_factors(
    members: list[dict[str, Any]], past_reports: list[dict[str, Any]], as_of: date, policy: PolicyParams
) -> dict[str, Any]:
    dependants = [
        m
        for m in members
        if m["age"] < WORKING_AGE or m["age"] >= policy.elderly_age or m["labour"] == "none"
    ]
    workers = len(members) - len(dependants)
    employment: dict[str, int] = defaultdict(int)
    for m in members:
        employment[Employment.label_of(m["employment"])] += 1
    recent = [r for r in past_reports if (as_of - r["as_of"]).days <= ANOMALY_YEARS * 365]
    programs: dict[str, int] = defaultdict(int)
    for r in past_reports:
        for p in r["programs"]:
            programs[p] += 1
    return {
        "dependants": len(dependants),
        "workers": workers,
        "dependency_ratio": None if workers == 0 else round(len(dependants) / workers, 2),
        "employment": dict(employment),
        "applications": len(past_reports),
        "application_types": dict(programs),
        "applications_per_year": round(len(recent) / ANOMALY_YEARS, 2),
    }


def _by_key(facts: list[Fact], key: str) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        out[str(f.data.get(key, ""))].append(f)
    return out


def anomalies_since(as_of: date) -> date:
    return date(as_of.year - ANOMALY_YEARS, as_of.month, 1)


def anomalies(
    members: list[tuple[str, int, list[Fact]]],
    changes: list[dict[str, Any]],
    as_of: date,
    policy: PolicyParams,
) -> list[dict[str, Any]]:
    """Changes across the last three years that a caseworker should look at; vetoes are flagged."""
    since = anomalies_since(as_of)
    out: list[dict[str, Any]] = []

    def add(kind: str, text: str, on: date | None, veto: bool = False) -> None:
        out.append({"kind": kind, "text": text, "date": on.isoformat() if on else "", "veto": veto})

    for change in changes:
        if change["at"] >= since and change["kind"] in ("join", "leave"):
            verb = "加入" if change["kind"] == "join" else "离开"
            add(
                "member",
                f"{change['name']} {verb}本户{('：' + change['reason']) if change['reason'] else ''}",
                change["at"],
            )
    for name, _pid, facts in members:
        wages = sorted({f.date for f in facts if f.feed == "hrss_wage" and f.date})
        recent_wages = [d for d in wages if d >= since]
        if wages and recent_wages:
            last, first = recent_wages[-1], recent_wages[0]
            if (as_of.year - last.year) * 12 + as_of.month - last.month > JOB_GAP_MONTHS:
                add("job", f"{name} 自 {last:%Y-%m} 起无工资记录（可能失去工作）", last)
            if first > since and wages[0] == first:
                add("job", f"{name} 自 {first:%Y-%m} 起有工资记录（新就业）", first)
        for plate, rows in _by_key([f for f in facts if f.feed == "vehicle"], "plate").items():
            for f in rows:
                if f.date and f.date >= since and f.data.get("event") in ("buy", "sell"):
                    verb = "购入" if f.data["event"] == "buy" else "出售"
                    add(
                        "vehicle",
                        f"{name} {verb}车辆 {plate}（{f.amount or '价格未知'} 元）",
                        f.date,
                        veto=f.data["event"] == "buy" and f.kind not in policy.exempt_vehicle_types,
                    )
        for unit, rows in _by_key([f for f in facts if f.feed == "real_estate"], "unit_no").items():
            for f in rows:
                if f.date and f.date >= since and f.data.get("event") in ("buy", "sell"):
                    verb = "购入" if f.data["event"] == "buy" else "出售"
                    add("property", f"{name} {verb}房产 {unit}", f.date, veto=f.data["event"] == "buy")
        for f in facts:
            if f.feed == "business" and f.date and f.date >= since and f.data.get("status") == "active":
                add("business", f"{name} 登记市场主体 {f.data.get('reg_no', '')}", f.date, veto=True)
        medical: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for f in facts:
            if f.feed == "medical_bill" and f.date and f.date >= since:
                medical[f.date.year] += f.amount or ZERO
        for year, total in sorted(medical.items()):
            if total > policy.large_medical_expense:
                add(
                    "medical",
                    f"{name} {year} 年医疗自付 {total} 元，超过 {policy.large_medical_expense} 元",
                    None,
                )
        for inst, rows in _by_key([f for f in facts if f.feed == "bank"], "institution").items():
            rows = sorted((f for f in rows if f.date), key=lambda f: f.date)  # type: ignore[arg-type, return-value]
            for before, after in pairwise(rows):
                delta = (after.amount or ZERO) - (before.amount or ZERO)
                if after.date and after.date >= since and abs(delta) > policy.large_deposit_change:
                    verb = "增加" if delta > 0 else "减少"
                    add("deposit", f"{name} 在 {inst} 的存款{verb} {abs(delta)} 元", after.date)
    out.sort(key=lambda a: a["date"], reverse=True)
    return out
