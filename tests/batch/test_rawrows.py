"""RowLoader gives the instances the ORM gives: same values, same Python types, on both databases."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from jiuzhu.batch.rawrows import RowLoader, fetch_together
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.registry.models import Person

from ..factories import new_import_batch, new_person

pytestmark = pytest.mark.django_db


def _load(loader: RowLoader, pk: int):  # type: ignore[no-untyped-def]
    table = loader.model._meta.db_table
    with connection.cursor() as cur:
        alias = loader.alias
        cur.execute(f"SELECT {loader.columns} FROM {table} {alias} WHERE {alias}.id = %s", [pk])
        return loader.load(cur.fetchone())


def _same(loaded, expected) -> None:  # type: ignore[no-untyped-def]
    for f in type(expected)._meta.concrete_fields:
        got, want = getattr(loaded, f.attname), getattr(expected, f.attname)
        assert (got, type(got)) == (want, type(want)), f.attname


def test_decimals_dates_and_json_come_back_as_the_orm_gives_them() -> None:
    record = FeedRecord.objects.create(
        feed="bank",
        id_number="990101199001011234",
        date=date(2026, 3, 31),
        amount=Decimal("12345.67"),
        kind="deposit",
        data={"institution": "农村信用社", "nested": [1, "二"]},
        row_key="k1",
        batch=new_import_batch(),
    )
    loaded = _load(RowLoader(FeedRecord, "f"), record.pk)
    _same(loaded, FeedRecord.objects.get(pk=record.pk))
    assert loaded.amount == Decimal("12345.67") and loaded.data["nested"] == [1, "二"]
    assert loaded._state.adding is False


def test_aware_datetimes_booleans_and_nulls(tree) -> None:
    person = new_person(death_date=None, in_school=True)
    loaded = _load(RowLoader(Person, "p"), person.pk)
    _same(loaded, Person.objects.get(pk=person.pk))
    assert loaded.created_at.tzinfo is not None and loaded.in_school is True and loaded.death_date is None


def test_only_some_fields_defers_the_rest(tree) -> None:
    person = new_person(name="王五")
    loaded = _load(RowLoader(Person, "p", only=("name",)), person.pk)
    assert (loaded.pk, loaded.name) == (person.pk, "王五")
    assert loaded.get_deferred_fields() >= {"id_number", "birth_date", "created_at"}


@pytest.mark.parametrize("server_side_binding", [False, True])
def test_statements_fetched_together_keep_their_order_and_parameters(
    tree, monkeypatch, server_side_binding
) -> None:
    if server_side_binding:  # the statements then go one by one
        monkeypatch.setitem(connection.settings_dict.setdefault("OPTIONS", {}), "server_side_binding", True)
    person = new_person(name="赵六")
    table = Person._meta.db_table
    results = fetch_together(
        [
            (f"SELECT name FROM {table} WHERE id = %s", [person.pk]),
            (f"SELECT name FROM {table} WHERE id = %s", [-1]),  # an empty result in the middle
            (f"SELECT id, name FROM {table} WHERE name = %s AND id = %s", ["赵六", person.pk]),
        ]
    )
    assert results == [[("赵六",)], [], [(person.pk, "赵六")]]
