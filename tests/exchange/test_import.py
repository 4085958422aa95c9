import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from jiuzhu.audit.services import AuditContext
from jiuzhu.exchange.models import FeedRecord, ImportBatch, QuarantinedRow
from jiuzhu.exchange.readers import FileProblem
from jiuzhu.exchange.services import feed_import

from ..conftest import COUNTY
from ..factories import make_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tree")]
TODAY = date(2026, 11, 1)
A = make_id_number(1, birth=date(1970, 1, 1))
B = make_id_number(2, birth=date(1975, 6, 1), male=False)
BAD_CHECK = A[:17] + ("0" if A[17] != "0" else "1")


def _import(name: str, content: bytes, feed: str = "hrss_wage"):
    return feed_import(
        ctx=AuditContext.system(),
        feed_code=feed,
        file_name=name,
        fh=io.BytesIO(content),
        today=TODAY,
        region_code=COUNTY,
    )


WAGES = (
    "身份证号码,月份,单位,应发工资（元）\n"
    f"{A},2026-01,甲公司,3000\n"
    f"{B},2026-01,乙公司,2500.50\n"
    f"{BAD_CHECK},2026-01,甲公司,3000\n"
    f"{A},2026-13,甲公司,3000\n"
    f"{B},2026-02,乙公司,-5\n"
    f"{A},2026-01,甲公司,3000\n"
).encode()


def test_bad_rows_are_quarantined_with_reasons_and_good_rows_kept() -> None:
    batch = _import("wages.csv", WAGES).batch
    assert (batch.rows_total, batch.rows_loaded, batch.rows_quarantined) == (6, 2, 4)
    reasons = dict(QuarantinedRow.objects.filter(batch=batch).values_list("row_number", "reasons"))
    assert "校验位" in reasons[4]
    assert "月份格式错误" in reasons[5]
    assert "金额不能为负" in reasons[6]
    assert reasons[7] == "与第2行重复"
    assert QuarantinedRow.objects.get(batch=batch, row_number=6).raw["amount"] == "-5"
    wage = FeedRecord.objects.get(id_number=B)
    assert (wage.date, wage.amount, wage.data["employer"]) == (date(2026, 1, 1), Decimal("2500.50"), "乙公司")


def test_reimporting_the_same_file_changes_nothing() -> None:
    first = _import("wages.csv", WAGES)
    again = _import("wages-copy.csv", WAGES)
    assert again.already_imported and again.batch.pk == first.batch.pk
    assert FeedRecord.objects.count() == 2
    assert ImportBatch.objects.count() == 1
    assert QuarantinedRow.objects.count() == 4


def test_overlapping_file_stores_only_new_facts() -> None:
    _import("wages.csv", WAGES)
    more = (f"id_number,month,employer,amount\n{A},2026-01,甲公司,3000\n{A},2026-02,甲公司,3100\n").encode()
    batch = _import("wages-2.csv", more).batch
    assert (batch.rows_loaded, batch.rows_existing) == (1, 1)
    assert FeedRecord.objects.filter(id_number=A).count() == 2


def test_interrupted_batch_resumes_to_the_same_result() -> None:
    _import("wages.csv", WAGES)
    batch = ImportBatch.objects.get()
    # Simulate a crash after the first chunk: the batch is still running, part of the facts stored.
    FeedRecord.objects.filter(id_number=B).delete()
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    resumed = _import("wages.csv", WAGES).batch
    assert resumed.pk == batch.pk and resumed.status == "done"
    assert (resumed.rows_loaded, resumed.rows_existing, resumed.rows_quarantined) == (1, 1, 4)
    assert FeedRecord.objects.count() == 2
    assert QuarantinedRow.objects.count() == 4


def test_unknown_region_and_bad_date(tree) -> None:
    content = (
        "id_number,name,hukou_region,household_no,relation,as_of\n"
        f"{A},张三,980101001001,H1,head,2026-01-01\n"
        f"{B},李四,999999999999,H1,spouse,2026-01-01\n"
        f"{B},李四,980101001001,H1,spouse,2026-02-30\n"
    ).encode()
    batch = _import("hukou.csv", content, feed="police_hukou").batch
    reasons = dict(QuarantinedRow.objects.filter(batch=batch).values_list("row_number", "reasons"))
    assert "区划代码不存在" in reasons[3]
    assert "日期格式错误" in reasons[4]
    assert batch.rows_loaded == 1


