from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from jiuzhu.policy.params import PolicyParams


@dataclass(frozen=True)
class Fact:
    """One departmental record as stored in the exchange staging table."""

    feed: str
    date: date | None
    amount: Decimal | None
    kind: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Declared:
    """An item the family declared: an income over the reference period, an asset value, or an expense.

    ``item`` is a ``jiuzhu.core.vocab.DeclarableItem`` code.
    """

    item: str
    amount: Decimal


@dataclass(frozen=True)
class MemberInput:
    person_id: int
    name: str
    age: int
    labour_capacity: str = "full"
    disability_category: str = ""
    disability_grade: int | None = None
    authorised: bool = True
    facts: tuple[Fact, ...] = ()
    declared: tuple[Declared, ...] = ()


@dataclass(frozen=True)
class MeansInput:
    members: tuple[MemberInput, ...]
    urban: bool
    as_of: date
    policy: PolicyParams
    supporters: int = 0  # legally liable supporters outside the household (特困)
