"""Reconciliation (回盘对账): a return file sets each account's lines paid, failed or returned with the bank's
reference, message and day; rows that cannot be applied are kept with their reasons; the same file imports
once; the payroll counts and status follow; recoveries deducted by a paid line are collected (I6), once.
Figures from the shared payroll (bank_fixtures), worked by hand."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import RecoveryCollection
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.payments import bankfiles
from jiuzhu.payments.models import BankReturn, Payroll, PayrollJob, PayrollLine
from jiuzhu.payments.services.bank import ReturnOutcome, bank_file_export, bank_return_import

from ..factories import add_bank_line, new_bank_payroll, new_entitlement, new_finding, new_household
from . import bank_fixtures
from .bank_fixtures import ACCOUNT_A, ACCOUNT_B, TODAY, Bank

pytestmark = pytest.mark.django_db
bank = bank_fixtures.bank
var_dir = bank_fixtures.var_dir
HEAD = "账号,身份证号码,金额,状态,银行流水号,说明,到账日期\r\n"


@pytest.fixture
def exported(bank: Bank) -> Bank:
    bank_file_export(ctx=AuditContext(user=bank.approver), payroll_id=bank.payroll.pk)
    bank.refresh()
    return bank


def _import(b: Bank, body: str | bytes, name: str = "回盘.csv", **kwargs: Any) -> ReturnOutcome:
    data = body if isinstance(body, bytes) else (HEAD + body).encode("utf-8")
    return bank_return_import(
        ctx=AuditContext(user=b.approver),
        payroll_id=b.payroll.pk,
        file_name=name,
        fh=io.BytesIO(data),
        today=TODAY,
        **kwargs,
    )


def _state(b: Bank) -> list[tuple[str, str, str, Any]]:
    b.refresh()
    return [(x.status, x.bank_reference, x.bank_message, x.settled_on) for x in (b.a, b.b1, b.b2)]


def test_paid_and_failed_then_the_payroll_is_reconciled(exported: Bank) -> None:
    b = exported
    out = _import(
        b,
        f"{ACCOUNT_A},{b.a.id_number},850.00,成功,B0001,,2026-11-20\r\n"
        f"{ACCOUNT_B},{b.b1.id_number},450.50,失败,B0002,账户已冻结,\r\n",
    )
    assert not out.already_imported
    r = out.bank_return
    assert (r.rows, r.paid, r.failed, r.returned, r.errors) == (2, 1, 1, 0, [])
    assert _state(b) == [
        ("paid", "B0001", "", date(2026, 11, 20)),
        ("failed", "B0002", "账户已冻结", None),
        ("failed", "B0002", "账户已冻结", None),
    ]
    # B's two lines and E (no account) failed; A paid; C and D as they were.
    assert (b.payroll.paid_count, b.payroll.failed_count, b.payroll.status) == (1, 3, "reconciled")
    assert (b.held.status, b.stopped.status) == ("held", "stopped")
    assert out.job is not None and out.job.status == "done" and out.job.kind == "reconcile"
    assert out.job.result["lines_updated"] == 3 and out.job.result["bank_return"] == r.pk
    assert AuditEvent.objects.filter(
        action="create", object_type="payroll", detail__bank_return=r.pk
    ).exists()


def test_the_same_file_twice_changes_nothing(exported: Bank) -> None:
    body = f"{ACCOUNT_A},,850.00,成功,B0001,,\r\n"
    first = _import(exported, body)
    state, version = _state(exported), exported.payroll.version
    audit = AuditEvent.objects.count()
    again = _import(exported, body)
    assert again.already_imported and again.bank_return.pk == first.bank_return.pk and again.job is None
    assert _state(exported) == state and exported.payroll.version == version
    assert BankReturn.objects.count() == 1 and PayrollJob.objects.filter(kind="reconcile").count() == 1
    assert AuditEvent.objects.count() == audit


def test_a_partial_return_leaves_the_payroll_exported_and_the_rest_pending(exported: Bank) -> None:
    out = _import(exported, f"{ACCOUNT_A},,850.00,成功,B0001,,\r\n")
    # settled on the import day when the file gives none
    assert _state(exported)[0] == ("paid", "B0001", "", TODAY) and _state(exported)[1][0] == "pending"
    assert (exported.payroll.status, exported.payroll.paid_count, exported.payroll.failed_count) == (
        "exported",
        1,
        1,
    )
    assert out.bank_return.paid == 1
    second = _import(exported, f"{ACCOUNT_B},,450.50,退回,B0003,户名不符,\r\n")
    assert second.bank_return.returned == 1 and _state(exported)[1][0] == "returned"
    assert exported.payroll.status == "reconciled"


def test_rows_that_cannot_be_applied_are_kept_with_their_reasons(exported: Bank) -> None:
    b = exported
    body = (
        "6222999999999999,,10.00,成功,X1,,\r\n"  # row 2: not in the file
        f"{ACCOUNT_A},110101199001011237,850.00,成功,X2,,\r\n"  # row 3: someone else's number
        f"{ACCOUNT_B},,450.00,成功,X3,,\r\n"  # row 4: 450.00 is not 450.50
        f"{ACCOUNT_A},,850.00,已处理,X4,,\r\n"  # row 5: an unknown status word
        f"{ACCOUNT_A},,八百五,成功,X5,,\r\n"  # row 6: not an amount
        f"{ACCOUNT_A},,850.001,成功,X6,,\r\n"  # row 7: a fraction of a fen
        f",,850.00,成功,X7,,\r\n"  # row 8: no account
        f"{ACCOUNT_A},,850.00,成功,X8,,2099-01-01\r\n"  # row 9: paid in the future
        f"{ACCOUNT_A},,850.00,成功,X9,,\r\n"  # row 10: applied
        f"{ACCOUNT_A},,850.00,失败,X10,,\r\n"  # row 11: the account again
        "合计,1,,850.00,\r\n"  # the bank's echo of our totals line: not a payment
    )
    out = _import(b, body)
    reasons = {e["row"]: e["reasons"] for e in out.bank_return.errors}
    assert reasons == {
        2: "账号不在本名册导出的银行文件中",
        3: "身份证号码与名册中该账号的领款人不符",
        4: "金额与银行文件不符（应为 450.50 元）",
        5: "状态应为 成功、失败 或 退回，而不是：已处理",
        6: "金额无效：八百五",
        7: "金额无效：850.001",
        8: "账号为空",
        9: "到账日期晚于今天",
        11: "账号在文件中重复出现（已在第10行）",
    }
    first = out.bank_return.errors[0]
    assert (first["account"], first["amount"], first["status"], first["reference"]) == (
        "6222999999999999",
        "10.00",
        "成功",
        "X1",
    )
    assert (out.bank_return.rows, out.bank_return.paid) == (10, 1)
    assert _state(b)[0][:2] == ("paid", "X9") and _state(b)[1][0] == "pending"


def test_what_a_later_file_may_change(exported: Bank) -> None:
    b = exported
    _import(b, f"{ACCOUNT_A},,850.00,成功,B1,,\r\n{ACCOUNT_B},,450.50,失败,B2,冻结,\r\n")
    out = _import(
        b,
        f"{ACCOUNT_A},,850.00,失败,B3,,\r\n"  # paid cannot become failed
        f"{ACCOUNT_B},,450.50,成功,B4,,\r\n",  # failed cannot become paid (the next payroll pays it again)
        name="第二批.csv",
    )
    assert [e["reasons"] for e in out.bank_return.errors] == [
        "该账户已登记为“已到账”，不能改为“发放失败”",
        "该账户已登记为“发放失败”，不能改为“已到账”",
    ]
    # credited, then sent back: a paid account may be returned
    later = _import(b, f"{ACCOUNT_A},,850.00,退回,B5,账户已销户,\r\n", name="退回.csv")
    assert later.bank_return.returned == 1 and _state(b)[0] == (
        "returned",
        "B5",
        "账户已销户",
        date(2026, 11, 28),
    )
    # the same status again is no change, and no error
    same = _import(b, f"{ACCOUNT_B},,450.50,失败,B2,冻结,\r\n", name="重复.csv")
    assert same.bank_return.errors == [] and same.bank_return.failed == 1
    assert (
        same.job is not None and same.job.result["unchanged"] == 1 and same.job.result["lines_updated"] == 0
    )


def test_a_line_carried_to_the_next_payroll_is_not_changed(exported: Bank) -> None:
    b = exported
    _import(b, f"{ACCOUNT_B},,450.50,失败,B2,冻结,\r\n")
    nxt = new_bank_payroll(month=date(2026, 12, 1))
    add_bank_line(nxt, household=b.b1.household, entitlement=b.b1.entitlement, carried_from=b.b1)
    PayrollLine.objects.filter(pk=b.a.pk).update(status="failed")
    out = _import(b, f"{ACCOUNT_B},,450.50,退回,B9,,\r\n", name="again.csv")
    assert [e["reasons"] for e in out.bank_return.errors] == ["该账户的发放已结转至下期名册，不能再变更"]


def test_an_xlsx_and_a_gb18030_return(exported: Bank) -> None:
    b = exported
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(bankfiles.RETURN_HEADER)
    ws.append([ACCOUNT_A, b.a.id_number, 850, "成功", "X1", "", date(2026, 11, 21)])
    ws.append([6222000000000002, "", 450.5, "成功", "X2", "", None])  # an account typed as a number
    data = io.BytesIO()
    wb.save(data)
    out = _import(b, data.getvalue(), name="回盘.xlsx")
    assert out.bank_return.paid == 1 and _state(b)[0] == ("paid", "X1", "", date(2026, 11, 21))
    assert [e["row"] for e in out.bank_return.errors] == [3]
    assert "文本格式" in out.bank_return.errors[0]["reasons"]
    gb = (HEAD + f"{ACCOUNT_B},,450.50,退回,X3,户名不符,\r\n").encode("gb18030")
    out = _import(b, gb, name="回盘gbk.csv")
    assert out.bank_return.returned == 1 and _state(b)[1][:3] == ("returned", "X3", "户名不符")


def test_files_that_cannot_be_read(exported: Bank) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _import(exported, b"\xef\xbb\xbf" + "账号,金额\r\n1,2\r\n".encode(), name="r.csv")
    assert "状态" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        _import(exported, b"{}", name="r.json")
    assert "CSV 或 XLSX" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        _import(exported, "", name="r.csv")
    assert "没有回盘记录" in exc.value.message
    assert not BankReturn.objects.exists() and not PayrollJob.objects.filter(kind="reconcile").exists()


def test_a_return_before_the_export_and_who_may_import(bank: Bank, make_user: Any) -> None:
    with pytest.raises(Conflict):
        _import(bank, f"{ACCOUNT_A},,850.00,成功,B1,,\r\n")
    Payroll.objects.filter(pk=bank.payroll.pk).update(status="exported")
    for role, region in (("township_caseworker", "980101001000"), ("auditor", "980101000000")):
        with pytest.raises(PermissionDenied):
            bank_return_import(
                ctx=AuditContext(user=make_user(role, region)),
                payroll_id=bank.payroll.pk,
                file_name="r.csv",
                fh=io.BytesIO((HEAD + f"{ACCOUNT_A},,850.00,成功,B1,,\r\n").encode()),
            )
    with pytest.raises(NotFound):
        bank_return_import(
            ctx=AuditContext(user=make_user("county_approver", "980102000000")),
            payroll_id=bank.payroll.pk,
            file_name="r.csv",
            fh=io.BytesIO((HEAD + f"{ACCOUNT_A},,850.00,成功,B1,,\r\n").encode()),
        )
    bank.refresh()
    assert bank.a.status == "pending" and not BankReturn.objects.exists()


# --- recoveries deducted by the payroll (I6) ---------------------------------------------------------------


@pytest.fixture
def deducting(bank: Bank) -> tuple[Bank, Any, Any]:
    """A fourth household whose ended 低保 left a recovery; its new entitlement's line deducts 100.00 of it
    (520.00 − 100.00 = 420.00 paid into account 6222000000000005)."""
    household = new_household(head__name="丁户主")
    ended = new_entitlement(household, amount="520.00", start_month=date(2026, 1, 1))
    recovery = new_finding(ended, by=bank.approver, found_on=date(2026, 11, 1)).recovery
    line = add_bank_line(
        bank.payroll,
        household=household,
        amount="420.00",
        bank_account="6222000000000005",
        deductions=[{"recovery": recovery.pk, "amount": "100.00"}],
    )
    bank_file_export(ctx=AuditContext(user=bank.approver), payroll_id=bank.payroll.pk)
    return bank, line, recovery


def test_a_paid_line_collects_its_deduction_once(deducting: tuple[Bank, Any, Any]) -> None:
    b, line, recovery = deducting
    before = recovery.amount_collected
    assert line.deduction_amount == Decimal("100.00") and line.base_amount == Decimal("520.00")
    body = f"6222000000000005,{line.id_number},420.00,成功,D1,,2026-11-20\r\n"
    out = _import(b, body)
    recovery.refresh_from_db()
    assert recovery.amount_collected - before == Decimal("100.00")
    c = RecoveryCollection.objects.get(recovery=recovery)
    assert (c.amount, c.source, c.reference, c.collected_on) == (
        Decimal("100.00"),
        "payroll_deduction",
        f"发放名册{b.payroll.pk}-明细{line.pk}",
        date(2026, 11, 20),
    )
    assert out.job is not None and out.job.result["recoveries"] == [
        {"line": line.pk, "recovery": recovery.pk, "amount": "100.00", "collected": "100.00"}
    ]
    _import(b, body)  # the same file again
    _import(b, "6222000000000005,,420.00,成功,D1,,\r\n", name="又一份.csv")  # the same answer in another file
    assert RecoveryCollection.objects.filter(recovery=recovery).count() == 1


def test_a_failed_line_collects_nothing_and_a_waived_recovery_is_noted(
    deducting: tuple[Bank, Any, Any],
) -> None:
    from jiuzhu.benefits.integrity import recovery_waive

    b, line, recovery = deducting
    _import(b, "6222000000000005,,420.00,失败,D1,账户冻结,\r\n")
    assert not RecoveryCollection.objects.filter(recovery=recovery).exists()
    recovery_waive(
        ctx=AuditContext(user=b.approver), recovery_id=recovery.pk, version=None, reason="无力偿还"
    )
    PayrollLine.objects.filter(pk=line.pk).update(status="pending")
    out = _import(b, "6222000000000005,,420.00,成功,D2,,\r\n", name="补.csv")
    assert out.bank_return.paid == 1 and not RecoveryCollection.objects.filter(recovery=recovery).exists()
    assert (
        out.job is not None
        and out.job.result["recoveries"][0]["note"] == "追缴记录已核销（免于追缴），未登记"
    )


def test_an_import_that_fails_midway_leaves_nothing_and_is_retried(
    exported: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiuzhu.payments.services import bank as bank_services

    real = bank_services._recount

    def broken(payroll: Any) -> Any:
        raise RuntimeError("连接中断")

    body = f"{ACCOUNT_A},,850.00,成功,B1,,\r\n{ACCOUNT_B},,450.50,失败,B2,冻结,\r\n"
    before = _state(exported)
    monkeypatch.setattr(bank_services, "_recount", broken)
    with pytest.raises(RuntimeError):
        _import(exported, body)
    assert _state(exported) == before and not BankReturn.objects.exists()
    job = PayrollJob.objects.get(kind="reconcile")
    assert job.status == "failed" and "连接中断" in job.error
    monkeypatch.setattr(bank_services, "_recount", real)
    out = _import(exported, body)
    assert out.job is not None and out.job.pk == job.pk and out.job.attempts == 2 and out.job.status == "done"
    assert [s[0] for s in _state(exported)] == ["paid", "failed", "failed"]
