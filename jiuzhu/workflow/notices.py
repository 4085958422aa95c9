"""Notices (文书): 受理、不予受理、一次性告知、确认、不予确认、公示 (rules §1.3, §1.7).

A notice is rendered from the template in force for the issuing region on the day (``policy.NoticeTemplate``:
the nearest region up the tree, the latest start on or before the day), else from the built-in text
(``notice_defaults``), with the facts of the case; it gets the next document number of its prefix and
year and is stored as issued, so that a later change of the template does not alter it. Facts are
escaped when rendered (the template's own text is an administrator's); a full ID number never reaches a
template: the caller's ``id_number`` becomes ``id_number_masked``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.masking import id_number_masked, name_masked
from jiuzhu.core.vocab import AidProgram, AuditObject, NoticeKind
from jiuzhu.policy.models import NoticeTemplate
from jiuzhu.regions.codes import InvalidRegionCode, ancestor_codes, validate_code
from jiuzhu.regions.models import Region
from jiuzhu.regions.refusals import refusal_note
from jiuzhu.regions.scope import jurisdiction_bounds

from .models import Case, Notice, NoticeCounter, PublicNotice
from .notice_defaults import DEFAULT_PREFIX, DEFAULT_TEXTS, default_issuer

# The variables a notice template may use (the handbook lists them).
NOTICE_FACTS: dict[str, str] = {
    "applicant_name": "申请人姓名（公示中为遮盖后的姓名）",
    "id_number_masked": "申请人身份证号码，仅显示前3位和后4位",
    "household_size": "保障人口数（人）",
    "program_label": "救助项目名称，如“低保”",
    "applied_on": "申请日期",
    "accepted_on": "受理日期",
    "decided_on": "作出决定的日期",
    "amount": "月保障金额（元；一次性救助为救助金额）",
    "payment": "发放方式：monthly 按月发放、once 一次性发放、no_cash 不发放资金（救助资格）",
    "computation_lines": "保障金额的计算过程（逐行列出）",
    "reasons": "理由（逐条列出）",
    "missing_items": "需要补正的材料（逐项列出）",
    "region_name": "发文区划的名称",
    "case_number": "案件编号",
    "application_no": "申请编号",
    "query_code": "查询码：凭申请编号、查询码和身份证号码后六位查询办理进度",
    "deadline": "期限：办结、补正材料或公示的截止日期",
    "document_no": "本文书的文号",
    "issued_on": "发文日期",
    "old_amount": "调整前的月保障金额（元）",
    "from_month": "调整、暂停发放的起始月份",
    "end_month": "终止救助的最后发放月份",
    "amount_due": "应追缴（退回）金额（元）",
    "dishonesty_until": "失信记录的截止日期",
}
_LISTS = ("computation_lines", "reasons", "missing_items")
# What a 公示 may print (rules §1.6): the name masked, the household size, the program, the amount and
# the period, and who posts it. Any other fact given is dropped before the template sees it.
PUBLIC_NOTICE_FACTS = (
    "applicant_name",
    "household_size",
    "program_label",
    "amount",
    "deadline",
    "region_name",
    "document_no",
    "issued_on",
)
_ENGINE = Engine(autoescape=True)


def _chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return _chinese_date(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [_plain(v) for v in value]
    return [_plain(value)]


def notice_facts(facts: dict[str, Any], *, kind: str = "") -> dict[str, Any]:
    """The facts as templates see them: every known variable present (empty when not given), dates in
    Chinese, amounts with two decimals, lists as lists, ``id_number`` masked, ``program`` labelled.
    For a 公示 (``kind`` PUBLIC_NOTICE) only ``PUBLIC_NOTICE_FACTS`` are kept and the name is masked
    here, whatever the caller passed, so that no template can post a full name or any ID number.
    Unknown keys are a programming error."""
    given = dict(facts)
    if "id_number" in given:
        number = str(given.pop("id_number") or "")
        given.setdefault("id_number_masked", id_number_masked(number) if number else "")
    if "program" in given:
        given.setdefault("program_label", AidProgram.label_of(str(given.pop("program"))))
    unknown = sorted(set(given) - set(NOTICE_FACTS))
    if unknown:
        raise ValueError(f"notice facts not in NOTICE_FACTS: {unknown}")
    if kind == NoticeKind.PUBLIC_NOTICE:
        given = {k: v for k, v in given.items() if k in PUBLIC_NOTICE_FACTS}
        if given.get("applicant_name"):
            given["applicant_name"] = name_masked(str(given["applicant_name"]))
    out: dict[str, Any] = dict.fromkeys(NOTICE_FACTS, "")
    for key, value in given.items():
        out[key] = _as_list(value) if key in _LISTS else _plain(value)
    for key in _LISTS:
        if not isinstance(out[key], list):
            out[key] = _as_list(out[key])
    return out


def notice_render(body: str, facts: dict[str, Any], *, kind: str = "") -> str:
    """``body`` rendered with ``facts`` (escaped, and for a 公示 masked: ``notice_facts``); a broken
    template is a ``ValidationFailed``."""
    try:
        template = _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationFailed({"body": f"文书模板有语法错误：{exc}"}) from None
    return template.render(Context(notice_facts(facts, kind=kind), autoescape=True))


def _region(code: str) -> Region:
    try:
        validate_code(code)
    except InvalidRegionCode:
        raise NotFound("区划代码无效") from None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound("未找到该区划")
    return region


def _template_in_force(region_code: str, kind: str, on: date) -> NoticeTemplate | None:
    chain = [region_code, *ancestor_codes(region_code)]
    rows = list(
        NoticeTemplate.objects.filter(region_id__in=chain, kind=kind, effective_from__lte=on).order_by(
            "-effective_from", "-id"
        )
    )
    for code in chain:
        for row in rows:
            if row.region_id == code:
                return row
    return None


def _check_kind(kind: str) -> None:
    if kind not in NoticeKind.codes():
        raise ValidationFailed({"kind": f"未知的文书类型：{kind}"})


def notice_template_in_force(*, region_code: str, kind: str, on: date) -> tuple[str, str, str, str]:
    """(issuer, prefix, title, body) of the notice ``kind`` that ``region_code`` would issue on ``on``:
    its template in force, else the built-in text."""
    _check_kind(kind)
    region = _region(region_code)
    template = _template_in_force(region.code, kind, on)
    if template is not None:
        return template.issuer, template.document_prefix, template.title, template.body
    title, body = DEFAULT_TEXTS[kind]
    return default_issuer(region.name, region.level), f"{region.name}{DEFAULT_PREFIX}", title, body


def public_notice_facts(notice: PublicNotice) -> dict[str, Any]:
    """The facts of a 公示 round, from the posted row (its name is already masked)."""
    return {
        "applicant_name": notice.masked_name,
        "household_size": notice.household_size,
        "program": notice.program,
        "amount": notice.amount,
        "deadline": notice.ends_on,
    }


def public_notice_text(
    *, notice: PublicNotice, region_code: str, region_name: str, bodies: dict[date, str] | None = None
) -> str:
    """The text of a 公示 round as the board posts it: the PUBLIC_NOTICE template in force for the
    posting region (``region_code``, the township) on the round's first day, with masked facts only.
    ``bodies`` caches the template's body per day across the rounds of one board."""
    bodies = {} if bodies is None else bodies
    if notice.starts_on not in bodies:
        bodies[notice.starts_on] = notice_template_in_force(
            region_code=region_code, kind=NoticeKind.PUBLIC_NOTICE, on=notice.starts_on
        )[3]
    body = bodies[notice.starts_on]
    facts = {**public_notice_facts(notice), "region_name": region_name, "issued_on": notice.starts_on}
    return notice_render(body, facts, kind=NoticeKind.PUBLIC_NOTICE)


