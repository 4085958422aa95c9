"""The facts a program needs given at intake (受理) beyond the household and its verification report:
临时救助's type, cause and amount asked, the disability certificate, the child's guardian … Each program
declares its facts (``Fact``) in ``FACTS``; the acceptance page and the API render and take them
generically, and ``facts_clean`` checks them (types, choices, required) before the program's own
cross-field check (``CHECKS``). The cleaned facts are stored on the case (``Case.details``) and read by
the program's benefit rule.

For a per-person program the person the case is for is chosen among the household's members
(``subject_id``); it is a fact of every per-person program.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from jiuzhu.core.errors import ValidationFailed

TEXT, CHOICE, INT, MONEY, DATE, BOOL, MEMBER = "text", "choice", "int", "money", "date", "bool", "member"


@dataclass(frozen=True)
class Fact:
    code: str
    label: str
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    help: str = ""
    max_length: int = 200


SUBJECT = Fact("subject_id", "救助对象（家庭成员）", MEMBER, required=True)

# Program → its facts, in the order the form shows them (programs add theirs here).
FACTS: dict[str, tuple[Fact, ...]] = {}

# Program → a cross-field check of the cleaned facts: returns the facts (possibly completed) or raises
# ValidationFailed with keys ``details.<program>.<code>``.
CHECKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _one(fact: Fact, raw: Any, members: Collection[int]) -> tuple[Any, str | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ("请填写" + fact.label) if fact.required else None
    if fact.kind == BOOL:
        if isinstance(raw, bool):
            return raw, None
        return str(raw).strip().lower() in ("1", "true", "on", "yes", "是"), None
    text = str(raw).strip()
    if fact.kind == TEXT:
        if len(text) > fact.max_length:
            return None, f"{fact.label}不能超过 {fact.max_length} 个字"
        return text, None
    if fact.kind == CHOICE:
        codes = {c for c, _ in fact.choices}
        if text not in codes:
            return None, f"{fact.label}无效，可选：" + "、".join(label for _, label in fact.choices)
        return text, None
    if fact.kind in (INT, MEMBER):
        try:
            value = int(text)
        except ValueError:
            return None, f"{fact.label}应为整数"
        if fact.kind == MEMBER and value not in members:
            return None, f"{fact.label}须为本户现有成员"
        if value < 0:
            return None, f"{fact.label}不能为负数"
        return value, None
    if fact.kind == MONEY:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None, f"{fact.label}应为金额（元）"
        if not amount.is_finite() or amount < 0 or amount >= Decimal("100000000"):
            return None, f"{fact.label}应为 0 至 1 亿元之间的金额"
        return str(amount.quantize(Decimal("0.01"))), None
    if fact.kind == DATE:
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, f"{fact.label}应为日期（YYYY-MM-DD）"
    raise ValueError(fact.kind)


def facts_clean(program: str, raw: Mapping[str, Any] | None, *, members: Collection[int]) -> dict[str, Any]:
    """The program's facts from ``raw`` (form or JSON values), checked; ``members`` are the person ids
    of the household's current members. Unknown keys are refused (nothing is silently dropped)."""
    raw = dict(raw or {})
    facts = FACTS.get(program, ())
    errors: dict[str, str] = {}
    known = {f.code for f in facts}
    for key in raw:
        if key not in known:
            errors[f"details.{program}.{key}"] = f"未知的项目信息：{key}"
    out: dict[str, Any] = {}
    for fact in facts:
        value, error = _one(fact, raw.get(fact.code), members)
        if error:
            errors[f"details.{program}.{fact.code}"] = error
        elif value is not None:
            out[fact.code] = value
    if errors:
        raise ValidationFailed(errors)
    check = CHECKS.get(program)
    return check(out) if check else out


def _temporary_facts() -> None:
    from .temporary import FACTS as TEMPORARY_FACTS
    from .temporary import PROGRAM, facts_check

    FACTS[PROGRAM] = TEMPORARY_FACTS
    CHECKS[PROGRAM] = facts_check


_temporary_facts()
