"""The bulk path (DuckDB validation; COPY on PostgreSQL) must give exactly what the row-by-row path gives."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from django.db import connection

from jiuzhu.audit.services import AuditContext
from jiuzhu.exchange import fastpath, services
from jiuzhu.exchange.models import FeedRecord, ImportBatch, QuarantinedRow

from ..conftest import COUNTY
from ..factories import make_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tree")]
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
    # Department files as departments send them: Chinese months, full-width digits and punctuation.
    f"{A},2023年10月,甲公司,３６１３．７１\n"
    f'{A},２０２３年１１月,甲公司,"３，６１３．７１"\n'
    f"{B},２０２３－０６,甲,１２\n"
    f"{B},2023年13月,甲,1\n"
    f"{B},2023年6月5日,甲,1\n"
    f"{B},2023-09,甲,－５\n"
    f'{B},2023-08,"甲\x00乙",5\n'  # a NUL is never stored
    f"{B},2023-07,甲,5\x00\n"
    f"{B},2023-05,甲,３.５ｅ２\n"
    f"{B},2023年4月,甲,２\n"
    f"{B},2023-03,甲,²\n"  # not full-width: NFKC would read it as 2, neither path does
)

# A date column that may lie in the future (a release date), Chinese dates and full-width digits.
JUSTICE = (
    "身份证号码,类型,开始日期,结束日期\n"
    f"{A},prison,2020-01-01,2028-06-30\n"
    f"{B},prison,2024年3月5日,２０２８年６月３０日\n"
    f"{A},compulsory_rehab,2026-12-01,2027-12-01\n"
    f"{B},prison,2019-01-01,2057-01-01\n"
    f"{B},compulsory_rehab,2018-02-03,\n"
    f"{A},prison,2018年2月,\n"
    f"{A},prison,2017-01-01,2056-12-31\n"
    f"{B},prison,2016/1/2,2020年1月32日\n"
)

# An integer column in full width.
DISABILITY = (
    "身份证号码,残疾类别,残疾等级,发证日期\n"
    f"{A},visual,２,２０２０年１月２日\n"
    f"{B},hearing,＋３,2021-05-06\n"
    f"{B},speech,３.０,2021-05-07\n"
    f"{A},physical,1,2027-01-01\n"
)


def _snapshot() -> tuple[dict[int, str], set[tuple]]:
    bad = dict(QuarantinedRow.objects.values_list("row_number", "reasons"))
    raws = {q.row_number: q.raw for q in QuarantinedRow.objects.all()}
    good = {
        (r.id_number, r.date, r.amount, r.kind, tuple(sorted(r.data.items())), r.row_key)
        for r in FeedRecord.objects.all()
    }
    return {**bad, **{-k: str(sorted(v.items())) for k, v in raws.items()}}, good


def _run(name: str, feed: str = "hrss_wage", content: bytes | None = None) -> ImportBatch:
    return services.feed_import(
        ctx=AuditContext.system(),
        feed_code=feed,
        file_name=name,
        fh=io.BytesIO(TRICKY.encode() if content is None else content),
        today=TODAY,
        region_code=COUNTY,
    ).batch


def _unreadable(*args: object) -> None:
    raise duckdb.InvalidInputException("simulated")


VARIANTS = ["one_chunk", "chunks_of_three", "python_parser"]


def _both_paths(monkeypatch, variant: str, feed: str, content: bytes) -> tuple[ImportBatch, dict[int, str]]:
    """Import ``content`` on the bulk path, then (from scratch) on the row-by-row path; assert that every
    count, refused row, reason, raw cell and stored fact agree. Returns the row path's batch and
    reasons."""
    if variant == "chunks_of_three":
        # duplicates across chunks, and validation of the next chunk overlapping the load of this one
        monkeypatch.setattr(fastpath, "CHUNK_ROWS", 3)
    if variant == "python_parser":
        monkeypatch.setattr(fastpath, "_read_duckdb", _unreadable)
    fast = _run("fast.csv", feed, content)
    fast_bad, fast_good = _snapshot()
    totals_fast = (fast.rows_total, fast.rows_loaded, fast.rows_quarantined, fast.encoding)
    FeedRecord.objects.all().delete()
    QuarantinedRow.objects.all().delete()
    ImportBatch.objects.all().delete()

    monkeypatch.setattr(services, "BULK_CSV", False)
    slow = _run("slow.csv", feed, content)
    slow_bad, slow_good = _snapshot()
    assert (slow.rows_total, slow.rows_loaded, slow.rows_quarantined, slow.encoding) == totals_fast
    assert fast_bad == slow_bad
    assert fast_good == slow_good
    return slow, {k: v for k, v in slow_bad.items() if k > 0}


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_bulk_and_row_paths_agree_on_every_row(monkeypatch, variant: str, encoding: str) -> None:
    slow, reasons = _both_paths(monkeypatch, variant, "hrss_wage", TRICKY.encode(encoding))
    assert slow.encoding == encoding.upper()
    assert slow.rows_loaded == 10
    assert FeedRecord.objects.filter(data__employer="反斜杠\\n和\t制表符").count() == 1
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
    # Chinese months and full-width digits and punctuation are read; the rest of the rules still hold.
    facts = {(r.date, r.amount) for r in FeedRecord.objects.filter(date__lt=date(2024, 1, 1))}
    assert facts == {
        (date(2023, 10, 1), Decimal("3613.71")),
        (date(2023, 11, 1), Decimal("3613.71")),
        (date(2023, 6, 1), Decimal("12.00")),
        (date(2023, 4, 1), Decimal("2.00")),
    }
    assert reasons[23] == "月份：月份格式错误（应为 YYYY-MM）：2023年13月"
    assert reasons[24] == "月份：月份格式错误（应为 YYYY-MM）：2023年6月5日"
    assert reasons[25] == "应发工资（元）：金额不能为负：－５"
    assert reasons[26] == "单位：含有空字符（NUL），请检查导出程序后重新导出"
    assert reasons[27] == "应发工资（元）：含有空字符（NUL），请检查导出程序后重新导出"
    assert reasons[28] == "应发工资（元）：金额格式错误：３.５ｅ２"
    assert reasons[30] == "应发工资（元）：金额格式错误：²"
    raw = QuarantinedRow.objects.get(row_number=26).raw
    assert raw["employer"] == "甲\u2400乙"
    assert not any("\x00" in str(r.data) for r in FeedRecord.objects.all())


@pytest.mark.parametrize("variant", VARIANTS)
def test_bulk_and_row_paths_agree_on_future_and_chinese_dates(monkeypatch, variant: str) -> None:
    slow, reasons = _both_paths(monkeypatch, variant, "justice", JUSTICE.encode())
    assert slow.rows_loaded == 4
    # A release date years ahead is a fact like any other (TODAY is 2026-11-01; 30 years allowed).
    ends = sorted(r.data.get("end_date", "") for r in FeedRecord.objects.all())
    assert ends == ["", "2028-06-30", "2028-06-30", "2056-12-31"]
    assert FeedRecord.objects.filter(id_number=B, date=date(2024, 3, 5)).exists()
    # A start date cannot be in the future; an end date no further than the column allows.
    assert reasons == {
        4: "开始日期：日期超出合理范围：2026-12-01",
        5: "结束日期：日期超出合理范围：2057-01-01",
        7: "开始日期：日期格式错误：2018年2月",
        9: "结束日期：日期格式错误：2020年1月32日",
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_bulk_and_row_paths_agree_on_full_width_integers(monkeypatch, variant: str) -> None:
    slow, reasons = _both_paths(monkeypatch, variant, "disability", DISABILITY.encode())
    assert slow.rows_loaded == 2
    facts = {(r.id_number, r.data["grade"], r.date) for r in FeedRecord.objects.all()}
    assert facts == {(A, "2", date(2020, 1, 2)), (B, "3", date(2021, 5, 6))}
    assert reasons == {4: "残疾等级：应为整数：３.０", 5: "发证日期：日期超出合理范围：2027-01-01"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner statistics")
def test_a_large_merge_refreshes_the_fact_table_statistics(monkeypatch) -> None:
    def reltuples() -> float:
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'exchange_feedrecord'::regclass")
            return float(cur.fetchone()[0])

    monkeypatch.setattr(fastpath, "ANALYZE_AFTER", 1)
    before = reltuples()
    _run("large.csv")
    assert before != reltuples() == FeedRecord.objects.count() == 10
