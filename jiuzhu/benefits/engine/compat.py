"""Programs that must not be held together (rules §1.11, §3, §4, §6, §8.1): a pure table.

Each rule names two programs, whether they exclude each other for **the same person** (特困 and 低保:
a person supported as 特困 is not also counted for 低保) or within **the same household** (低保边缘 and
低保: a household is one or the other), and the reason, in the words shown to the caseworker.

``conflicts(program, held)`` takes the program asked for and what is held now — each held program with
whether it covers the same person and whether it is the same household — and gives the reasons of the
rules it breaks, in the order of the table. 单人保 (one member of a 低保边缘 household granted 低保 as a
household of one) is a person's grant of a household program: the household rules leave it aside.
A household program (低保) covers each of its members; so a person's program (特困) asked for a member
of a 低保 household meets 低保 "for the same person".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PERSON = "person"
HOUSEHOLD = "household"


@dataclass(frozen=True)
class Rule:
    a: str
    b: str
    scope: str  # PERSON: the same person; HOUSEHOLD: the same household (the same person included)
    reason: str


RULES: tuple[Rule, ...] = (
    Rule(
        "tekun", "dibao", PERSON, "特困人员已纳入特困供养，不再同时享受低保（同一人不能同时享受特困与低保）"
    ),
    Rule(
        "disability_living",
        "tekun",
        PERSON,
        "困难残疾人生活补贴不与特困人员救助供养重复享受",
    ),
    Rule(
        "child_in_difficulty",
        "de_facto_orphan",
        PERSON,
        "事实无人抚养儿童已享受基本生活补贴，不再重复享受困境儿童基本生活补贴",
    ),
    Rule("de_facto_orphan", "tekun", PERSON, "已纳入特困供养的儿童不再认定为事实无人抚养儿童"),
    Rule("near_dibao", "dibao", HOUSEHOLD, "低保家庭不再认定为低保边缘家庭（同一家庭不能同时认定）"),
    Rule(
        "rigid_expense",
        "dibao",
        HOUSEHOLD,
        "刚性支出困难家庭认定仅适用于不符合低保、低保边缘和特困条件的家庭",
    ),
    Rule(
        "rigid_expense",
        "near_dibao",
        HOUSEHOLD,
        "刚性支出困难家庭认定仅适用于不符合低保、低保边缘和特困条件的家庭",
    ),
    Rule(
        "rigid_expense",
        "tekun",
        HOUSEHOLD,
        "刚性支出困难家庭认定仅适用于不符合低保、低保边缘和特困条件的家庭",
    ),
)


@dataclass(frozen=True)
class Held:
    """A program held now: whether it covers the person asked about, and whether it is of the same
    household."""

    program: str
    same_person: bool
    same_household: bool
    single: bool = False  # one person's grant of a household program (单人保): not the household's


def incompatible(a: str, b: str) -> Rule | None:
    """The rule that keeps ``a`` and ``b`` apart, if any (the table is symmetric)."""
    for rule in RULES:
        if {rule.a, rule.b} == {a, b} and a != b:
            return rule
    return None


def conflicts(program: str, held: Sequence[Held], *, single: bool = False) -> list[str]:
    """The reasons ``program`` cannot be granted beside what is ``held`` (each reason once). ``single``:
    ``program`` is asked as one person's grant of a household program (单人保, a severely ill or disabled
    member of a 低保边缘 household counted as a household of one): the household rules do not apply to
    it, nor to such a grant held."""
    out: list[str] = []
    for h in held:
        rule = incompatible(program, h.program)
        if rule is None:
            continue
        if rule.scope == HOUSEHOLD and (single or h.single):
            continue
        applies = h.same_person if rule.scope == PERSON else (h.same_household or h.same_person)
        if applies and rule.reason not in out:
            out.append(rule.reason)
    return out
