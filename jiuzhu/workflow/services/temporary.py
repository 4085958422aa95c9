"""临时救助's own writes (rules §5): 先行救助 (the township pays at once and completes the paperwork
later), the county's case-by-case approval above the general cap (一事一议), the scan that flags a
先行救助 whose paperwork is late, and the file of a non-resident (流动人口) helped where the emergency
happened.

先行救助. The township's caseworker pays from the standing reserve (备用金), within the township's cap
(``temporary_township_cap_months`` × the standard), for an emergency: the payment is recorded
(``PriorAid``: who, when, how much, why, to whom), the one-off grant is decided and its entitlement
created at once (so that the payroll pays it), and an emergency 临时救助 case is opened for the same
person with the amount paid in its facts, due to be completed within ``prior_aid_completion_days``
working days of the payment. The case's decision ratifies the payment: the benefit rule counts it as
part of the grant and pays only what the decision adds above it (a new grant); a refusal leaves the
payment recorded as paid and the case refused (recovery, if any, is the integrity procedure's). The
queue shows the completion deadline with its light; the scan flags the late ones.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.benefits.engine.life import next_review_after
from jiuzhu.benefits.engine.review import ReviewMember, review_class
from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent
from jiuzhu.benefits.programs import amount_rule
from jiuzhu.benefits.selectors_temporary import PRIOR_SUFFIX  # the 先行救助 decision's number suffix
from jiuzhu.benefits.services import DecisionMember, review_months
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.masking import id_number_masked
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import (
    TEMPORARY_CAUSES,
    AidProgram,
    AuditObject,
    CaseOutcome,
    CaseStatus,
    NoticeKind,
    PaymentKind,
    TemporaryCause,
    TemporaryKind,
)
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import Level, level_of
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import get_in_jurisdiction, in_jurisdiction
from jiuzhu.registry.models import Household, Membership, Person
from jiuzhu.registry.services import household_create, person_create

from .. import deadlines
from ..models import Case, Opinion, PriorAid
from ..notices import notice_issue
from .cases import case_act, case_note, case_open
from .steps import _locked_case, _opinion, _version_now, case_amount_request, township_of


def _amount(value: Any, errors: dict[str, str]) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["amount"] = "先行救助金额应为金额（元）"
        return Decimal("0")
    if not amount.is_finite() or amount <= 0:
        errors["amount"] = "先行救助金额须大于 0"
        return Decimal("0")
    return amount.quantize(Decimal("0.01"))


def _require_township_caseworker(user: Any) -> None:
    require_perm(user, "workflow.add_prioraid")
    region = getattr(user, "region_id", None)
    if (
        getattr(user, "role", "") != Role.TOWNSHIP_CASEWORKER
        or not region
        or level_of(region) != Level.TOWNSHIP
    ):
        raise PermissionDenied("先行救助由乡镇（街道）经办人员办理")


def prior_aid_grant(
    *,
    ctx: AuditContext,
    household_id: int,
    recipient_id: int,
    amount: Decimal | str,
    cause: str,
    reason: str,
    paid_on: date | None = None,
    non_resident: bool = False,
) -> PriorAid:
    """先行救助 (see the module docstring): the payment recorded, its grant decided and its entitlement
    created at once, the emergency case opened to complete it, and the family told in writing."""
    _require_township_caseworker(ctx.user)
    errors: dict[str, str] = {}
    value = _amount(amount, errors)
    if cause not in TEMPORARY_CAUSES[TemporaryKind.EMERGENCY]:
        errors["cause"] = "先行救助限于急难型事由：" + "、".join(
            TemporaryCause.label_of(c) for c in TemporaryCause.codes() if c in TEMPORARY_CAUSES["emergency"]
        )
    text = clean_text(reason, "reason", "救助事由", errors, max_length=500, required=True)
    today = timezone.localdate()
    paid_on = paid_on or today
    if paid_on > today:
        errors["paid_on"] = "发放日期不能晚于今天"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        household = get_in_jurisdiction(
            Household.objects.select_related("region"),
            user=ctx.user,
            pk=household_id,
            region_field="region__code",
        )
        if not Membership.objects.filter(
            household=household, person_id=recipient_id, end_date__isnull=True
        ).exists():
            raise ValidationFailed({"recipient_id": "受助人须为该户的现有成员"})
        person = Person.objects.get(pk=recipient_id)
        policy = policy_in_force(region_code=household.region_id, on=paid_on)
        details: dict[str, Any] = {
            "kind": TemporaryKind.EMERGENCY.value,
            "cause": cause,
            "amount_asked": str(value),
            "people": 1,
            "months": 1,
            "description": text,
            "non_resident": bool(non_resident),
        }
        case = case_open(
            ctx=ctx,
            program=AidProgram.TEMPORARY,
            household_id=household.pk,
            applicant_id=person.pk,
            subject_id=person.pk,
            accepted_on=paid_on,
            applied_on=paid_on,
            details=details,
        )
        request = case_amount_request(case, policy, paid_on)
        result = amount_rule(AidProgram.TEMPORARY)(request)
        township_cap = Decimal(result.extra["temporary"]["township_cap"])
        if not result.eligible:
            raise ValidationFailed({"cause": "；".join(result.reasons) + "，不能先行救助"})
        if value > township_cap:
            raise ValidationFailed(
                {"amount": f"先行救助金额不能超过乡镇审批限额 {township_cap} 元，超出部分请按程序报县级审批"}
            )
        decision, entitlement = _prior_grant(
            ctx,
            case=case,
            person=person,
            policy=policy,
            paid_on=paid_on,
            details=details,
            text=text,
            result=_as_paid(result, value),
        )
        # The case's facts now carry the payment, which its decision ratifies rather than pays again.
        case.details = {**details, "prior_aid_amount": str(value), "prior_aid_entitlement_id": entitlement.pk}
        Case.objects.filter(pk=case.pk).update(details=case.details)
        due = deadlines.work_calendar().add_working_days(paid_on, int(policy.prior_aid_completion_days))
        aid = PriorAid.objects.create(
            case=case,
            household=household,
            recipient=person,
            region=household.region,
            amount=value,
            reason=text,
            cause=cause,
            paid_on=paid_on,
            paid_by=ctx.user,
            decision=decision,
            entitlement=entitlement,
            due_on=due.due,
            due_provisional=due.provisional,
            non_resident=bool(non_resident),
            overdue=due.due < today,
        )
        notice = notice_issue(
            ctx=ctx,
            kind=NoticeKind.PRIOR_AID,
            region_code=township_of(case.region_id),
            household_id=household.pk,
            case_id=case.pk,
            facts={
                "applicant_name": person.name,
                "id_number_masked": id_number_masked(person.id_number),
                "program_label": AidProgram.label_of(AidProgram.TEMPORARY),
                "amount": str(value),
                "decided_on": paid_on,
                "case_number": case.number,
                "deadline": due.due,
                "reasons": [text],
            },
            on=today,
        )
        data = {
            "prior_aid": aid.pk,
            "amount": str(value),
            "entitlement": entitlement.pk,
            "notice": notice.pk,
            "due_on": due.due.isoformat(),
        }
        case_note(ctx=ctx, case=case, action="prior_aid", data=data, reason=text)
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.PRIOR_AID,
            object_id=aid.pk,
            region_code=case.region_id,
            detail={"case": case.number, **data},
        )
    return aid


def _as_paid(result: Any, value: Decimal) -> Any:
    """The 先行救助's own grant is what the township paid, even below the 急难型 floor: the floor is the
    case's decision's, which ratifies the payment and tops it up (the rule's grant is never less)."""
    if result.amount == value:
        return result
    paid = str(value)
    figures = {**result.extra.get("temporary", {}), "amount": paid, "top_up": paid}
    return replace(
        result,
        amount=value,
        steps=({"label": "先行救助金额", "formula": paid, "amount": paid},),
        reasons=(f"先行救助 {paid} 元，审批决定追认并补足至急难型最低救助额",),
        details={**result.details, "grant": paid},
        extra={**result.extra, "temporary": figures},
    )


def _prior_grant(
    ctx: AuditContext,
    *,
    case: Case,
    person: Person,
    policy: Any,
    paid_on: date,
    details: dict[str, Any],
    text: str,
    result: Any,
) -> tuple[Decision, Entitlement]:
    """The 先行救助's one-off grant: its decision (numbered after the case, with ``PRIOR_SUFFIX``) and its
    entitlement, paid in the month of payment (the payroll pays it). Recorded here rather than through
    the confirming step's ``decision_record``: it is the township's payment from its reserve under the
    county's mandate, made by the caseworker at the counter, which the case's own decision ratifies."""
    subject = DecisionMember.of(person, age=person.age_on(paid_on))
    urban = case.household.urban_rural == "urban"
    decision = Decision.objects.create(
        case_number=case.number + PRIOR_SUFFIX,
        program=AidProgram.TEMPORARY,
        household_id=case.household_id,
        applicant=person,
        person=person,
        region_id=case.region_id,
        outcome=CaseOutcome.CONFIRMED,
        reasons=f"先行救助：{text}",
        members=1,
        per_capita_income=None,
        amount=result.amount,
        computation={
            "members": [],
            "subject": asdict(subject),
            "details": dict(details),
            "urban": urban,
            "standard": str(policy.dibao_standard(urban=urban).quantize(Decimal("0.01"))),
            "policy_version": policy.pk,
            "applied_on": paid_on.isoformat(),
            "allowance": result.to_json(),
            "prior_aid": True,
        },
        policy_version=policy,
        decided_on=paid_on,
        decided_by=ctx.user,
    )
    month = paid_on.replace(day=1)
    member = ReviewMember(
        age=subject.age,
        labour_capacity=subject.labour_capacity,
        severe_disability=subject.severe_disability,
        severe_illness=subject.severe_illness,
        employed=subject.employed,
    )
    rclass = review_class(
        members=[member], income_stable=True, minor_age=policy.minor_age, elderly_age=policy.elderly_age
    )
    entitlement = Entitlement.objects.create(
        household_id=case.household_id,
        person=person,
        program=AidProgram.TEMPORARY,
        region_id=case.region_id,
        decision=decision,
        payment=PaymentKind.ONCE,
        valid_until=month,
        details=dict(result.details),
        start_month=month,
        amount=result.amount,
        members=1,
        review_class=rclass.value,
        next_review_on=next_review_after(
            on=paid_on,
            review_class=rclass,
            months=review_months(policy),
            urban=case.household.urban_rural == "urban",
            c_urban_months=policy.review_months_c_urban,
        ),
    )
    EntitlementEvent.objects.create(
        entitlement=entitlement,
        at=timezone.now(),
        kind="create",
        changes={"amount": str(entitlement.amount), "start_month": month.isoformat(), "members": 1},
        reason=f"先行救助（{case.number}）",
        actor=ctx.user,
    )
    for object_type, pk, detail in (
        (AuditObject.DECISION, decision.pk, {"case": decision.case_number, "amount": str(decision.amount)}),
        (
            AuditObject.ENTITLEMENT,
            entitlement.pk,
            {"decision": decision.pk, "amount": str(entitlement.amount)},
        ),
    ):
        audit_record(
            ctx=ctx,
            action="create",
            object_type=object_type,
            object_id=pk,
            region_code=case.region_id,
            detail=detail,
        )
    return decision, entitlement


def prior_aid_scan(*, ctx: AuditContext, today: date | None = None) -> int:
    """Flag every 先行救助 whose case is still open past its completion deadline (once: a history row
    on the case). Idempotent; returns how many were flagged now."""
    today = today or timezone.localdate()
    late = PriorAid.objects.filter(overdue=False, due_on__lt=today, case__status=CaseStatus.OPEN)
    flagged = 0
    for pk in list(late.values_list("pk", flat=True)):
        with transaction.atomic():
            if PriorAid.objects.filter(pk=pk, overdue=False).update(overdue=True):
                aid = PriorAid.objects.select_related("case").get(pk=pk)
                case_note(
                    ctx=ctx,
                    case=aid.case,
                    action="prior_aid_overdue",
                    data={"prior_aid": aid.pk, "due_on": aid.due_on.isoformat()},
                )
                audit_record(
                    ctx=ctx,
                    action="update",
                    object_type=AuditObject.PRIOR_AID,
                    object_id=aid.pk,
                    region_code=aid.region_id,
                    detail={"overdue": True, "due_on": aid.due_on.isoformat()},
                )
                flagged += 1
    return flagged


# --- 乡镇审核：拟救助金额 ------------------------------------------------------------------------------


def temporary_amount_propose(
    *,
    ctx: AuditContext,
    case_id: int,
    version: int,
    amount_asked: Decimal | str | None = None,
    expense_amount: Decimal | str | None = None,
    people: int | None = None,
    months: int | None = None,
    note: str = "",
) -> Case:
    """The township's review of the figures the grant is computed from (拟救助金额): the amount for an
    emergency, the expense, people and months for the expenditure type, as the investigation found
    them. The figures given at intake are kept beside them (``applied``); the rule computes from the
    new ones, and the approver follows from the new amount."""
    from jiuzhu.benefits.programs.facts import facts_clean
    from jiuzhu.benefits.programs.temporary import PROGRAM

    with transaction.atomic():
        case, _step = _locked_case(ctx, case_id, version, ("review",))
        if case.program != AidProgram.TEMPORARY:
            raise ValidationFailed({"case": "只有临时救助案件可以调整拟救助金额"})
        errors: dict[str, str] = {}
        note = clean_text(note, "note", "说明", errors, max_length=500)
        if errors:
            raise ValidationFailed(errors)
        old = dict(case.details or {})
        figures = {
            "amount_asked": amount_asked,
            "expense_amount": expense_amount,
            "people": people,
            "months": months,
        }
        given = {k: v for k, v in figures.items() if v not in (None, "")}
        facts = {k: v for k, v in old.items() if k in {f.code for f in _facts()}}
        facts["subject_id"] = case.subject_id or case.applicant_id
        try:
            cleaned = facts_clean(PROGRAM, {**facts, **given}, members={facts["subject_id"]})
        except ValidationFailed as exc:
            raise ValidationFailed({k.rsplit(".", 1)[-1]: v for k, v in exc.errors.items()}) from None
        cleaned.pop("subject_id", None)
        details = {**old, **{k: cleaned[k] for k in given if k in cleaned}}
        details.setdefault("applied", {k: old.get(k) for k in figures if old.get(k) is not None})
        Case.objects.filter(pk=case.pk).update(details=details)
        changes = {k: [old.get(k), details.get(k)] for k in given}
        case_note(ctx=ctx, case=case, action="temporary_amount", data={"changes": changes}, reason=note)
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.CASE,
            object_id=case.pk,
            region_code=case.region_id,
            detail={"case": case.number, "changes": changes},
        )
        case.details = details
    return case


