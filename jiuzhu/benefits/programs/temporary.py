"""临时救助's benefit rule and intake facts (rules §5): a one-off grant (payment ``once``; a person may
receive several, within the once-per-year-per-cause rule), computed by the pure engine
``benefits.engine.temporary`` from the case's facts and the policy's caps; the person's earlier grants
come from ``selectors_temporary``.

Facts at intake: the type (急难型 / 支出型) and cause, the amount asked, the expense borne, the people
helped and the months of hardship (支出型), a description, whether the person is a non-resident
(流动人口, helped where the emergency happened), and whether the county allowed one more grant for the
same cause this year. Recorded on the way: the county's 一事一议 (``county_special``) and, for a case
opened by a 先行救助, the amount paid at once and its entitlement (``prior_aid_amount``,
``prior_aid_entitlement_id``), which the decision ratifies rather than pays again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import TEMPORARY_CAUSES, PaymentKind, TemporaryCause, TemporaryKind

from ..engine.temporary import Request, Settings, temporary_grant
from .base import AmountRequest, AmountResult
from .facts import BOOL, CHOICE, INT, MONEY, SUBJECT, TEXT, Fact

PROGRAM = "temporary"

FACTS: tuple[Fact, ...] = (
    SUBJECT,
    Fact("kind", "救助类型", CHOICE, tuple(TemporaryKind.labels().items()), required=True),
    Fact("cause", "救助事由", CHOICE, tuple(TemporaryCause.labels().items()), required=True),
    Fact("amount_asked", "申请救助金额（元）", MONEY, help="急难型：至少为最低救助额（低保标准的规定月数）"),
    Fact("expense_amount", "自付支出金额（元）", MONEY, help="支出型：扣除医保报销和其他救助后的自付部分"),
    Fact("people", "救助人数", INT, help="支出型：按人数计算；急难型默认 1"),
    Fact("months", "困难月数", INT, help="支出型：按月数计算，超过政策规定的最长月数按最长月数计"),
    Fact("description", "困难情形说明", TEXT, max_length=500),
    Fact("non_resident", "流动人口（在急难发生地救助）", BOOL),
    Fact("county_exception", "县级批准同一事由年内再次救助", BOOL),
)


def facts_check(facts: dict[str, Any]) -> dict[str, Any]:
    """The cause belongs to the type; the expenditure type gives people and months (at least 1)."""
    errors: dict[str, str] = {}
    key = f"details.{PROGRAM}."
    kind, cause = facts.get("kind"), facts.get("cause")
    if kind and cause and cause not in TEMPORARY_CAUSES[kind]:
        errors[key + "cause"] = (
            f"“{TemporaryCause.label_of(cause)}”不是{TemporaryKind.label_of(kind)}临时救助的事由"
        )
    if kind == TemporaryKind.EXPENSE:
        for code, label in (("people", "救助人数"), ("months", "困难月数")):
            if not facts.get(code):
                errors[key + code] = f"支出型临时救助须填写{label}（至少为 1）"
    for code, top in (("people", 100), ("months", 120)):
        if facts.get(code) is not None and int(facts[code]) > top:
            errors[key + code] = f"数值过大（不超过 {top}）"
    if errors:
        raise ValidationFailed(errors)
    return facts


def settings_of(policy: Any, *, urban: bool) -> Settings:
    standard = policy.dibao_standard(urban=True if policy.temporary_urban_standard else urban)
    return Settings(
        standard=Decimal(standard),
        township_cap_months=Decimal(policy.temporary_township_cap_months),
        cap_months=Decimal(policy.temporary_cap_months),
        county_cap_months=Decimal(policy.temporary_county_cap_months),
        emergency_floor_months=Decimal(policy.temporary_emergency_floor_months),
        expense_months_max=int(policy.temporary_expense_months_max),
        times_per_cause=int(policy.temporary_times_per_cause),
    )


def _money(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def temporary_rule(req: AmountRequest) -> AmountResult:
    from ..selectors_temporary import temporary_past_grants

    d = dict(req.details or {})
    if not d.get("kind") or not d.get("cause"):
        raise ValidationFailed({"details": "缺少临时救助的救助类型或救助事由"})
    prior_entitlement = int(d.get("prior_aid_entitlement_id") or 0)
    past = (
        temporary_past_grants(person_id=req.subject.person_id, exclude_ids=[prior_entitlement])
        if req.subject is not None
        else ()
    )
    request = Request(
        kind=str(d["kind"]),
        cause=str(d["cause"]),
        on=req.decided_on,
        amount_asked=_money(d.get("amount_asked")),
        expense_amount=_money(d.get("expense_amount")),
        people=int(d.get("people") or 1),
        months=int(d.get("months") or 1),
        county_exception=bool(d.get("county_exception")),
        county_special=bool(d.get("county_special")),
        prior_aid=_money(d.get("prior_aid_amount")) or Decimal("0"),
        past=past,
    )
    try:
        grant = temporary_grant(request=request, settings=settings_of(req.policy, urban=req.urban))
    except ValueError as exc:
        raise ValidationFailed({"details": str(exc)}) from None
    figures = grant.to_json()
    kept = {
        "kind": request.kind,
        "cause": request.cause,
        "grant": figures["amount"],
        "approval": grant.approval,
    }
    if request.prior_aid:
        kept["prior_aid_amount"] = str(request.prior_aid)
    return AmountResult(
        eligible=grant.eligible,
        amount=grant.top_up,
        payment=PaymentKind.ONCE,
        steps=tuple(s.to_json() for s in grant.steps),
        reasons=grant.reasons,
        valid_months=1,
        details=kept,
        extra={"temporary": {k: v for k, v in figures.items() if k not in ("steps", "reasons", "eligible")}},
    )
