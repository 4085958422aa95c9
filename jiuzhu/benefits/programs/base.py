"""The types every benefit rule shares: what it is asked (``AmountRequest``), what it answers
(``AmountResult``), and the programs granted to one person (``PER_PERSON``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jiuzhu.core.vocab import AidProgram, PaymentKind

if TYPE_CHECKING:
    from jiuzhu.policy.models import PolicyVersion

    from ..services import DecisionMember


@dataclass(frozen=True)
class AmountRequest:
    program: str
    members: Sequence[DecisionMember]  # the members the verification report counted
    per_capita_income: Decimal | None  # the report's per-capita monthly income, if there is a report
    policy: PolicyVersion
    urban: bool
    decided_on: date
    subject: DecisionMember | None = None  # the person a per-person program is for
    details: Mapping[str, Any] = field(default_factory=dict)  # the case's program facts
    report: Mapping[str, Any] = field(default_factory=dict)  # the verification report's results
    # True when an existing entitlement's facts are recomputed (a review, a raised standard, a migrated
    # file), False for a case's own decision, where the rules ask every condition to be found met
    recompute: bool = False


@dataclass(frozen=True)
class AmountResult:
    eligible: bool
    amount: Decimal  # per month (MONTHLY), the grant (ONCE), 0 (NO_CASH)
    payment: str = PaymentKind.MONTHLY
    steps: tuple[Mapping[str, str], ...] = ()  # {"label", "formula", "amount"} per line
    reasons: tuple[str, ...] = ()
    valid_months: int | None = None  # a fixed validity (刚性支出 ≤ 12 months), else open-ended
    details: Mapping[str, Any] = field(default_factory=dict)  # kept on the entitlement (care tier …)
    extra: Mapping[str, Any] = field(default_factory=dict)  # the engine's own figures, stored as they are

    def to_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "eligible": self.eligible,
            "monthly_total": str(self.amount),
            "payment": self.payment,
            "steps": [dict(s) for s in self.steps],
            "reasons": list(self.reasons),
            "valid_months": self.valid_months,
            "details": dict(self.details),
        }


Rule = Callable[[AmountRequest], AmountResult]

# Programs granted to one person (the case's subject), not to the household as a unit.
PER_PERSON = frozenset(
    {
        AidProgram.TEKUN,
        AidProgram.DISABILITY_LIVING,
        AidProgram.DISABILITY_CARE,
        AidProgram.CHILD_IN_DIFFICULTY,
        AidProgram.DE_FACTO_ORPHAN,
        AidProgram.TEMPORARY,  # a grant to the person in hardship (the once-per-cause rule is per person)
    }
)
