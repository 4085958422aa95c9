"""Category tags already held by part of the county: 低保, 特困, 边缘, 残疾人, 困境/留守儿童 …

A household first draws at most one programme, with odds that follow its circumstances (an old
person alone who cannot work is the typical 特困 case, a skipped-generation household the typical
留守儿童 one); then the members that programme concerns are tagged. About 7 % of households end up
tagged, the share the design asks the registry to start with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jiuzhu.core.vocab import Category

from .population import SINGLE_ELDER, SKIPPED_GENERATION

CATEGORIES: list[str] = [c.value for c in Category]
_C = {v: i for i, v in enumerate(CATEGORIES)}
# Programmes that tag every living member (the household is the unit of 低保 and of 边缘).
_WHOLE_HOUSEHOLD = {Category.DIBAO, Category.NEAR_DIBAO, Category.RIGID_EXPENSE}


@dataclass
class PersonView:
    hh: np.ndarray  # household index of each person within the chunk
    age: np.ndarray
    head: np.ndarray  # bool
    alive: np.ndarray  # bool
    disabled: np.ndarray  # bool
    serious: np.ndarray  # bool, 重特大疾病
    no_labour: np.ndarray  # bool
    birth: np.ndarray  # datetime64[D]


@dataclass
class Tags:
    person: np.ndarray  # index into the chunk's persons
    category: np.ndarray  # index into CATEGORIES
    start: np.ndarray  # datetime64[D]


def _any(hh: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(hh[mask], minlength=n) > 0


def draw(
    rng: np.random.Generator, p: PersonView, composition: np.ndarray, urban: np.ndarray, as_of: np.datetime64
) -> Tags:
    n = composition.size
    live = p.alive
    has_disabled = _any(p.hh, live & p.disabled, n)
    has_serious = _any(p.hh, live & p.serious, n)
    has_child = _any(p.hh, live & (p.age < 16), n)
    has_elder70 = _any(p.hh, live & (p.age >= 70), n)
    all_old = ~_any(p.hh, live & (p.age < 60), n)
    head_unable = _any(p.hh, live & p.head & p.no_labour, n)
    lone_elder = (composition == SINGLE_ELDER) & head_unable
    skipped = (composition == SKIPPED_GENERATION) & has_child
    rural = ~urban

    programmes = [
        (Category.TEKUN, 0.22 * lone_elder),
        (Category.DIBAO, 0.022 + 0.035 * has_disabled + 0.015 * all_old + 0.008 * rural),
        (Category.NEAR_DIBAO, np.full(n, 0.008)),
        (Category.DISABLED, 0.015 * has_disabled),
        (Category.RIGID_EXPENSE, 0.06 * has_serious),
        (Category.LEFT_BEHIND_CHILD, 0.25 * skipped),
        (Category.CHILD_IN_DIFFICULTY, 0.004 * has_child),
        (Category.ELDERLY_IN_DIFFICULTY, 0.015 * has_elder70),
    ]
    rates = np.stack([np.asarray(r, dtype=np.float64) for _, r in programmes], axis=1)
    total = rates.sum(axis=1)
    tagged = rng.random(n) < total
    cum = np.cumsum(rates, axis=1)
    pick = (cum < (rng.random(n) * total)[:, None]).sum(axis=1).clip(0, len(programmes) - 1)
    household_prog = np.where(tagged, pick, -1)
    since = as_of - rng.integers(60, 6 * 365, n).astype("timedelta64[D]")

    prog = household_prog[p.hh]
    people: list[np.ndarray] = []
    cats: list[np.ndarray] = []
    for k, (programme, _) in enumerate(programmes):
        mine = live & (prog == k)
        if programme in _WHOLE_HOUSEHOLD:
            who = mine
        elif programme == Category.TEKUN:
            who = mine & p.head
        elif programme == Category.DISABLED:
            who = mine & p.disabled
        elif programme == Category.ELDERLY_IN_DIFFICULTY:
            who = mine & (p.age >= 70)
        else:  # children's programmes
            who = mine & (p.age < 16)
        idx = np.flatnonzero(who)
        code = np.full(idx.size, _C[programme], dtype=np.int8)
        if programme == Category.LEFT_BEHIND_CHILD:
            # Some children left with grandparents have in fact nobody looking after them.
            code[rng.random(idx.size) < 0.1] = _C[Category.DE_FACTO_ORPHAN]
        people.append(idx)
        cats.append(code)
    # Inside 低保 households the disabled and the children usually hold their own tags too.
    dibao = live & (prog == [c for c, _ in programmes].index(Category.DIBAO))
    extra = np.flatnonzero(dibao & p.disabled & (rng.random(p.hh.size) < 0.5))
    people.append(extra)
    cats.append(np.full(extra.size, _C[Category.DISABLED], dtype=np.int8))
    extra = np.flatnonzero(dibao & (p.age < 16) & (rng.random(p.hh.size) < 0.2))
    people.append(extra)
    cats.append(np.full(extra.size, _C[Category.CHILD_IN_DIFFICULTY], dtype=np.int8))

    person = np.concatenate(people)
    category = np.concatenate(cats)
    start = np.maximum(since[p.hh[person]], p.birth[person])
    return Tags(person, category, start)
