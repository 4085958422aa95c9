"""Writes of 一门受理 (rules §1.2, §1.3): an application started at the window, by a village assistant
under a mandate, or online; the verification run on the household and the programs it proposes
(一次申请、分类认定); the single notice of every missing item (一次性告知); the signed papers; the
close-relative declaration; acceptance (one case per program chosen, each with its notice) or refusal
to accept (with its notice and reason); 异地 applications and the 户籍 county's cooperative checks."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.benefits.programs import PER_PERSON
from jiuzhu.benefits.programs.facts import facts_clean
from jiuzhu.benefits.selectors import entitlement_conflicts
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.uploads import check_upload, sniff
from jiuzhu.core.vocab import (
    AidProgram,
    ApplicationChannel,
    ApplicationStatus,
    AuditObject,
    CasePurpose,
    CaseStatus,
    CooperationStatus,
    NoticeKind,
    Program,
)
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import InvalidRegionCode, Level, ancestor_codes, level_of, validate_code
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.idnumber import InvalidIdNumber, parse
from jiuzhu.registry.models import Membership
from jiuzhu.verification.assembly import household_load
from jiuzhu.verification.services import report_create
from jiuzhu.workflow import deadlines
from jiuzhu.workflow.models import Case
from jiuzhu.workflow.notices import notice_issue
from jiuzhu.workflow.selectors import definition_for
from jiuzhu.workflow.services import case_open

from .models import Application, ApplicationCounter, CooperationRequest

OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.AWAITING_MATERIALS)
MAX_ITEMS = 30
_PHONE = re.compile(r"^[0-9+\-]{7,20}$")
NOT_OPEN = "该申请已受理、不予受理或已撤回，不能再办理，请刷新后查看"
CONFLICT = "该申请已被他人修改，请刷新后重试"
# The 查询码's letters: no 0/O, 1/I/L, so that it is read back without doubt from paper.
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 8


# --- helpers -------------------------------------------------------------------------------------------


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _programs(raw: Any, errors: dict[str, str], *, required: bool = False) -> list[str]:
    raw = [] if raw is None else raw
    values = [str(p) for p in raw] if isinstance(raw, list | tuple) else None
    if values is None:
        errors["programs"] = "救助项目应为列表"
        return []
    unknown = [p for p in values if p not in AidProgram.codes()]
    if unknown:
        errors["programs"] = f"未知的救助项目：{'、'.join(unknown[:5])}"
        return []
    if required and not values:
        errors["programs"] = "请至少选择一个救助项目"
    return list(dict.fromkeys(values))


def _region(code: Any, key: str, level: Level, errors: dict[str, str], label: str) -> Region | None:
    text = str(code or "")
    try:
        validate_code(text)
        ok = level_of(text) == level
    except InvalidRegionCode:
        ok = False
    region = Region.objects.filter(code=text).first() if ok else None
    if region is None:
        errors[key] = f"请选择有效的{label}"
    return region


def _policy(region_code: str, on: date) -> PolicyVersion | None:
    try:
        return policy_in_force(region_code=region_code, on=on)
    except NotFound:
        return None


def new_query_code() -> str:
    """A random 查询码 (31**8, about 8.5e11 values), from the operating system's generator."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def _next_number(township: Region, year: int) -> str:
    """The township's next application number in ``year``, under the counter's row lock (inside the
    caller's transaction), so that two submissions at the same moment never take the same number.
    A counter created for a year that already has numbers starts after the highest of them."""
    prefix = f"SQ-{township.code[:9]}-{year}-"
    counter = ApplicationCounter.objects.filter(township=township, year=year).first()
    if counter is None:
        last = Application.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
        start = int(last.rsplit("-", 1)[1]) if last else 0
        counter, _ = ApplicationCounter.objects.get_or_create(
            township=township, year=year, defaults={"last": start}
        )
    seq = ApplicationCounter.objects.select_for_update().values_list("last", flat=True).get(pk=counter.pk) + 1
    ApplicationCounter.objects.filter(pk=counter.pk).update(last=seq)
    return f"{prefix}{seq:05d}"


