"""The review class of a 低保 entitlement and the date of its next review (rules §1.11, 动态管理).

The national rule reviews a household whose finances change little once a year, and one with unstable
income and members able to work every six months. The default classification here is the 咸阳 one
(rules §1.11), which names the classes:

- **A** — every member is unable to work; or a member has a severe illness or a severe disability and
  the household's income is stable;
- **C** — a member is able to work and the income is not stable;
- **B** — everyone else (finances and membership stable).

The two A conditions and C never meet (C needs a member able to work, A's first condition needs none;
A's second needs a stable income, C an unstable one), so the order of the tests does not matter.

**Able to work** means, for a member: in work (``employed``: whatever the registry records, a member who
works has the capacity to), or of working age (``minor_age`` ≤ age < ``elderly_age``) with a labour
capacity recorded as full or partial (``LABOUR_ABLE``, the registry's codes) and no severe disability
(grade 1–2, which the rules on 特困 count as no capacity to work, rules §3.1). A severe illness alone
does not change the recorded capacity; it counts for class A.

How many months each class waits before its review is a policy setting (A 12, B 12, C 6 by default; 咸阳
reviews urban C households every quarter). ``next_review`` adds them to the decision date, holding the
day of the month where it can and taking the month's last day where it cannot (31 January + 1 month →
28 or 29 February).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from jiuzhu.core.vocab import ReviewClass

# The registry's labour-capacity codes (jiuzhu.registry.choices.LabourCapacity) that mean able to work,
# fully or in part; "none" is the third.
LABOUR_ABLE = frozenset({"full", "partial"})


@dataclass(frozen=True)
class ReviewMember:
    """A household member as the review class sees them."""

    age: int
    labour_capacity: str  # the registry's code: "full", "partial" or "none"
    severe_disability: bool  # 重度残疾 (grade 1–2)
    severe_illness: bool  # 重病
    employed: bool  # in work (employed, flexible work, farming)


def able_to_work(member: ReviewMember, *, minor_age: int = 18, elderly_age: int = 60) -> bool:
    """Whether ``member`` counts as able to work (module docstring)."""
    if member.employed:
        return True
    working_age = minor_age <= member.age < elderly_age
    return working_age and member.labour_capacity in LABOUR_ABLE and not member.severe_disability


def review_class(
    *,
    members: Sequence[ReviewMember],
    income_stable: bool,
    minor_age: int = 18,
    elderly_age: int = 60,
) -> ReviewClass:
    """The household's review class (rules §1.11, module docstring). The ages bound working age; pass
    the policy's ``minor_age`` and ``elderly_age``."""
    if not members:
        raise ValueError("家庭成员为空，无法确定复核类别")
    able = [m for m in members if able_to_work(m, minor_age=minor_age, elderly_age=elderly_age)]
    if not able:
        return ReviewClass.A
    if income_stable and any(m.severe_illness or m.severe_disability for m in members):
        return ReviewClass.A
    if not income_stable:
        return ReviewClass.C
    return ReviewClass.B


def month_of(day: date) -> date:
    """The first day of ``day``'s month (a month is named by its first day)."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the day of the month is kept, or the last day of the
    target month when it is shorter (31 January + 1 → 28/29 February)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(*, decided_on: date, review_class: ReviewClass, months: Mapping[ReviewClass, int]) -> date:
    """The date of the next review: ``months[review_class]`` calendar months after ``decided_on``."""
    if review_class not in months:
        raise ValueError(f"政策未设置{review_class.label}的复核间隔")
    interval = months[review_class]
    if interval < 1:
        raise ValueError(f"{review_class.label}的复核间隔须至少 1 个月，现为 {interval}")
    return add_months(decided_on, interval)
