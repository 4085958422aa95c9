"""``jiuzhu payroll-export`` and ``jiuzhu payroll-reconcile``: the file written (and copied to --output), the
return applied, the same return again changing nothing, and refusals as command errors in Chinese."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.payments.models import BankReturn, PayrollJob

from . import bank_fixtures
from .bank_fixtures import ACCOUNT_A, ACCOUNT_B, Bank

pytestmark = pytest.mark.django_db
bank = bank_fixtures.bank
var_dir = bank_fixtures.var_dir


def _run(name: str, *args: Any) -> str:
    out = StringIO()
    call_command(name, *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_export_then_reconcile_from_the_command_line(bank: Bank, tmp_path: Path) -> None:
    user = bank.approver.username
    target = tmp_path / "out.csv"
    text = _run("payroll_export", str(bank.payroll.pk), "--user", user, "--output", str(target))
    assert "2 个账户、3 条明细，合计 1300.50 元" in text and "1 条明细没有银行账号" in text
    job = PayrollJob.objects.get(kind="export")
    assert target.read_text("utf-8-sig").splitlines()[-1] == f"SHA256,{job.result['checksum']},,,"
    ret = tmp_path / "return.csv"
    ret.write_text(
        "账号,身份证号码,金额,状态,银行流水号,说明\n"
        f"{ACCOUNT_A},,850.00,成功,C1,\n{ACCOUNT_B},,450.50,失败,C2,账户冻结\n9999,,1.00,成功,C3,\n",
        encoding="utf-8",
    )
    text = _run("payroll_reconcile", str(bank.payroll.pk), str(ret), "--user", user)
    assert (
        "共 3 行：成功 1、失败 1、退回 0，无法匹配 1 行" in text
        and "第4行：账号不在本名册导出的银行文件中" in text
    )
    assert "未作改动" in _run("payroll_reconcile", str(bank.payroll.pk), str(ret), "--user", user)
    assert BankReturn.objects.count() == 1
    bank.refresh()
    assert (bank.a.status, bank.b1.status, bank.payroll.status) == ("paid", "failed", "reconciled")


def test_refusals_are_command_errors(bank: Bank, tmp_path: Path, make_user: Any) -> None:
    with pytest.raises(CommandError, match="用户不存在"):
        _run("payroll_export", str(bank.payroll.pk), "--user", "nobody")
    township = make_user("township_caseworker", "980101001000")
    with pytest.raises(CommandError, match="无权"):
        _run("payroll_export", str(bank.payroll.pk), "--user", township.username)
    with pytest.raises(CommandError, match="文件不存在"):
        _run(
            "payroll_reconcile",
            str(bank.payroll.pk),
            str(tmp_path / "none.csv"),
            "--user",
            bank.approver.username,
        )
