"""Assets on the check date (rules §2.4): financial assets with source precedence, and the holdings
that the veto rules count — vehicles (less exempt types), dwellings, non-residential property and
business registrations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from jiuzhu.core.vocab import AssetCategory, BusinessKind, VehicleType

from .income import SOURCE_LABELS, ZERO
from .inputs import Fact, MeansInput, MemberInput
from .period import money
from .results import Line

# Financial assets: the feed that reports each, and what tells its accounts (holdings, policies) apart.
_FINANCIAL = {
    AssetCategory.DEPOSITS: ("bank", lambda f: f.data.get("institution", "")),
    AssetCategory.SECURITIES: ("securities", lambda f: "securities"),
    AssetCategory.INSURANCE: ("insurance", lambda f: f.data.get("policy_no", "")),
}


def _latest_per(facts: list[Fact], key, as_of: date) -> list[Fact]:  # type: ignore[no-untyped-def]
    """For each thing (account, policy, plate, unit), its most recent record on or before ``as_of``."""
    latest: dict[str, Fact] = {}
    for f in facts:
        if f.date is None or f.date > as_of:
            continue
        k = key(f)
        if k not in latest or f.date >= latest[k].date:  # type: ignore[operator]
            latest[k] = f
    return list(latest.values())


def _financial(inp: MeansInput, member: MemberInput) -> list[Line]:
    """One line per account, security holding or policy from the first source in the region's
    precedence that has data; the other sources are shown as not used."""
    lines: list[Line] = []
    for item, (feed, key) in _FINANCIAL.items():
        label = item.label
        order = inp.policy.source_precedence.get(item, [feed, "declared"])
        winner: str | None = None
        for source in order:
            found: list[tuple[str, str, Decimal]] = []  # (label, date, amount)
            if source == "declared":
                found = [(label, "申报", d.amount) for d in member.declared if d.item == item]
            elif member.authorised:  # never read without a signed authorisation
                rows = _latest_per([f for f in member.facts if f.feed == source], key, inp.as_of)
                found = [
                    (
                        f"{label}（{key(f)}）" if key(f) != source else label,
                        f.date.isoformat() if f.date else "",
                        f.amount or ZERO,
                    )
                    for f in sorted(rows, key=key)
                ]
            if not found:
                continue
            used = winner is None
            note = "" if used else f"以{SOURCE_LABELS.get(winner or '', winner)}为准（来源优先级）"
            lines += [
                Line(member.person_id, member.name, item, text, source, on, money(amount), used, note)
                for text, on, amount in found
            ]
            winner = winner or source
    return lines


def _holdings(inp: MeansInput, member: MemberInput) -> list[Line]:
    p = inp.policy
    lines: list[Line] = []
    vehicles = _latest_per(
        [f for f in member.facts if f.feed == "vehicle"], lambda f: f.data.get("plate", ""), inp.as_of
    )
    for f in vehicles:
        if f.data.get("event") == "sell":
            continue
        exempt = f.kind in p.exempt_vehicle_types
        lines.append(
            Line(
                member.person_id,
                member.name,
                AssetCategory.VEHICLE,
                f"{VehicleType.label_of(f.kind)} {f.data.get('plate', '')}",
                "vehicle",
                f.date.isoformat() if f.date else "",
                money(f.amount or ZERO),
                not exempt,
                "豁免车型，不计入" if exempt else "",
            )
        )
    units = _latest_per(
        [f for f in member.facts if f.feed == "real_estate"], lambda f: f.data.get("unit_no", ""), inp.as_of
    )
    for f in units:
        if f.data.get("event") == "sell":
            continue
        category = AssetCategory.RESIDENTIAL if f.kind == "residential" else AssetCategory.NON_RESIDENTIAL
        label = category.label
        lines.append(
            Line(
                member.person_id,
                member.name,
                category,
                f"{label} {f.data.get('unit_no', '')}",
                "real_estate",
                f.date.isoformat() if f.date else "",
                money(f.amount or ZERO),
            )
        )
    registrations = _latest_per(
        [f for f in member.facts if f.feed == "business"], lambda f: f.data.get("reg_no", ""), inp.as_of
    )
    for f in registrations:
        if f.data.get("status") != "active":
            continue
        lines.append(
            Line(
                member.person_id,
                member.name,
                AssetCategory.BUSINESS_REGISTRATION,
                f"{BusinessKind.label_of(f.kind)} {f.data.get('reg_no', '')}",
                "business",
                f.date.isoformat() if f.date else "",
                money(f.amount or ZERO),
            )
        )
    return lines


def asset_lines(inp: MeansInput) -> list[Line]:
    lines: list[Line] = []
    for member in inp.members:
        lines += _financial(inp, member)
        lines += _holdings(inp, member)
    return lines


def count_holdings(lines: list[Line]) -> dict[str, int]:
    counts = {
        str(c): 0
        for c in (
            AssetCategory.VEHICLE,
            AssetCategory.RESIDENTIAL,
            AssetCategory.NON_RESIDENTIAL,
            AssetCategory.BUSINESS_REGISTRATION,
        )
    }
    for line in lines:
        if line.category in counts and line.used:
            counts[line.category] += 1
    return counts


def financial_total(lines: list[Line]) -> Decimal:
    return sum((ln.amount for ln in lines if ln.used and ln.category in _FINANCIAL), ZERO)


def financial_assets_on(inp: MeansInput, on: date) -> Decimal:
    """The household's financial assets held on ``on`` by department data: the means test's own lines
    (every member's accounts, holdings and policies, source precedence, authorisations), without the
    family's declaration, which speaks of the check date only. The trend chart's year ends use it, so
    that the chart and the means test never count differently."""
    at = replace(inp, as_of=on, members=tuple(replace(m, declared=()) for m in inp.members))
    return financial_total([line for m in at.members for line in _financial(at, m)])
