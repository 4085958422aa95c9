"""The co-residence rules (rules §2.1) as a pure function: no database. Every expectation below is
read from the rules and the 民法典 by hand, not from the code."""

import pytest

from jiuzhu.verification.engine.household import JOINT, SEPARATE, Resident, co_resident_family

# A three-generation household: the head (66) and his wife, their married son (41), his wife and
# their daughter (14).
GRANDFATHER = Resident(1, "head", 66, married=True)
GRANDMOTHER = Resident(2, "spouse", 64, married=True)
SON = Resident(3, "child", 41, married=True)
DAUGHTER_IN_LAW = Resident(4, "child_in_law", 39, married=True)
GRANDDAUGHTER = Resident(5, "grandchild", 14)
THREE_GENERATIONS = [GRANDFATHER, GRANDMOTHER, SON, DAUGHTER_IN_LAW, GRANDDAUGHTER]

# A son- or daughter-in-law whose spouse (the married child) is dead, in custody or not in the house:
# the married child's family is still there (the in-law and the grandchildren) and the region's setting
# places it as a whole, so that a widow is never split from her children. The reason must not say that
# the in-law follows a spouse who is not there.
ABSENT_SPOUSE_SEPARATE = (
    "儿媳/女婿，配偶（已婚子女）不在本户共同生活；其家庭另立家庭，对公婆/岳父母无法定赡养义务"
)
ABSENT_SPOUSE_JOINT = "儿媳/女婿，配偶（已婚子女）不在本户共同生活；其家庭计入本户（本地政策）"


def _judge(residents, applicant=1, policy=SEPARATE):
    return {j.key: j for j in co_resident_family(residents, applicant=applicant, married_child_family=policy)}


def test_separate_the_married_sons_family_leaves_together() -> None:
    j = _judge(THREE_GENERATIONS)
    assert [j[k].included for k in (1, 2, 3, 4, 5)] == [True, True, False, False, False]
    assert "另立家庭" in j[3].reason and j[3].supporter  # he still owes his parents support
    assert j[4].reason == "儿媳/女婿，随配偶（已婚子女）另立家庭；对公婆/岳父母无法定赡养义务"
    assert not j[4].supporter
    assert "孙子女" in j[5].reason and "未成年子女" not in j[5].reason and not j[5].supporter


def test_joint_the_married_sons_family_counts_together() -> None:
    j = _judge(THREE_GENERATIONS, policy=JOINT)
    assert all(j[k].included for k in (1, 2, 3, 4, 5))
    assert "本地政策" in j[3].reason and "孙子女" in j[5].reason
    assert j[4].reason == "儿媳/女婿，随配偶（已婚子女）计入本户（本地政策）"
    assert not any(x.supporter for x in j.values())


@pytest.mark.parametrize("applicant", [3, 4, 5])
def test_applicant_in_the_married_sons_family_gets_that_family(applicant) -> None:
    j = _judge(THREE_GENERATIONS, applicant=applicant)
    assert [j[k].included for k in (1, 2, 3, 4, 5)] == [False, False, True, True, True]
    assert "户主一方" in j[1].reason and "配偶" in j[4].reason and "未成年子女" in j[5].reason


@pytest.mark.parametrize("policy", [SEPARATE, JOINT])
@pytest.mark.parametrize("applicant", [1, 2, 3, 4, 5])
def test_never_the_married_child_out_and_the_dependants_in(policy, applicant) -> None:
    j = _judge(THREE_GENERATIONS, applicant=applicant, policy=policy)
    assert j[3].included == j[4].included == j[5].included


def test_the_son_in_prison_does_not_pull_his_family_back() -> None:
    son = Resident(3, "child", 41, married=True, custody="服刑人员")
    j = _judge([GRANDFATHER, GRANDMOTHER, son, DAUGHTER_IN_LAW, GRANDDAUGHTER])
    assert not j[3].included and "服刑人员" in j[3].reason and not j[3].supporter
    assert not j[4].included and not j[5].included
    assert j[4].reason == ABSENT_SPOUSE_SEPARATE


