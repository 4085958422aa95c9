"""factory_boy factories for the whole suite."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory

from jiuzhu.accounts.models import User
from jiuzhu.accounts.services import user_assign_role
from jiuzhu.exchange.models import ImportBatch
from jiuzhu.regions.codes import level_of
from jiuzhu.regions.models import Region, UrbanRural
from jiuzhu.registry.choices import Relation
from jiuzhu.registry.idnumber import check_char
from jiuzhu.registry.models import Household, Membership, Person


def make_id_number(seq: int, *, birth: date | None = None, male: bool = True, area: str = "980101") -> str:
    born = birth or date(1960, 1, 1) + timedelta(days=(seq * 37) % 20000)
    order = (seq % 499) * 2 + (1 if male else 0)
    first17 = f"{area}{born:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "980101001001"
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = factory.LazyAttribute(lambda o: int(level_of(o.code)))
    urban_rural = UrbanRural.RURAL


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "测试用户"
    role = "township_caseworker"
    password = factory.PostGenerationMethodCall("set_password", "pass-12345-word")

    @factory.post_generation
    def with_role(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and self.role:
            self.save()
            user_assign_role(user=self, role=self.role)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    id_number = factory.Sequence(lambda n: make_id_number(n + 1))
    id_reversed = factory.LazyAttribute(lambda o: o.id_number[::-1])
    name = factory.Sequence(lambda n: f"张{'一二三四五六七八九十'[n % 10]}{'甲乙丙丁'[n // 10 % 4]}")
    sex = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    birth_date = factory.LazyAttribute(
        lambda o: date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )
    hukou_region = factory.LazyFunction(lambda: Region.objects.get(code="980101001001"))
    residence_region = factory.SelfAttribute("hukou_region")


class HouseholdFactory(factory.django.DjangoModelFactory[Household]):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"T{n:06d}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="980101001001"))
    address = "幸福村1组1号"
    urban_rural = UrbanRural.RURAL
    head = factory.SubFactory(PersonFactory, hukou_region=factory.SelfAttribute("..region"))

    @factory.post_generation
    def head_membership(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and self.head is not None:
            Membership.objects.create(
                household=self, person=self.head, relation=Relation.HEAD, start_date=date(2020, 1, 1)
            )


class ImportBatchFactory(factory.django.DjangoModelFactory[ImportBatch]):
    class Meta:
        model = ImportBatch

    feed = "hrss_wage"
    file_name = factory.LazyAttribute(lambda b: f"{b.feed}.csv")
    file_format = "csv"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = ImportBatch.Status.DONE


def add_member(household: Household, relation: str = Relation.CHILD, **person_kwargs: Any) -> Person:
    person_kwargs.setdefault("hukou_region", household.region)
    person = PersonFactory(**person_kwargs)
    Membership.objects.create(
        household=household, person=person, relation=relation, start_date=date(2020, 1, 1)
    )
    return person


# Typed entry points: factory_boy's metaclass hides the model type from mypy.
def new_household(**kwargs: Any) -> Household:
    return HouseholdFactory(**kwargs)  # type: ignore[return-value]


def new_person(**kwargs: Any) -> Person:
    return PersonFactory(**kwargs)  # type: ignore[return-value]


def new_user(**kwargs: Any) -> User:
    return UserFactory(**kwargs)  # type: ignore[return-value]


def new_import_batch(**kwargs: Any) -> ImportBatch:
    return ImportBatchFactory(**kwargs)  # type: ignore[return-value]
