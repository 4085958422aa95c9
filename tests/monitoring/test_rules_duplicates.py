"""Duplicate assistance over the coverage table: one person in two households or two counties, one
person in two programs that exclude each other, one bank account paid for two households."""

from __future__ import annotations

import json

import pytest

from jiuzhu.benefits.engine import compat
from jiuzhu.monitoring import rules as R

from .tables import cover, hit_people, hits, person

OTHER_COUNTY = "530200000000"


def test_one_person_in_two_households() -> None:
    people = [person(1), person(2)]
    covers = [cover(11, 1), cover(12, 1, household_id=2), cover(13, 2)]
    (hit,) = hits(R.DUPLICATE_PERSON, people=people, covers=covers)
    assert (hit["person_id"], hit["household_id"]) == (1, 1)
    assert json.loads(hit["evidence"]) == {"涉及在保记录": "11,12"}


def test_one_household_two_programs_is_not_two_households() -> None:
    covers = [cover(11, 1, "dibao"), cover(12, 1, "disability_care")]
    assert hit_people(R.DUPLICATE_PERSON, people=[person(1)], covers=covers) == []


def test_one_person_in_two_counties() -> None:
    covers = [cover(11, 1), cover(12, 1, household_id=9, county_code=OTHER_COUNTY)]
    assert hit_people(R.DUPLICATE_COUNTY, people=[person(1)], covers=covers) == [1]
    same = [cover(11, 1), cover(12, 1, household_id=9)]
    assert hit_people(R.DUPLICATE_COUNTY, people=[person(1)], covers=same) == []


def test_a_new_entitlement_is_new_evidence() -> None:
    two = [cover(11, 1), cover(12, 1, household_id=2)]
    three = [*two, cover(13, 1, household_id=3)]
    (first,) = hits(R.DUPLICATE_PERSON, people=[person(1)], covers=two)
    (again,) = hits(R.DUPLICATE_PERSON, people=[person(1)], covers=two)
    (later,) = hits(R.DUPLICATE_PERSON, people=[person(1)], covers=three)
    assert first["evidence_key"] == again["evidence_key"] != later["evidence_key"]


@pytest.mark.parametrize(("a", "b"), R.INCOMPATIBLE_PROGRAMS)
def test_incompatible_programs_of_one_person(a: str, b: str) -> None:
    covers = [cover(11, 1, a), cover(12, 1, b)]
    assert hit_people(R.DUPLICATE_PROGRAM, people=[person(1)], covers=covers) == [1]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("dibao", "disability_living"),
        ("dibao", "disability_care"),
        ("tekun", "disability_care"),
        ("dibao", "temporary"),
    ],
)
def test_compatible_programs_of_one_person(a: str, b: str) -> None:
    covers = [cover(11, 1, a), cover(12, 1, b)]
    assert hit_people(R.DUPLICATE_PROGRAM, people=[person(1)], covers=covers) == []


def test_incompatible_programs_of_two_people_of_a_household_are_not_a_hit() -> None:
    covers = [cover(11, 1, "tekun", household_id=1), cover(12, 2, "dibao", household_id=1)]
    people = [person(1), person(2, household_id=1, relation="spouse")]
    assert hit_people(R.DUPLICATE_PROGRAM, people=people, covers=covers) == []


def test_the_incompatible_pairs_are_the_person_rules_of_compat() -> None:
    person_pairs = {frozenset((r.a, r.b)) for r in compat.RULES if r.scope == compat.PERSON}
    assert {frozenset(p) for p in R.INCOMPATIBLE_PROGRAMS} == person_pairs


def test_one_account_for_two_households() -> None:
    people = [person(1), person(2), person(3)]
    covers = [
        cover(11, 1, bank_account="6228000011112222"),
        cover(12, 2, bank_account="6228000011112222"),
        cover(13, 3, bank_account="6228000033334444"),
    ]
    assert hit_people(R.DUPLICATE_ACCOUNT, people=people, covers=covers) == [1, 2]


def test_one_account_for_one_household_or_no_account() -> None:
    people = [person(1), person(2, household_id=1, relation="spouse"), person(3), person(4)]
    covers = [
        cover(11, 1, bank_account="6228000011112222"),
        cover(12, 2, household_id=1, program="disability_care", bank_account="6228000011112222"),
        cover(13, 3, bank_account=""),
        cover(14, 4, bank_account=None),
    ]
    assert hit_people(R.DUPLICATE_ACCOUNT, people=people, covers=covers) == []