def _facts() -> tuple[Any, ...]:
    from jiuzhu.benefits.programs.temporary import FACTS

    return FACTS


# --- 县级一事一议 ------------------------------------------------------------------------------------


def special_approval_record(
    *, ctx: AuditContext, case_id: int, version: int, agree: bool, text: str
) -> Opinion:
    """县级一事一议 of a 临时救助 above the general cap: the county's opinion; agreed, the grant may reach
    the county cap (the rule reads ``county_special`` from the case's facts), refused, it stays within
    the general cap. The case then goes to the county's decision."""
    with transaction.atomic():
        case, step = _locked_case(ctx, case_id, version, ("county_special",))
        opinion = _opinion(ctx, case, step.code, agree, text, label="一事一议意见")
        details = {**(case.details or {}), "county_special": bool(agree)}
        Case.objects.filter(pk=case.pk).update(details=details)
        case_act(
            ctx=ctx,
            case_id=case.pk,
            version=_version_now(case),
            target="confirmation",
            data={"opinion": opinion.pk, "county_special": bool(agree)},
            recorded=True,
        )
    return opinion


# --- 流动人口 ---------------------------------------------------------------------------------------


def non_resident_register(
    *,
    ctx: AuditContext,
    id_number: str,
    name: str,
    village_code: str,
    address: str,
    hukou_region: str = "",
    hukou_address: str = "",
    phone: str = "",
) -> Household:
    """A non-resident (流动人口) in an emergency here (rules §5: 急难 at the place where it happened, no
    户籍 restriction): the person registered with this village as residence and a one-person household
    opened at the place (the address where they stay), so that the emergency case and its grant have a
    household in this township's jurisdiction. The 户籍 village is recorded when it is on the platform;
    otherwise the place stands in for it and the 户籍 address as stated is kept in the file's history.
    A person already on the platform is not registered again nor moved out of their household (one
    person, one household): their case is for the township that holds their file (docs/decisions.md)."""
    require_perm(ctx.user, "registry.add_person")
    require_perm(ctx.user, "registry.add_household")
    errors: dict[str, str] = {}
    address = clean_text(address, "address", "临时住所地址", errors, max_length=200, required=True)
    hukou_address = clean_text(hukou_address, "hukou_address", "户籍地址", errors, max_length=200)
    village = Region.objects.filter(code=str(village_code or "")).first()
    if village is not None and not in_jurisdiction(ctx.user, village.code):
        raise NotFound()  # another township's village: as if it did not exist
    if village is None or village.level != Level.VILLAGE:
        errors["village_code"] = "请选择本辖区内急难发生地（临时住所）所在的村（社区）"
    if errors:
        raise ValidationFailed(errors)
    assert village is not None
    hukou = Region.objects.filter(code=str(hukou_region or ""), level=Level.VILLAGE).first()
    data: dict[str, Any] = {
        "id_number": id_number,
        "name": name,
        "hukou_region": hukou.code if hukou else village.code,
        "residence_region": village.code,
    }
    if phone:
        data["phone"] = phone
    with transaction.atomic():
        person = person_create(ctx=ctx, data=data)
        household = household_create(
            ctx=ctx,
            data={"region": village.code, "address": address, "urban_rural": village.urban_rural},
            head_person_id=person.pk,
        )
        note = f"流动人口急难救助建档（急难发生地）；户籍地址：{hukou_address or '未提供'}"
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.HOUSEHOLD,
            object_id=household.number,
            region_code=village.code,
            detail={"non_resident": True, "note": note, "hukou_in_platform": hukou is not None},
        )
    return household
