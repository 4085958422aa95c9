"""The rules across rows: the rows of one household (same 户主身份证号) together, one head among them,
one person in one household, one entitlement per program and holder. A rule broken refuses the row that
breaks it (a later repeat, a row disagreeing with an earlier one); a household without a valid head row
is refused whole, each of its rows saying why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from jiuzhu.registry.choices import Relation

from .rows import HOUSEHOLD_PROGRAMS, MigRow


@dataclass
class Member:
    """One person of a household in the file: the first row naming them, and the rows adding an
    entitlement of theirs."""

    row: MigRow
    lines: list[int] = field(default_factory=list)


@dataclass
class HouseholdRows:
    key: str  # the head's ID number
    head: MigRow
    members: dict[str, Member]  # by ID number, the head first
    entitlements: list[MigRow]  # one row per (holder, program)

    @property
    def lines(self) -> list[int]:
        return [line for m in self.members.values() for line in m.lines]


def group(rows: Iterable[MigRow]) -> tuple[list[HouseholdRows], dict[int, list[str]]]:
    """The households of the file in the order they first appear, and the refused lines with reasons."""
    refused: dict[int, list[str]] = {}
    by_key: dict[str, list[MigRow]] = {}
    where: dict[str, tuple[str, int]] = {}  # ID number → (household key, first line)
    for row in rows:
        seen = where.get(row.id_number)
        if seen is not None and seen[0] != row.household_key:
            refused[row.line] = [f"身份证号：该人员已在第{seen[1]}行列为另一户（户主身份证号不同）的成员"]
            continue
        where.setdefault(row.id_number, (row.household_key, row.line))
        by_key.setdefault(row.household_key, []).append(row)
    out: list[HouseholdRows] = []
    for key, members in by_key.items():
        household = _household(key, members, refused)
        if household is not None:
            out.append(household)
    return out, refused


def _household(key: str, rows: list[MigRow], refused: dict[int, list[str]]) -> HouseholdRows | None:
    heads = [r for r in rows if r.id_number == key]
    if not heads:
        for r in rows:
            refused[r.line] = ["户主身份证号：本户没有户主本人的有效行（户主行缺失或有误），本户未导入"]
        return None
    head = heads[0]
    members: dict[str, Member] = {}
    entitlements: dict[tuple[str, str], MigRow] = {}
    for r in rows:
        reasons: list[str] = []
        first = members.get(r.id_number)
        if first is not None and r.relation != first.row.relation:
            reasons.append(f"与户主关系：与第{first.row.line}行同一人员的填写不一致")
        if r.region != head.region:
            reasons.append(f"所在村(居)区划代码：与户主行（第{head.line}行）不一致")
        if r.program:
            other = entitlements.get(r.entitlement_key())
            if other is not None:
                same = other.entitlement_values() == r.entitlement_values()
                if r.program not in HOUSEHOLD_PROGRAMS or (first is not None and same):
                    reasons.append(f"与第{other.line}行重复")
                elif not same:
                    reasons.append(f"救助项目：本户的{_label(r.program)}待遇与第{other.line}行不一致")
        elif first is not None:
            reasons.append(f"与第{first.row.line}行重复")
        if reasons:
            refused[r.line] = reasons
            continue
        if first is None:
            members[r.id_number] = Member(r, [r.line])
        else:
            first.lines.append(r.line)
        if r.program and r.entitlement_key() not in entitlements:
            entitlements[r.entitlement_key()] = r
    if head.relation != Relation.HEAD or head.id_number not in members:
        for r in rows:
            refused.setdefault(r.line, ["户主身份证号：本户户主行有误，本户未导入"])
        return None
    ordered = {head.id_number: members.pop(head.id_number), **members}
    return HouseholdRows(key, head, ordered, list(entitlements.values()))


def _label(program: str) -> str:
    from jiuzhu.core.vocab import AidProgram

    return AidProgram.label_of(program)
