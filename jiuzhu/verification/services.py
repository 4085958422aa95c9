"""Writes of the verification module: authorisations, reports, need-model fits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.batch.rawrows import RowLoader, fetch_together
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import WORKING, AuditObject, DeclarableItem, Program
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force_from, policy_in_force_query
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Person, RegistryChange

from . import declarable, need
from .assembly import ADULT_AGE, EARLIEST_DATE, Assembly, Loaded, MemberView, household_judge, household_load
from .engine.inputs import Declared, Fact, MeansInput, MemberInput
from .engine.means import assess
from .insights import anomalies, anomalies_since, sensitive_factors, trend
from .models import Authorisation, NeedModel, VerificationReport
from .presenters import PRIVATE_REFS

# The sane window of dates a person types here (docs/decisions.md): nothing before 1900, and an
# authorisation valid at most this many calendar years ahead (leave it empty for no expiry).
AUTHORISATION_YEARS_MAX = 10
_PRIVATE_KEYS = {"vehicle": "plate", "real_estate": "unit_no"}


def authorisation_record(
    *, ctx: AuditContext, person_id: int, signed_on: date, reference: str, valid_until: date | None = None
) -> Authorisation:
    require_perm(ctx.user, "verification.add_authorisation")
    errors = {}
    today = timezone.localdate()
    if signed_on > today:
        errors["signed_on"] = "签署日期不能晚于今天"
    elif signed_on < EARLIEST_DATE:
        errors["signed_on"] = f"签署日期不能早于 {EARLIEST_DATE:%Y-%m-%d}，请核对后重填"
    if valid_until is not None and valid_until < signed_on:
        errors["valid_until"] = "有效期不能早于签署日期"
    elif valid_until is not None and valid_until.year > today.year + AUTHORISATION_YEARS_MAX:
        last = today.year + AUTHORISATION_YEARS_MAX
        errors["valid_until"] = (
            f"有效期不能晚于 {last} 年底（最长 {AUTHORISATION_YEARS_MAX} 年），长期有效请留空"
        )
    reference = clean_text(reference, "reference", "授权书编号或存档位置", errors, max_length=100)
    if not reference and "reference" not in errors:
        errors["reference"] = "请填写授权书编号或存档位置"
    if errors:
        raise ValidationFailed(errors)
    person = get_in_jurisdiction(
        Person.objects.all(), user=ctx.user, pk=person_id, region_field="residence_region__code"
    )
    with transaction.atomic():
        auth = Authorisation.objects.create(
            person=person,
            signed_on=signed_on,
            valid_until=valid_until,
            reference=reference,
            recorded_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.AUTHORISATION,
            object_id=auth.pk,
            region_code=person.residence_region_id,
            detail={"person": person.pk},
        )
    return auth


def _amount(raw: Any) -> Decimal | str:
    """A declared amount in yuan, or why it is refused. Plain digits with at most two decimals: no
    exponent, sign, NaN or infinity, and below ten billion."""
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if text.startswith("-") and re.fullmatch(declarable.AMOUNT_PATTERN, text[1:]):
        return "金额不能为负"
    if not re.fullmatch(declarable.AMOUNT_PATTERN, text):
        return (
            f"金额格式错误：请填写以元为单位的数字，最多 {declarable.MAX_AMOUNT_DIGITS} 位整数、两位小数，"
            "例如 3613.71"
        )
    return Decimal(text)


def _clean_declared(raw: list[dict[str, Any]], member_ids: set[int]) -> dict[int, list[Declared]]:
    if len(raw) > declarable.MAX_ITEMS:
        raise ValidationFailed(
            {
                "declared": f"申报项目共 {len(raw)} 项，一次最多 {declarable.MAX_ITEMS} 项"
                "；请合并同类项目后重试"
            }
        )
    out: dict[int, list[Declared]] = {}
    errors: dict[str, str] = {}
    for i, item in enumerate(raw):
        code, pid = item.get("item"), item.get("person_id")
        if code not in DeclarableItem.codes():
            errors[f"declared.{i}.item"] = f"未知的申报项目：{code}"
            continue
        if pid not in member_ids:
            errors[f"declared.{i}.person_id"] = "申报人不是本户共同生活成员"
            continue
        amount = _amount(item.get("amount"))
        if isinstance(amount, str):
            errors[f"declared.{i}.amount"] = amount
            continue
        out.setdefault(pid, []).append(Declared(code, amount))
    if errors:
        raise ValidationFailed(errors)
    return out


def _fact(record: FeedRecord) -> Fact:
    return Fact(record.feed, record.date, record.amount, record.kind, record.data)


def _member_input(m: MemberView, authorised: set[int], declared_by: dict[int, list[Declared]]) -> MemberInput:
    # A minor's consent is given with the household's. report_create refuses to run before every
    # included adult has signed; the engine itself never reads bank, securities or insurance data of a
    # member it is told is not authorised.
    consent = m.person.pk in authorised or m.age < ADULT_AGE
    return MemberInput(
        person_id=m.person.pk,
        name=m.person.name,
        age=m.age,
        labour_capacity=m.person.labour_capacity,
        disability_category=m.person.disability_category,
        disability_grade=m.person.disability_grade,
        authorised=consent,
        facts=tuple(_fact(r) for r in m.facts),
        declared=tuple(declared_by.get(m.person.pk, [])),
    )


def report_create(
    *,
    ctx: AuditContext,
    id_number: str,
    programs: list[str] | None = None,
    declared: list[dict[str, Any]] | None = None,
    as_of: date | None = None,
) -> VerificationReport:
    require_perm(ctx.user, "verification.add_verificationreport")
    as_of = as_of or timezone.localdate()
    programs = programs or list(Program.codes())
    unknown = [p for p in programs if p not in Program.codes()]
    if unknown:
        raise ValidationFailed({"programs": f"未知的救助项目：{'、'.join(unknown)}"})
    # The household first, then the policy with the other reads of the report (one round trip), then
    # the co-residence rules under the policy's married-child setting.
    loaded = household_load(user=ctx.user, id_number=id_number, as_of=as_of)
    context = _context(loaded, as_of)
    policy = context.policy
    assembly = household_judge(loaded, policy=policy)
    included = assembly.included
    if not included:
        raise ValidationFailed({"id_number": "该家庭没有共同生活成员，无法核对"})

    authorised = assembly.authorised
    must_sign = [m.person for m in included if m.age >= ADULT_AGE]
    if Program.TEKUN in programs:
        must_sign += [s.person for s in assembly.supporters]
    missing = [p.name for p in must_sign if p.pk not in authorised]
    if missing:
        names = "、".join(missing)
        raise ValidationFailed(
            {"authorisation": f"以下人员尚未签署有效的核对授权书：{names}。请先登记授权书再核对。"},
            message="缺少核对授权书，不能生成核对报告",
        )
    declared_by = _clean_declared(declared or [], {m.person.pk for m in included})

    params = policy.params()
    urban = assembly.household.urban_rural == "urban"
    inp = MeansInput(
        members=tuple(_member_input(m, authorised, declared_by) for m in included),
        urban=urban,
        as_of=as_of,
        policy=params,
        supporters=len(assembly.supporters),
    )
    result = assess(inp)
    insights = _insights(assembly, inp, result, programs, params, context)
    model = context.need_model
    need_degree = None
    if model is not None:
        scored = need.score(model.params, insights["need_features"], insights["need_covariates"])
        need_degree = Decimal(str(scored.degree))
        insights["need"] = {
            "degree": scored.degree,
            "expected": scored.expected,
            "explanation": scored.explain(),
            "model_version": model.version,
        }
    else:
        insights["need"] = {
            "degree": None,
            "explanation": [
                f"需求度模型尚未拟合（需至少 {need.MIN_SAMPLES} 份核对报告后运行 jiuzhu fit-need-model）"
            ],
        }

    with transaction.atomic():
        report = VerificationReport.objects.create(
            household=assembly.household,
            applicant=assembly.applicant,
            region_code=assembly.household.region_id,
            as_of=as_of,
            programs=programs,
            policy_version=policy,
            policy_snapshot=params.to_snapshot(),
            inputs=_inputs_snapshot(assembly, inp),
            results=result.to_json(),
            insights=insights,
            need_degree=need_degree,
            need_model=model,
            created_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.VERIFICATION_REPORT,
            object_id=report.pk,
            region_code=report.region_code,
            detail={"household": assembly.household.pk},
        )
    return report


# The reads of every report beyond the assembly's, in SQL for the same reason (docs/decisions.md).
_NEED_MODEL = RowLoader(NeedModel, "n")
_PAST = RowLoader(VerificationReport, "r", only=("as_of", "programs"))
_CHANGE = RowLoader(RegistryChange, "c", only=("at", "kind", "reason"))


@dataclass(frozen=True)
class _Context:
    """What a report reads besides the household: fetched together, one round trip on PostgreSQL."""

    policy: PolicyVersion
    need_model: NeedModel | None
    past: list[dict[str, Any]]  # the household's earlier reports: date and programs
    changes: list[dict[str, Any]]  # members joining and leaving within the anomaly window


def _context(assembly: Assembly | Loaded, as_of: date) -> _Context:
    household = assembly.household
    region = household.region_id
    # The window opens at local midnight, bound as the ORM binds it (SQLite stores UTC without offset).
    since = timezone.make_aware(datetime.combine(anomalies_since(as_of), time.min))
    policy_rows, model_rows, past_rows, change_rows = fetch_together(
        [
            policy_in_force_query(region_code=region, on=as_of),
            (
                f"SELECT {_NEED_MODEL.columns} FROM {NeedModel._meta.db_table} n"
                " WHERE n.active = %s ORDER BY n.version DESC LIMIT 1",
                [True],
            ),
            (
                f"SELECT {_PAST.columns} FROM {VerificationReport._meta.db_table} r"
                " WHERE r.household_id = %s",
                [household.pk],
            ),
            (
                f"SELECT {_CHANGE.columns}, p.name FROM {RegistryChange._meta.db_table} c"
                f" LEFT JOIN {Person._meta.db_table} p ON p.id = c.person_id"
                " WHERE c.household_id = %s AND c.kind IN ('join', 'leave') AND c.at >= %s"
                " ORDER BY c.at DESC, c.id DESC",
                [household.pk, connection.ops.adapt_datetimefield_value(since)],
            ),
        ]
    )
    past = []
    for row in past_rows:
        report = dict(zip(_PAST.attnames, _PAST.values(row), strict=True))
        past.append({"as_of": report["as_of"], "programs": report["programs"]})
    changes = []
    for row in change_rows:
        change = dict(zip(_CHANGE.attnames, _CHANGE.values(row), strict=True))
        at = timezone.localtime(change["at"]).date()
        changes.append({"at": at, "kind": change["kind"], "reason": change["reason"], "name": row[-1] or ""})
    return _Context(
        policy=policy_in_force_from(policy_rows, region_code=region, on=as_of),
        need_model=_NEED_MODEL.load(model_rows[0]) if model_rows else None,
        past=past,
        changes=changes,
    )


def _insights(
    assembly: Assembly, inp: MeansInput, result: Any, programs: list[str], params: Any, context: _Context
) -> dict[str, Any]:
    past, changes = context.past, context.changes
    member_rows = [
        {"age": m.age, "labour": m.person.labour_capacity, "employment": m.person.employment}
        for m in assembly.included
    ]
    factors = sensitive_factors(member_rows, past, inp.as_of, params)
    facts = [(m.name, m.person_id, list(m.facts)) for m in inp.members]
    employed = sum(1 for m in assembly.included if m.person.employment in WORKING)
    standard = params.dibao_standard(urban=inp.urban)
    return {
        "factors": factors,
        "anomalies": anomalies(facts, changes, inp.as_of, params),
        "trend": trend(inp),
        "need_features": need.features_of(
            per_capita_income=result.per_capita_monthly_income,
            per_capita_assets=result.per_capita_financial_assets,
            standard=standard,
            applications=factors["applications"],
            frequency=factors["applications_per_year"],
        ),
        "need_covariates": need.covariates_of(
            program=programs[0],
            year=inp.as_of.year,
            size=result.size,
            dependency_ratio=factors["dependency_ratio"],
            employed_share=employed / max(1, result.size),
        ),
    }


def _inputs_snapshot(assembly: Assembly, inp: MeansInput) -> dict[str, Any]:
    return {
        "applicant": {"id": assembly.applicant.pk, "name": assembly.applicant.name},
        "household": {
            "id": assembly.household.pk,
            "number": assembly.household.number,
            "region": assembly.household.region_id,
            "urban_rural": assembly.household.urban_rural,
        },
        "members": [
            {
                "person_id": m.person.pk,
                "name": m.person.name,
                "id_number": m.person.id_number,
                "relation": m.relation_label,
                "age": m.age,
                "included": m.included,
                "reason": m.reason,
                "feeds": sorted({f.feed for f in m.facts}),
            }
            for m in assembly.members
        ],
        "supporters": [
            {
                "person_id": s.person.pk,
                "name": s.person.name,
                "relation": s.relation_label,
                "reason": s.reason,
            }
            for s in assembly.supporters
        ],
        "differences": assembly.differences,
        "declared": [
            {"person_id": m.person_id, "item": d.item, "amount": str(d.amount)}
            for m in inp.members
            for d in m.declared
        ],
        "authorised": [m.person_id for m in inp.members if m.authorised],
        # Plates and property unit numbers, masked on the page and in the API for roles that see ID
        # numbers masked (presenters.for_role).
        PRIVATE_REFS: sorted(
            {
                str(ref)
                for m in inp.members
                for f in m.facts
                if (ref := f.data.get(_PRIVATE_KEYS.get(f.feed, "")))
            }
        ),
    }


def need_model_refit(*, ctx: AuditContext) -> NeedModel:
    """Fit a new version on every stored report and make it the active one."""
    samples = [
        (r["need_features"], r["need_covariates"])
        for r in VerificationReport.objects.values_list("insights", flat=True).iterator()
        if "need_features" in r
    ]
    try:
        params = need.fit(samples)
    except ValueError as exc:
        raise ValidationFailed({"reports": str(exc)}) from None
    with transaction.atomic():
        version = (NeedModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        NeedModel.objects.filter(active=True).update(active=False)
        model = NeedModel.objects.create(version=version, n_samples=len(samples), params=params)
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.NEED_MODEL,
            object_id=model.pk,
            detail={"version": version, "n": len(samples)},
        )
    return model