def _audit(ctx: AuditContext, app: Application, action: str, **detail: Any) -> None:
    audit_record(
        ctx=ctx,
        action=action,
        object_type=AuditObject.APPLICATION,
        object_id=app.pk,
        region_code=app.township_id,
        detail={"number": app.number, **detail},
    )


def _locked(ctx: AuditContext, application_id: int, version: int, *, open_only: bool = True) -> Application:
    """The application, locked, in the caller's jurisdiction, at ``version``, still open."""
    app = get_in_jurisdiction(
        Application.objects.select_for_update(of=("self",)),
        user=ctx.user,
        pk=application_id,
        region_field="township__code",
    )
    if app.version != version:
        raise Conflict(CONFLICT)
    if open_only and app.status not in OPEN_STATUSES:
        raise Conflict(NOT_OPEN)
    return app


def _save(app: Application, fields: list[str]) -> None:
    app.version += 1
    app.save(update_fields=[*fields, "version", "updated_at"])


def _file_name(app: Application, what: str, upload: Any) -> str:
    upload.seek(0)
    kind = sniff(upload.read(16)) or "bin"
    upload.seek(0)
    return f"{app.number}-{what}.{'jpg' if kind == 'jpeg' else kind}"


def _program_label(programs: list[str]) -> str:
    return "、".join(AidProgram.label_of(p) for p in programs) or "社会救助"


def _base_facts(app: Application, programs: list[str]) -> dict[str, Any]:
    return {
        "applicant_name": app.applicant.name if app.applicant else app.name,
        "program_label": _program_label(programs),
        "applied_on": timezone.localtime(app.submitted_at).date(),
        "query_code": app.query_code,
    }


# --- online -------------------------------------------------------------------------------------------


def application_submit_online(
    *,
    ctx: AuditContext,
    id_number: str,
    name: str,
    phone: str,
    township_code: str,
    village_code: str,
    statement: str = "",
    programs: list[str] | None = None,
) -> Application:
    """A self-service application: lands in the township's queue as submitted; the caseworker confirms
    the applicant's identity at acceptance. Anyone may call it (the page and the endpoint are public
    and rate-limited); it reads nothing of the registry and tells nothing about it."""
    errors: dict[str, str] = {}
    try:
        number = parse(str(id_number or "")).value
    except InvalidIdNumber as exc:
        errors["id_number"] = str(exc)
        number = ""
    name = clean_text(name, "name", "姓名", errors, max_length=50, required=True)
    phone = str(phone or "").strip()
    if not _PHONE.match(phone):
        errors["phone"] = "请填写正确的联系电话（7至20位数字）"
    statement = clean_text(statement, "statement", "申请事由", errors, max_length=1000)
    chosen = _programs(programs, errors)
    township = _region(township_code, "township_code", Level.TOWNSHIP, errors, "乡镇（街道）")
    village = _region(village_code, "village_code", Level.VILLAGE, errors, "村(居)")
    if township is not None and village is not None and village.parent_id != township.code:
        errors["village_code"] = "所选村(居)不属于所选乡镇（街道）"
    _raise_if(errors)
    assert township is not None and village is not None
    today = timezone.localdate()
    policy = _policy(township.code, today)
    if policy is None or not policy.online_application:
        raise ValidationFailed(
            {"township_code": "该乡镇（街道）暂未开放网上申请，请到乡镇（街道）便民服务窗口申请"}
        )
    with transaction.atomic():
        app = Application.objects.create(
            number=_next_number(township, today.year),
            query_code=new_query_code(),
            channel=ApplicationChannel.ONLINE,
            status=ApplicationStatus.SUBMITTED,
            township=township,
            village=village,
            id_number=number,
            name=name,
            phone=phone,
            programs=chosen,
            statement=statement,
            submitted_at=timezone.now(),
        )
        _audit(ctx, app, "create", channel=ApplicationChannel.ONLINE)
    return app


