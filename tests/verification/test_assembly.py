"""一证申请: the co-resident household by the rules' §2.1, supporters, and registry/户籍 differences."""

from datetime import date

import pytest

from jiuzhu.core.errors import NotFound
from jiuzhu.verification.assembly import household_assemble

from ..factories import add_member, make_id_number, new_household
from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def _by_name(assembly):
    return {m.person.name: m for m in assembly.members}


@pytest.fixture
def family(tree, feed):
    h = new_household(head__name="周父", head__id_number=make_id_number(1, birth=date(1966, 3, 1)))
    add_member(h, "spouse", name="吴母", id_number=make_id_number(2, birth=date(1968, 5, 1), male=False))
    student = add_member(h, "child", name="周大学", id_number=make_id_number(3, birth=date(2005, 9, 1)))
    feed(
        "education", student.id_number, date(2026, 9, 1), kind="enrolled", status="enrolled", level="bachelor"
    )
    add_member(
        h,
        "child",
        name="周已婚",
        id_number=make_id_number(4, birth=date(1994, 2, 1)),
        marital_status="married",
    )
    prisoner = add_member(h, "child", name="周服刑", id_number=make_id_number(5, birth=date(1996, 2, 1)))
    feed(
        "justice", prisoner.id_number, date(2025, 1, 1), kind="prison", start_date="2025-01-01", end_date=None
    )
    add_member(h, "child", name="周小", id_number=make_id_number(6, birth=date(2015, 2, 1)))
    worker = add_member(
        h,
        "child",
        name="周工作",
        id_number=make_id_number(7, birth=date(2000, 2, 1)),
        marital_status="unmarried",
    )
    feed(
        "education",
        worker.id_number,
        date(2022, 7, 1),
        kind="graduated",
        status="graduated",
        level="bachelor",
    )
    return h


def test_membership_edge_cases(family, caseworker) -> None:
    a = household_assemble(user=caseworker, id_number=family.head.id_number, as_of=AS_OF)
    m = _by_name(a)
    assert m["周父"].included and m["吴母"].included and m["周小"].included
    assert m["周大学"].included and "本科及以下" in m["周大学"].reason
    assert not m["周已婚"].included and "已婚" in m["周已婚"].reason
    assert not m["周服刑"].included and "服刑" in m["周服刑"].reason
    assert m["周工作"].included and "赡养义务" in m["周工作"].reason
    assert [s.person.name for s in a.supporters] == ["周已婚"]


def test_postgraduate_is_not_the_student_rule(family, caseworker, feed) -> None:
    student = _by_name(household_assemble(user=caseworker, id_number=family.head.id_number, as_of=AS_OF))[
        "周大学"
    ]
    feed(
        "education",
        student.person.id_number,
        date(2026, 10, 1),
        kind="enrolled",
        status="enrolled",
        level="postgraduate",
    )
    again = _by_name(household_assemble(user=caseworker, id_number=family.head.id_number, as_of=AS_OF))[
        "周大学"
    ]
    assert again.included and "本科及以下" not in again.reason


def test_released_prisoner_counts_again(family, caseworker, feed) -> None:
    son = add_member(family, "child", name="周释放", id_number=make_id_number(8, birth=date(1998, 2, 1)))
    feed(
        "justice",
        son.id_number,
        date(2024, 1, 1),
        kind="prison",
        start_date="2024-01-01",
        end_date="2026-06-01",
    )
    during = household_assemble(user=caseworker, id_number=family.head.id_number, as_of=date(2026, 5, 1))
    after = household_assemble(user=caseworker, id_number=family.head.id_number, as_of=AS_OF)
    assert not _by_name(during)["周释放"].included
    assert _by_name(after)["周释放"].included


