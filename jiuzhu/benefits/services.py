"""Decisions (确认 / 不予确认) and the entitlements they create (在保记录).

``decision_record`` computes the amount with the 低保 engine (``benefits.engine.dibao``) from the
per-capita income and the members, under the policy version the caller passes (the case's pinned
version, or the one in force at the decision where the region says so), and stores the computation
step by step with the decision. ``entitlement_create`` turns a confirmed decision into the household's
entitlement: start month per the policy, review class and next review date (``benefits.engine.review``),
and refuses a second active entitlement of the same program to anyone in the household, wherever the
other one was granted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import (
    AidProgram,
    AllowanceStart,
    AuditObject,
    CaseOutcome,
    PaymentKind,
    ReviewClass,
)
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.registry.models import Household, Person

from .engine.dibao import Member, Settings, dibao_allowance
from .engine.life import next_review_after
from .engine.review import ReviewMember, add_months, month_of, review_class
from .models import Decision, Entitlement, EntitlementEvent
from .programs import AmountRequest, amount_rule
from .selectors import entitlement_conflicts

# Employment codes (jiuzhu.core.vocab.Employment) that mean the member works; flexible work is the one
# whose income the review class treats as unstable (rules §1.11: "unstable income, able to work").
WORKING = frozenset({"employed", "flexible", "farming"})
UNSTABLE = frozenset({"flexible"})
SEVERE_GRADES = frozenset({1, 2})  # 重度残疾: 残疾人证 grade 1 or 2


@dataclass(frozen=True)
class DecisionMember:
    """A member counted in the decision: what the amount and the review class need of them."""

    person_id: int
    name: str
    age: int
    severe_disability: bool = False
    labour_capacity: str = "none"
    severe_illness: bool = False
    employed: bool = False
    unstable_income: bool = False
    disability_category: str = ""  # the registry's category and grade (单人保: grade-3 intellectual/mental)
    disability_grade: int | None = None

    @classmethod
    def of(cls, person: Person, *, age: int) -> DecisionMember:
        """From the registry's person, at the age the verification report gave them."""
        return cls(
            person_id=person.pk,
            name=person.name,
            age=age,
            severe_disability=person.disability_grade in SEVERE_GRADES,
            labour_capacity=person.labour_capacity,
            severe_illness=person.health == "serious",
            employed=person.employment in WORKING,
            unstable_income=person.employment in UNSTABLE,
            disability_category=person.disability_category,
            disability_grade=person.disability_grade,
        )


def allowance_settings(policy: PolicyVersion, *, urban: bool) -> Settings:
    return Settings(
        standard=policy.dibao_standard(urban=urban),
        minimum_allowance=policy.minimum_allowance,
        topup_minor=policy.topup_minor,
        topup_elderly=policy.topup_elderly,
        topup_severe_disability=policy.topup_severe_disability,
        minor_age=policy.minor_age,
        elderly_age=policy.elderly_age,
    )


def allowance_for(
    *, members: Sequence[DecisionMember], per_capita_income: Decimal, policy: PolicyVersion, urban: bool
) -> Any:
    """The 低保 allowance of these members under ``policy`` (the engine's ``Allowance``)."""
    return dibao_allowance(
        members=[Member(m.person_id, m.name, m.age, m.severe_disability) for m in members],
        per_capita_income=per_capita_income,
        settings=allowance_settings(policy, urban=urban),
    )


