"""特困人员救助供养 (rules §3): the benefit rule and the facts taken at intake.

The rule reads what the case recorded (``Case.details``): the support form (分散供养 / 集中供养, with the
institution for 集中), the self-care assessment's tier (``selfcare``, written by the assessment step)
and the 三无 finding (``sanwu``, written with it). It pays, per person and per month, the basic living
standard (``tekun_multiplier`` × the 低保 standard, urban or rural) plus the care standard of the tier
for the support form (``engine.tekun``). Without a self-care assessment nothing can be granted.

The 三无 finding (rules §3.1: all three conditions met) must be "yes" for a case's decision: one that
fails, one still to be checked (``review``: a supporter's income or assets unknown …) and none recorded
all make the case not eligible, with reasons saying what failed or what is pending. Recomputing an
existing entitlement (``AmountRequest.recompute``: reviews, a raised standard, migrated files, whose
facts may carry no finding) refuses only a finding that failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import PaymentKind

from ..engine.tekun import CENTRAL, DISPERSED, FORMS, NO, REVIEW, TIERS, YES, tekun_amount
from .base import AmountRequest, AmountResult
from .facts import CHOICE, SUBJECT, TEXT, Fact

SUPPORT_FORM = Fact(
    "support_form",
    "供养形式",
    CHOICE,
    choices=tuple(FORMS.items()),
    required=True,
    help="分散供养：在家生活；集中供养：入住供养服务机构",
)
INSTITUTION = Fact("institution", "供养服务机构名称", TEXT, help="集中供养的填写", max_length=100)

FACTS: tuple[Fact, ...] = (SUBJECT, SUPPORT_FORM, INSTITUTION)


def facts_check(facts: dict[str, Any]) -> dict[str, Any]:
    """集中供养 names its institution; 分散供养 has none."""
    if facts.get("support_form") == CENTRAL:
        if not facts.get("institution"):
            raise ValidationFailed({"details.tekun.institution": "集中供养须填写供养服务机构名称"})
    else:
        facts.pop("institution", None)
    return facts


def care_standard(policy: Any, *, form: str, tier: str) -> Any:
    """The policy's care standard (yuan per month) of ``tier`` for ``form``."""
    place = "central" if form == CENTRAL else "dispersed"
    return getattr(policy, f"tekun_care_{place}_{tier}")


SANWU_ALL = "无劳动能力、无生活来源、无法定义务人或义务人无履行义务能力"


def sanwu_refusal(sanwu: Mapping[str, Any], *, recompute: bool = False) -> tuple[str, ...]:
    """Why the 三无 finding ``sanwu`` (``Case.details["sanwu"]``) does not allow a grant; () when it
    does: "yes", or — recomputing an existing entitlement — anything but "no"."""
    outcome = sanwu.get("outcome")
    findings = list(sanwu.get("findings") or [])
    if outcome == YES or (recompute and outcome != NO):
        return ()
    if outcome == NO:
        return ("不符合特困人员“三无”条件", *(r for f in findings for r in f.get("reasons", [])))
    if outcome == REVIEW:
        pending = [
            f"{f.get('label', '')}（{'；'.join(f.get('reasons', []))}）"
            if f.get("reasons")
            else str(f.get("label", ""))
            for f in findings
            if f.get("met") is None
        ]
        return ("特困人员“三无”条件待核实：" + ("；".join(pending) or SANWU_ALL) + "，核实后方可确认给予",)
    return (f"尚未作出特困人员“三无”条件认定（{SANWU_ALL}），须经生活自理能力评估时认定",)


def tekun_rule(req: AmountRequest) -> AmountResult:
    details = req.details
    form = str(details.get("support_form") or DISPERSED)
    selfcare = details.get("selfcare") or {}
    tier = selfcare.get("tier")
    if tier not in TIERS:
        raise ValidationFailed({"selfcare": "尚未完成生活自理能力评估，无法确定照料护理标准"})
    standard = req.policy.dibao_standard(urban=req.urban)
    amount = tekun_amount(
        standard=standard,
        multiplier=req.policy.tekun_multiplier,
        care_standard=care_standard(req.policy, form=form, tier=tier),
        tier=tier,
        form=form,
    )
    sanwu = details.get("sanwu") or {}
    reasons = [r for f in sanwu.get("findings", []) for r in f.get("reasons", [])]
    refusal = sanwu_refusal(sanwu, recompute=req.recompute)
    eligible = not refusal
    kept = {
        "care_tier": tier,
        "care_tier_label": TIERS[tier],
        "support_form": form,
        "support_form_label": FORMS.get(form, form),
    }
    if form == CENTRAL and details.get("institution"):
        kept["institution"] = str(details["institution"])
    return AmountResult(
        eligible=eligible,
        amount=amount.total if eligible else amount.total * 0,
        payment=PaymentKind.MONTHLY,
        steps=tuple(s.to_json() for s in amount.steps),
        reasons=tuple(reasons) if eligible else refusal,
        details=kept,
        extra={"basic": str(amount.basic), "care": str(amount.care), "sanwu": sanwu.get("outcome")},
    )
