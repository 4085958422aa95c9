"""特困人员救助供养 (rules §3): the benefit rule and the facts taken at intake.

The rule reads what the case recorded (``Case.details``): the support form (分散供养 / 集中供养, with the
institution for 集中), the self-care assessment's tier (``selfcare``, written by the assessment step)
and the 三无 finding (``sanwu``, written with it). It pays, per person and per month, the basic living
standard (``tekun_multiplier`` × the 低保 standard, urban or rural) plus the care standard of the tier
for the support form (``engine.tekun``). A recorded 三无 finding that fails makes the case not
eligible; without a self-care assessment nothing can be granted.
"""

from __future__ import annotations

from typing import Any

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import PaymentKind

from ..engine.tekun import CENTRAL, DISPERSED, FORMS, NO, TIERS, tekun_amount
from . import AmountRequest, AmountResult
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
    eligible = sanwu.get("outcome") != NO
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
        reasons=tuple(reasons) if eligible else ("不符合特困人员“三无”条件", *reasons),
        details=kept,
        extra={"basic": str(amount.basic), "care": str(amount.care), "sanwu": sanwu.get("outcome")},
    )