def test_widowed_daughter_in_law_is_still_the_childs_family() -> None:
    son = Resident(3, "child", 41, married=True, died="已死亡")
    j = _judge([GRANDFATHER, GRANDMOTHER, son, DAUGHTER_IN_LAW, GRANDDAUGHTER])
    assert not j[3].included and j[3].reason == "已死亡"
    assert not j[4].included and not j[5].included  # his widow and daughter: one family, outside
    assert j[4].reason == ABSENT_SPOUSE_SEPARATE and not j[4].supporter
    assert j[5].reason == "孙子女，随父母（已婚子女）另立家庭"


def test_widowed_daughter_in_law_under_joint_stays_with_her_child() -> None:
    son = Resident(3, "child", 41, married=True, died="已死亡")
    j = _judge([GRANDFATHER, GRANDMOTHER, son, DAUGHTER_IN_LAW, GRANDDAUGHTER], policy=JOINT)
    assert not j[3].included
    assert j[4].included and j[4].reason == ABSENT_SPOUSE_JOINT
    assert j[5].included and j[5].reason == "孙子女，随父母（已婚子女）计入本户（本地政策）"


def test_grandchild_without_parents_in_the_house_is_raised_by_grandparents() -> None:
    j = _judge([GRANDFATHER, GRANDMOTHER, Resident(5, "grandchild", 9), Resident(6, "grandchild", 19)])
    assert j[5].included and "由祖父母抚养" in j[5].reason and "第一千零七十四条" in j[5].reason
    assert j[6].included and "成年孙子女" in j[6].reason


def test_grandchild_of_an_unmarried_child_follows_that_child() -> None:
    mother = Resident(3, "child", 30, married=False)
    j = _judge([GRANDFATHER, mother, Resident(5, "grandchild", 4)])
    assert j[3].included and j[5].included and "随父母" in j[5].reason


def test_married_adult_grandchild_forms_own_family() -> None:
    j = _judge([GRANDFATHER, Resident(6, "grandchild", 26, married=True)])
    assert not j[6].included and "已婚成年孙子女" in j[6].reason


def test_parents_and_in_laws_of_the_head() -> None:
    j = _judge([GRANDFATHER, GRANDMOTHER, Resident(7, "parent", 90), Resident(8, "parent_in_law", 88)])
    assert j[7].included and "户主负有赡养义务" in j[7].reason
    assert j[8].included and "户主配偶负有赡养义务" in j[8].reason


def test_in_law_without_the_spouse_in_the_house_is_not_counted() -> None:
    j = _judge([GRANDFATHER, Resident(8, "parent_in_law", 88)])
    assert not j[8].included and "无法定赡养义务" in j[8].reason


@pytest.mark.parametrize(
    ("policy", "included", "reason"),
    [(SEPARATE, False, ABSENT_SPOUSE_SEPARATE), (JOINT, True, ABSENT_SPOUSE_JOINT)],
    ids=["separate", "joint"],
)
def test_daughter_in_law_without_her_husband_in_the_register(policy, included, reason) -> None:
    # Her husband is not a co-resident member; she is still a married child's family, not a dependant.
    j = _judge([GRANDFATHER, GRANDMOTHER, DAUGHTER_IN_LAW], policy=policy)
    assert (j[4].included, j[4].reason, j[4].supporter) == (included, reason, "")


def test_daughter_in_law_whose_husband_lives_elsewhere() -> None:
    son = Resident(3, "child", 41, married=True, co_resident=False)
    j = _judge([GRANDFATHER, GRANDMOTHER, son, DAUGHTER_IN_LAW])
    assert not j[3].included and j[4].reason == ABSENT_SPOUSE_SEPARATE


def test_siblings() -> None:
    j = _judge(
        [
            GRANDFATHER,
            Resident(9, "sibling", 12),
            Resident(10, "sibling", 40),
            Resident(11, "sibling", 45, dependent=True),
        ]
    )
    assert j[9].included and "第一千零七十五条" in j[9].reason
    assert not j[10].included and "相互无法定扶养义务" in j[10].reason
    assert j[11].included and "不能独立生活" in j[11].reason