# --- window and proxy ---------------------------------------------------------------------------------


def _county_of(code: str) -> str:
    return next(c for c in [code, *ancestor_codes(code)] if level_of(c) <= Level.COUNTY)


def application_start(
    *,
    ctx: AuditContext,
    id_number: str,
    channel: str,
    statement: str = "",
    programs: list[str] | None = None,
    phone: str = "",
    mandate: Any = None,
    remote: bool = False,
    residence_proof: Any = None,
    residence_permit_no: str = "",
) -> Application:
    """An application from one ID number (一证申请): the household is assembled from the registry
    (404 outside the caller's jurisdiction). ``proxy``: a village assistant applies on the family's
    behalf with the signed mandate. ``remote`` (异地申办, where the residence region allows it): the
    proof of residence is required and the 户籍 county is asked to cooperate within its time limit."""
    require_perm(ctx.user, "intake.add_application")
    errors: dict[str, str] = {}
    if channel not in (ApplicationChannel.WINDOW, ApplicationChannel.PROXY):
        errors["channel"] = "申请渠道应为窗口受理或帮办代办"
    elif channel == ApplicationChannel.WINDOW and getattr(ctx.user, "role", "") == Role.VILLAGE_ASSISTANT:
        errors["channel"] = "村(居)协理员以帮办代办方式提交申请"
    statement = clean_text(statement, "statement", "申请事由", errors, max_length=1000)
    chosen = _programs(programs, errors)
    phone = str(phone or "").strip()
    if phone and not _PHONE.match(phone):
        errors["phone"] = "联系电话格式不正确"
    residence_permit_no = clean_text(
        residence_permit_no, "residence_permit_no", "居住证号码", errors, max_length=40
    )
    if channel == ApplicationChannel.PROXY:
        if mandate is None:
            errors["mandate"] = "帮办代办须上传申请人签字的委托书"
        else:
            try:
                check_upload(mandate, field="mandate", label="委托书")
            except ValidationFailed as exc:
                errors.update(exc.errors)
    if remote:
        if residence_proof is None:
            errors["residence_proof"] = "异地申办须上传居住证或居住证明"
        else:
            try:
                check_upload(residence_proof, field="residence_proof", label="居住证明")
            except ValidationFailed as exc:
                errors.update(exc.errors)
    _raise_if(errors)
    today = timezone.localdate()
    loaded = household_load(user=ctx.user, id_number=id_number, as_of=today)
    household, applicant = loaded.household, loaded.applicant.person
    village = household.region
    township = Region.objects.get(code=village.parent_id) if village.parent_id else village
    policy = _policy(township.code, today)
    hukou = applicant.hukou_region_id
    if remote:
        if policy is None or not policy.remote_application:
            raise ValidationFailed({"remote": "本地尚未开放异地申办（居住地申请），请到户籍地申请"})
        if not hukou or _county_of(hukou) == _county_of(township.code):
            raise ValidationFailed({"remote": "申请人户籍在本县（市、区），不属于异地申办"})
    with transaction.atomic():
        app = Application(
            number=_next_number(township, today.year),
            query_code=new_query_code(),
            channel=channel,
            status=ApplicationStatus.SUBMITTED,
            township=township,
            village=village,
            id_number=applicant.id_number,
            name=applicant.name,
            applicant=applicant,
            household=household,
            phone=phone or applicant.phone,
            programs=chosen,
            statement=statement,
            identity_confirmed=True,  # the ID number was read from the card at the counter
            mandated_by=ctx.user if channel == ApplicationChannel.PROXY else None,
            remote=remote,
            hukou_region_id=hukou if remote else None,
            residence_permit_no=residence_permit_no if remote else "",
            submitted_at=timezone.now(),
            created_by=ctx.user,
        )
        if mandate is not None and channel == ApplicationChannel.PROXY:
            app.mandate.save(_file_name(app, "mandate", mandate), mandate, save=False)
        if remote:
            app.residence_proof.save(
                _file_name(app, "residence", residence_proof), residence_proof, save=False
            )
        app.save()
        _audit(ctx, app, "create", channel=channel, household=household.pk, remote=remote)
        if remote:
            assert policy is not None and hukou
            _cooperation_request(ctx, app, policy, today)
    return app


