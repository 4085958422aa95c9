"""The synthetic county: deterministic for a seed, valid identity numbers, a coherent registry."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from jiuzhu.regions.codes import Level, is_within, level_of
from jiuzhu.regions.models import Region
from jiuzhu.registry import idnumber
from jiuzhu.registry.models import Household, Membership, Person, PersonCategory
from jiuzhu.synth import COUNTY_CODE, SynthError, SynthResult, synth_county
from jiuzhu.synth.county import synth_county as synth_county_full

AS_OF = date(2025, 1, 1)
HOUSEHOLDS = 2000


def _synth(seed: int = 7, *, reset: bool = False, households: int = HOUSEHOLDS) -> SynthResult:
    return synth_county(households=households, seed=seed, reset=reset, progress=False, as_of=AS_OF)


def _fingerprint() -> set[tuple[str, str, str]]:
    return set(
        Membership.objects.filter(household__region__code__startswith="99").values_list(
            "person__id_number", "person__name", "household__number"
        )
    )


@pytest.fixture
def county(db: None) -> SynthResult:
    return _synth()


@pytest.mark.django_db
def test_same_seed_same_people_other_seed_other_people() -> None:
    _synth(7)
    first = _fingerprint()
    _synth(7, reset=True)
    assert _fingerprint() == first
    _synth(8, reset=True)
    other = _fingerprint()
    assert other != first
    assert len(other & first) < len(first) // 100


def test_result_describes_the_tree(county: SynthResult) -> None:
    assert county.county_code == COUNTY_CODE
    assert county.households == HOUSEHOLDS == Household.objects.count()
    assert county.persons == Membership.objects.filter(end_date__isnull=True).count()
    assert 2.3 < county.persons / county.households < 2.9
    assert 10 <= len(county.township_codes) <= 20
    assert all(level_of(c) == Level.TOWNSHIP for c in county.township_codes)
    assert all(level_of(c) == Level.VILLAGE for c in county.village_codes)
    assert county.seconds > 0


def test_region_tree_is_consistent(county: SynthResult) -> None:
    regions = {r.code: r for r in Region.objects.filter(code__startswith="99")}
    assert regions["990000000000"].parent_id is None
    for code, region in regions.items():
        assert region.level == level_of(code)
        if region.parent_id:
            parent = regions[region.parent_id]
            assert parent.level == region.level - 1
            assert is_within(code, parent.code)
        if region.level == Level.VILLAGE:
            assert region.urban_rural_code in {"111", "121", "210", "220"}
            assert (region.urban_rural == "urban") == region.urban_rural_code.startswith("1")
            assert region.name.endswith(("村", "社区"))
        else:
            assert region.urban_rural_code == ""
    townships = [r for r in regions.values() if r.level == Level.TOWNSHIP]
    assert {t.name[-2:] for t in townships} >= {"街道"}
    assert any(t.name.endswith("镇") for t in townships) and any(t.name.endswith("乡") for t in townships)
    per_township = Counter(r.parent_id for r in regions.values() if r.level == Level.VILLAGE)
    assert all(15 <= n <= 25 for n in per_township.values())


def test_existing_county_needs_reset(county: SynthResult) -> None:
    with pytest.raises(SynthError, match="--reset"):
        _synth()


def test_id_numbers_are_valid_unique_and_match_the_person(county: SynthResult) -> None:
    rows = list(Person.objects.values_list("id_number", "id_reversed", "birth_date", "sex"))
    assert len({r[0] for r in rows}) == len(rows)
    for number, reversed_, birth, sex in rows:
        parsed = idnumber.parse(number)
        assert parsed.address_code == COUNTY_CODE[:6]
        assert parsed.birth_date == birth
        assert parsed.sex == sex
        assert reversed_ == number[::-1]
        assert birth <= AS_OF
    sexes = Counter(r[3] for r in rows)
    assert 0.45 < sexes["M"] / len(rows) < 0.55


def test_memberships_are_coherent(county: SynthResult) -> None:
    open_per_person = Counter(
        Membership.objects.filter(end_date__isnull=True).values_list("person_id", flat=True)
    )
    dead = set(Person.objects.filter(death_date__isnull=False).values_list("id", flat=True))
    living = set(Person.objects.filter(death_date__isnull=True).values_list("id", flat=True))
    assert set(open_per_person) == living
    assert set(open_per_person.values()) == {1}
    assert 0.003 < len(dead) / (len(dead) + len(living)) < 0.02
    ended = Membership.objects.filter(end_date__isnull=False)
    assert set(ended.values_list("person_id", flat=True)) == dead
    assert set(ended.values_list("end_reason", flat=True)) == {"死亡"}
    for m in ended.select_related("person"):
        assert m.end_date is not None and m.end_date == m.person.death_date
        assert m.start_date < m.end_date <= AS_OF

    heads = Membership.objects.filter(end_date__isnull=True, relation="head")
    assert heads.count() == Household.objects.count()
    head_of = dict(heads.values_list("household_id", "person_id"))
    for hh in Household.objects.select_related("region"):
        assert hh.head_id == head_of[hh.pk]
        village, seq = hh.number.split("-")
        assert village == hh.region_id and len(seq) == 5
        assert hh.urban_rural == hh.region.urban_rural
        assert hh.address.startswith(hh.region.name)
        assert hh.version == 1 and hh.created_at is not None


def test_family_ages_and_sexes_fit_relations(county: SynthResult) -> None:
    members: dict[int, list[tuple[str, Person]]] = defaultdict(list)
    for m in Membership.objects.select_related("person"):
        members[m.household_id].append((m.relation, m.person))
    for household in members.values():
        head = next(p for rel, p in household if rel == "head")
        for rel, p in household:
            gap = (head.birth_date - p.birth_date).days / 365.25
            if rel == "spouse":
                assert p.sex != head.sex and abs(gap) < 15
            elif rel == "child":
                assert gap <= -18
            elif rel == "grandchild":
                assert gap <= -36
            elif rel in ("parent", "parent_in_law"):
                assert gap >= 18
            if rel in ("child", "grandchild") and p.age_on(AS_OF) < 6:
                assert p.education == "preschool" and p.employment == "not_working"


def test_attributes_follow_age(county: SynthResult) -> None:
    people = list(Person.objects.all())
    disabled = [p for p in people if p.disability_category]
    assert all(p.disability_grade in (1, 2, 3, 4) for p in disabled)
    assert all(p.disability_grade is None for p in people if not p.disability_category)
    assert 0.04 < len(disabled) / len(people) < 0.08
    for p in people:
        age = p.age_on(AS_OF)
        if 6 <= age <= 14 and p.disability_category != "intellectual":
            assert p.in_school and p.education in ("primary", "junior")
        if p.in_school:
            assert p.employment == "student"
        if age < 16:
            assert p.labour_capacity == "none"
        if p.employment == "retired":
            assert age >= 50
    assert Person.objects.filter(hukou_region=F("residence_region")).count() > 0.85 * len(people)


def test_a_few_percent_of_households_hold_a_category(county: SynthResult) -> None:
    tags = PersonCategory.objects.all()
    assert not tags.filter(end_date__isnull=False).exists()
    assert not tags.filter(person__death_date__isnull=False).exists()
    tagged_people = tags.values("person_id")
    tagged = (
        Membership.objects.filter(end_date__isnull=True, person__in=tagged_people)
        .values("household_id")
        .distinct()
        .count()
    )
    assert 0.05 <= tagged / HOUSEHOLDS <= 0.10
    kinds = Counter(tags.values_list("category", flat=True))
    assert kinds.most_common(1)[0][0] == "dibao"
    assert {"tekun", "near_dibao"} <= set(kinds)
    pairs = Counter(tags.values_list("person_id", "category"))
    assert set(pairs.values()) == {1}
    for tag in tags.select_related("person")[:200]:
        assert tag.start_date >= tag.person.birth_date


def _other_county() -> Person:
    """A real-looking county outside the synthetic province, with one household."""
    parent = None
    for code in ("970000000000", "970100000000", "970101000000", "970101001000", "970101001001"):
        parent = Region.objects.create(code=code, name=f"他处{code}", level=level_of(code), parent=parent)
    assert parent is not None
    first17 = "97010119800101001"
    person = Person.objects.create(
        id_number=first17 + idnumber.check_char(first17),
        id_reversed=(first17 + idnumber.check_char(first17))[::-1],
        name="他处人",
        sex="M",
        birth_date=date(1980, 1, 1),
        hukou_region=parent,
        residence_region=parent,
    )
    household = Household.objects.create(
        number=f"{parent.code}-00001", head=person, region=parent, address="他处1号", urban_rural="rural"
    )
    Membership.objects.create(
        household=household, person=person, relation="head", start_date=date(2000, 1, 1)
    )
    return person


@pytest.mark.django_db
def test_reset_leaves_other_counties_alone() -> None:
    other = _other_county()
    _synth(1, households=300)
    _synth(2, households=200, reset=True)
    assert Household.objects.filter(region__code__startswith="99").count() == 200
    assert Membership.objects.filter(person=other, end_date__isnull=True).count() == 1


@pytest.mark.django_db
def test_command_prints_a_chinese_summary() -> None:
    out = StringIO()
    call_command("synth", households=300, seed=3, no_progress=True, stdout=out)
    text = out.getvalue()
    assert "户数 300" in text and "人数" in text and "用时" in text
    with pytest.raises(CommandError, match="--reset"):
        call_command("synth", households=300, seed=3, no_progress=True, stdout=StringIO())
    call_command("synth", households=200, seed=3, reset=True, no_progress=True, stdout=StringIO())
    assert Household.objects.count() == 200


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk mode is PostgreSQL only")
def test_bulk_mode_restores_every_index_and_foreign_key() -> None:
    def schema() -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text LIKE 'registry_%%' "
                "UNION SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'registry_%%'"
            )
            return set(cursor.fetchall())

    before = schema()
    synth_county_full(households=500, seed=1, progress=False, as_of=AS_OF, bulk=True)
    # Only synthetic rows: the reset truncates.
    synth_county_full(households=400, seed=2, reset=True, progress=False, as_of=AS_OF, bulk=True)
    assert schema() == before
    assert Household.objects.count() == 400
    # With another county present the reset deletes just the synthetic rows.
    other = _other_county()
    synth_county_full(households=300, seed=3, reset=True, progress=False, as_of=AS_OF, bulk=True)
    assert schema() == before
    assert Household.objects.count() == 301
    assert Membership.objects.filter(person=other, end_date__isnull=True).count() == 1
    # Sequences moved past the explicit ids: the ORM can add rows afterwards.
    person = Person.objects.order_by("-id").first()
    assert person is not None
    assert (
        Person.objects.create(
            id_number="99019919900101123" + idnumber.check_char("99019919900101123"),
            name="新人",
            sex="M",
            birth_date=date(1990, 1, 1),
            hukou_region_id=person.hukou_region_id,
            residence_region_id=person.residence_region_id,
        ).pk
        > person.pk
    )
