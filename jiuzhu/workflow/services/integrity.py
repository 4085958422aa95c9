"""A finding that income or assets were hidden (查实隐瞒收入、财产, rules §1.11): at any open step of a case
(an application or a review) or on an entitlement in payment.

``concealment_find`` checks who records it (the township's reviewer or the county's approver, in whose
jurisdiction the case or the entitlement lies: elsewhere is 404), records the finding, the applicant's
dishonesty record and — where an entitlement was paid (a review case's, or the entitlement itself) —
its end and the recovery of the months paid (``benefits.integrity``), issues the termination notice and
the recovery notice in the name of the finder's authority, and ends the case with its definition's
terminate move. One transaction: all of it or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.integrity import (
    Concealment,
    concealment_record,
    finding_clean,
    item_lines,
    require_finder,
)
from jiuzhu.benefits.models import ConcealmentFinding, DishonestyRecord, Entitlement, OverpaymentRecovery
from jiuzhu.benefits.selectors import LIVE
from jiuzhu.core.errors import Conflict
from jiuzhu.core.masking import id_number_masked
from jiuzhu.core.vocab import CasePurpose, CaseStatus, NoticeKind, TransitionAction
from jiuzhu.regions.codes import Level, level_of
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Household, Person

from ..models import Case, Notice, Transition
from ..notices import notice_issue
from ..selectors import case_get
from .cases import case_act
from .steps import county_of, township_of


@dataclass(frozen=True)
class Found:
    """What a finding produced: the benefits' records, the case it ended (if any) and the notices."""

    concealment: Concealment
    case: Case | None
    notices: list[Notice]

    @property
    def finding(self) -> ConcealmentFinding:
        return self.concealment.finding

    @property
    def dishonesty(self) -> DishonestyRecord:
        return self.concealment.dishonesty

    @property
    def recovery(self) -> OverpaymentRecovery | None:
        return self.concealment.recovery

    @property
    def entitlement(self) -> Entitlement | None:
        return self.concealment.entitlement


def _issuer(user: Any, region_code: str) -> str:
    """The finder's authority: the county, or the township."""
    if level_of(str(user.region_id)) == Level.COUNTY:
        return county_of(region_code)
    return township_of(region_code)


def _notices(
    ctx: AuditContext,
    found: Concealment,
    *,
    household: Household,
    applicant: Person,
    program: str,
    case_number: str,
    case_id: int | None,
    application_no: str = "",
) -> list[Notice]:
    finding = found.finding
    common: dict[str, Any] = {
        "applicant_name": applicant.name,
        "id_number_masked": id_number_masked(applicant.id_number),
        "program": program,
        "decided_on": finding.found_on,
        "case_number": case_number,
        "dishonesty_until": found.dishonesty.ends_on,
    }
    if found.recovery is not None:
        common["amount_due"] = found.recovery.amount_due
    issuer = _issuer(ctx.user, household.region_id)
    today = timezone.localdate()
    notices = [
        notice_issue(
            ctx=ctx,
            kind=NoticeKind.CONCEALMENT_TERMINATION,
            region_code=issuer,
            household_id=household.pk,
            case_id=case_id,
            application_no=application_no,
            facts={**common, "reasons": item_lines(finding.items)},
            on=today,
        )
    ]
    if found.recovery is not None and found.computation is not None:
        lines = [f"{s.label}：{s.formula}" for s in found.computation.steps]
        notices.append(
            notice_issue(
                ctx=ctx,
                kind=NoticeKind.OVERPAYMENT_RECOVERY,
                region_code=issuer,
                household_id=household.pk,
                case_id=case_id,
                application_no=application_no,
                facts={**common, "amount": found.recovery.monthly_amount, "computation_lines": lines},
                on=today,
            )
        )
    return notices


def concealment_find(
    *,
    ctx: AuditContext,
    version: int,
    items: Sequence[Mapping[str, Any]],
    evidence: str,
    found_on: date | None,
    concealed_from: date | None = None,
    case_id: int | None = None,
    entitlement_id: int | None = None,
) -> Found:
    """Record a finding on a case (``case_id``, at any open step: the case is terminated) or on an
    entitlement in payment (``entitlement_id``: it ends). ``version`` is the case's or the entitlement's
    as the caller saw it. ``items``: what was hidden, each ``{kind: income|asset, item, amount}``."""
    if (case_id is None) == (entitlement_id is None):
        raise ValueError("give exactly one of case_id and entitlement_id")
    with transaction.atomic():
        if case_id is not None:
            return _on_case(ctx, case_id, version, items, evidence, found_on, concealed_from)
        assert entitlement_id is not None
        return _on_entitlement(ctx, entitlement_id, version, items, evidence, found_on, concealed_from)