def _cooperation_request(ctx: AuditContext, app: Application, policy: PolicyVersion, today: date) -> None:
    assert app.hukou_region_id
    county = Region.objects.filter(code=_county_of(app.hukou_region_id)).first()
    if county is None:
        raise ValidationFailed({"remote": "申请人户籍地的县级区划不在平台中，无法发出协作核查请求"})
    due = deadlines.work_calendar().add_working_days(today, int(policy.cooperation_days))
    request = CooperationRequest.objects.create(
        application=app,
        from_region_id=app.township_id,
        to_region=county,
        requested_on=today,
        due_on=due.due,
        due_provisional=due.provisional,
        question="请协助核查申请人及其家庭成员在户籍地的收入、财产及享受社会救助情况",
    )
    audit_record(
        ctx=ctx,
        action="create",
        object_type=AuditObject.COOPERATION_REQUEST,
        object_id=request.pk,
        region_code=county.code,
        detail={"application": app.number, "due_on": due.due.isoformat()},
    )


# --- verification and proposed programs ---------------------------------------------------------------


def application_verify(*, ctx: AuditContext, application_id: int, version: int) -> Application:
    """Run the household's verification for every program and keep the programs it may qualify for
    (一次申请、分类认定). For an online application the household is found from its ID number here."""
    require_perm(ctx.user, "intake.change_application")
    today = timezone.localdate()
    with transaction.atomic():
        app = _locked(ctx, application_id, version)
        if app.household_id is None:
            try:
                loaded = household_load(user=ctx.user, id_number=app.id_number, as_of=today)
            except NotFound:
                raise ValidationFailed(
                    {"id_number": "未在本辖区找到该身份证号码所在的家庭，请先为其建档（一户一档）后再核对"}
                ) from None
            if loaded.household.region.parent_id != app.township_id:
                raise ValidationFailed(
                    {"id_number": "该申请人的家庭不在本乡镇（街道），请告知其到所在地申请"}
                )
            app.household = loaded.household
            app.applicant = loaded.applicant.person
        assert app.applicant is not None
        report = report_create(ctx=ctx, id_number=app.applicant.id_number, programs=list(Program.codes()))
        verdicts = report.results.get("verdicts", [])
        app.report = report
        app.proposed = [
            {"program": v["program"], "outcome": v["outcome"], "reasons": v.get("reasons", [])}
            for v in verdicts
            if v.get("outcome") in ("yes", "review")
        ]
        _save(app, ["household", "applicant", "report", "proposed"])
        _audit(
            ctx, app, "update", step="verify", report=report.pk, proposed=[p["program"] for p in app.proposed]
        )
    return app


# --- 一次性告知, papers, close relatives ------------------------------------------------------------------


