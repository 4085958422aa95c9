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

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import AidProgram, PaymentKind

from . import children, disability, margins, tekun, temporary
from .base import PER_PERSON, AmountRequest, AmountResult, Rule
from .facts import CHECKS, FACTS

__all__ = ["PER_PERSON", "RULES", "AmountRequest", "AmountResult", "Rule", "amount_rule"]


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
    AidProgram.TEKUN: tekun.tekun_rule,
    AidProgram.NEAR_DIBAO: margins.near_dibao_rule,
    AidProgram.RIGID_EXPENSE: margins.rigid_expense_rule,
    AidProgram.TEMPORARY: temporary.temporary_rule,
    AidProgram.DISABILITY_LIVING: disability.disability_living,
    AidProgram.DISABILITY_CARE: disability.disability_care,
    AidProgram.CHILD_IN_DIFFICULTY: children.child_in_difficulty_rule,
    AidProgram.DE_FACTO_ORPHAN: children.de_facto_orphan_rule,
}

# The facts each program takes at intake, and their cross-field checks (declared beside the rules).
FACTS.update(
    {
        AidProgram.TEKUN: tekun.FACTS,
        AidProgram.NEAR_DIBAO: margins.NEAR_DIBAO_FACTS,
        AidProgram.TEMPORARY: temporary.FACTS,
        AidProgram.DISABILITY_LIVING: disability.LIVING_FACTS,
        AidProgram.DISABILITY_CARE: disability.CARE_FACTS,
        AidProgram.CHILD_IN_DIFFICULTY: children.DIFFICULTY_FACTS,
        AidProgram.DE_FACTO_ORPHAN: children.ORPHAN_FACTS,
    }
)
CHECKS.update(
    {
        AidProgram.TEKUN: tekun.facts_check,
        AidProgram.TEMPORARY: temporary.facts_check,
        AidProgram.DISABILITY_LIVING: disability.living_check,
        AidProgram.DISABILITY_CARE: disability.care_check,
        AidProgram.CHILD_IN_DIFFICULTY: children.difficulty_check,
        AidProgram.DE_FACTO_ORPHAN: children.orphan_check,
    }
)


def amount_rule(program: str) -> Rule:
    rule = RULES.get(program)
    if rule is None:
        raise ValidationFailed({"program": f"“{AidProgram.label_of(program)}”尚无待遇计算规则"})
    return rule
