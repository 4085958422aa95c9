"""共同生活的家庭成员 (rules §2.1): who of a registered household counts in the applicant's family, and
why. Pure: the caller reads the registry and the feeds and passes what they say about each person.

Relations are those of the 户口簿, to the head of household. The rules include the spouse, minor
children, adult children who cannot live independently (or study full time at bachelor level or below)
and others with a statutory support duty who live with the family long-term (民法典 §§1058–1075). A
co-resident married child's spouse and minor children follow the married child: the region chooses
(``married_child_family``) whether that family counts in the parents' household or forms its own —
never the married child out and the dependants in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jiuzhu.core.vocab import MarriedChildFamily

# Values of the policy setting ``married_child_family``.
SEPARATE = MarriedChildFamily.SEPARATE  # the married child's family forms its own household (the default)
JOINT = MarriedChildFamily.JOINT  # it counts in the parents' household

_JUNIOR = ("child_in_law", "grandchild")


@dataclass(frozen=True)
class Resident:
    """What the registry and the feeds say about one current member, on the assembly date."""

    key: int
    relation: str  # to the head: head | spouse | child | child_in_law | grandchild | parent |
    # parent_in_law | grandparent | sibling | other
    age: int
    married: bool = False
    co_resident: bool = True  # the registry's 共同生活 flag
    died: str = ""  # why the person is known to be dead, or ""
    custody: str = ""  # 服刑人员 / 强制隔离戒毒人员, or ""
    studying: bool = False  # full-time education at bachelor level or below
    dependent: bool = False  # cannot live independently (severe disability, no labour or self-care)


@dataclass(frozen=True)
class Judgement:
    key: int
    included: bool
    reason: str
    supporter: str = ""  # when excluded but owing the household statutory support: why


def _married_child(r: Resident, adult_age: int) -> bool:
    return r.relation == "child" and r.married and r.age >= adult_age


def _present(r: Resident) -> bool:
    return r.co_resident and not r.died and not r.custody


def _adult_child(r: Resident, who: str) -> Judgement:
    """An adult, unmarried child of the family the applicant belongs to."""
    if r.studying:
        return Judgement(r.key, True, f"成年{who}，在校接受本科及以下全日制教育")
    if r.dependent:
        return Judgement(r.key, True, f"成年{who}，不能独立生活")
    return Judgement(r.key, True, f"成年未婚{who}，长期共同生活并负有赡养义务")


def _parents_side(r: Resident, ctx: _Context) -> Judgement:
    """The household seen from the head's family (the applicant belongs to it, or the region counts a
    married child's family in the parents' household)."""
    adult, joint = r.age >= ctx.adult_age, ctx.policy == JOINT
    if r.relation == "head":
        return Judgement(r.key, True, "户主")
    if r.relation == "spouse":
        return Judgement(r.key, True, "配偶")
    if r.relation == "child":
        if not adult:
            return Judgement(r.key, True, "未成年子女")
        if r.married:
            if joint:
                return Judgement(r.key, True, "已婚子女，与父母长期共同生活（本地政策：其家庭计入父母家庭）")
            return Judgement(
                r.key,
                False,
                "已婚成年子女，与其配偶、未成年子女另立家庭（列为法定赡养义务人）",
                "已婚成年子女，对父母负有赡养义务",
            )
        return _adult_child(r, "子女")
    if r.relation == "child_in_law":
        return _child_in_law(r, ctx, joint)
    if r.relation == "grandchild":
        return _grandchild(r, ctx)
    if r.relation == "parent":
        return Judgement(r.key, True, "户主的父母，户主负有赡养义务并长期共同生活")
    if r.relation == "parent_in_law":
        if ctx.spouse_present:
            return Judgement(r.key, True, "户主配偶的父母，户主配偶负有赡养义务并长期共同生活")
        return Judgement(r.key, False, "户主配偶不在本户共同生活，户主对公婆/岳父母无法定赡养义务")
    if r.relation == "grandparent":
        return Judgement(
            r.key,
            True,
            "祖父母/外祖父母，长期共同生活；其子女已死亡或无力赡养时由孙子女赡养（民法典第一千零七十四条）",
        )
    if r.relation == "sibling":
        if not adult:
            return Judgement(
                r.key,
                True,
                "未成年兄弟姐妹，父母已死亡或无力抚养时由兄、姐扶养（民法典第一千零七十五条）",
            )
        if r.dependent and not r.married:
            return Judgement(
                r.key, True, "成年兄弟姐妹，不能独立生活，长期共同生活（民法典第一千零七十五条）"
            )
        return Judgement(r.key, False, "成年兄弟姐妹，能独立生活或已婚，相互无法定扶养义务")
    return Judgement(r.key, False, "与户主无法定赡养、扶养、抚养义务关系，不计入")


def _child_in_law(r: Resident, ctx: _Context, joint: bool) -> Judgement:
    """A son- or daughter-in-law is the married child's family. Without the married child in the house
    (dead, in custody, living elsewhere, or not in the register) that family still exists — the widowed
    or absent-spouse in-law and the grandchildren — and the region's setting places it as a whole: the
    in-law is never split from the children, and owes the parents-in-law no statutory support."""
    if ctx.married_child_present:
        if joint:
            return Judgement(r.key, True, "儿媳/女婿，随配偶（已婚子女）计入本户（本地政策）" + ctx.ambiguous)
        return Judgement(
            r.key, False, "儿媳/女婿，随配偶（已婚子女）另立家庭；对公婆/岳父母无法定赡养义务" + ctx.ambiguous
        )
    if joint:
        return Judgement(
            r.key, True, "儿媳/女婿，配偶（已婚子女）不在本户共同生活；其家庭计入本户（本地政策）"
        )
    return Judgement(
        r.key,
        False,
        "儿媳/女婿，配偶（已婚子女）不在本户共同生活；其家庭另立家庭，对公婆/岳父母无法定赡养义务",
    )


def _grandchild(r: Resident, ctx: _Context) -> Judgement:
    adult = r.age >= ctx.adult_age
    if ctx.junior_present:
        if ctx.policy == JOINT:
            return Judgement(r.key, True, "孙子女，随父母（已婚子女）计入本户（本地政策）" + ctx.ambiguous)
        return Judgement(r.key, False, "孙子女，随父母（已婚子女）另立家庭" + ctx.ambiguous)
    if adult and r.married:
        return Judgement(r.key, False, "已婚成年孙子女，另立家庭")
    if ctx.single_child_present:
        who = "未成年孙子女" if not adult else "成年孙子女"
        return Judgement(r.key, True, f"{who}，随父母（本户未婚、离异或丧偶的子女）计入本户")
    if not adult:
        return Judgement(
            r.key, True, "未成年孙子女，父母不在本户共同生活，由祖父母抚养（民法典第一千零七十四条）"
        )
    if r.studying or r.dependent:
        return _adult_child(r, "孙子女")
    return Judgement(
        r.key,
        True,
        "成年孙子女，父母不在本户，与祖父母长期共同生活并负有赡养义务（民法典第一千零七十四条）",
    )


def _junior_side(r: Resident, ctx: _Context) -> Judgement:
    """The household seen from a married child's family that forms its own household: the applicant is
    the married child, their spouse or their child."""
    if _married_child(r, ctx.adult_age):
        return Judgement(r.key, True, "已婚子女家庭另立家庭（本地政策）：夫妻一方" + ctx.ambiguous)
    if r.relation == "child_in_law":
        return Judgement(r.key, True, "已婚子女家庭另立家庭（本地政策）：配偶" + ctx.ambiguous)
    if r.relation == "grandchild":
        if r.age < ctx.adult_age:
            return Judgement(r.key, True, "已婚子女家庭另立家庭（本地政策）：未成年子女" + ctx.ambiguous)
        if r.married:
            return Judgement(r.key, False, "已婚成年子女，另立家庭（列为法定赡养义务人）", "已婚成年子女")
        return _adult_child(r, "子女")
    return Judgement(r.key, False, "属户主一方家庭；已婚子女家庭另立家庭（本地政策），分别计算")


@dataclass(frozen=True)
class _Context:
    policy: str
    adult_age: int
    junior_present: bool  # a married child's family lives in the household
    married_child_present: bool  # a married child of that family lives in it (alive, not in custody)
    single_child_present: bool  # an unmarried, divorced or widowed adult child lives in it
    spouse_present: bool
    ambiguous: str  # a note when several married children's families live in the household


def co_resident_family(
    residents: Sequence[Resident], *, applicant: int, married_child_family: str, adult_age: int = 18
) -> list[Judgement]:
    """One judgement per resident, in order: whether they count in the applicant's family and why."""
    if married_child_family not in MarriedChildFamily.codes():
        raise ValueError(f"未知的已婚子女家庭规则：{married_child_family}")
    married_children = [r for r in residents if _married_child(r, adult_age) and r.co_resident and not r.died]
    junior_present = bool(married_children) or any(
        r.relation == "child_in_law" and r.co_resident and not r.died for r in residents
    )
    ctx = _Context(
        policy=married_child_family,
        adult_age=adult_age,
        junior_present=junior_present,
        married_child_present=any(_present(r) for r in married_children),
        single_child_present=any(
            r.relation == "child" and r.age >= adult_age and not r.married and _present(r) for r in residents
        ),
        spouse_present=any(r.relation == "spouse" and _present(r) for r in residents),
        ambiguous=(
            f"；本户有 {len(married_children)} 个已婚子女家庭，儿媳/女婿与孙子女的归属须入户核实"
            if len(married_children) > 1
            else ""
        ),
    )
    who = next((r for r in residents if r.key == applicant), None)
    junior = (
        who is not None
        and married_child_family == SEPARATE
        and junior_present
        and (_married_child(who, adult_age) or who.relation in _JUNIOR)
    )
    out: list[Judgement] = []
    for r in residents:
        if r.died:
            out.append(Judgement(r.key, False, r.died))
        elif r.custody:
            out.append(Judgement(r.key, False, f"{r.custody}，不计入共同生活家庭成员"))
        elif not r.co_resident:
            out.append(Judgement(r.key, False, "未与家庭长期共同生活（档案标注）"))
        else:
            out.append(_junior_side(r, ctx) if junior else _parents_side(r, ctx))
    return out
