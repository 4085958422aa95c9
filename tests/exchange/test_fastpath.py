"""The bulk path (DuckDB validation; COPY on PostgreSQL) must give exactly what the row-by-row path gives."""

from __future__ import annotations

import io
from datetime import date

import duckdb
import pytest
from django.db import connection

from jiuzhu.audit.services import AuditContext
from jiuzhu.exchange import fastpath, services
from jiuzhu.exchange.models import FeedRecord, ImportBatch, QuarantinedRow

from ..factories import make_id_number

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)
A = make_id_number(1, birth=date(1970, 1, 1))
B = make_id_number(2, birth=date(1975, 6, 1), male=False)
FULL_WIDTH = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in A)

TRICKY = (
    "身份证号码,月份,单位,应发工资（元）,备注\n"
    f"{A},2026-01,甲公司,3000,x\n"
    "\n"
    f'{B.lower()} ,2026/2,\u3000乙公司\u3000,"2,500.555"\n'
    f"{FULL_WIDTH},202603,甲公司,100\n"
    "   ,  ,  ,  \n"
    f"{A[:17]}0,2026-01,甲公司,1\n"
    f"{A},2026-13,甲公司,1\n"
    f"{A},0000-01,甲公司,1\n"
    f"{B},2026-04,,-0.5\n"
    f"{B},2026-04,,abc\n"
    f"{B},2026-04,,1e3\n"
    f"{A},2026-01,甲公司,3000\n"
    f'{A},2026-05,"多行\n单位",7\n'
    f"12345,2026-05,丙,7\n"
    f"{B},2026-06\n"
    f"{B},2026-07,丁,8,extra,more\n"
    f"{B},1899-12,丁,8\n"
    f"{B},2030-01,丁,8\n"
    f'{B},2026-08,"反斜杠\\n和\t制表符",9\n'  # staged through PostgreSQL's text format: escaped
)


def _snapshot() -> tuple[dict[int, str], set[tuple]]:
    bad = dict(QuarantinedRow.objects.values_list("row_number", "reasons"))
    raws = {q.row_number: q.raw for q in QuarantinedRow.objects.all()}
    good = {
        (r.id_number, r.date, r.amount, r.kind, tuple(sorted(r.data.items())), r.row_key)
        for r in FeedRecord.objects.all()
    }
    return {**bad, **{-k: str(sorted(v.items())) for k, v in raws.items()}}, good


def _run(name: str) -> ImportBatch:
    return services.feed_import(
        ctx=AuditContext.system(),
        feed_code="hrss_wage",
        file_name=name,
        fh=io.BytesIO(TRICKY.encode()),
        today=TODAY,
    ).batch


def _unreadable(*args: object) -> None:
    raise duckdb.InvalidInputException("simulated")


@pytest.mark.parametrize("variant", ["one_chunk", "chunks_of_three", "python_parser"])
def test_bulk_and_row_paths_agree_on_every_row(monkeypatch, variant: str) -> None:
    if variant == "chunks_of_three":
        # duplicates across chunks, and validation of the next chunk overlapping the load of this one
        monkeypatch.setattr(fastpath, "CHUNK_ROWS", 3)
    if variant == "python_parser":
        monkeypatch.setattr(fastpath, "_read_duckdb", _unreadable)
    fast = _run("fast.csv")
    fast_bad, fast_good = _snapshot()
    totals_fast = (fast.rows_total, fast.rows_loaded, fast.rows_quarantined)
    FeedRecord.objects.all().delete()
    QuarantinedRow.objects.all().delete()
    ImportBatch.objects.all().delete()

    monkeypatch.setattr(services, "BULK_CSV", False)
    slow = _run("slow.csv")
    slow_bad, slow_good = _snapshot()
    assert (slow.rows_total, slow.rows_loaded, slow.rows_quarantined) == totals_fast
    assert fast_bad == slow_bad
    assert fast_good == slow_good
    assert slow.rows_loaded == 6
    assert FeedRecord.objects.filter(data__employer="反斜杠\\n和\t制表符").count() == 1
    reasons = {k: v for k, v in slow_bad.items() if k > 0}
    # records are numbered without the empty line, as both readers do
    assert reasons[6] == "身份证号码：身份证号码校验位错误，请核对号码是否抄错"
    assert reasons[7] == "月份：月份格式错误（应为 YYYY-MM）：2026-13"
    assert reasons[9] == "应发工资（元）：金额不能为负：-0.5"
    assert reasons[11] == "应发工资（元）：金额格式错误：1e3"
    assert reasons[12] == "与第2行重复"
    assert reasons[14] == "身份证号码：身份证号码应为18位，实际为5位"
    assert reasons[15] == "应发工资（元）：不能为空"
    assert "月份超出合理范围：1899-12" in reasons[17] and "月份超出合理范围：2030-01" in reasons[18]
    assert 5 not in reasons  # whitespace-only record: skipped, not quarantined


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner statistics")
def test_a_large_merge_refreshes_the_fact_table_statistics(monkeypatch) -> None:
    def reltuples() -> float:
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'exchange_feedrecord'::regclass")
            return float(cur.fetchone()[0])

    monkeypatch.setattr(fastpath, "ANALYZE_AFTER", 1)
    before = reltuples()
    _run("large.csv")
    assert before != reltuples() == FeedRecord.objects.count() == 6
