"""One chunk of the population: households, persons, memberships and tags as model columns.

Ids are assigned here (continuing from the tables' current maxima) so that memberships and tags
can point at persons and households without asking the database anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from jiuzhu.batch.write import Column, Const, Rows
from jiuzhu.registry.choices import Relation
from jiuzhu.registry.models import Household, Membership, Person, PersonCategory

from . import attributes, categories, names, population
from .codes import ADDRESS_CODE
from .idnumbers import SequenceAllocator, id_numbers, ranks_within
from .population import REL, RELATIONS
from .regions import Tree

_DAYS_PER_YEAR = 365.2425
_BANK_BIN = np.array(["622848", "621799", "623166", "622202", "621700"])


@dataclass
class State:
    """What carries over from one chunk to the next."""

    tree: Tree
    as_of: np.datetime64
    now: datetime
    sequences: SequenceAllocator
    village_used: np.ndarray  # households numbered so far in each village
    next_household: int
    next_person: int
    next_membership: int
    next_category: int
    # First six digits of the ID numbers; another code keeps a throw-away sample (the benchmark's
    # baseline) from colliding with the county's people.
    address_code: str = ADDRESS_CODE


@dataclass
class Chunk:
    tables: list[Rows]
    households: int
    persons: int  # living persons (current members)


def _days(n: np.ndarray | int) -> np.ndarray:
    return np.asarray(n).astype("timedelta64[D]")


def _village_arrays(tree: Tree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = np.array([v.code for v in tree.villages])
    vnames = np.array([v.name for v in tree.villages])
    urban = np.array([v.urban_rural == "urban" for v in tree.villages])
    return codes, vnames, urban


def _addresses(rng: np.random.Generator, vname: np.ndarray, urban: np.ndarray) -> np.ndarray:
    n = vname.size
    s = np.strings
    rural = s.add(s.add(vname, rng.integers(1, 13, n).astype("U2")), "组")
    rural = s.add(s.add(rural, rng.integers(1, 90, n).astype("U3")), "号")
    roads = np.array(names.ROADS)[rng.integers(0, len(names.ROADS), n)]
    town = s.add(s.add(s.add(vname, roads), rng.integers(1, 200, n).astype("U3")), "号")
    flat = s.add(s.add(rng.integers(1, 30, n).astype("U2"), "栋"), rng.integers(1, 5, n).astype("U1"))
    flat = s.add(
        s.add(s.add(flat, "单元"), (rng.integers(1, 19, n) * 100 + rng.integers(1, 5, n)).astype("U4")), "室"
    )
    town = np.where(rng.random(n) < 0.6, s.add(town, flat), town)
    return np.where(urban, town, rural)


def generate(rng: np.random.Generator, state: State, n: int) -> Chunk:
    tree = state.tree
    v_codes, v_names, v_urban = _village_arrays(tree)
    village = rng.choice(v_codes.size, size=n, p=tree.village_weights)
    urban = v_urban[village]

    slots = population.compose(rng, urban)
    # Surnames: own draw per slot, then inherited along surname_from (sources precede their users).
    sur = names.surnames(rng, n * population.MAX_MEMBERS).reshape(n, population.MAX_MEMBERS)
    rows_all = np.arange(n)
    for s in range(1, population.MAX_MEMBERS):
        src = slots.surname_from[:, s]
        has = src >= 0
        sur[has, s] = sur[rows_all[has], src[has]]

    hh, slot = np.nonzero(slots.relation >= 0)  # household-major order
    m = hh.size
    relation = slots.relation[hh, slot]
    male = slots.male[hh, slot]
    years = slots.age[hh, slot].astype(np.float64)
    birth = state.as_of - _days(np.floor(years * _DAYS_PER_YEAR + rng.integers(0, 365, m)))
    age = np.floor((state.as_of - birth).astype(np.int64) / _DAYS_PER_YEAR).astype(np.int16)
    name = np.strings.add(names.SURNAMES[sur[hh, slot]], names.given_names(rng, male))
    person_urban = urban[hh]
    attrs = attributes.draw(rng, age, male, person_urban)

    # About 1 % of the people on file have died: mostly old spouses and parents. The head stays
    # alive so that every household keeps its head.
    head = relation == REL[Relation.HEAD]
    p_death = np.where(head, 0.0, np.where(age >= 60, 0.1, 0.001))
    dead = rng.random(m) < p_death
    seq = state.sequences.allocate(birth, male)
    id_number, id_reversed = id_numbers(state.address_code, birth, seq)

    hid = state.next_household + np.arange(n)
    pid = state.next_person + np.arange(m)
    first = np.flatnonzero(slot == 0)  # every household's slot 0 is its head

    # Membership dates: the household was set up when its head was an adult; members born later
    # joined at birth.
    head_age = slots.age[:, 0].astype(np.int64)
    formed = state.as_of - _days(rng.integers(0, np.maximum(np.minimum(head_age - 18, 40), 1) * 365))
    start = np.maximum(formed[hh], birth)
    death = state.as_of - _days(rng.integers(1, 1000, m))
    dead &= start < state.as_of - _days(2)  # room for a death after joining, before the reference date
    death = np.maximum(death, start + _days(1))
    death_date = np.where(dead, death, np.datetime64("NaT", "D"))

    # A partner's death makes the survivor a widow(er).
    status_grid, partner_grid = population.marital(rng, slots)
    flat = np.full(slots.relation.shape, -1, dtype=np.int64)
    flat[hh, slot] = np.arange(m)
    partner = partner_grid[hh, slot]
    has_partner = partner >= 0
    partner_dead = np.zeros(m, dtype=bool)
    partner_dead[has_partner] = dead[flat[hh[has_partner], partner[has_partner]]]
    status = np.where(partner_dead, population.MARITAL.index("widowed"), status_grid[hh, slot])

    hukou = np.where(rng.random(m) < 0.93, village[hh], rng.integers(0, v_codes.size, m))
    seqs = ranks_within(village, state.village_used) + 1
    number = np.strings.add(np.strings.add(v_codes[village], "-"), np.strings.zfill(seqs.astype(str), 5))
    banked = rng.random(n) < 0.92
    bank = rng.choice(len(names.BANKS), size=n, p=names.BANK_P)
    account = np.strings.add(_BANK_BIN[bank], np.strings.zfill(rng.integers(0, 10**13, n).astype("U13"), 13))
    const_meta: dict[str, Column] = {
        "version": Const(1),
        "created_at": Const(state.now),
        "updated_at": Const(state.now),
    }

    disabled = attrs.disability >= 0
    person_cols: dict[str, Column] = {
        "id": pid,
        "id_number": id_number,
        "id_reversed": id_reversed,
        "name": name,
        "sex": np.where(male, "M", "F"),
        "birth_date": birth,
        "hukou_region_id": v_codes[hukou],
        "residence_region_id": v_codes[village[hh]],
        "phone": attrs.phone,
        "marital_status": np.array(population.MARITAL)[status],
        "disability_category": np.where(disabled, np.array(attributes.DISABILITY)[attrs.disability], ""),
        "disability_grade": np.ma.MaskedArray(attrs.grade, mask=~disabled),
        "labour_capacity": np.array(attributes.LABOUR)[attrs.labour],
        "self_care": np.array(attributes.SELF_CARE)[attrs.self_care],
        "health": np.array(attributes.HEALTH)[attrs.health],
        "employment": np.array(attributes.EMPLOYMENT)[attrs.employment],
        "education": np.array(attributes.EDUCATION)[attrs.education],
        "in_school": attrs.in_school,
        "death_date": death_date,
        **const_meta,
    }
    household_cols: dict[str, Column] = {
        "id": hid,
        "number": number,
        "head_id": pid[first],
        "region_id": v_codes[village],
        "address": _addresses(rng, v_names[village], urban),
        "urban_rural": np.where(urban, "urban", "rural"),
        "bank_name": np.where(banked, np.array(names.BANKS)[bank], ""),
        "bank_account": np.where(banked, account, ""),
        **const_meta,
    }
    # Adult children sometimes work elsewhere and no longer live with the household (§2.1).
    away = (relation == REL[Relation.CHILD]) & (age >= 18) & (age <= 40) & (rng.random(m) < 0.08)
    membership_cols: dict[str, Column] = {
        "id": state.next_membership + np.arange(m),
        "household_id": hid[hh],
        "person_id": pid,
        "relation": np.array(RELATIONS)[relation],
        "co_resident": ~away,
        "start_date": start,
        "end_date": death_date,
        "end_reason": np.where(dead, "死亡", ""),
    }

    view = categories.PersonView(
        hh=hh,
        age=age,
        head=head,
        alive=~dead,
        disabled=disabled,
        serious=attrs.health == attributes.HEALTH.index("serious"),
        no_labour=attrs.labour == attributes.LABOUR.index("none"),
        birth=birth,
    )
    tags = categories.draw(rng, view, slots.composition, urban, state.as_of)
    k = tags.person.size
    category_cols: dict[str, Column] = {
        "id": state.next_category + np.arange(k),
        "person_id": pid[tags.person],
        "category": np.array(categories.CATEGORIES)[tags.category],
        "start_date": tags.start,
        "end_date": Const(None),
        "note": Const(""),
    }

    state.next_household += n
    state.next_person += m
    state.next_membership += m
    state.next_category += k
    return Chunk(
        tables=[
            Rows(Person, person_cols, m),
            Rows(Household, household_cols, n),
            Rows(Membership, membership_cols, m),
            Rows(PersonCategory, category_cols, k),
        ],
        households=n,
        persons=int((~dead).sum()),
    )