def decision_record(
    *,
    ctx: AuditContext,
    case_number: str,
    program: str,
    household_id: int,
    applicant_id: int,
    region_code: str,
    outcome: str,
    reasons: str | Sequence[str],
    per_capita_income: Decimal | None,
    members: Sequence[DecisionMember],
    policy: PolicyVersion,
    decided_on: date,
    applied_on: date | None = None,
    subject: DecisionMember | None = None,
    details: Mapping[str, Any] | None = None,
    report: Mapping[str, Any] | None = None,
) -> Decision:
    """Record the decision of a case. A confirmation computes the grant with the program's rule
    (``benefits.programs``: the 低保 补差 with floor and top-ups, the 特困 basic and care standards …) and
    stores each step; a refusal needs its reasons. ``subject`` is the person a per-person program is
    for; ``details`` the program facts recorded on the case; ``report`` the verification report's results
    (the figures a rule re-checks: 刚性支出's ratio …). The policy version used is recorded."""
    require_perm(ctx.user, "benefits.add_decision")
    errors: dict[str, str] = {}
    if program not in AidProgram.codes():
        errors["program"] = "救助项目无效"
    if outcome not in (CaseOutcome.CONFIRMED, CaseOutcome.REFUSED):
        errors["outcome"] = "决定结果须为“确认给予”或“不予确认”"
    text = "；".join(r.strip() for r in reasons if r.strip()) if not isinstance(reasons, str) else reasons
    text = clean_text(text, "reasons", "理由", errors, max_length=2000)
    if outcome == CaseOutcome.REFUSED and not text and "reasons" not in errors:
        errors["reasons"] = "不予确认须说明理由"
    if not members and subject is None:
        errors["members"] = "保障人员为空，无法作出决定"
    if errors:
        raise ValidationFailed(errors)
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise NotFound()
    urban = household.urban_rural == "urban"
    computation: dict[str, Any] = {
        "members": [asdict(m) for m in members],
        "subject": asdict(subject) if subject else None,
        "details": dict(details or {}),
        "urban": urban,
        "standard": str(policy.dibao_standard(urban=urban).quantize(Decimal("0.01"))),
        "policy_version": policy.pk,
        "applied_on": applied_on.isoformat() if applied_on else None,
    }
    amount = Decimal("0")
    if outcome == CaseOutcome.CONFIRMED or per_capita_income is not None:
        request = AmountRequest(
            program=program,
            members=members,
            per_capita_income=per_capita_income,
            policy=policy,
            urban=urban,
            decided_on=decided_on,
            subject=subject,
            details=details or {},
            report=report or {},
        )
        try:
            result = amount_rule(program)(request)
        except ValidationFailed:
            if outcome == CaseOutcome.CONFIRMED:
                raise
            result = None
        if result is not None:
            computation["allowance"] = result.to_json()
            if outcome == CaseOutcome.CONFIRMED:
                if not result.eligible:
                    raise ValidationFailed(
                        {"per_capita_income": "；".join(result.reasons) + "，不能确认给予"}
                    )
                amount = result.amount
    with transaction.atomic():
        if Decision.objects.filter(case_number=case_number).exists():
            raise Conflict("该案件已作出决定，不能重复决定")
        decision = Decision.objects.create(
            case_number=case_number,
            program=program,
            household=household,
            applicant_id=applicant_id,
            person_id=subject.person_id if subject else None,
            region_id=region_code,
            outcome=outcome,
            reasons=text,
            members=len(members) or 1,
            per_capita_income=per_capita_income,
            amount=amount,
            computation=computation,
            policy_version=policy,
            decided_on=decided_on,
            decided_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.DECISION,
            object_id=decision.pk,
            region_code=region_code,
            detail={"case": case_number, "outcome": outcome, "amount": str(amount), "policy": policy.pk},
        )
    return decision


def review_months(policy: PolicyVersion) -> dict[str, int]:
    """The months between reviews of each class (A/B/C) under ``policy``."""
    return {
        ReviewClass.A.value: policy.review_months_a,
        ReviewClass.B.value: policy.review_months_b,
        ReviewClass.C.value: policy.review_months_c,
    }


def start_month(*, policy: PolicyVersion, decided_on: date, applied_on: date | None) -> date:
    """The first month paid (rules §1.7): the month of application, of the decision, or the month
    after the decision, per ``policy.allowance_start``."""
    if policy.allowance_start == AllowanceStart.APPLICATION_MONTH:
        return month_of(applied_on or decided_on)
    if policy.allowance_start == AllowanceStart.MONTH_AFTER_DECISION:
        return add_months(month_of(decided_on), 1)
    return month_of(decided_on)