def test_xlsx_and_json_are_read(tree) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号码", "月份", "单位", "应发工资（元）"])
    ws.append([A, "2026-03", "甲公司", 3200])
    buf = io.BytesIO()
    wb.save(buf)
    assert _import("w.xlsx", buf.getvalue()).batch.rows_loaded == 1
    rows = [{"id_number": B, "month": "2026-03", "employer": "乙", "amount": "100"}]
    assert _import("w.json", json.dumps(rows).encode()).batch.rows_loaded == 1
    lines = "\n".join(json.dumps(r) for r in [{"id_number": B, "month": "2026-04", "amount": 1}])
    assert _import("w.jsonl", lines.encode()).batch.rows_loaded == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("w.txt", b"x", "不支持的文件格式"),
        ("w.csv", "身份证号码,月份\n".encode(), "缺少必需的列"),
        ("w.csv", b"\xff\xfe,\x81\n", "无法识别文件编码：请另存为 UTF-8 或 GBK/GB18030 编码的 CSV"),
        ("w.json", b"{broken", "JSON 格式错误"),
        ("w.xlsx", b"not a zip", "无法读取"),
        # A header alone is no batch of 0 rows: the department's export went wrong.
        ("w.csv", "身份证号码,月份,单位,应发工资（元）\n".encode(), "文件只有表头，没有数据行"),
        ("w.csv", "身份证号码,月份,单位,应发工资（元）\n\n , , ,\n".encode(), "文件只有表头，没有数据行"),
        ("w.json", b"[]", "文件为空"),
    ],
)
def test_unreadable_files_get_a_clear_error(name: str, content: bytes, message: str) -> None:
    with pytest.raises(FileProblem, match=message):
        _import(name, content)
    assert FeedRecord.objects.count() == 0
    assert not ImportBatch.objects.filter(status="done").exists()


def test_header_only_xlsx_is_refused() -> None:
    wb = Workbook()
    wb.active.append(["身份证号码", "月份", "单位", "应发工资（元）"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(FileProblem, match="文件只有表头，没有数据行"):
        _import("w.xlsx", buf.getvalue())
    assert not ImportBatch.objects.exists()


def test_gbk_csv_is_read_as_gb18030_and_the_encoding_recorded() -> None:
    content = f"身份证号码,月份,单位,应发工资（元）\n{A},2023年10月,甲公司,３６１３．７１\n".encode("gbk")
    batch = _import("gbk.csv", content).batch
    assert (batch.rows_loaded, batch.rows_quarantined, batch.encoding) == (1, 0, "GB18030")
    fact = FeedRecord.objects.get()
    assert (fact.date, fact.amount, fact.data["employer"]) == (
        date(2023, 10, 1),
        Decimal("3613.71"),
        "甲公司",
    )
    assert _import("utf8.csv", WAGES).batch.encoding == "UTF-8"


def test_xlsx_dates_stored_as_excel_serial_numbers_are_read_as_dates() -> None:
    wb = Workbook()
    wb.active.append(["身份证号码", "月份", "单位", "应发工资（元）"])
    wb.active.append([A, 45200, "甲公司", 3200])  # serial 45200 is 2023-10-01
    buf = io.BytesIO()
    wb.save(buf)
    assert _import("w.xlsx", buf.getvalue()).batch.rows_loaded == 1
    assert FeedRecord.objects.get().date == date(2023, 10, 1)
    wb = Workbook()
    wb.active.append(["身份证号码", "类型", "开始日期", "结束日期"])
    wb.active.append([B, "prison", 45292, 46934.5])  # 2024-01-01; 2028-06-30 at noon
    buf = io.BytesIO()
    wb.save(buf)
    assert _import("j.xlsx", buf.getvalue(), feed="justice").batch.rows_loaded == 1
    fact = FeedRecord.objects.get(feed="justice")
    assert (fact.date, fact.data["end_date"]) == (date(2024, 1, 1), "2028-06-30")


def test_a_prisoner_released_in_2028_is_stored_and_stays_in_custody() -> None:
    content = f"身份证号码,类型,开始日期,结束日期\n{A},prison,2024-05-01,2028-03-31\n".encode()
    batch = _import("justice.csv", content, feed="justice").batch
    assert (batch.rows_loaded, batch.rows_quarantined) == (1, 0)
    fact = FeedRecord.objects.get()
    assert fact.data["end_date"] == "2028-03-31"
    # How verification reads it: in custody until the release date, so not counted as a member.
    from jiuzhu.verification.assembly import _custody

    assert _custody([fact], TODAY) == "服刑人员"
    assert _custody([fact], date(2028, 4, 1)) is None
