"""Bank files (银行代发文件): one detail line per account, held and stopped lines left out, a line without an
account failed, the totals and checksum lines, UTF-8/GB18030/XLSX with one checksum, the job (retry, a
stalled job resumed, one running at a time), the payroll exported, downloads audited, and who may do it.
Expected files written out by hand."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.payments import bankfiles
from jiuzhu.payments.models import BankReturn, Payroll, PayrollJob
from jiuzhu.payments.services import bank as bank_services
from jiuzhu.payments.services.bank import bank_file_export, bank_file_open, file_path

from . import bank_fixtures
from .bank_fixtures import ACCOUNT_A, ACCOUNT_B, NOTE, Bank

pytestmark = pytest.mark.django_db
bank = bank_fixtures.bank
var_dir = bank_fixtures.var_dir


def _expected(b: Bank) -> tuple[str, str]:
    """The detail lines and their checksum, written out by hand."""
    a, h = b.a, b.b1
    details = f"{ACCOUNT_A},{a.holder_name},{a.id_number},850.00,{NOTE}\r\n" + (
        f"{ACCOUNT_B},{h.holder_name},{h.id_number},450.50,{NOTE}\r\n"
    )
    return details, hashlib.sha256(details.encode("utf-8")).hexdigest()


def _export(b: Bank, **kwargs: Any) -> PayrollJob:
    return bank_file_export(ctx=AuditContext(user=b.approver), payroll_id=b.payroll.pk, **kwargs)


def test_the_csv_file_line_by_line(bank: Bank) -> None:
    job = _export(bank)
    details, checksum = _expected(bank)
    data = file_path(bank.payroll, job).read_bytes()
    assert data == (
        "\ufeff账号,户名,身份证号码,金额,备注\r\n"
        + details
        + f"合计,2,,1300.50,{NOTE}\r\n"
        + f"SHA256,{checksum},,,\r\n"
    ).encode("utf-8")
    assert job.status == "done" and job.kind == "export" and job.attempts == 1
    assert job.result["accounts"] == 2 and job.result["lines"] == 3 and job.result["total"] == "1300.50"
    assert job.result["checksum"] == checksum and job.result["no_account"] == 1
    assert job.result["sha256"] == hashlib.sha256(data).hexdigest() and job.result["size"] == len(data)
    assert job.progress_done == 3 and job.progress_total == 3  # the one without an account is not in it
    bank.refresh()
    assert bank.payroll.status == "exported" and bank.payroll.version == 2 and bank.payroll.failed_count == 1
    assert (bank.no_account.status, bank.no_account.bank_message) == ("failed", "无银行账号，未列入银行文件")
    assert [x.status for x in (bank.a, bank.b1, bank.b2, bank.held, bank.stopped)] == [
        "pending",
        "pending",
        "pending",
        "held",
        "stopped",
    ]
    exported = AuditEvent.objects.filter(
        action="export", object_type="payroll", object_id=str(bank.payroll.pk)
    )
    assert exported.count() == 1 and exported.get().detail["checksum"] == checksum


def test_gb18030_and_xlsx_carry_the_same_checksum(bank: Bank) -> None:
    details, checksum = _expected(bank)
    gb = _export(bank, encoding="gb18030")
    data = file_path(bank.payroll, gb).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("gb18030") == (
        f"账号,户名,身份证号码,金额,备注\r\n{details}合计,2,,1300.50,{NOTE}\r\nSHA256,{checksum},,,\r\n"
    )
    assert gb.result["checksum"] == checksum and gb.result["file_name"].endswith("-gb18030.csv")
    xlsx = _export(bank, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(file_path(bank.payroll, xlsx).read_bytes()), read_only=True).worksheets[
        0
    ]
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    a, h = bank.a, bank.b1
    assert rows == [
        ["账号", "户名", "身份证号码", "金额", "备注"],
        [ACCOUNT_A, a.holder_name, a.id_number, "850.00", NOTE],
        [ACCOUNT_B, h.holder_name, h.id_number, "450.50", NOTE],
        ["合计", "2", "", "1300.50", NOTE],
        ["SHA256", checksum, "", "", ""],
    ]
    assert xlsx.result["checksum"] == checksum
    assert bankfiles.checksum_of([[str(c) for c in r] for r in rows[1:3]]) == checksum


def test_xlsx_continues_on_a_second_sheet_past_the_row_limit() -> None:
    out = io.BytesIO()
    chunk = [bankfiles.Detail(f"62{i:014d}", "某", "110101199001011234", 100 + i) for i in range(5)]
    written = bankfiles.write_xlsx(out, [chunk], note="低保2026年11月", sheet_rows=3)
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    sizes = [len(list(ws.iter_rows(values_only=True))) for ws in book.worksheets]
    assert sizes == [4, 5]  # header + 3; header + 2 + totals + checksum
    assert (written.accounts, written.cents, written.total) == (5, 510, "5.10")


def test_a_spreadsheet_formula_in_a_name_is_written_as_text(bank: Bank) -> None:
    from jiuzhu.payments.models import PayrollLine

    PayrollLine.objects.filter(pk=bank.a.pk).update(holder_name="=1+1")
    job = _export(bank)
    assert ",'=1+1," in file_path(bank.payroll, job).read_text("utf-8-sig")


def test_money_is_never_a_float() -> None:
    assert [bankfiles.money(c) for c in (0, 5, 85005, 100000001, -250)] == [
        "0.00",
        "0.05",
        "850.05",
        "1000000.01",
        "-2.50",
    ]


def test_export_again_gives_the_same_detail_lines_and_is_refused_after_a_return(bank: Bank) -> None:
    first = _export(bank)
    second = _export(bank)
    assert first.pk != second.pk and first.result["checksum"] == second.result["checksum"]
    bank.refresh()
    assert bank.payroll.status == "exported"
    BankReturn.objects.create(payroll=bank.payroll, file_name="r.csv", sha256="0" * 64)
    with pytest.raises(Conflict):
        _export(bank)


def test_a_failed_export_is_retried_as_the_same_job(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    real = bankfiles.write_csv

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("磁盘已满")

    monkeypatch.setattr(bankfiles, "write_csv", broken)
    with pytest.raises(OSError):
        _export(bank)
    job = PayrollJob.objects.get(kind="export")
    assert job.status == "failed" and "磁盘已满" in job.error
    bank.refresh()
    assert bank.payroll.status == "approved"
    monkeypatch.setattr(bankfiles, "write_csv", real)
    again = _export(bank)
    assert again.pk == job.pk and again.attempts == 2 and again.status == "done" and again.error == ""
    assert PayrollJob.objects.filter(kind="export").count() == 1


def test_one_export_runs_at_a_time_and_a_stalled_one_is_taken_over(bank: Bank) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = PayrollJob.objects.create(
        payroll=bank.payroll,
        kind="export",
        status="running",
        params={"format": "csv", "encoding": "utf-8-sig"},
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(Conflict):
        _export(bank)
    PayrollJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    resumed = _export(bank)
    assert resumed.pk == job.pk and resumed.attempts == 2 and resumed.status == "done"


@pytest.mark.parametrize("status", ["draft", "checking", "holds", "submitted"])
def test_only_an_approved_payroll_is_exported(bank: Bank, status: str) -> None:
    Payroll.objects.filter(pk=bank.payroll.pk).update(status=status)
    with pytest.raises(Conflict) as exc:
        _export(bank)
    assert "审批" in exc.value.message
    assert not PayrollJob.objects.exists()


def test_bad_format_or_encoding(bank: Bank) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _export(bank, fmt="pdf")
    assert set(exc.value.errors) == {"fmt"}
    with pytest.raises(ValidationFailed) as exc:
        _export(bank, encoding="latin-1")
    assert set(exc.value.errors) == {"encoding"}


def test_who_may_export_and_download(bank: Bank, make_user: Any) -> None:
    for role, region in (
        ("township_caseworker", "980101001000"),
        ("township_reviewer", "980101001000"),
        ("auditor", "980101000000"),
    ):
        with pytest.raises(PermissionDenied):
            bank_file_export(ctx=AuditContext(user=make_user(role, region)), payroll_id=bank.payroll.pk)
    with pytest.raises(NotFound):
        neighbour = make_user("county_approver", "980102000000")
        bank_file_export(ctx=AuditContext(user=neighbour), payroll_id=bank.payroll.pk)
    job = _export(bank)
    found = bank_file_open(ctx=AuditContext(user=bank.approver), payroll_id=bank.payroll.pk, job_id=job.pk)
    assert found.path == file_path(bank.payroll, job) and found.content_type == "text/csv; charset=utf-8"
    downloads = AuditEvent.objects.filter(action="export", detail__download=found.name)
    assert downloads.count() == 1
    with pytest.raises(NotFound):
        bank_file_open(ctx=AuditContext(user=neighbour), payroll_id=bank.payroll.pk, job_id=job.pk)
    with pytest.raises(NotFound):
        bank_file_open(ctx=AuditContext(user=bank.approver), payroll_id=bank.payroll.pk, job_id=job.pk + 99)
    file_path(bank.payroll, job).unlink()
    with pytest.raises(Conflict):
        bank_file_open(ctx=AuditContext(user=bank.approver), payroll_id=bank.payroll.pk, job_id=job.pk)


def test_the_file_lies_under_var_dir(bank: Bank, var_dir: Any) -> None:
    job = _export(bank)
    path = file_path(bank.payroll, job)
    assert path.is_relative_to(var_dir / "bank-files")
    assert path.name == f"bank-980101000000-dibao-202611-{job.pk}.csv"
    assert bank_services.files_dir() == var_dir / "bank-files"