def test_grandparent_and_other() -> None:
    j = _judge([GRANDFATHER, Resident(12, "grandparent", 92), Resident(13, "other", 50)])
    assert j[12].included and "第一千零七十四条" in j[12].reason
    assert not j[13].included and "无法定赡养、扶养、抚养义务" in j[13].reason


def test_adult_children() -> None:
    j = _judge(
        [
            GRANDFATHER,
            Resident(14, "child", 21, studying=True),
            Resident(15, "child", 30, dependent=True),
            Resident(16, "child", 26),
            Resident(17, "child", 17),
            Resident(18, "child", 35, co_resident=False),
        ]
    )
    assert "本科及以下" in j[14].reason and "不能独立生活" in j[15].reason
    assert "成年未婚子女" in j[16].reason and j[17].reason == "未成年子女"
    assert all(j[k].included for k in (14, 15, 16, 17))
    assert not j[18].included and "档案标注" in j[18].reason


def test_two_married_children_ask_for_a_home_visit() -> None:
    second = Resident(19, "child", 38, married=True)
    j = _judge([*THREE_GENERATIONS, second])
    assert "须入户核实" in j[5].reason and not j[3].included and not j[19].included
    assert j[4].reason == (
        "儿媳/女婿，随配偶（已婚子女）另立家庭；对公婆/岳父母无法定赡养义务"
        "；本户有 2 个已婚子女家庭，儿媳/女婿与孙子女的归属须入户核实"
    )


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="未知的已婚子女家庭规则"):
        co_resident_family([GRANDFATHER], applicant=1, married_child_family="both")


# Adulthood starts on the 18th birthday (民法典 §17: 十八周岁以上的自然人为成年人): a member aged exactly
# 18 is an adult on every side of the household, and 18 is the default when the caller passes none.
def test_a_child_of_exactly_eighteen_is_an_adult() -> None:
    j = _judge([GRANDFATHER, Resident(16, "child", 18), Resident(9, "sibling", 18)])
    assert j[16].included is True and j[16].reason.startswith("成年未婚子女")
    assert j[9].included is False and "相互无法定扶养义务" in j[9].reason


def test_a_married_child_of_exactly_eighteen_forms_a_family_of_his_own() -> None:
    # He is married and adult, so his baby follows him out of his parents' household.
    son, baby = Resident(3, "child", 18, married=True), Resident(5, "grandchild", 1)
    j = _judge([GRANDFATHER, GRANDMOTHER, son, baby])
    assert (j[3].included, j[5].included) == (False, False)
    assert j[5].reason == "孙子女，随父母（已婚子女）另立家庭"
    mine = _judge([GRANDFATHER, GRANDMOTHER, son, baby], applicant=3)
    assert [mine[k].included for k in (1, 2, 3, 5)] == [False, False, True, True]


def test_an_unmarried_child_of_exactly_eighteen_is_the_parent_a_grandchild_follows() -> None:
    j = _judge([GRANDFATHER, Resident(3, "child", 18), Resident(5, "grandchild", 1)])
    assert j[5].included is True
    assert j[5].reason == "未成年孙子女，随父母（本户未婚、离异或丧偶的子女）计入本户"


def test_a_grandchild_of_exactly_eighteen_is_an_adult() -> None:
    alone = _judge([GRANDFATHER, Resident(6, "grandchild", 18)])
    assert alone[6].included is True
    assert alone[6].reason.startswith("成年孙子女，父母不在本户")
    married = _judge([GRANDFATHER, Resident(6, "grandchild", 18, married=True)])
    assert married[6].included is False and married[6].reason == "已婚成年孙子女，另立家庭"


