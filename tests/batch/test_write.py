"""Rows written from columns: the values the ORM reads back, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from jiuzhu.batch.bulk import bulk_mode
from jiuzhu.batch.write import Const, Rows, insert_sql, next_id, reset_sequences, write
from jiuzhu.exchange.models import FeedRecord, QuarantinedRow

from ..factories import new_import_batch

pytestmark = pytest.mark.django_db


def test_columns_of_every_kind_come_back_as_written() -> None:
    batch = new_import_batch(feed="bank")
    first = next_id(FeedRecord)
    write(
        Rows(
            FeedRecord,
            {
                "id": np.arange(first, first + 3),
                "feed": np.array(["bank", "bank", "bank"]),
                "id_number": np.array(["990101199001011234", "990101199001011234", "990101199001015678"]),
                "date": np.array(["2026-03-31", "NaT", "2025-12-31"], dtype="datetime64[D]"),
                "amount": np.array([12.5, 0.0, 1000000.25]),
                # A tab, a line break and a backslash inside text: escaped for COPY, unchanged in the table.
                "kind": np.array(["tab\there", "two\nlines", "a\\b"]),
                "data": Const({"institution": "农村信用社", "path": "c:\\x"}),
                "row_key": np.array(["k1", "k2", "k3"]),
                "batch_id": np.full(3, batch.pk),
            },
            3,
        )
    )
    got = list(FeedRecord.objects.order_by("row_key").values_list("id", "date", "amount", "kind", "data"))
    data = {"institution": "农村信用社", "path": "c:\\x"}
    assert got == [
        (first, date(2026, 3, 31), Decimal("12.50"), "tab\there", data),
        (first + 1, None, Decimal("0.00"), "two\nlines", data),
        (first + 2, date(2025, 12, 31), Decimal("1000000.25"), "a\\b", data),
    ]


def test_a_field_left_out_takes_its_default_and_sequences_move_past_explicit_ids() -> None:
    batch = new_import_batch(feed="bank")
    write(
        Rows(
            FeedRecord,
            {
                "id": np.array([500]),
                "feed": Const("bank"),
                "id_number": np.array(["990101199001011234"]),
                "row_key": np.array(["k1"]),
                "batch_id": np.array([batch.pk]),
            },
            1,
        )
    )
    reset_sequences([FeedRecord])
    written = FeedRecord.objects.get(pk=500)
    assert (written.kind, written.data, written.date, written.amount) == ("", {}, None, None)
    later = FeedRecord.objects.create(feed="bank", id_number="990101199001011234", row_key="k2", batch=batch)
    assert later.pk == 501


def test_missing_required_and_unknown_fields_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"缺少必填字段：FeedRecord\.id_number"):
        write(Rows(FeedRecord, {"feed": Const("bank")}, 1))
    columns = {"feed": Const("bank"), "id_number": Const("x"), "row_key": Const("k"), "batch_id": Const(1)}
    with pytest.raises(ValueError, match=r"不存在的字段：FeedRecord\.\['colour'\]"):
        write(Rows(FeedRecord, {**columns, "colour": Const("red")}, 1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk mode is PostgreSQL only")
def test_bulk_mode_drops_secondary_indexes_for_the_block_and_restores_them() -> None:
    def indexes() -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [FeedRecord._meta.db_table]
            )
            return set(cursor.fetchall())

    before = indexes()
    names = {name for name, _ in before}
    assert {"feedrecord_person_idx", "feedrecord_hukou_no_idx", "feed_row_key_unique"} <= names
    with bulk_mode([FeedRecord], use=True):
        assert {name for name, _ in indexes()} == {"exchange_feedrecord_pkey"}
    assert indexes() == before


def test_insert_statement_names_columns_from_the_model() -> None:
    assert insert_sql(QuarantinedRow, ["batch", "row_number", "raw", "reasons"]) == (
        'INSERT INTO "exchange_quarantinedrow" ("batch_id", "row_number", "raw", "reasons") '
        "VALUES (%s, %s, %s, %s)"
    )
    skip = insert_sql(FeedRecord, ["feed", "row_key"], skip_existing=True)
    if connection.vendor == "sqlite":
        assert skip == 'INSERT OR IGNORE INTO "exchange_feedrecord" ("feed", "row_key") VALUES (%s, %s)'
    else:
        assert (
            skip
            == 'INSERT INTO "exchange_feedrecord" ("feed", "row_key") VALUES (%s, %s) ON CONFLICT DO NOTHING'
        )
    with pytest.raises(ValueError, match=r"FeedRecord\.colour 不是数据表中的列"):
        insert_sql(FeedRecord, ["colour"])
