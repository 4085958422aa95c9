"""The table of programs that exclude each other (rules §1.11, §3, §4, §6, §8.1): same person, same
household, symmetric, and nothing refused that the table does not name."""

from __future__ import annotations

from jiuzhu.benefits.engine.compat import HOUSEHOLD, PERSON, RULES, Held, conflicts, incompatible

TEKUN_DIBAO = "特困人员已纳入特困供养，不再同时享受低保（同一人不能同时享受特困与低保）"
RIGID = "刚性支出困难家庭认定仅适用于不符合低保、低保边缘和特困条件的家庭"


def test_tekun_and_dibao_for_the_same_person_are_refused_both_ways() -> None:
    assert conflicts("tekun", [Held("dibao", same_person=True, same_household=True)]) == [TEKUN_DIBAO]
    assert conflicts("dibao", [Held("tekun", same_person=True, same_household=True)]) == [TEKUN_DIBAO]


def test_tekun_beside_dibao_of_another_member_is_allowed() -> None:
    # 特困 for the grandmother, while her son's household (not counting her) holds 低保: not the same person.
    assert conflicts("tekun", [Held("dibao", same_person=False, same_household=True)]) == []


def test_household_rules_need_only_the_same_household() -> None:
    near = "低保家庭不再认定为低保边缘家庭（同一家庭不能同时认定）"
    assert conflicts("near_dibao", [Held("dibao", same_person=False, same_household=True)]) == [near]
    assert conflicts("near_dibao", [Held("dibao", same_person=False, same_household=False)]) == []
    # A person counted in the other household is enough for a household rule.
    assert conflicts("near_dibao", [Held("dibao", same_person=True, same_household=False)]) == [near]


def test_rigid_expense_excludes_dibao_near_dibao_and_tekun_once() -> None:
    held = [
        Held("dibao", same_person=True, same_household=True),
        Held("near_dibao", same_person=True, same_household=True),
        Held("tekun", same_person=False, same_household=True),
    ]
    assert conflicts("rigid_expense", held) == [RIGID]  # the one reason, not three times


def test_disability_and_children_pairs() -> None:
    same = Held("tekun", same_person=True, same_household=True)
    assert conflicts("disability_living", [same]) == ["困难残疾人生活补贴不与特困人员救助供养重复享受"]
    child = Held("de_facto_orphan", same_person=True, same_household=True)
    assert conflicts("child_in_difficulty", [child]) == [
        "事实无人抚养儿童已享受基本生活补贴，不再重复享受困境儿童基本生活补贴"
    ]
    # disability_care (护理补贴) goes with 特困 and with 生活补贴.
    assert conflicts("disability_care", [same, Held("disability_living", True, True)]) == []


def test_the_table_is_symmetric_and_a_program_never_excludes_itself() -> None:
    for rule in RULES:
        assert rule.scope in (PERSON, HOUSEHOLD)
        assert incompatible(rule.a, rule.b) is not None
        assert incompatible(rule.b, rule.a) is not None
    assert incompatible("dibao", "dibao") is None
    assert incompatible("temporary", "dibao") is None
    assert conflicts("temporary", [Held("dibao", True, True), Held("tekun", True, True)]) == []


def test_single_member_dibao_goes_with_its_near_dibao_household() -> None:
    # 单人保: one member of a 低保边缘 household granted 低保 as a household of one.
    near = Held("near_dibao", same_person=True, same_household=True)
    assert conflicts("dibao", [near], single=True) == []
    single = Held("dibao", same_person=True, same_household=True, single=True)
    assert conflicts("near_dibao", [single]) == []
    # The person rules still hold for it: 特困 and 低保 for the same person.
    assert conflicts("tekun", [single]) == [TEKUN_DIBAO]
    # A household 低保 still excludes 低保边缘.
    assert conflicts("dibao", [near]) == ["低保家庭不再认定为低保边缘家庭（同一家庭不能同时认定）"]
