"""The children's programs walked through the engine: the child and the guardian (a member, or someone
outside the household by name and ID number) and each parent's situation given at intake, the case
opened for the child, the township's home visit, review, the county's confirmation, and the
entitlement: 事实无人抚养儿童 at the orphan standard (1500 by default), 困境儿童 with no cash where the
region sets no allowance (0 by default) and with the allowance where it does.

The household of 东镇: the grandmother (head, 66) and the child (10); the parents live elsewhere."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.programs.facts import facts_clean
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.workflow.definitions import NATIONAL
from jiuzhu.workflow.definitions.spec import soundness
from jiuzhu.workflow.selectors import case_missing_evidence
from jiuzhu.workflow.services import case_act, case_open
from jiuzhu.workflow.services.steps import confirmation_decide, review_opinion

from ..conftest import EAST_VILLAGE
from ..factories import (
    add_entitlement,
    add_investigation,
    add_member,
    new_household,
    new_policy,
    program_definition,
)
from .steps_world import report_for

pytestmark = pytest.mark.django_db

ORPHAN, DIFFICULTY = "de_facto_orphan", "child_in_difficulty"
OUTSIDE_ID = "11010519491231002X"


def build(
    tree: dict[str, Any], caseworker: Any, reviewer: Any, approver: Any, **policy: Any
) -> dict[str, Any]:
    new_policy(spot_check_rate=Decimal("0"), **policy)
    for program in (ORPHAN, DIFFICULTY):
        program_definition(program)
    household = new_household(
        region=tree[EAST_VILLAGE],
        head__residence_region=tree[EAST_VILLAGE],
        head__birth_date=date(1960, 3, 1),
        head__name="祖母",
    )
    child = add_member(household, "grandchild", name="儿童甲", birth_date=date(2016, 6, 1))
    return {
        "household": household,
        "child": child,
        "report": report_for(household),
        "caseworker": caseworker,
        "reviewer": reviewer,
        "approver": approver,
    }


@pytest.fixture
def world(tree: dict[str, Any], caseworker: Any, reviewer: Any, approver: Any) -> dict[str, Any]:
    return build(tree, caseworker, reviewer, approver)


def ctx(user: Any) -> AuditContext:
    return AuditContext(user=user, channel="web")


def facts(w: dict[str, Any], program: str, **raw: Any) -> dict[str, Any]:
    base = {
        "subject_id": w["child"].pk,
        "guardian_id": w["household"].head_id,
        "guardian_relation": "grandparent",
        "father_situation": "imprisoned",
        "mother_situation": "lost_contact",
    }
    base.update(raw)
    members = {w["household"].head_id, w["child"].pk}
    return facts_clean(program, {k: v for k, v in base.items() if v is not None}, members=members)


def open_case(w: dict[str, Any], program: str, cleaned: dict[str, Any]) -> Any:
    cleaned = dict(cleaned)
    subject = cleaned.pop("subject_id")
    return case_open(
        ctx=ctx(w["caseworker"]),
        program=program,
        household_id=w["household"].pk,
        applicant_id=w["household"].head_id,
        report_id=w["report"].pk,
        subject_id=subject,
        details=cleaned,
    )


def version(case: Any) -> int:
    case.refresh_from_db()
    return int(case.version)


def walk(w: dict[str, Any], case: Any, *, agree: bool = True) -> Any:
    case_act(ctx=ctx(w["caseworker"]), case_id=case.pk, version=version(case), target="investigation")
    case.refresh_from_db()
    assert case_missing_evidence(case) == ["入户调查记录（调查人员不少于规定人数）"]
    add_investigation(case)
    case_act(ctx=ctx(w["caseworker"]), case_id=case.pk, version=version(case), target="review")
    review_opinion(
        ctx=ctx(w["reviewer"]), case_id=case.pk, version=version(case), agree=True, text="同意上报"
    )
    case_act(ctx=ctx(w["reviewer"]), case_id=case.pk, version=version(case), target="confirmation")
    return confirmation_decide(
        ctx=ctx(w["approver"]),
        case_id=case.pk,
        version=version(case),
        agree=agree,
        text="同意" if agree else "不同意",
        reasons=None if agree else ["父亲能够履行抚养义务"],
    )


@pytest.mark.parametrize("program", [ORPHAN, DIFFICULTY])
def test_definitions_are_sound_and_visit_the_child(program: str) -> None:
    spec = NATIONAL[program]
    assert soundness(spec) == []
    assert [s.code for s in spec.steps if not s.is_end] == [
        "verification",
        "investigation",
        "review",
        "materials",
        "confirmation",
    ]


# --- the guardian ---------------------------------------------------------------


def test_the_guardian_is_a_member_or_named_with_an_id_number(world: dict[str, Any]) -> None:
    w = world
    outside = facts(w, ORPHAN, guardian_id=None, guardian_name="舅舅", guardian_id_number=OUTSIDE_ID.lower())
    assert outside["guardian_id_number"] == OUTSIDE_ID and "guardian_id" not in outside
    key = f"details.{ORPHAN}."
    with pytest.raises(ValidationFailed) as exc:
        facts(w, ORPHAN, guardian_id=None)
    assert exc.value.errors == {
        key + "guardian_name": "请选择本户成员作为监护人，或填写监护人姓名",
        key + "guardian_id_number": "请填写监护人身份证号码",
    }
    with pytest.raises(ValidationFailed) as exc:
        facts(w, ORPHAN, guardian_id=None, guardian_name="舅舅", guardian_id_number="110105194912310021")
    assert exc.value.errors == {key + "guardian_id_number": "监护人身份证号码无效"}
    with pytest.raises(ValidationFailed) as exc:
        facts(w, ORPHAN, guardian_id=w["child"].pk)
    assert exc.value.errors == {key + "guardian_id": "监护人不能是儿童本人"}
    with pytest.raises(ValidationFailed) as exc:
        facts(w, ORPHAN, guardian_name="舅舅")
    assert exc.value.errors == {
        key + "guardian_id": "监护人为本户成员的，不再填写非本户监护人的姓名和身份证号码"
    }
    with pytest.raises(ValidationFailed) as exc:
        facts(w, DIFFICULTY)
    assert exc.value.errors == {f"details.{DIFFICULTY}.difficulty": "请填写困境类型"}


# --- 事实无人抚养儿童 ---------------------------------------------------------------


def test_de_facto_orphan_walked_to_the_orphan_standard(world: dict[str, Any]) -> None:
    w = world
    case = open_case(w, ORPHAN, facts(w, ORPHAN))
    assert case.subject_id == w["child"].pk and case.number.startswith("SW-")
    done = walk(w, case)
    ent = done.entitlement
    assert ent is not None and ent.person_id == w["child"].pk and ent.household_id == w["household"].pk
    assert ent.amount == Decimal("1500.00") and ent.payment == "monthly"
    assert ent.details == {
        "guardian_id": w["household"].head_id,
        "guardian_relation": "grandparent",
        "father_situation": "imprisoned",
        "mother_situation": "lost_contact",
        "basis": "父亲服刑在押，母亲失联",
    }
    steps = done.decision.computation["allowance"]["steps"]
    assert steps == [
        {
            "label": "事实无人抚养儿童基本生活补贴",
            "formula": "父亲服刑在押，母亲失联，按孤儿基本生活保障标准 1500.00 元/月",
            "amount": "1500.00",
        }
    ]


def test_an_able_parent_cannot_be_confirmed_and_is_refused(world: dict[str, Any]) -> None:
    w = world
    case = open_case(w, ORPHAN, facts(w, ORPHAN, father_situation="able"))
    with pytest.raises(ValidationFailed) as exc:
        walk(w, case)
    assert "父母一方能够履行抚养义务" in str(exc.value.errors)
    done = confirmation_decide(
        ctx=ctx(w["approver"]),
        case_id=case.pk,
        version=version(case),
        agree=False,
        text="不同意",
        reasons=["父亲能够履行抚养义务"],
    )
    assert done.case.state == "refused" and done.entitlement is None


# --- 困境儿童 ---------------------------------------------------------------


def test_child_in_difficulty_without_cash(world: dict[str, Any]) -> None:
    w = world
    add_entitlement(w["household"], program="dibao")
    done = walk(w, open_case(w, DIFFICULTY, facts(w, DIFFICULTY, difficulty="economic")))
    ent = done.entitlement
    assert ent is not None and ent.amount == Decimal("0.00") and ent.payment == "no_cash"
    assert ent.details["difficulty"] == "economic" and ent.details["basis"] == "家庭经济困难"


def test_child_in_difficulty_with_the_regions_allowance(
    tree: dict[str, Any], caseworker: Any, reviewer: Any, approver: Any
) -> None:
    w = build(tree, caseworker, reviewer, approver, child_in_difficulty_allowance=Decimal("600"))
    raw = facts(w, DIFFICULTY, difficulty="guardianship", father_situation="dead", mother_situation="able")
    done = walk(w, open_case(w, DIFFICULTY, raw))
    assert done.entitlement is not None and done.entitlement.amount == Decimal("600.00")
    assert done.entitlement.payment == "monthly"


# --- the household's page and the API ---------------------------------------------------------------


def test_the_household_page_links_the_child_to_guardian_and_parents(
    world: dict[str, Any], client_for: Any, other_caseworker: Any
) -> None:
    w = world
    walk(w, open_case(w, ORPHAN, facts(w, ORPHAN)))
    outside = facts(
        w,
        DIFFICULTY,
        difficulty="severe",
        guardian_id=None,
        guardian_name="舅舅",
        guardian_id_number=OUTSIDE_ID,
    )
    case = open_case(w, DIFFICULTY, outside)
    with pytest.raises(ValidationFailed):
        walk(w, case)  # the child is neither severely ill nor disabled
    client = client_for(w["caseworker"])
    household = w["household"]
    body = client.get(f"/benefits/households/{household.pk}/").content.decode()
    assert "儿童保障" in body and "事实无人抚养儿童" in body
    assert f'href="/persons/{w["child"].pk}/">儿童甲</a>' in body
    assert f'href="/persons/{household.head_id}/">祖母</a>' in body
    assert "服刑在押" in body and "失联" in body and "1500.00" in body
    rows = client.get(f"/api/benefits/households/{household.pk}/children").json()
    assert [(r["program"], r["child_name"], r["guardian_name"], r["father_situation"]) for r in rows] == [
        (ORPHAN, "儿童甲", "祖母", "服刑在押")
    ]
    assert rows[0]["guardian_id_masked"].endswith(household.head.id_number[-4:])
    assert "*" in rows[0]["guardian_id_masked"]
    other = client_for(other_caseworker)
    assert other.get(f"/benefits/households/{household.pk}/").status_code == 404
    assert other.get(f"/api/benefits/households/{household.pk}/children").status_code == 404


def test_a_guardian_outside_the_household_is_shown_masked(world: dict[str, Any], client_for: Any) -> None:
    w = world
    add_entitlement(w["household"], program="dibao")
    outside = facts(
        w,
        DIFFICULTY,
        difficulty="economic",
        guardian_id=None,
        guardian_name="舅舅",
        guardian_id_number=OUTSIDE_ID,
    )
    walk(w, open_case(w, DIFFICULTY, outside))
    body = client_for(w["caseworker"]).get(f"/benefits/households/{w['household'].pk}/").content.decode()
    assert "舅舅" in body and "非本户成员" in body and OUTSIDE_ID not in body
    assert "不发放资金" in body


def test_the_childrens_flowcharts_and_facts(world: dict[str, Any], client_for: Any) -> None:
    client = client_for(world["caseworker"])
    for program, name in ((ORPHAN, "事实无人抚养儿童认定"), (DIFFICULTY, "困境儿童认定")):
        chart = client.get(f"/workflow/docs/flowchart/{program}/").content.decode()
        assert name in chart and "入户调查" in chart
    text = str(client.get("/api/intake/program-facts").json())
    for code in ("guardian_id", "guardian_name", "guardian_id_number", "father_situation", "difficulty"):
        assert code in text
