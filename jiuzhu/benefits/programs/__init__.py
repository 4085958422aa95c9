"""Benefit rules by program: what a confirmed case is granted, and how it is paid.

A program is a workflow definition (``workflow.definitions``) and a benefit rule here. A rule takes the
case's facts (``AmountRequest``: the members counted, the per-capita income of the verification report,
the person the case is for, the program facts recorded on the case, the policy version) and returns the
grant step by step (``AmountResult``), which the decision stores and the notices print. Each rule adapts
the policy version to a pure engine in ``benefits.engine`` (tested without a database); the rule
itself only reads settings and facts.

``RULES`` maps each program to its rule; ``decision_record`` looks the rule up. The facts a program
takes at intake are declared in ``facts.FACTS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jiuzhu.core.errors import ValidationFailed
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
    }
)


def _dibao(req: AmountRequest) -> AmountResult:
    from ..services import allowance_for

    if req.per_capita_income is None:
        raise ValidationFailed({"per_capita_income": "缺少家庭月人均收入（请先附核对报告）"})
    allowance = allowance_for(
        members=req.members, per_capita_income=req.per_capita_income, policy=req.policy, urban=req.urban
    )
    data = allowance.to_json()
    return AmountResult(
        eligible=allowance.eligible,
        amount=allowance.monthly_total,
        payment=PaymentKind.MONTHLY,
        steps=tuple(data["steps"]),
        reasons=tuple(allowance.reasons),
        extra={k: data[k] for k in ("gap", "floor_applied", "topups")},
    )


RULES: dict[str, Rule] = {
    AidProgram.DIBAO: _dibao,
}


def amount_rule(program: str) -> Rule:
    rule = RULES.get(program)
    if rule is None:
        raise ValidationFailed({"program": f"“{AidProgram.label_of(program)}”尚无待遇计算规则"})
    return rule


# --- the programs' rules and facts, registered by program (each its own module) ---------------------------

from . import facts as _facts  # noqa: E402
from . import tekun as _tekun  # noqa: E402

RULES[AidProgram.TEKUN] = _tekun.tekun_rule
_facts.FACTS[AidProgram.TEKUN] = _tekun.FACTS
_facts.CHECKS[AidProgram.TEKUN] = _tekun.facts_check
# 低保边缘 and 刚性支出困难 (rules §4): their rules and facts (``programs.margins``).
from .facts import FACTS  # noqa: E402
from .margins import NEAR_DIBAO_FACTS, near_dibao_rule, rigid_expense_rule  # noqa: E402

RULES[AidProgram.NEAR_DIBAO] = near_dibao_rule
RULES[AidProgram.RIGID_EXPENSE] = rigid_expense_rule
FACTS[AidProgram.NEAR_DIBAO] = NEAR_DIBAO_FACTS