def _review_members(decision: Decision) -> list[ReviewMember]:
    return [
        ReviewMember(
            age=int(m["age"]),
            labour_capacity=str(m.get("labour_capacity", "none")),
            severe_disability=bool(m.get("severe_disability")),
            severe_illness=bool(m.get("severe_illness")),
            employed=bool(m.get("employed")),
        )
        # A per-person decision without a verification report (临时救助's emergency type) counts its
        # subject alone.
        for m in decision.computation.get("members")
        or [s for s in [decision.computation.get("subject")] if s]
    ]


def entitlement_create(*, ctx: AuditContext, decision_id: int) -> Entitlement:
    """The entitlement of a confirmed decision. Refused (Conflict) when the household, or any household
    a member of the decision lives in now, already holds an active entitlement of the program, in
    whichever region it was granted (异地申办 must not pay twice)."""
    require_perm(ctx.user, "benefits.add_entitlement")
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update()
            .select_related("policy_version")
            .filter(pk=decision_id)
            .first()
        )
        if decision is None:
            raise NotFound()
        if decision.outcome != CaseOutcome.CONFIRMED:
            raise ValidationFailed({"decision_id": "只有“确认给予”的决定才能建立在保记录"})
        if Entitlement.objects.filter(decision=decision).exists():
            raise Conflict("该决定已建立在保记录")
        grant = decision.computation.get("allowance") or {}
        payment = str(grant.get("payment") or PaymentKind.MONTHLY)
        label = AidProgram.label_of(decision.program)
        # The one check of a second entitlement and of incompatible programs (selectors).
        for found in entitlement_conflicts(
            household_id=decision.household_id,
            person_id=decision.person_id,
            program=decision.program,
            payment=payment,
            counted=[int(m["person_id"]) for m in decision.computation.get("members", [])],
        ):
            if found.kind == "incompatible":
                raise Conflict(f"{found.message}，不能建立{label}在保记录")
            if decision.person_id is not None:
                raise Conflict(f"该救助对象已在享受{label}（可能在其他地区），不能重复享受同一救助项目")
            raise Conflict(f"该家庭或其成员已在享受{label}（可能在其他地区），不能重复享受同一救助项目")
        policy = decision.policy_version
        members = _review_members(decision)
        rclass = review_class(
            members=members,
            income_stable=not any(m.get("unstable_income") for m in decision.computation.get("members", [])),
            minor_age=policy.minor_age,
            elderly_age=policy.elderly_age,
        )
        applied = decision.computation.get("applied_on")
        start = start_month(
            policy=policy,
            decided_on=decision.decided_on,
            applied_on=date.fromisoformat(applied) if applied else None,
        )
        if payment == PaymentKind.ONCE:
            start = month_of(decision.decided_on)  # a one-off grant is paid at once
        valid_months = grant.get("valid_months")
        entitlement = Entitlement.objects.create(
            household_id=decision.household_id,
            person_id=decision.person_id,
            program=decision.program,
            region_id=decision.region_id,
            decision=decision,
            payment=payment,
            valid_until=add_months(start, int(valid_months) - 1) if valid_months else None,
            details=dict(grant.get("details") or {}),
            start_month=start,
            amount=decision.amount,
            members=decision.members,
            review_class=rclass.value,
            next_review_on=next_review_after(
                on=decision.decided_on,
                review_class=rclass,
                months=review_months(policy),
                urban=bool(decision.computation.get("urban")),
                c_urban_months=policy.review_months_c_urban,
            ),
        )
        EntitlementEvent.objects.create(
            entitlement=entitlement,
            at=timezone.now(),
            kind="create",
            changes={
                "amount": str(entitlement.amount),
                "start_month": start.isoformat(),
                "members": entitlement.members,
                "review_class": entitlement.review_class,
                "next_review_on": entitlement.next_review_on.isoformat(),
            },
            reason=f"依据决定 {decision.case_number}",
            actor=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.ENTITLEMENT,
            object_id=entitlement.pk,
            region_code=decision.region_id,
            detail={"decision": decision.pk, "amount": str(entitlement.amount)},
        )
    return entitlement
