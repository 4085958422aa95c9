"""The 特困 procedure's own step (rules §3.1–§3.2): the six-item self-care assessment, led by the county
with the township assisting, which records the care tier and the 三无 finding on the case
(``Case.details["selfcare"]`` and ``["sanwu"]``), where the benefit rule reads them at confirmation.

The 三无 finding (``tekun_sanwu``) takes the verification report attached to the case (the household's
per-capita income and asset vetoes) and the report's legally liable supporters with what the registry
and the feeds say of each (a 特困 or 低保 category or entitlement, age, disability, income over the
last twelve months, deposits and securities, custody, full-time education), and hands them to the pure
engine (``benefits.engine.tekun``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.engine import tekun as engine
from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import AidProgram, CasePurpose, CaseStatus, EntitlementStatus
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.registry.models import Membership, Person, PersonCategory
from jiuzhu.verification.assembly import _custody, _in_full_time_education

from .. import deadlines
from ..models import Case, SelfCareAssessment
from ..selectors import case_get, case_policy
from . import steps
from .cases import case_note

TEKUN = AidProgram.TEKUN.value
ASSESS_STEPS = steps.INVESTIGATION_STEPS
_INCOME_FEEDS = ("hrss_wage", "hrss_pension", "hrss_unemployment")
_ASSET_FEEDS = ("bank", "securities")


# --- the 三无 finding -------------------------------------------------------------------------------------


def sanwu_settings(policy: PolicyVersion) -> engine.SanwuSettings:
    return engine.SanwuSettings(
        elderly_age=policy.elderly_age,
        minor_age=policy.minor_age,
        child_age=policy.tekun_child_age,
        no_labour_disability=dict(policy.no_labour_disability or {}),
        supporter_age=policy.tekun_supporter_age,
        disposable_income=policy.disposable_income_prev_year,
    )


def _facts_of(numbers: Sequence[str], on: date) -> dict[str, list[FeedRecord]]:
    out: dict[str, list[FeedRecord]] = {n: [] for n in numbers}
    for record in FeedRecord.objects.filter(id_number__in=list(numbers)).order_by("feed", "date", "pk"):
        out.setdefault(record.id_number, []).append(record)
    return out


def _holds(person_ids: Sequence[int], program: str, on: date) -> set[int]:
    """Persons holding ``program`` on ``on``: an open category tag, or an active entitlement (their
    own, or their household's)."""
    tagged = set(
        PersonCategory.objects.filter(person_id__in=person_ids, category=program, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .values_list("person_id", flat=True)
    )
    active = Entitlement.objects.filter(program=program, status=EntitlementStatus.ACTIVE)
    own = set(active.filter(person_id__in=person_ids).values_list("person_id", flat=True))
    households = active.filter(person__isnull=True).values("household_id")
    members = set(
        Membership.objects.filter(
            person_id__in=person_ids, end_date__isnull=True, household_id__in=households
        ).values_list("person_id", flat=True)
    )
    return tagged | own | members


def _supporter(
    person: Person,
    relation: str,
    facts: list[FeedRecord],
    on: date,
    policy: PolicyVersion,
    tekun: bool,
    dibao: bool,
    urban: bool,
) -> engine.Supporter:
    """What the engine needs of one supporter; ``urban``: the supporter's own household is urban (its
    低保 standard bounds the deposits and securities that still count as "within the limits")."""
    since = on - timedelta(days=365)
    income_rows = [f for f in facts if f.feed in _INCOME_FEEDS and f.date and since < f.date <= on]
    income = sum((Decimal(f.amount or 0) for f in income_rows), Decimal("0"))
    latest: dict[str, Decimal] = {}
    for f in facts:  # ordered by date: the last one of each feed stays
        if f.feed in _ASSET_FEEDS and f.date and f.date <= on:
            latest[f.feed] = Decimal(f.amount or 0)
    limit = policy.financial_assets_months * policy.dibao_standard(urban=urban)
    enrolled, _level = _in_full_time_education(person, facts, on)
    return engine.Supporter(
        name=person.name,
        relation=relation,
        age=person.age_on(on),
        tekun=tekun,
        dibao=dibao,
        annual_income=income,
        assets_within=sum(latest.values(), Decimal("0")) <= limit,
        disability_category=person.disability_category,
        disability_grade=person.disability_grade,
        lacks_capacity=person.self_care == "none" and person.labour_capacity == "none",
        in_prison=_custody(facts, on) == "服刑人员",
        full_time_student=enrolled,
    )


def tekun_sanwu(case: Case, on: date | None = None) -> engine.Sanwu:
    """The 三无 finding of the case's person on ``on`` (today), from its verification report."""
    on = on or timezone.localdate()
    report = case.report
    if report is None:
        raise ValidationFailed({"report": "案件尚未附家庭经济状况核对报告"})
    policy = case_policy(case, on)
    person = case.subject or case.applicant
    supporters = [s for s in report.inputs.get("supporters", []) if s.get("person_id")]
    persons = Person.objects.in_bulk([int(s["person_id"]) for s in supporters] + [person.pk])
    facts = _facts_of([p.id_number for p in persons.values()], on)
    ids = [int(s["person_id"]) for s in supporters]
    tekun, dibao = _holds(ids, TEKUN, on), _holds(ids, AidProgram.DIBAO.value, on)
    # Each supporter's own household's urban/rural (the applicant's when the supporter has none here).
    urban = dict(
        Membership.objects.filter(person_id__in=ids, end_date__isnull=True).values_list(
            "person_id", "household__urban_rural"
        )
    )
    enrolled, _level = _in_full_time_education(person, facts.get(person.id_number, []), on)
    applicant = engine.Applicant(
        name=person.name,
        age=person.age_on(on),
        in_school=enrolled,
        disability_category=person.disability_category,
        disability_grade=person.disability_grade,
        labour_capacity=person.labour_capacity,
    )
    rows = [
        _supporter(
            persons[pid],
            str(s.get("relation", "")),
            facts.get(persons[pid].id_number, []),
            on,
            policy,
            pid in tekun,
            pid in dibao,
            urban.get(pid, case.household.urban_rural) == "urban",
        )
        for s in supporters
        if (pid := int(s["person_id"])) in persons and pid != person.pk
    ]
    return engine.sanwu(
        person=applicant,
        per_capita_income=Decimal(str(report.results.get("per_capita_monthly_income", "0"))),
        standard=policy.dibao_standard(urban=case.household.urban_rural == "urban"),
        vetoes=list(report.results.get("vetoes", [])),
        supporters=rows,
        settings=sanwu_settings(policy),
    )


# --- the assessment ---------------------------------------------------------------------------------------


def _may_assess(user: Any, case: Case) -> None:
    """The step's actor (the township caseworker recording it), or the county's approver (who leads it)."""
    step = steps._step_of(case)
    if steps.may_spot_check(user) and steps.county_of(case.region_id) == getattr(user, "region_id", None):
        return
    steps._require_actor(user, step)


def selfcare_assess(
    *,
    ctx: AuditContext,
    case_id: int,
    version: int,
    items: Mapping[str, bool],
    assessed_on: date,
    assessor_ids: Sequence[int],
    note: str = "",
) -> SelfCareAssessment:
    """生活自理能力评估 of a 特困 case in its investigation (rules §3.2): the six items, at least the
    policy's number of assessors with at least one of the county's civil-affairs staff (the county
    leads it) and the others of the township, the tier, and the 三无 finding of the day. Both are
    written on the case (``details["selfcare"]``, ``details["sanwu"]``) for the confirmation; a new
    assessment replaces them (and is counted as a re-assessment). On a review case of a 特困
    entitlement (``purpose`` review, at any open step, by that step's actor or the county) it is the
    re-assessment after a change of self-care: due within ``tekun_reassess_days`` working days of
    the review case's acceptance, with the entitlement's tier before it; the benefit rule then gives
    the adjusted amount (the adjustment itself is the review's)."""
    with transaction.atomic():
        seen = case_get(user=ctx.user, case_id=case_id)
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related(
                "household", "applicant", "subject", "region", "policy_version", "report", "entitlement"
            )
            .get(pk=seen.pk)
        )
        if case.status != CaseStatus.OPEN:
            raise Conflict("案件已办结，不能再办理")
        if version is not None and case.version != version:
            raise Conflict()
        if case.program != TEKUN:
            raise Conflict("生活自理能力评估仅适用于特困人员认定案件")
        step = steps._step_of(case)
        review = case.purpose == CasePurpose.REVIEW
        if not review and case.state not in ASSESS_STEPS:
            raise Conflict(f"案件当前处于“{step.name}”环节，不能办理此事项")
        _may_assess(ctx.user, case)
        today = timezone.localdate()
        policy = case_policy(case, today)
        errors: dict[str, str] = {}
        steps._check_date(assessed_on, "assessed_on", "评估日期", errors, after=case.accepted_on)
        codes = [code for code, _ in engine.SELFCARE_ITEMS]
        values: dict[str, bool] = {}
        for code, label in engine.SELFCARE_ITEMS:
            raw = (items or {}).get(code)
            if not isinstance(raw, bool):
                errors[f"items.{code}"] = f"请选择“{label}”能否自主完成"
            else:
                values[code] = raw
        for key in items or {}:
            if key not in codes:
                errors[f"items.{key}"] = f"未知的评估项目：{key}"
        text = clean_text(note, "note", "评估说明", errors, max_length=steps.LONG_MAX)
        ids = sorted({int(i) for i in assessor_ids})
        county = steps.county_of(case.region_id)
        township = steps.township_of(case.region_id)
        users = list(User.objects.filter(pk__in=ids, is_active=True).exclude(region__isnull=True))
        inside = all(
            u.region_id == county or steps._works_in(u.region_id or "", township, county=False) for u in users
        )
        if len(users) != len(ids) or not inside:
            errors["assessor_ids"] = "评估人员须为本县民政部门或本乡镇（街道）在岗的工作人员"
        elif len(ids) < policy.investigators_min:
            errors["assessor_ids"] = f"评估人员至少 {policy.investigators_min} 名（现为 {len(ids)} 名）"
        elif not any(u.region_id == county for u in users):
            errors["assessor_ids"] = "生活自理能力评估由县级民政部门牵头，评估人员须含县级工作人员"
        steps._raise(errors)
        tier = engine.selfcare_tier(values)
        finding = tekun_sanwu(case, today)
        previous = SelfCareAssessment.objects.filter(case=case).count()
        assessment = SelfCareAssessment.objects.create(
            case=case,
            round=previous + 1,
            assessed_on=assessed_on,
            lost=tier.lost,
            tier=tier.tier,
            note=text,
            sanwu=finding.to_json(),
            reassessment=previous > 0,
            recorded_by=ctx.user,
            **values,
        )
        assessment.assessors.set(users)
        details = dict(case.details or {})
        details["selfcare"] = {
            **tier.to_json(),
            "assessment": assessment.pk,
            "assessed_on": assessed_on.isoformat(),
        }
        if review:
            # A re-assessment after a change reported (the review case's acceptance): within the
            # policy's working days; the tier before it is the entitlement's.
            due = deadlines.work_calendar().add_working_days(case.accepted_on, policy.tekun_reassess_days).due
            before = (case.entitlement.details or {}).get("care_tier") if case.entitlement else None
            details["selfcare"] |= {
                "reassess_due": due.isoformat(),
                "late": assessed_on > due,
                "previous_tier": before,
            }
        details["sanwu"] = finding.to_json()
        Case.objects.filter(pk=case.pk).update(details=details)
        case.details = details
        data = {
            "selfcare_assessment": assessment.pk,
            "round": assessment.round,
            "lost": tier.lost,
            "tier": tier.tier,
            "sanwu": finding.outcome,
            "assessors": ids,
        }
        case_note(ctx=ctx, case=case, action="selfcare_assessment", data=data)
        steps._audit(ctx, case, "create", **data)
    return assessment


def selfcare_candidates(case: Case) -> list[tuple[int, str]]:
    """Who may assess: the county's own staff and the township's, active."""
    from jiuzhu.regions.codes import subtree_bounds

    county = steps.county_of(case.region_id)
    township = steps.township_of(case.region_id)
    users = (
        User.objects.filter(is_active=True)
        .filter(Q(region_id=county) | Q(region__code__range=subtree_bounds(township)))
        .order_by("region_id", "username")[:200]
    )
    return [(u.pk, f"{u.get_full_name() or u.username}（{u.role_label}）") for u in users]


def tekun_panel(case: Case) -> dict[str, Any] | None:
    """What the case page shows of a 特困 case: the recorded assessments, the tier, and the 三无
    finding (the recorded one, else today's from the report); None for another program."""
    if case.program != TEKUN:
        return None
    assessments = list(
        SelfCareAssessment.objects.filter(case=case).prefetch_related("assessors").order_by("round")
    )
    recorded = (case.details or {}).get("sanwu")
    live = None
    if not recorded and case.report_id is not None:
        try:
            live = tekun_sanwu(case).to_json()
        except (ValidationFailed, NotFound):
            live = None
    labels = dict(engine.SELFCARE_ITEMS)
    rows = [
        {
            "a": a,
            "lost": [labels[code] for code, _ in engine.SELFCARE_ITEMS if not getattr(a, code)],
        }
        for a in assessments
    ]
    details = case.details or {}
    return {
        "assessments": rows,
        "selfcare": details.get("selfcare"),
        "sanwu": recorded or live,
        "sanwu_live": bool(live),
        "support_form": engine.FORMS.get(str(details.get("support_form", "")), ""),
        "institution": details.get("institution", ""),
        "subject": case.subject or case.applicant,
    }