def application_request_materials(
    *, ctx: AuditContext, application_id: int, version: int, items: list[str]
) -> Application:
    """一次性告知: one notice listing every missing item; the application waits for them (the case's
    clock has not started)."""
    require_perm(ctx.user, "intake.change_application")
    errors: dict[str, str] = {}
    cleaned: list[str] = []
    for i, item in enumerate(items or []):
        text = clean_text(item, f"items.{i}", f"第{i + 1}项", errors, max_length=100)
        if text:
            cleaned.append(text)
    cleaned = list(dict.fromkeys(cleaned))
    if not cleaned and not errors:
        errors["items"] = "请列出需要补正的全部材料（至少一项）"
    elif len(cleaned) > MAX_ITEMS:
        errors["items"] = f"一次最多告知{MAX_ITEMS}项"
    _raise_if(errors)
    today = timezone.localdate()
    with transaction.atomic():
        app = _locked(ctx, application_id, version)
        policy = _policy(app.township_id, today)
        deadline = None
        if policy is not None:
            deadline = deadlines.work_calendar().add_working_days(today, int(policy.materials_days)).due
        app.status = ApplicationStatus.AWAITING_MATERIALS
        app.missing_items = cleaned
        _save(app, ["status", "missing_items"])
        notice = notice_issue(
            ctx=ctx,
            kind=NoticeKind.MISSING_ITEMS,
            region_code=app.township_id,
            household_id=app.household_id,
            application_no=app.number,
            facts={**_base_facts(app, app.programs), "missing_items": cleaned, "deadline": deadline},
            on=today,
        )
        _audit(ctx, app, "update", step="materials", items=cleaned, notice=notice.document_no)
    return app


_PAPERS = {"commitment": "诚信承诺书", "authorisation": "核对授权书"}


def application_record_papers(
    *, ctx: AuditContext, application_id: int, version: int, commitment: Any = None, authorisation: Any = None
) -> Application:
    """The signed commitment (诚信承诺) and the authorisation (核对授权书): a signature image or a scan,
    each checked for type and size before anything is stored."""
    require_perm(ctx.user, "intake.change_application")
    files = {k: f for k, f in (("commitment", commitment), ("authorisation", authorisation)) if f is not None}
    errors: dict[str, str] = {}
    if not files:
        errors["commitment"] = "请选择要上传的诚信承诺书或核对授权书"
    for key, upload in files.items():
        try:
            check_upload(upload, field=key, label=_PAPERS[key])
        except ValidationFailed as exc:
            errors.update(exc.errors)
    _raise_if(errors)
    with transaction.atomic():
        app = _locked(ctx, application_id, version)
        for key, upload in files.items():
            getattr(app, key).save(_file_name(app, key, upload), upload, save=False)
        _save(app, list(files))
        _audit(ctx, app, "update", step="papers", papers=sorted(files))
    return app


def application_declare_relative(
    *,
    ctx: AuditContext,
    application_id: int,
    version: int,
    official_name: str,
    position: str,
    relation: str,
) -> Application:
    """近亲属备案: the applicant is a close relative of a civil-affairs worker or a village cadre. The
    application is registered on its own list and its case requires the county's own home visit."""
    require_perm(ctx.user, "intake.change_application")
    errors: dict[str, str] = {}
    official_name = clean_text(
        official_name, "official_name", "工作人员姓名", errors, max_length=50, required=True
    )
    position = clean_text(position, "position", "其职务", errors, max_length=100, required=True)
    relation = clean_text(relation, "relation", "与申请人的关系", errors, max_length=30, required=True)
    _raise_if(errors)
    with transaction.atomic():
        app = _locked(ctx, application_id, version)
        app.close_relative = True
        app.relative_official_name, app.relative_position, app.relation = official_name, position, relation
        _save(app, ["close_relative", "relative_official_name", "relative_position", "relation"])
        _audit(ctx, app, "update", step="relative", position=position, relation=relation)
    return app


# --- acceptance and refusal ---------------------------------------------------------------------------