def _next_document_no(*, owner: Region, prefix: str, year: int) -> str:
    """The next number of ``prefix`` in ``year``, under the counter's row lock. One counter per prefix
    and year, kept at the region that owns the prefix (the template's, or the issuing region for the
    built-in prefix, which carries its name), so numbers never repeat."""
    counter = NoticeCounter.objects.filter(year=year, prefix=prefix).order_by("id").first()
    if counter is None:
        counter, _ = NoticeCounter.objects.get_or_create(region=owner, year=year, prefix=prefix)
    last = NoticeCounter.objects.select_for_update().values_list("last", flat=True).get(pk=counter.pk) + 1
    NoticeCounter.objects.filter(pk=counter.pk).update(last=last)
    return f"{prefix}〔{year}〕{last}号"


def notice_issue(
    *,
    ctx: AuditContext,
    kind: str,
    region_code: str,
    household_id: int | None = None,
    case_id: int | None = None,
    application_no: str = "",
    facts: dict[str, Any],
    on: date | None = None,
) -> Notice:
    """Issue a notice of ``kind`` in the name of ``region_code`` (the township that accepts, the county
    that confirms …). The caller has checked the actor's role; this runs inside the caller's
    transaction (its own savepoint otherwise)."""
    _check_kind(kind)
    on = on or timezone.localdate()
    region = _region(region_code)
    given = dict(facts)
    given.setdefault("region_name", region.name)
    if application_no:
        given.setdefault("application_no", application_no)
    with transaction.atomic():
        if case_id is not None and "case_number" not in given:
            number = Case.objects.filter(pk=case_id).values_list("number", flat=True).first()
            if number is None:
                raise NotFound("未找到该案件")
            given["case_number"] = number
        template = _template_in_force(region.code, kind, on)
        if template is not None:
            issuer, prefix, title, body = (
                template.issuer,
                template.document_prefix,
                template.title,
                template.body,
            )
            owner = template.region
        else:
            title, body = DEFAULT_TEXTS[kind]
            issuer, prefix = default_issuer(region.name, region.level), f"{region.name}{DEFAULT_PREFIX}"
            owner = region
        document_no = _next_document_no(owner=owner, prefix=prefix, year=on.year)
        text = notice_render(body, {**given, "issued_on": on, "document_no": document_no}, kind=kind)
        notice = Notice.objects.create(
            kind=kind,
            document_no=document_no,
            region=region,
            household_id=household_id,
            case_id=case_id,
            application_no=application_no,
            template=template,
            issuer=issuer,
            title=title,
            body=text,
            issued_on=on,
            issued_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.NOTICE,
            object_id=notice.pk,
            region_code=region.code,
            detail={"kind": kind, "document_no": document_no, "case": case_id, "application": application_no},
        )
    return notice


# --- reads ---------------------------------------------------------------------------------------------


def notices_scoped(qs: QuerySet[Notice], user: Any) -> QuerySet[Notice]:
    """Notices issued in the caller's subtree, or about a household that lives there (a county's
    confirmation notice is the township's business too)."""
    bounds = jurisdiction_bounds(user)
    if bounds is None:
        return qs
    if bounds == ("", ""):
        return qs.none()
    return qs.filter(Q(region__code__range=bounds) | Q(household__region__code__range=bounds))


def notice_get(*, user: Any, notice_id: int) -> Notice:
    """One notice in the caller's jurisdiction; ``NotFound`` alike for missing and elsewhere."""
    qs = Notice.objects.select_related("region")
    notice = notices_scoped(qs, user).filter(pk=notice_id).first()
    if notice is None:
        refusal_note(qs, user=user, pk=notice_id)
        raise NotFound()
    return notice


def notices_for(*, user: Any, application_no: str = "", case_id: int | None = None) -> QuerySet[Notice]:
    """The notices of an application or a case, in the caller's jurisdiction, newest first."""
    qs = notices_scoped(Notice.objects.all(), user)
    if application_no:
        qs = qs.filter(application_no=application_no)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return qs
