"""The children's programs' benefit rules and intake facts (rules §8.1): 困境儿童
(``child_in_difficulty``) and 事实无人抚养儿童 (``de_facto_orphan``).

The case's subject is the child, a member of the household. The facts name the guardian — a member
of the household, or someone outside it by name and ID number — with the relation, and each parent's
situation (``engine.children.SITUATIONS``); 困境儿童 adds the situation the child is in. The rules hand
them, with the child's age on the decision date and (困境儿童) whether the household holds 低保 or the
child 特困 and whether the child is severely ill or disabled, to the pure engine; the entitlement
keeps the guardian and the parents' situations (``details``), which the household's benefits page
shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import AidProgram, PaymentKind

from ..engine.children import DIFFICULTIES, SITUATIONS, ChildGrant, child_in_difficulty, de_facto_orphan
from .disability import household_holds, person_holds
from .facts import CHOICE, MEMBER, TEXT, Fact

if TYPE_CHECKING:
    from .base import AmountRequest, AmountResult

RELATIONS = (
    ("grandparent", "祖父母、外祖父母"),
    ("sibling", "兄、姐"),
    ("other_relative", "其他亲属"),
    ("parent", "父母一方"),
    ("entrusted", "受委托的其他人员"),
    ("institution", "民政部门或儿童福利机构"),
)
SITUATION_CHOICES = tuple(SITUATIONS.items())

CHILD = Fact("subject_id", "儿童（家庭成员）", MEMBER, required=True)
GUARDIAN = (
    Fact("guardian_id", "监护人（本户成员）", MEMBER, help="监护人不在本户的，填写下面的姓名和身份证号码"),
    Fact("guardian_name", "监护人姓名（非本户成员）", TEXT, max_length=50),
    Fact("guardian_id_number", "监护人身份证号码（非本户成员）", TEXT, max_length=18),
    Fact("guardian_relation", "监护人与儿童的关系", CHOICE, RELATIONS, required=True),
    Fact("father_situation", "父亲情况", CHOICE, SITUATION_CHOICES, required=True),
    Fact("mother_situation", "母亲情况", CHOICE, SITUATION_CHOICES, required=True),
)
ORPHAN_FACTS = (CHILD, *GUARDIAN)
DIFFICULTY_FACTS = (
    CHILD,
    Fact("difficulty", "困境类型", CHOICE, tuple(DIFFICULTIES.items()), required=True),
    *GUARDIAN,
)


def guardian_check(program: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The guardian is a member (not the child) or named with a valid ID number, not both."""
    from jiuzhu.registry import idnumber

    key = f"details.{program}."
    errors: dict[str, str] = {}
    member = facts.get("guardian_id")
    name = facts.get("guardian_name")
    id_number = facts.get("guardian_id_number")
    if member is not None and (name or id_number):
        errors[key + "guardian_id"] = "监护人为本户成员的，不再填写非本户监护人的姓名和身份证号码"
    elif member is not None and member == facts.get("subject_id"):
        errors[key + "guardian_id"] = "监护人不能是儿童本人"
    elif member is None:
        if not name:
            errors[key + "guardian_name"] = "请选择本户成员作为监护人，或填写监护人姓名"
        if not id_number:
            errors[key + "guardian_id_number"] = "请填写监护人身份证号码"
        elif not idnumber.is_valid(id_number):
            errors[key + "guardian_id_number"] = "监护人身份证号码无效"
        else:
            facts = {**facts, "guardian_id_number": idnumber.normalise(id_number)}
    if errors:
        raise ValidationFailed(errors)
    return facts


def orphan_check(facts: dict[str, Any]) -> dict[str, Any]:
    return guardian_check(AidProgram.DE_FACTO_ORPHAN, facts)


def difficulty_check(facts: dict[str, Any]) -> dict[str, Any]:
    return guardian_check(AidProgram.CHILD_IN_DIFFICULTY, facts)


def _child(req: AmountRequest) -> tuple[int, int]:
    if req.subject is None:
        raise ValidationFailed({"subject_id": "未指定儿童"})
    return req.subject.person_id, req.subject.age


def _details(req: AmountRequest, grant: ChildGrant) -> dict[str, Any]:
    keep = (
        "difficulty",
        "guardian_id",
        "guardian_name",
        "guardian_id_number",
        "guardian_relation",
        "father_situation",
        "mother_situation",
    )
    return {**{k: req.details[k] for k in keep if k in req.details}, "basis": grant.basis}


def _result(req: AmountRequest, grant: ChildGrant, label: str) -> AmountResult:
    from .base import AmountResult

    line = {"label": label, "formula": grant.formula, "amount": str(grant.amount)}
    steps = (line,) if grant.eligible else ()
    return AmountResult(
        eligible=grant.eligible,
        amount=grant.amount,
        payment=PaymentKind.MONTHLY if grant.cash else PaymentKind.NO_CASH,
        steps=steps,
        reasons=grant.reasons,
        details=_details(req, grant),
    )


def de_facto_orphan_rule(req: AmountRequest) -> AmountResult:
    """事实无人抚养儿童's basic living subsidy at the orphan standard (``engine.children``)."""
    _person, age = _child(req)
    grant = de_facto_orphan(
        age=age,
        father=str(req.details.get("father_situation", "able")),
        mother=str(req.details.get("mother_situation", "able")),
        minor_age=int(req.policy.minor_age),
        orphan_standard=req.policy.orphan_standard,
    )
    return _result(req, grant, "事实无人抚养儿童基本生活补贴")


def child_in_difficulty_rule(req: AmountRequest) -> AmountResult:
    """困境儿童 (``engine.children``): the region's allowance, or no cash."""
    person, age = _child(req)
    on = req.decided_on
    subject = req.subject
    assert subject is not None
    grant = child_in_difficulty(
        age=age,
        difficulty=str(req.details.get("difficulty", "economic")),
        father=str(req.details.get("father_situation", "able")),
        mother=str(req.details.get("mother_situation", "able")),
        household_poor=household_holds(person, AidProgram.DIBAO, on)
        or person_holds(person, (AidProgram.TEKUN,), on),
        child_severe=subject.severe_disability or subject.severe_illness,
        minor_age=int(req.policy.minor_age),
        allowance=req.policy.child_in_difficulty_allowance,
    )
    return _result(req, grant, "困境儿童基本生活补贴")
