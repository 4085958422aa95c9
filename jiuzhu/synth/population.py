"""Household composition: who lives together, their relation to the head, age and sex.

Every household is drawn from one of a few compositions seen in rural and urban China (elderly
living alone, couples with children, three generations, grandparents raising grandchildren while
the parents work away …). A household is a row of at most six member slots, so a whole chunk is
filled with a handful of array operations per composition instead of a loop over people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jiuzhu.registry.choices import MaritalStatus, Relation

MAX_MEMBERS = 6
RELATIONS: list[str] = [r.value for r in Relation]
REL = {r: i for i, r in enumerate(RELATIONS)}

# Compositions and their shares (rural, urban). Shares of singles and couples are high because the
# young often live and are registered elsewhere; the mean is about 2.6 members, as in the census.
COMPOSITIONS = [
    "single_elder", "single_adult", "elder_couple", "couple", "couple_children",
    "single_parent", "three_generations", "skipped_generation", "elder_with_family", "siblings",
]  # fmt: skip
SHARE_RURAL = np.array([0.15, 0.10, 0.15, 0.06, 0.27, 0.04, 0.10, 0.05, 0.05, 0.03])
SHARE_URBAN = np.array([0.12, 0.14, 0.14, 0.09, 0.32, 0.05, 0.06, 0.01, 0.04, 0.03])
SKIPPED_GENERATION = COMPOSITIONS.index("skipped_generation")
MARITAL: list[str] = [m.value for m in MaritalStatus]
_M = {v: i for i, v in enumerate(MARITAL)}
SINGLE_ELDER = COMPOSITIONS.index("single_elder")


@dataclass
class Slots:
    """Members of ``n`` households laid out as (n, MAX_MEMBERS) grids; relation -1 is an empty slot."""

    relation: np.ndarray  # int8
    age: np.ndarray  # int16, whole years on the reference date
    male: np.ndarray  # bool
    # Slot whose surname this member carries (children take their father's), -1 for their own.
    surname_from: np.ndarray  # int8
    composition: np.ndarray  # (n,) int8


class _Builder:
    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        shape = (n, MAX_MEMBERS)
        self.relation = np.full(shape, -1, dtype=np.int8)
        self.age = np.zeros(shape, dtype=np.int16)
        self.male = np.zeros(shape, dtype=bool)
        self.surname_from = np.full(shape, -1, dtype=np.int8)

    def uniform(self, n: int, low: int, high: int) -> np.ndarray:
        """Whole numbers in [low, high]."""
        return self.rng.integers(low, high + 1, n)

    def put(
        self,
        rows: np.ndarray,
        slot: int | np.ndarray,
        relation: str,
        age: np.ndarray,
        male: np.ndarray | bool,
        surname_from: int | np.ndarray = -1,
    ) -> None:
        self.relation[rows, slot] = REL[relation]
        self.age[rows, slot] = np.clip(age, 0, 100)
        self.male[rows, slot] = male
        self.surname_from[rows, slot] = surname_from

    def head(self, rows: np.ndarray, age: np.ndarray, p_male: float) -> np.ndarray:
        male = self.rng.random(rows.size) < p_male
        self.put(rows, 0, Relation.HEAD, age, male)
        return male

    def spouse(self, rows: np.ndarray, slot: int, partner_slot: int, relation: str = Relation.SPOUSE) -> None:
        partner_age = self.age[rows, partner_slot].astype(np.int32)
        partner_male = self.male[rows, partner_slot]
        # Husbands are on average two years older than their wives.
        gap = np.rint(self.rng.normal(2.0, 2.5, rows.size)).astype(np.int32)
        age = np.where(partner_male, partner_age - gap, partner_age + gap)
        self.put(rows, slot, relation, age, ~partner_male)

    def father_slot(self, rows: np.ndarray, a: int, b: int) -> np.ndarray:
        """Whichever of slots a and b is the man (b when both are, e.g. a single father's empty b)."""
        return np.where(self.male[rows, a], a, b).astype(np.int8)

    def children(
        self, rows: np.ndarray, first_slot: int, count: np.ndarray, youngest: np.ndarray, relation: str
    ) -> np.ndarray:
        """``count`` (1-3) siblings 1-6 years apart, eldest in ``first_slot``; returns the eldest's age."""
        age = youngest.astype(np.int32)
        for k in range(3):  # k = 0 is the youngest
            has = count > k
            r = rows[has]
            slot = first_slot + count[has] - 1 - k
            self.put(r, slot, relation, age[has], self.rng.random(r.size) < 0.52)
            if k < 2:
                age = np.where(count > k + 1, age + self.uniform(rows.size, 1, 6), age)
        return age

    def slots(self, composition: np.ndarray) -> Slots:
        return Slots(self.relation, self.age, self.male, self.surname_from, composition.astype(np.int8))


def _count(rng: np.random.Generator, n: int, p: list[float]) -> np.ndarray:
    return rng.choice(np.arange(1, len(p) + 1), size=n, p=p)


def compose(rng: np.random.Generator, urban: np.ndarray) -> Slots:
    """Draw the composition and the members of one household per entry of ``urban``."""
    n = urban.size
    u = rng.random(n)
    comp = np.where(
        urban,
        np.searchsorted(np.cumsum(SHARE_URBAN), u * SHARE_URBAN.sum()),
        np.searchsorted(np.cumsum(SHARE_RURAL), u * SHARE_RURAL.sum()),
    ).clip(0, len(COMPOSITIONS) - 1)
    b = _Builder(rng, n)
    rows_of = {name: np.flatnonzero(comp == i) for i, name in enumerate(COMPOSITIONS)}

    r = rows_of["single_elder"]
    # Old age living alone is mostly widowhood, and women outlive men.
    b.head(r, 60 + np.minimum(rng.gamma(2.2, 6.0, r.size).astype(np.int32), 38), 0.4)

    r = rows_of["single_adult"]
    b.head(r, b.uniform(r.size, 20, 59), 0.62)

    r = rows_of["elder_couple"]
    b.head(r, 60 + np.minimum(rng.gamma(2.0, 5.0, r.size).astype(np.int32), 32), 0.88)
    b.spouse(r, 1, 0)

    r = rows_of["couple"]
    b.head(r, b.uniform(r.size, 22, 59), 0.85)
    b.spouse(r, 1, 0)

    r = rows_of["couple_children"]
    count = _count(rng, r.size, [0.55, 0.35, 0.10])
    eldest = b.children(r, 2, count, b.uniform(r.size, 0, 24), Relation.CHILD)
    b.head(r, eldest + b.uniform(r.size, 21, 35), 0.85)
    b.spouse(r, 1, 0)
    _at_least(b, r, 1, eldest + 19)
    _inherit(b, r, range(2, 5), b.father_slot(r, 0, 1))

    r = rows_of["single_parent"]
    count = _count(rng, r.size, [0.7, 0.3])
    eldest = b.children(r, 1, count, b.uniform(r.size, 0, 20), Relation.CHILD)
    head_male = b.head(r, eldest + b.uniform(r.size, 21, 35), 0.3)
    # A widowed or divorced mother's children usually keep their father's (unrecorded) surname.
    _inherit(b, r[head_male], range(1, 3), np.int8(0))

    r = rows_of["three_generations"]
    count = _count(rng, r.size, [0.6, 0.4])
    eldest = b.children(r, 2, count, b.uniform(r.size, 0, 20), Relation.CHILD)
    b.head(r, eldest + b.uniform(r.size, 22, 35), 0.9)
    b.spouse(r, 1, 0)
    _at_least(b, r, 1, eldest + 19)
    _inherit(b, r, range(2, 4), b.father_slot(r, 0, 1))
    n_par = _count(rng, r.size, [0.55, 0.45])
    head_age = b.age[r, 0].astype(np.int32)
    in_law = rng.random(r.size) < 0.25
    rel = np.where(in_law, REL[Relation.PARENT_IN_LAW], REL[Relation.PARENT])
    par_age = np.minimum(head_age + b.uniform(r.size, 22, 32), 98)
    par_male = rng.random(r.size) < 0.35  # the survivor of an old couple is usually the mother
    par_male = np.where(n_par == 2, True, par_male)
    b.put(r, 4, Relation.PARENT, par_age, par_male)
    b.relation[r, 4] = rel
    # A head's own father shares the head's surname when the head is a man.
    own_father = (~in_law) & par_male & b.male[r, 0]
    b.surname_from[r[own_father], 4] = 0
    two = r[n_par == 2]
    b.spouse(two, 5, 4)
    b.relation[two, 5] = b.relation[two, 4]
    _at_least(b, two, 5, head_age[n_par == 2] + 19)

    r = rows_of["skipped_generation"]
    count = _count(rng, r.size, [0.65, 0.35])
    eldest = b.children(r, 2, count, b.uniform(r.size, 0, 14), Relation.GRANDCHILD)
    b.head(r, eldest + b.uniform(r.size, 45, 62), 0.7)
    with_spouse = r[rng.random(r.size) < 0.6]
    b.spouse(with_spouse, 1, 0)
    _inherit(b, r, range(2, 4), b.father_slot(r, 0, 1))

    r = rows_of["elder_with_family"]
    count = _count(rng, r.size, [0.6, 0.4])
    g_eldest = b.children(r, 4, count, b.uniform(r.size, 0, 15), Relation.GRANDCHILD)
    child_age = g_eldest + b.uniform(r.size, 22, 34)
    son = rng.random(r.size) < 0.8  # married sons more often stay with their parents
    b.put(r, 2, Relation.CHILD, child_age, son)
    b.spouse(r, 3, 2, Relation.CHILD_IN_LAW)
    _at_least(b, r, 3, g_eldest + 19)
    b.head(r, child_age + b.uniform(r.size, 22, 32), 0.85)
    with_spouse = r[rng.random(r.size) < 0.7]
    b.spouse(with_spouse, 1, 0)
    _at_least(b, with_spouse, 1, b.age[with_spouse, 2].astype(np.int32) + 19)
    _inherit(b, r[son], [2], b.father_slot(r[son], 0, 1))
    _inherit(b, r, range(4, 6), b.father_slot(r, 2, 3))

    r = rows_of["siblings"]
    b.head(r, b.uniform(r.size, 18, 80), 0.6)
    b.put(r, 1, Relation.SIBLING, b.age[r, 0] + b.uniform(r.size, -8, 8), rng.random(r.size) < 0.5)
    same_name = rng.random(r.size) < 0.8
    b.surname_from[r[same_name], 1] = 0

    return b.slots(comp)


def _at_least(b: _Builder, rows: np.ndarray, slot: int, age: np.ndarray) -> None:
    """Keep a parent at least ``age`` old (a very young wife would otherwise be 17 years older)."""
    b.age[rows, slot] = np.maximum(b.age[rows, slot], np.clip(age, 0, 100))


def _inherit(b: _Builder, rows: np.ndarray, slots: range | list[int], source: np.ndarray | np.int8) -> None:
    for s in slots:
        filled = b.relation[rows, s] >= 0
        src = source[filled] if isinstance(source, np.ndarray) else source
        b.surname_from[rows[filled], s] = src


# Couples live in these slot pairs: head and spouse, the head's parents, a married child.
_PAIRS = [(0, 1), (4, 5), (2, 3)]
# People living without a partner, by age: (unmarried, divorced, widowed); single parents are
# divorced or widowed.
_ALONE_YOUNG = np.array([0.7, 0.25, 0.05])
_ALONE_OLD = np.array([0.08, 0.12, 0.8])


def marital(rng: np.random.Generator, slots: Slots) -> tuple[np.ndarray, np.ndarray]:
    """(marital status index into MARITAL, partner slot or -1) for every slot of the grid."""
    rel, age = slots.relation, slots.age
    partner = np.full(rel.shape, -1, dtype=np.int8)
    for a, b in _PAIRS:
        both = (rel[:, a] >= 0) & (rel[:, b] >= 0)
        if (a, b) == (2, 3):
            both &= rel[:, 3] == REL[Relation.CHILD_IN_LAW]
        partner[both, a] = b
        partner[both, b] = a
    old = age >= 60
    p = np.where(old[..., None], _ALONE_OLD, _ALONE_YOUNG)
    u = rng.random(rel.shape)[..., None]
    alone = (np.cumsum(p, axis=-1) < u).sum(axis=-1).clip(0, 2)
    codes = np.array([_M[MaritalStatus.UNMARRIED], _M[MaritalStatus.DIVORCED], _M[MaritalStatus.WIDOWED]])
    status = codes[alone].astype(np.int8)
    # Children and grandchildren still at home are single; so are the young generally.
    single = np.isin(rel, [REL[Relation.CHILD], REL[Relation.GRANDCHILD]]) | (age < 22)
    status[single] = _M[MaritalStatus.UNMARRIED]
    status[partner >= 0] = _M[MaritalStatus.MARRIED]
    # A parent on their own in a three-generation home, or a lone grandparent, is mostly widowed.
    status[(rel == REL[Relation.PARENT]) & (partner < 0)] = _M[MaritalStatus.WIDOWED]
    status[(rel == REL[Relation.PARENT_IN_LAW]) & (partner < 0)] = _M[MaritalStatus.WIDOWED]
    lone_parent = np.flatnonzero(slots.composition == COMPOSITIONS.index("single_parent"))
    status[lone_parent, 0] = codes[1 + (rng.random(lone_parent.size) < 0.4)]
    return status, partner
