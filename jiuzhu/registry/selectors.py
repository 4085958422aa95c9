"""Reads of the registry, always scoped to the caller's jurisdiction.

Query counts are fixed per page (pinned in tests): search is one count, one page and two
prefetches; a household file is a handful of queries whatever its size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.regions.codes import subtree_bounds
from jiuzhu.regions.scope import get_in_jurisdiction, require_jurisdiction, scoped

from .choices import Category
from .idnumber import normalise
from .models import Household, Membership, Person, PersonCategory, RegistryChange

# One answer for "never registered" and "registered outside your jurisdiction" when a form names a
# person by ID number.
ID_NOT_FOUND_HERE = (
    "在您的辖区内未找到该身份证号码的人员。未登记的，请先登记人员；已在其他乡镇（街道）登记的，"
    "请联系其现居住地乡镇（街道），由共同的上级民政部门办理迁入本辖区家庭"
)
PAGE_SIZE = 20
# A page number beyond this is refused: an offset past the database's integer range is a server
# error, and no one pages through more than two million households by hand.
MAX_PAGE = 100_000
COUNT_CAP = 1000
_ID_FRAGMENT = re.compile(r"^\d{3,17}[\dX]?$")


@dataclass
class Page:
    items: list[Any]
    number: int
    size: int
    total: int
    total_capped: bool

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _open_categories_for(prefix: str) -> Prefetch:
    return Prefetch(
        f"{prefix}__categories",
        queryset=PersonCategory.objects.filter(end_date__isnull=True),
        to_attr="open_categories",
    )


def _current_members() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(end_date__isnull=True)
        .select_related("person")
        .prefetch_related(_open_categories_for("person"))
        .order_by("start_date", "id"),
        to_attr="current_members",
    )


def persons_matching(query: str) -> QuerySet[Person]:
    """Persons whose name starts with the query, or whose ID number equals it (18 characters) or
    ends with it (3–17 digits, e.g. the last 6 digits read out at the counter)."""
    q = normalise(query)
    if not q:
        return Person.objects.none()
    if len(q) == 18 and _ID_FRAGMENT.match(q):
        return Person.objects.filter(id_number=q)
    if _ID_FRAGMENT.match(q):
        return Person.objects.filter(id_reversed__startswith=q[::-1])
    return Person.objects.filter(name__startswith=query.strip())


def household_search(
    *,
    user: Any,
    query: str = "",
    region_code: str = "",
    category: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    qs = scoped(Household.objects.all(), user, "region__code")
    if region_code:
        if not region_code.isdigit() or len(region_code) != 12:
            raise ValidationFailed({"region": "区划代码应为12位数字"})
        require_jurisdiction(user, region_code)
        qs = qs.filter(region__code__range=subtree_bounds(region_code))
    member_filter = Q(end_date__isnull=True)
    if query.strip():
        member_filter &= Q(person__in=persons_matching(query))
    if category:
        member_filter &= Q(person__categories__category=category, person__categories__end_date__isnull=True)
    if query.strip() or category:
        qs = qs.filter(id__in=Membership.objects.filter(member_filter).values("household_id"))
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed({"page": f"页码应为1至{MAX_PAGE}之间的整数"})
    total = qs[: COUNT_CAP + 1].count()
    # With few matches, walking households in id order until a page is full means walking them all
    # (4.6 s for a rare name at 1M households): ordering by an expression makes PostgreSQL start from
    # the matches and sort them (11 ms). With many matches the walk is the fast way (2 ms against 0.3 s).
    ordering = F("id") if total > COUNT_CAP else F("id") + 0
    items = list(
        qs.select_related("head", "region")
        .prefetch_related(_current_members())
        .order_by(ordering.asc())[(page - 1) * size : page * size]
    )
    for h in items:
        h.categories_held = categories_held(h)  # type: ignore[attr-defined]
    return Page(items, page, size, min(total, COUNT_CAP), total > COUNT_CAP)


def categories_held(household: Household) -> list[PersonCategory]:
    """The categories the household's current members hold, each once (the first holder's tag), in the
    order of ``Category``. Needs the ``current_members`` prefetch of the search."""
    first: dict[str, PersonCategory] = {}
    for m in household.current_members:  # type: ignore[attr-defined]
        for tag in m.person.open_categories:
            first.setdefault(tag.category, tag)
    order = {value: i for i, value in enumerate(Category.values)}
    return sorted(first.values(), key=lambda tag: order.get(tag.category, len(order)))


@dataclass
class HouseholdFile:
    household: Household
    members: list[Membership]
    former_members: list[Membership]
    history: list[RegistryChange]


def household_get(*, user: Any, household_id: int) -> Household:
    return get_in_jurisdiction(
        Household.objects.select_related("region", "head"),
        user=user,
        pk=household_id,
        region_field="region__code",
    )


def household_file(*, user: Any, household_id: int, history_limit: int = 200) -> HouseholdFile:
    household = household_get(user=user, household_id=household_id)
    memberships = list(
        Membership.objects.filter(household=household)
        .select_related("person", "person__hukou_region")
        .prefetch_related(_open_categories_for("person"))
        .order_by("end_date", "start_date", "id")
    )
    history = list(
        RegistryChange.objects.filter(household=household)
        .select_related("person")
        .order_by("-at", "-id")[:history_limit]
    )
    return HouseholdFile(
        household=household,
        members=[m for m in memberships if m.end_date is None],
        former_members=[m for m in memberships if m.end_date is not None],
        history=history,
    )


@dataclass
class PersonFile:
    person: Person
    memberships: list[Membership]
    categories: list[PersonCategory]
    history: list[RegistryChange]


def person_get(*, user: Any, person_id: int) -> Person:
    return get_in_jurisdiction(
        Person.objects.select_related("hukou_region", "residence_region"),
        user=user,
        pk=person_id,
        region_field="residence_region__code",
    )


def person_by_id_number(*, user: Any, id_number: str) -> Person | None:
    """The person holding this ID number if they live in the caller's jurisdiction. ``None`` both when
    the number was never registered and when its holder lives elsewhere: the caller must not be able
    to tell the two apart (see ``ID_NOT_FOUND_HERE``)."""
    number = normalise(id_number)
    if not number:
        return None
    return scoped(Person.objects.filter(id_number=number), user, "residence_region__code").first()


def person_file(*, user: Any, person_id: int) -> PersonFile:
    person = person_get(user=user, person_id=person_id)
    memberships = list(
        Membership.objects.filter(person=person)
        .select_related("household", "household__region")
        .order_by("-start_date")
    )
    categories = list(PersonCategory.objects.filter(person=person).order_by("-start_date"))
    history = list(RegistryChange.objects.filter(person=person).order_by("-at", "-id")[:200])
    return PersonFile(person=person, memberships=memberships, categories=categories, history=history)
