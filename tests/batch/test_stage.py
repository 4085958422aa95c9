"""Stage and merge on a real model (the feed import's shape): COPY in both formats, repeats taken out, the
anti-join merge on a key, idempotency, COPY straight into a table, and the statistics refresh."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from django.db import NotSupportedError, connection
from django.db.models import BigIntegerField

from jiuzhu.batch.copytext import DUCKDB_COPY_TEXT, copy_text_sql
from jiuzhu.batch.stage import (
    Stage,
    copy_into,
    merge_sql,
    refresh_statistics,
    stage_clear,
    stage_copy,
    stage_delete,
    stage_merge,
    stage_open,
)
from jiuzhu.exchange.models import FeedRecord, QuarantinedRow

from ..factories import new_import_batch

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and temporary tables")

COLUMNS: list[Any] = [("line", BigIntegerField()), "id_number", "date", "amount", "kind", "data", "row_key"]
A, B = "990101199001011234", "990101199501015678"
# COPY text format written out by hand: \N is NULL, \t a tab inside the value, \\ one backslash (the JSON's
# own escaped backslash "\\" therefore arrives as four).
TEXT = (
    f"2\t{A}\t2026-03-31\t1000.50\tdeposit\t" + r'{"institution": "农村信用社"}' + "\tk1\n"
    f"3\t{A}\t\\N\t\\N\ttab\\there\t" + r'{"note": "a\\\\b", "lines": "x\\\\ny"}' + "\tk2\n"
    f"4\t{B}\t2026-04-30\t7.00\t\t" + r"{}" + "\tk3\n"
    f"5\t{B}\t2026-04-30\t7.00\t\t" + r"{}" + "\tk3\n"  # repeats line 4's fact
)
CSV = f'2,{A},2026-03-31,1000.50,deposit,"{{""institution"": ""农村信用社""}}",k1\n'


def _facts() -> list[tuple[Any, ...]]:
    return list(
        FeedRecord.objects.order_by("row_key").values_list(
            "feed", "id_number", "date", "amount", "kind", "data", "row_key", "batch_id"
        )
    )


@postgres_only
def test_text_file_staged_repeats_removed_and_merged_once(tmp_path) -> None:
    batch = new_import_batch(feed="bank")
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    stage = stage_open(FeedRecord, COLUMNS)
    stage_copy(stage, str(good))
    assert stage_delete(stage, "line", [5, 99]) == 1
    added = stage_merge(stage, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch.pk})
    assert added == 3
    expected = [
        ("bank", A, date(2026, 3, 31), Decimal("1000.50"), "deposit", {"institution": "农村信用社"}, "k1"),
        ("bank", A, None, None, "tab\there", {"note": "a\\b", "lines": "x\\ny"}, "k2"),
        ("bank", B, date(2026, 4, 30), Decimal("7.00"), "", {}, "k3"),
    ]
    assert _facts() == [(*row, batch.pk) for row in expected]
    # The same stage merged again, and the whole load run again from the file: nothing new either time.
    assert stage_merge(stage, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch.pk}) == 0
    again = stage_open(FeedRecord, COLUMNS)
    with open(good, "rb") as fh:
        stage_copy(again, fh)
    stage_delete(again, "line", [5])
    assert stage_merge(again, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch.pk}) == 0
    assert FeedRecord.objects.count() == 3


@postgres_only
def test_the_key_includes_the_constant_feed() -> None:
    """A row key already held by another feed is a different fact; one held by this feed is skipped."""
    old = new_import_batch(feed="bank")
    FeedRecord.objects.create(feed="hrss_wage", id_number=A, row_key="k1", batch=old)
    FeedRecord.objects.create(feed="bank", id_number=A, row_key="k2", batch=old)
    batch = new_import_batch(feed="bank")
    stage = stage_open(FeedRecord, COLUMNS)
    stage_copy(stage, io.BytesIO(TEXT.encode()))
    stage_delete(stage, "line", [5])
    assert stage_merge(stage, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch.pk}) == 2
    assert sorted(FeedRecord.objects.filter(batch=batch).values_list("row_key", flat=True)) == ["k1", "k3"]


@postgres_only
def test_csv_stage_and_a_reopened_stage_of_another_shape() -> None:
    batch = new_import_batch(feed="bank")
    stage_open(FeedRecord, ["id_number", "row_key"])  # same name, other shape: replaced below
    stage = stage_open(FeedRecord, COLUMNS)
    stage_copy(stage, io.BytesIO(CSV.encode()), format="csv")
    assert stage_merge(stage, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch}) == 1
    deposit = {"institution": "农村信用社"}
    assert _facts() == [("bank", A, date(2026, 3, 31), Decimal("1000.5"), "deposit", deposit, "k1", batch.pk)]
    stage_clear(stage)
    assert stage_merge(stage, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch}) == 0


@postgres_only
def test_copy_into_a_model_table_from_csv() -> None:
    batch = new_import_batch(feed="bank")
    refused = f'{batch.pk},7,"{{""c0"": ""x,y""}}",身份证号码校验位错误\n{batch.pk},9,{{}},"两行\n原因"\n'
    copy_into(QuarantinedRow, ["batch", "row_number", "raw", "reasons"], io.BytesIO(refused.encode()))
    assert list(QuarantinedRow.objects.values_list("row_number", "raw", "reasons")) == [
        (7, {"c0": "x,y"}, "身份证号码校验位错误"),
        (9, {}, "两行\n原因"),
    ]


@postgres_only
def test_statistics_refreshed_only_after_a_large_enough_load() -> None:
    batch = new_import_batch(feed="bank")
    FeedRecord.objects.bulk_create(
        FeedRecord(feed="bank", id_number=A, row_key=f"k{i}", batch=batch) for i in range(30)
    )
    assert refresh_statistics(FeedRecord, 30, at_least=31) is False  # under the floor
    assert refresh_statistics(FeedRecord, 30, at_least=30) is True  # table unknown (never analysed)
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'exchange_feedrecord'")
        assert cur.fetchone()[0] == 30
    assert refresh_statistics(FeedRecord, 2, at_least=1) is False  # 2 < 30 / 10
    assert refresh_statistics(FeedRecord, 3, at_least=1) is True  # 3 ≥ 30 / 10


def _stage(fields: list[str]) -> Stage:
    own = [FeedRecord._meta.get_field(f) for f in fields]
    return Stage(FeedRecord, "stage_x", [(f.column, f) for f in own], own)  # type: ignore[misc]


def test_merge_statement_from_the_models_metadata() -> None:
    sql, params = merge_sql(
        _stage(["id_number", "row_key"]), key=["feed", "row_key"], constants={"feed": "bank", "batch_id": 7}
    )
    # Both databases quote names with double quotes.
    assert sql == (
        'INSERT INTO "exchange_feedrecord" ("id_number", "row_key", "feed", "batch_id", "kind", "data") '
        'SELECT s."id_number", s."row_key", %s, %s, %s, %s FROM "stage_x" s WHERE NOT EXISTS '
        '(SELECT 1 FROM "exchange_feedrecord" t WHERE t."feed" = %s AND t."row_key" = s."row_key")'
    )
    assert params[:3] == ["bank", 7, ""] and params[4] == "bank"  # params[3]: {} adapted for the backend


def test_merge_refuses_a_key_it_cannot_match_and_a_field_given_twice_or_not_at_all() -> None:
    stage = _stage(["id_number", "row_key"])
    with pytest.raises(ValueError, match="合并键 date 既不在暂存表中也不是常量"):
        merge_sql(stage, key=["date"], constants={"feed": "bank", "batch": 1})
    with pytest.raises(ValueError, match=r"既在暂存表中又给了常量：\['row_key'\]"):
        merge_sql(stage, key=["row_key"], constants={"feed": "bank", "batch": 1, "row_key": "k"})
    with pytest.raises(ValueError, match=r"合并缺少必填字段：FeedRecord\.batch"):
        merge_sql(stage, key=["row_key"], constants={"feed": "bank"})


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal elsewhere")
def test_other_databases_are_told_that_staging_needs_postgresql() -> None:
    with pytest.raises(NotSupportedError, match="需要 PostgreSQL"):
        stage_open(FeedRecord, COLUMNS)


@postgres_only
def test_a_file_written_by_duckdb_in_text_format_stages_as_the_values_it_held(tmp_path) -> None:
    """The feed import's pipeline: DuckDB escapes text fields with ``copy_text_sql`` and writes the text
    format; PostgreSQL stages it and the merge stores the original values."""
    path = tmp_path / "good.txt"
    duck = duckdb.connect()
    # JSON text with an escaped backslash and an escaped line break: the value is 1\2, LF, 3.
    duck.execute("CREATE TABLE v AS SELECT ? AS kind, ? AS data", ["a\tb\\c", r'{"x": "1\\2\n3"}'])
    kind, data = copy_text_sql("kind"), copy_text_sql("data")
    duck.execute(
        f"COPY (SELECT 2 AS line, '{A}' AS id_number, DATE '2026-01-31' AS date, 3000.00 AS amount, {kind}, "
        f"{data}, 'k1' AS row_key FROM v) TO '{path}' {DUCKDB_COPY_TEXT}"
    ).fetchall()
    batch = new_import_batch(feed="bank")
    stage = stage_open(FeedRecord, COLUMNS)
    stage_copy(stage, str(path))
    assert stage_merge(stage, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch}) == 1
    record = FeedRecord.objects.get()
    assert (record.kind, record.data, record.amount) == ("a\tb\\c", {"x": "1\\2\n3"}, Decimal("3000"))