def test_grandchildren_of_an_unmarried_child_are_named_minor_or_adult() -> None:
    mother = Resident(3, "child", 44, married=False)
    j = _judge([GRANDFATHER, mother, Resident(5, "grandchild", 4), Resident(6, "grandchild", 20)])
    assert j[5].reason == "未成年孙子女，随父母（本户未婚、离异或丧偶的子女）计入本户"
    assert j[6].reason == "成年孙子女，随父母（本户未婚、离异或丧偶的子女）计入本户"
    assert j[5].included is True and j[6].included is True


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"studying": True}, "成年孙子女，在校接受本科及以下全日制教育"),
        ({"dependent": True}, "成年孙子女，不能独立生活"),
    ],
    ids=["studying", "dependent"],
)
def test_an_adult_grandchild_raised_by_grandparents_who_studies_or_cannot_live_alone(kw, reason) -> None:
    j = _judge([GRANDFATHER, GRANDMOTHER, Resident(6, "grandchild", 20, **kw)])
    assert (j[6].included, j[6].reason, j[6].supporter) == (True, reason, "")


def test_the_married_sons_family_seen_from_inside() -> None:
    # The applicant is the married son; his children are his family's children: the adult unmarried one
    # counts, the one of exactly 18 is an adult, the married adult one forms a family of his own and
    # owes support.
    kids = [
        Resident(5, "grandchild", 14),
        Resident(6, "grandchild", 18),
        Resident(7, "grandchild", 20, studying=True),
        Resident(8, "grandchild", 24, married=True),
    ]
    j = _judge([GRANDFATHER, GRANDMOTHER, SON, DAUGHTER_IN_LAW, *kids], applicant=3)
    assert [j[k].included for k in (1, 2, 3, 4, 5, 6, 7)] == [False, False, True, True, True, True, True]
    assert j[3].reason == "已婚子女家庭另立家庭（本地政策）：夫妻一方"
    assert j[5].reason == "已婚子女家庭另立家庭（本地政策）：未成年子女"
    assert j[6].reason == "成年未婚子女，长期共同生活并负有赡养义务"
    assert j[7].reason == "成年子女，在校接受本科及以下全日制教育"
    assert (j[8].included, j[8].reason, j[8].supporter) == (
        False,
        "已婚成年子女，另立家庭（列为法定赡养义务人）",
        "已婚成年子女",
    )
    assert j[8].included is False


def test_a_married_son_without_his_wife_in_the_register_still_takes_his_child() -> None:
    # No son- or daughter-in-law is registered: the married son alone makes his family a family of its
    # own, and his daughter follows him, not her grandparents.
    j = _judge([GRANDFATHER, GRANDMOTHER, SON, GRANDDAUGHTER])
    assert (j[3].included, j[5].included) == (False, False)
    assert j[5].reason == "孙子女，随父母（已婚子女）另立家庭"


def test_an_applicant_not_in_the_register_gets_the_heads_household() -> None:
    j = _judge(THREE_GENERATIONS, applicant=99)
    assert [j[k].included for k in (1, 2, 3, 4, 5)] == [True, True, False, False, False]


def test_head_and_spouse_are_named() -> None:
    j = _judge([GRANDFATHER, GRANDMOTHER])
    assert (j[1].included, j[1].reason) == (True, "户主")
    assert (j[2].included, j[2].reason) == (True, "配偶")


def test_every_exclusion_says_false_not_just_something_falsy() -> None:
    # ``included`` is a bool that reports and exports print as 是/否; None is not an answer.
    residents = [
        GRANDFATHER,
        Resident(8, "parent_in_law", 88),  # no spouse of the head in the house
        Resident(10, "sibling", 40),
        Resident(13, "other", 50),
        Resident(20, "child", 50, died="已死亡"),
        Resident(21, "child", 45, custody="服刑人员"),
        Resident(22, "child", 35, co_resident=False),
        Resident(23, "grandchild", 30, married=True),
    ]
    j = _judge(residents)
    assert [j[k].included for k in (8, 10, 13, 20, 21, 22, 23)] == [False] * 7
    assert all(j[k].included is False for k in (8, 10, 13, 20, 21, 22, 23))
