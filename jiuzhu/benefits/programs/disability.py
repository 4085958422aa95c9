"""The two disability subsidies' benefit rules and intake facts (rules §6): 困难残疾人生活补贴
(``disability_living``) and 重度残疾人护理补贴 (``disability_care``).

The facts give the certificate (number, category, grade, validity; the 残联 feed check of the first
step compares them with the federation's record: ``benefits.selectors.disability_certificate_check``),
the months of long-term care (护理补贴) and whether the person receives the work-injury care allowance
(生活补贴). The rules read the person's situation on the decision date — the household's 低保 (or
低保边缘) entitlement, a 特困 or children's entitlement of the person, a prison sentence in the
justice feed — and hand it to the pure engine (``engine.disability``); the certificate is checked
against the feed again on the decision date (not granted when it no longer matches or has expired).
What the entitlement keeps (``details``) is the certificate, so that a review can check it again.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import AidProgram, EntitlementStatus, PaymentKind

from ..engine.disability import (
    CareFacts,
    CareSettings,
    LivingFacts,
    LivingSettings,
    Subsidy,
    care_subsidy,
    certificate_problems,
    living_subsidy,
)
from .facts import BOOL, CHOICE, DATE, INT, SUBJECT, TEXT, Fact

if TYPE_CHECKING:
    from .base import AmountRequest, AmountResult

CATEGORIES = (
    ("visual", "视力残疾"),
    ("hearing", "听力残疾"),
    ("speech", "言语残疾"),
    ("physical", "肢体残疾"),
    ("intellectual", "智力残疾"),
    ("mental", "精神残疾"),
    ("multiple", "多重残疾"),
)
GRADES = (("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级"))

CERTIFICATE = (
    SUBJECT,
    Fact(
        "certificate_no",
        "残疾人证号",
        TEXT,
        required=True,
        max_length=20,
        help="20 位：身份证号码 + 残疾类别代码 + 残疾等级",
    ),
    Fact("disability_category", "残疾类别", CHOICE, CATEGORIES, required=True),
    Fact("disability_grade", "残疾等级", CHOICE, GRADES, required=True),
    Fact("certificate_valid_until", "残疾人证有效期至", DATE, help="长期有效的可不填"),
)
LIVING_FACTS = (
    *CERTIFICATE,
    Fact("work_injury_care", "享受工伤保险生活护理费", BOOL, help="享受的不能再领取困难残疾人生活补贴"),
)
CARE_FACTS = (
    *CERTIFICATE,
    Fact(
        "care_months",
        "需长期照护的月数",
        INT,
        required=True,
        help="照护需求已持续（或经评估将持续）的月数",
    ),
    Fact("caregiver", "主要照护人", TEXT, max_length=50),
)

# Entitlement programs whose holder the living subsidy excludes (rules §6).
CHILD_PROGRAMS = (AidProgram.CHILD_IN_DIFFICULTY, AidProgram.DE_FACTO_ORPHAN)


def certificate_check(program: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The cross-field check of the certificate: the grade as a number, and the number built from the
    person's ID number, category and grade (national numbering)."""
    from jiuzhu.registry.models import Person

    facts = dict(facts)
    grade = int(facts["disability_grade"])
    facts["disability_grade"] = grade
    facts["certificate_no"] = str(facts["certificate_no"]).strip().upper()
    person = Person.objects.filter(pk=int(facts.get("subject_id") or 0)).only("id_number").first()
    if person is not None:
        problems = certificate_problems(
            facts["certificate_no"],
            id_number=person.id_number,
            category=facts["disability_category"],
            grade=grade,
        )
        if problems:
            raise ValidationFailed({f"details.{program}.certificate_no": "；".join(problems)})
    return facts


def living_check(facts: dict[str, Any]) -> dict[str, Any]:
    return certificate_check(AidProgram.DISABILITY_LIVING, facts)


def care_check(facts: dict[str, Any]) -> dict[str, Any]:
    return certificate_check(AidProgram.DISABILITY_CARE, facts)


# --- the person's situation on the decision date ---------------------------------------------------------


def _active(on: date) -> Any:
    from django.db.models import Q

    from ..models import Entitlement

    # Active (its first paid month may still be ahead: 低保 confirmed this month and paid from the next
    # still makes the household a 低保 household), and not past its validity.
    return Entitlement.objects.filter(status=EntitlementStatus.ACTIVE).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on.replace(day=1))
    )


def households_of(person_id: int) -> list[int]:
    from jiuzhu.registry.models import Membership

    return list(
        Membership.objects.filter(person_id=person_id, end_date__isnull=True).values_list(
            "household_id", flat=True
        )
    )