def second_entitlement(*, household_id: int, program: str, person_id: int | None = None) -> str | None:
    """Why the household (or, for a per-person program, ``person_id``) may not get ``program``: it holds
    it already, or another household (here or in any other region) that one of its current members
    belongs or belonged to holds it, which that region must adjust first (``benefits.selectors.
    entitlement_conflicts``, the one check, which also refuses the programs that exclude it: 特困 and
    低保 for the same person …); or there is an open case of it, here or in such a household. The
    message names no other region."""
    label = AidProgram.label_of(program)
    found = entitlement_conflicts(household_id=household_id, person_id=person_id, program=program)
    held = [c for c in found if c.kind == "held"]
    if held:
        return held[0].message
    cases = Case.objects.filter(program=program, status=CaseStatus.OPEN, purpose=CasePurpose.APPLICATION)
    if program in PER_PERSON and person_id is not None:
        mine = cases.filter(Q(subject_id=person_id) | Q(subject__isnull=True, applicant_id=person_id))
        if mine.exists():
            return f"该救助对象已有办理中的{label}申请，不能重复受理"
    elif cases.filter(household_id=household_id).exists():
        return f"该户已有办理中的{label}申请，不能重复受理"
    persons = Membership.objects.filter(household_id=household_id, end_date__isnull=True).values("person_id")
    others = (
        Membership.objects.filter(person_id__in=persons)
        .exclude(household_id=household_id)
        .values("household_id")
    )
    if any(c.kind == "elsewhere" for c in found) or (
        program not in PER_PERSON and cases.filter(household_id__in=others).exists()
    ):
        return f"该户成员所在（或曾在）的其他家庭（含异地）仍在享受或申请{label}，须原地区先行调整后方可受理"
    incompatible = [c for c in found if c.kind == "incompatible"]
    if incompatible:
        return incompatible[0].message
    return None


def application_accept(
    *,
    ctx: AuditContext,
    application_id: int,
    version: int,
    programs: list[str],
    identity_confirmed: bool = False,
    details: Mapping[str, Mapping[str, Any]] | None = None,
) -> Application:
    """受理: for each program chosen, a case opened (``workflow.case_open``) and an acceptance notice
    issued. ``details`` gives, by program, the facts the program takes at intake
    (``benefits.programs.facts``; for a per-person program the member it is for, ``subject_id``).
    Refused while the applicant's identity (online), the commitment or the authorisation is missing,
    or when the household already has the program (an active entitlement or an open case, in any
    region)."""
    require_perm(ctx.user, "intake.change_application")
    errors: dict[str, str] = {}
    chosen = _programs(programs, errors, required=True)
    _raise_if(errors)
    today = timezone.localdate()
    with transaction.atomic():
        app = _locked(ctx, application_id, version)
        if app.channel == ApplicationChannel.ONLINE and not (app.identity_confirmed or identity_confirmed):
            errors["identity_confirmed"] = "网上申请须先查验申请人身份证件，确认身份后方可受理"
        if app.household_id is None or app.applicant_id is None:
            errors["household"] = "请先核对家庭经济状况（一证申请），再受理"
        for key, label in _PAPERS.items():
            if not getattr(app, key):
                errors[key] = f"请先上传申请人签字的{label}"
        details = dict(details or {})
        for key in details:
            if key not in chosen:
                errors[f"details.{key}"] = "只能填写所受理项目的项目信息"
        members = (
            set(
                Membership.objects.filter(household_id=app.household_id, end_date__isnull=True).values_list(
                    "person_id", flat=True
                )
            )
            if app.household_id is not None
            else set()
        )
        facts: dict[str, dict[str, Any]] = {}
        for program in chosen:
            try:
                facts[program] = facts_clean(program, details.get(program), members=members)
            except ValidationFailed as exc:
                errors.update(exc.errors)
        for program in chosen:
            try:
                definition_for(program=program, region_code=app.village_id or app.township_id)
            except NotFound as exc:
                errors["programs"] = exc.message
                break
            if app.household_id is not None:
                person = facts.get(program, {}).get("subject_id") or (
                    app.applicant_id if program in PER_PERSON else None
                )
                why = second_entitlement(household_id=app.household_id, program=program, person_id=person)
                if why:
                    errors["programs"] = why
                    break
        _raise_if(errors)
        assert app.household_id is not None and app.applicant_id is not None
        opened = []
        for program in chosen:
            program_facts = dict(facts[program])
            subject_id = program_facts.pop("subject_id", None)
            case = case_open(
                ctx=ctx,
                program=program,
                subject_id=subject_id,
                details=program_facts,
                household_id=app.household_id,
                applicant_id=app.applicant_id,
                report_id=app.report_id,
                application_no=app.number,
                accepted_on=today,
                applied_on=min(timezone.localtime(app.submitted_at).date(), today),
                close_relative=app.close_relative,
                remote=app.remote,
            )
            notice = notice_issue(
                ctx=ctx,
                kind=NoticeKind.ACCEPTANCE,
                region_code=app.township_id,
                household_id=app.household_id,
                case_id=case.pk,
                application_no=app.number,
                facts={
                    **_base_facts(app, [program]),
                    "accepted_on": today,
                    "case_number": case.number,
                    "deadline": case.due_on,
                },
                on=today,
            )
            opened.append({"id": case.pk, "number": case.number, "program": program, "notice": notice.pk})
        app.status = ApplicationStatus.ACCEPTED
        app.identity_confirmed = True
        app.accepted_at = timezone.now()
        app.accepted_by = ctx.user
        app.cases = opened
        _save(app, ["status", "identity_confirmed", "accepted_at", "accepted_by", "cases"])
        _audit(ctx, app, "update", step="accept", cases=[c["number"] for c in opened])
    return app


