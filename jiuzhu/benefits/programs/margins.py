"""The benefit rules of 低保边缘 and 刚性支出困难 (rules §4): no money (``no_cash``), the household's
eligibility for special-purpose assistance (专项救助: medical, education, housing, employment) recorded
on the entitlement with its validity; and 单人保 (rules §1.9), the individual 低保 of a severely
disabled or severely ill member of a 低保边缘 household, named on the case as a program fact.

The rules adapt the policy version and the verification report's figures to the pure engine
(``benefits.engine.margins``); they do not redo the means test (docs/decisions.md, "低保边缘 and
刚性支出困难").
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import AidProgram, PaymentKind

from ..engine.dibao import Member
from ..engine.margins import (
    SPECIAL_ASSISTANCE,
    NearSettings,
    RigidFigures,
    RigidSettings,
    SingleMember,
    annual_per_capita,
    member_monthly_income,
    near_dibao_finding,
    rigid_expense_finding,
    single_member,
)
from .base import AmountRequest, AmountResult
from .facts import MEMBER, Fact

DEDUCTIONS_BEFORE_RIGID = ("employment_cost", "contribution", "support_paid")

# 单人保 (rules §1.9): the member of the 低保边缘 household covered individually, if any.
SINGLE_MEMBER = Fact(
    "single_member_id",
    "单人保对象（重度残疾或重病的家庭成员，可不填）",
    MEMBER,
    help="低保边缘家庭中持一、二级残疾人证、三级智力或精神残疾人证，或患重特大疾病的成员，可按单人户纳入低保",
)
NEAR_DIBAO_FACTS: tuple[Fact, ...] = (SINGLE_MEMBER,)


def grant_line(valid_months: int | None) -> dict[str, str]:
    """The line the decision and its notice show for what is granted: no money, the 专项救助, the validity."""
    labels = "、".join(label for _, label in SPECIAL_ASSISTANCE)
    validity = f"，有效期 {valid_months} 个月，期满自动终止" if valid_months else ""
    return {
        "label": "认定后享受",
        "formula": f"不发放资金；可享受{labels}等专项救助{validity}",
        "amount": "0",
    }


def special_assistance() -> dict[str, Any]:
    """What the entitlement records: the special-purpose assistance the household may receive."""
    return {
        "special_assistance": [code for code, _ in SPECIAL_ASSISTANCE],
        "special_assistance_labels": [label for _, label in SPECIAL_ASSISTANCE],
    }


def near_settings(req: AmountRequest) -> NearSettings:
    p = req.policy
    return NearSettings(
        standard=p.dibao_standard(urban=req.urban),
        multiplier=p.near_dibao_multiplier,
        minimum_wage=p.minimum_wage_monthly,
        capped_by_minimum_wage=p.near_dibao_capped_by_minimum_wage,
    )


def _income(req: AmountRequest) -> Decimal:
    if req.per_capita_income is None:
        raise ValidationFailed({"per_capita_income": "缺少家庭月人均收入（请先附核对报告）"})
    return req.per_capita_income


def _report(req: AmountRequest) -> Mapping[str, Any]:
    return req.report or {}


def _vetoes(report: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in report.get("vetoes") or ())


def _single(req: AmountRequest, person_id: int) -> SingleMember:
    from ..services import allowance_settings

    member = next((m for m in req.members if m.person_id == person_id), None)
    if member is None:
        raise ValidationFailed({"details.single_member_id": "单人保对象不在核对报告计入的家庭成员中"})
    report = _report(req)
    months = int(report.get("months") or 0)
    lines = report.get("lines") or []
    income = member_monthly_income(lines, person_id=person_id, months=months) if months else Decimal("0")
    return single_member(
        member=Member(member.person_id, member.name, member.age, member.severe_disability),
        severe_illness=member.severe_illness,
        income=income,
        settings=allowance_settings(req.policy, urban=req.urban),
        allowed=req.policy.near_dibao_single_member,
        disability_category=member.disability_category,
        disability_grade=member.disability_grade,
    )


def single_member_result(req: AmountRequest) -> AmountResult | None:
    """The 单人保 of the member named on a 低保边缘 case (None when none is named): the 低保 of one."""
    person_id = req.details.get("single_member_id")
    if person_id is None:
        return None
    single = _single(req, int(person_id))
    allowance = single.allowance
    if not single.eligible or allowance is None:
        return AmountResult(eligible=False, amount=Decimal("0"), reasons=single.reasons)
    data = allowance.to_json()
    return AmountResult(
        eligible=True,
        amount=allowance.monthly_total,
        payment=PaymentKind.MONTHLY,
        steps=(
            {"label": "单人保：本人月收入", "formula": f"{single.income}", "amount": str(single.income)},
            *data["steps"],
        ),
        reasons=single.reasons,
        details={"single_member_of": AidProgram.NEAR_DIBAO, "person_income": str(single.income)},
        extra={k: data[k] for k in ("gap", "floor_applied", "topups")},
    )


def single_member_held(person_id: int) -> bool:
    """Whether the person already holds a live 单人保 (a 低保 entitlement of their own)."""
    from ..models import Entitlement
    from ..selectors import LIVE

    return Entitlement.objects.filter(program=AidProgram.DIBAO, person_id=person_id, status__in=LIVE).exists()


def near_dibao_rule(req: AmountRequest) -> AmountResult:
    """低保边缘: the line re-checked at the decision; no money; the 专项救助 eligibility; the validity;
    the 单人保 named on the case, checked and shown (the individual 低保 is granted with the decision)."""
    found = near_dibao_finding(
        per_capita_income=_income(req),
        vetoes=_vetoes(_report(req)),
        settings=near_settings(req),
        valid_months=req.policy.near_dibao_valid_months,
    )
    steps = [s.to_json() for s in found.steps]
    if found.eligible:
        steps.append(grant_line(found.valid_months))
    reasons = list(found.reasons)
    details = special_assistance()
    extra: dict[str, Any] = {"figures": dict(found.figures)}
    named = req.details.get("single_member_id")
    if found.eligible and named is not None and single_member_held(int(named)):
        # The member already holds a live 单人保 (not tied to the 低保边缘 validity): it goes on as it is.
        name = next((m.name for m in req.members if m.person_id == int(named)), "")
        steps.append(
            {
                "label": f"单人保（{name}）",
                "formula": "该成员已在享受单人保（低保），继续按原在保记录保障，不另行建立",
                "amount": "0",
            }
        )
        reasons.append(f"{name}已在享受单人保，不另行建立低保在保记录")
        named = None
    single = single_member_result(req) if found.eligible and named is not None else None
    if single is not None:
        person_id = int(req.details["single_member_id"])
        name = next((m.name for m in req.members if m.person_id == person_id), "")
        if not single.eligible:  # the case names someone who cannot be covered alone: not as it stands
            return AmountResult(
                eligible=False,
                amount=Decimal("0"),
                payment=PaymentKind.NO_CASH,
                steps=tuple(steps),
                reasons=(*reasons, *(f"单人保：{r}" for r in single.reasons)),
                extra=extra,
            )
        details["single_member_id"] = person_id
        details["single_member_name"] = name
        steps.append(
            {
                "label": f"单人保（{name}，按一人户纳入低保）",
                "formula": f"月保障金额 {single.amount} 元，另行建立低保在保记录",
                "amount": str(single.amount),
            }
        )
        reasons += single.reasons
        extra["single_member"] = single.to_json()
    return AmountResult(
        eligible=found.eligible,
        amount=Decimal("0"),
        payment=PaymentKind.NO_CASH,
        steps=tuple(steps),
        reasons=tuple(reasons),
        valid_months=found.valid_months,
        details=details,
        extra=extra,
    )


def rigid_figures(req: AmountRequest) -> RigidFigures:
    """The report's figures of the 刚性支出 test."""
    report = _report(req)
    totals = report.get("totals") or {}
    try:
        annual = annual_per_capita(
            gross=Decimal(str(totals["gross_income"])),
            deductions=sum((Decimal(str(totals.get(c, "0"))) for c in DEDUCTIONS_BEFORE_RIGID), Decimal("0")),
            months=int(report["months"]),
            size=int(report["size"]),
        )
        return RigidFigures(
            per_capita_income=_income(req),
            annual_per_capita_income=annual,
            expense=Decimal(str(totals["rigid_window_expense"])),
            income=Decimal(str(totals["rigid_window_income"])),
            period=str(report.get("rigid_expense_period") or ""),
            vetoes=_vetoes(report),
        )
    except (KeyError, ValueError, ArithmeticError) as exc:
        raise ValidationFailed({"report": "核对报告缺少刚性支出认定所需的数据，请重新核对"}) from exc


def rigid_expense_rule(req: AmountRequest) -> AmountResult:
    """刚性支出困难: the ratio and the income re-checked at the decision; no money; the 专项救助
    eligibility; valid ≤ 12 months."""
    p = req.policy
    found = rigid_expense_finding(
        figures=rigid_figures(req),
        settings=RigidSettings(
            near=near_settings(req),
            disposable_income=p.disposable_income_prev_year,
            ratio=p.rigid_expense_ratio,
            valid_months=p.rigid_expense_valid_months,
        ),
    )
    return AmountResult(
        eligible=found.eligible,
        amount=Decimal("0"),
        payment=PaymentKind.NO_CASH,
        steps=(
            *(s.to_json() for s in found.steps),
            *([grant_line(found.valid_months)] if found.eligible else []),
        ),
        reasons=found.reasons,
        valid_months=found.valid_months,
        details=special_assistance(),
        extra={"figures": dict(found.figures)},
    )