def household_holds(person_id: int, program: str, on: date) -> bool:
    """Whether the person's household holds ``program`` on ``on`` (a household entitlement of it, or the
    person's own, e.g. 单人保)."""
    from django.db.models import Q

    return (
        _active(on)
        .filter(program=program)
        .filter(Q(person_id=person_id) | Q(person__isnull=True, household_id__in=households_of(person_id)))
        .exists()
    )


def person_holds(person_id: int, programs: tuple[str, ...], on: date, *, cash: bool = False) -> bool:
    rows = _active(on).filter(person_id=person_id, program__in=programs)
    if cash:
        rows = rows.exclude(payment=PaymentKind.NO_CASH)
    return rows.exists()


def imprisoned(person_id: int, on: date) -> bool:
    """Serving a prison sentence on ``on``, as the justice feed says."""
    from jiuzhu.exchange.models import FeedRecord
    from jiuzhu.registry.models import Person

    id_number = Person.objects.filter(pk=person_id).values_list("id_number", flat=True).first()
    if id_number is None:
        return False
    for data in FeedRecord.objects.filter(
        feed="justice", id_number=id_number, kind="prison", date__lte=on
    ).values_list("data", flat=True):
        end = (data or {}).get("end_date")
        if not end or date.fromisoformat(end) >= on:
            return True
    return False


# --- the rules --------------------------------------------------------------------------------------------


def _subject(req: AmountRequest) -> int:
    if req.subject is None:
        raise ValidationFailed({"subject_id": "未指定救助对象"})
    return req.subject.person_id


def _details(req: AmountRequest, **extra: Any) -> dict[str, Any]:
    keep = ("certificate_no", "disability_category", "disability_grade", "certificate_valid_until")
    return {**{k: req.details[k] for k in keep if k in req.details}, **extra}


def _result(req: AmountRequest, subsidy: Subsidy, details: dict[str, Any]) -> AmountResult:
    """The subsidy, provided the certificate is still the federation's and valid on the decision date
    (the same check as the first step's evidence, on the day the decision is made: a certificate that
    expired, or was re-graded, since the application is a reason not to grant)."""
    from ..selectors import disability_certificate_check
    from .base import AmountResult

    check = disability_certificate_check(person_id=_subject(req), on=req.decided_on, claimed=req.details)
    eligible = subsidy.eligible and check.ok
    reasons = tuple(f"残疾人证核验未通过：{r}" for r in check.reasons) + subsidy.reasons
    return AmountResult(
        eligible=eligible,
        amount=subsidy.amount if eligible else Decimal("0.00"),
        payment=PaymentKind.MONTHLY,
        steps=subsidy.steps if eligible else (),
        reasons=reasons,
        details=details,
    )


def _grade(req: AmountRequest) -> int | None:
    grade = str(req.details.get("disability_grade") or "")
    return int(grade) if grade else None


def disability_living(req: AmountRequest) -> AmountResult:
    """困难残疾人生活补贴 of the case's subject (``engine.disability.living_subsidy``)."""
    person = _subject(req)
    on = req.decided_on
    p = req.policy
    facts = LivingFacts(
        category=str(req.details.get("disability_category", "")),
        grade=_grade(req),
        in_dibao=household_holds(person, AidProgram.DIBAO, on),
        in_near_dibao=household_holds(person, AidProgram.NEAR_DIBAO, on),
        tekun=person_holds(person, (AidProgram.TEKUN,), on),
        imprisoned=imprisoned(person, on),
        work_injury_care=bool(req.details.get("work_injury_care")),
        child_allowance=person_holds(person, CHILD_PROGRAMS, on, cash=True),
    )
    settings = LivingSettings(
        severe=p.disability_living_severe,
        other=p.disability_living_other,
        near_dibao=p.disability_living_near_dibao,
    )
    subsidy = living_subsidy(facts, settings)
    basis = "dibao" if facts.in_dibao else "near_dibao"
    return _result(req, subsidy, _details(req, household_basis=basis))


def disability_care(req: AmountRequest) -> AmountResult:
    """重度残疾人护理补贴 of the case's subject (``engine.disability.care_subsidy``)."""
    _subject(req)
    p = req.policy
    facts = CareFacts(
        category=str(req.details.get("disability_category", "")),
        grade=_grade(req),
        care_months=int(req.details.get("care_months") or 0),
    )
    settings = CareSettings(
        grade1=p.disability_care_grade1,
        grade2=p.disability_care_grade2,
        months_min=int(p.disability_care_months),
        extended=p.disability_care_extended,
        extended_amount=p.disability_care_extended_amount,
    )
    extra = {"care_months": facts.care_months}
    if req.details.get("caregiver"):
        extra["caregiver"] = req.details["caregiver"]
    return _result(req, care_subsidy(facts, settings), _details(req, **extra))