def application_refuse(*, ctx: AuditContext, application_id: int, version: int, reason: str) -> Application:
    """不予受理, with the reason, in a notice."""
    require_perm(ctx.user, "intake.change_application")
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", "不予受理的理由", errors, max_length=500, required=True)
    _raise_if(errors)
    today = timezone.localdate()
    with transaction.atomic():
        app = _locked(ctx, application_id, version)
        app.status = ApplicationStatus.REFUSED_TO_ACCEPT
        app.refusal_reason = reason
        _save(app, ["status", "refusal_reason"])
        notice = notice_issue(
            ctx=ctx,
            kind=NoticeKind.REFUSAL_TO_ACCEPT,
            region_code=app.township_id,
            household_id=app.household_id,
            application_no=app.number,
            facts={**_base_facts(app, app.programs), "reasons": [reason]},
            on=today,
        )
        _audit(ctx, app, "update", step="refuse", notice=notice.document_no)
    return app


# --- 异地协作核查 ------------------------------------------------------------------------------------------


def cooperation_answer(
    *, ctx: AuditContext, request_id: int, version: int, answer: str
) -> CooperationRequest:
    """The 户籍 county answers a request for cooperative checks."""
    require_perm(ctx.user, "intake.change_cooperationrequest")
    errors: dict[str, str] = {}
    answer = clean_text(answer, "answer", "答复", errors, max_length=2000, required=True)
    _raise_if(errors)
    with transaction.atomic():
        request = get_in_jurisdiction(
            CooperationRequest.objects.select_for_update(),
            user=ctx.user,
            pk=request_id,
            region_field="to_region__code",
        )
        if request.version != version:
            raise Conflict(CONFLICT)
        if request.status == CooperationStatus.ANSWERED:
            raise Conflict("该协作核查请求已答复")
        request.status = CooperationStatus.ANSWERED
        request.answer = answer
        request.answered_by = ctx.user
        request.answered_on = timezone.localdate()
        request.version += 1
        request.save(update_fields=["status", "answer", "answered_by", "answered_on", "version"])
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.COOPERATION_REQUEST,
            object_id=request.pk,
            region_code=request.to_region_id,
            detail={"application": request.application_id, "step": "answer"},
        )
    return request


def cooperation_scan(*, ctx: AuditContext, today: date | None = None) -> int:
    """Mark the open requests past their due date as overdue; returns how many."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(
            CooperationRequest.objects.filter(status=CooperationStatus.OPEN, due_on__lt=today).values_list(
                "pk", flat=True
            )
        )
        CooperationRequest.objects.filter(pk__in=ids).update(status=CooperationStatus.OVERDUE)
        if ids:
            audit_record(
                ctx=ctx,
                action="update",
                object_type=AuditObject.COOPERATION_REQUEST,
                detail={"overdue": ids},
            )
    return len(ids)