def _on_case(
    ctx: AuditContext,
    case_id: int,
    version: int,
    items: Sequence[Mapping[str, Any]],
    evidence: str,
    found_on: date | None,
    concealed_from: date | None,
) -> Found:
    seen = case_get(user=ctx.user, case_id=case_id)
    require_finder(ctx.user)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("household", "applicant", "region")
        .get(pk=seen.pk)
    )
    if case.status != CaseStatus.OPEN:
        raise Conflict("案件已办结，不能再办理")
    if case.version != version:
        raise Conflict()
    terminate = (
        Transition.objects.filter(
            definition_id=case.definition_id, source=case.state, action=TransitionAction.TERMINATE
        )
        .order_by("position", "id")
        .first()
    )
    if terminate is None:
        raise Conflict("案件当前环节不能终止办理，请联系管理员检查流程定义")
    finding = finding_clean(
        items=items,
        evidence=evidence,
        found_on=found_on,
        concealed_from=concealed_from,
        earliest=case.applied_on or case.accepted_on,
    )
    entitlement = None
    if case.purpose == CasePurpose.REVIEW and case.entitlement_id is not None:
        entitlement = (
            Entitlement.objects.select_for_update().filter(pk=case.entitlement_id, status__in=LIVE).first()
        )
    found = concealment_record(
        ctx=ctx,
        household=case.household,
        applicant=case.applicant,
        program=case.program,
        finding=finding,
        case_number=case.number,
        entitlement=entitlement,
    )
    notices = _notices(
        ctx,
        found,
        household=case.household,
        applicant=case.applicant,
        program=case.program,
        case_number=case.number,
        case_id=case.pk,
        application_no=case.application_no,
    )
    now = Case.objects.filter(pk=case.pk).values_list("version", flat=True).get()
    moved = case_act(
        ctx=ctx,
        case_id=case.pk,
        version=now,
        target=terminate.target,
        reason="查实隐瞒家庭收入、财产：" + "；".join(item_lines(finding.items))[:450],
        data={
            "finding": found.finding.pk,
            "dishonesty": found.dishonesty.pk,
            "recovery": found.recovery.pk if found.recovery else None,
            "notices": [n.pk for n in notices],
        },
        recorded=True,
        actor_checked=True,
    )
    return Found(found, moved, notices)


def _on_entitlement(
    ctx: AuditContext,
    entitlement_id: int,
    version: int,
    items: Sequence[Mapping[str, Any]],
    evidence: str,
    found_on: date | None,
    concealed_from: date | None,
) -> Found:
    entitlement = get_in_jurisdiction(
        Entitlement.objects.select_for_update(of=("self",)).select_related(
            "household", "decision", "decision__applicant"
        ),
        user=ctx.user,
        pk=entitlement_id,
        region_field="region__code",
    )
    require_finder(ctx.user)
    if entitlement.version != version:
        raise Conflict("该在保记录已被他人变更，请刷新后重试")
    if entitlement.status not in LIVE:  # a suspended one too (suspended during a review, say)
        raise Conflict("该在保记录已不在保障中")
    running = Case.objects.filter(entitlement_id=entitlement.pk, status=CaseStatus.OPEN).first()
    if running is not None:
        raise Conflict(f"该在保记录有办理中的复核案件（{running.number}），请在复核案件中记录认定")
    finding = finding_clean(
        items=items,
        evidence=evidence,
        found_on=found_on,
        concealed_from=concealed_from,
        earliest=entitlement.decision.decided_on,
    )
    applicant = entitlement.decision.applicant
    found = concealment_record(
        ctx=ctx,
        household=entitlement.household,
        applicant=applicant,
        program=entitlement.program,
        finding=finding,
        case_number=entitlement.decision.case_number,
        entitlement=entitlement,
    )
    notices = _notices(
        ctx,
        found,
        household=entitlement.household,
        applicant=applicant,
        program=entitlement.program,
        case_number=entitlement.decision.case_number,
        case_id=None,
    )
    return Found(found, None, notices)