def test_deceased_member_from_death_feed(family, caseworker, feed) -> None:
    mother = _by_name(household_assemble(user=caseworker, id_number=family.head.id_number, as_of=AS_OF))[
        "吴母"
    ]
    feed("police_death", mother.person.id_number, date(2026, 8, 1), kind="death", death_date="2026-08-01")
    again = _by_name(household_assemble(user=caseworker, id_number=family.head.id_number, as_of=AS_OF))[
        "吴母"
    ]
    assert not again.included and "公安" in again.reason


def test_any_member_id_finds_the_household(family, caseworker) -> None:
    child = make_id_number(6, birth=date(2015, 2, 1))
    assert household_assemble(user=caseworker, id_number=child, as_of=AS_OF).household == family


def test_registry_and_hukou_differences_are_shown(family, caseworker, feed) -> None:
    feed(
        "police_hukou",
        family.head.id_number,
        date(2026, 1, 1),
        kind="H001",
        name="周父",
        relation="head",
        hukou_region="980101001001",
    )
    feed(
        "police_hukou",
        make_id_number(6, birth=date(2015, 2, 1)),
        date(2026, 1, 1),
        kind="H001",
        name="周小",
        relation="grandchild",
        hukou_region="980101001001",
    )
    feed(
        "police_hukou",
        make_id_number(90, birth=date(1940, 1, 1)),
        date(2026, 1, 1),
        kind="H001",
        name="周祖",
        relation="parent",
        hukou_region="980101001001",
    )
    diffs = household_assemble(user=caseworker, id_number=family.head.id_number, as_of=AS_OF).differences
    text = "\n".join(diffs)
    assert "周小：档案中与户主关系为“子女”，户籍为“grandchild”" in text
    assert "周祖" in text and "不在本家庭档案中" in text
    assert "吴母：公安户籍数据中没有记录" in text


def test_other_township_cannot_assemble(family, other_caseworker) -> None:
    with pytest.raises(NotFound):
        household_assemble(user=other_caseworker, id_number=family.head.id_number, as_of=AS_OF)


@pytest.fixture
def three_generations(tree):
    h = new_household(head__name="陈祖父", head__id_number=make_id_number(21, birth=date(1960, 3, 1)))
    add_member(h, "spouse", name="李祖母", id_number=make_id_number(22, birth=date(1962, 5, 1), male=False))
    add_member(
        h,
        "child",
        name="陈子",
        id_number=make_id_number(23, birth=date(1985, 2, 1)),
        marital_status="married",
    )
    add_member(
        h,
        "child_in_law",
        name="赵媳",
        id_number=make_id_number(24, birth=date(1987, 2, 1), male=False),
        marital_status="married",
    )
    add_member(
        h, "grandchild", name="陈孙女", id_number=make_id_number(25, birth=date(2012, 4, 1), male=False)
    )
    return h


def test_married_sons_family_leaves_together_by_default(three_generations, caseworker) -> None:
    m = _by_name(household_assemble(user=caseworker, id_number=three_generations.head.id_number, as_of=AS_OF))
    assert m["陈祖父"].included and m["李祖母"].included
    assert not m["陈子"].included and not m["赵媳"].included and not m["陈孙女"].included
    assert "无法定赡养义务" in m["赵媳"].reason and "孙子女" in m["陈孙女"].reason


def test_region_can_count_the_married_sons_family_in(three_generations, caseworker, county_policy) -> None:
    county_policy.married_child_family = "joint"
    county_policy.save()
    m = _by_name(household_assemble(user=caseworker, id_number=three_generations.head.id_number, as_of=AS_OF))
    assert all(m[n].included for n in ("陈祖父", "李祖母", "陈子", "赵媳", "陈孙女"))


def test_the_married_son_applying_gets_his_own_family(three_generations, caseworker) -> None:
    son = make_id_number(23, birth=date(1985, 2, 1))
    a = household_assemble(user=caseworker, id_number=son, as_of=AS_OF)
    assert {m.person.name for m in a.included} == {"陈子", "赵媳", "陈孙女"}
