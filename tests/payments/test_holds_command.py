"""``jiuzhu payroll``: generate, check, submit and approve from the command line, with the services'
refusals as command errors in Chinese."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiuzhu.payments.models import Payroll, PayrollHold
from tests.monitoring.test_extract import feed

from ..conftest import COUNTY
from . import test_generate
from .test_generate import ent, household

pytestmark = pytest.mark.django_db
county = test_generate.county
approver = test_generate.approver


def run(*args: str) -> str:
    out = StringIO()
    call_command("payroll", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_the_command_walks_a_payroll_to_approval(county, approver) -> None:
    dead = household()
    ent(dead, amount="520.00")
    ent(household(account="6228480000000002"), amount="300.00")
    feed("police_death", dead.head.id_number, date(2026, 11, 3), kind="death", source="death")
    user = ("--user", approver.username)
    text = run("generate", "--county", COUNTY, "--program", "dibao", "--month", "2026-11", *user)
    assert "2 条，合计 820.00 元" in text and "生成中" in text
    payroll = Payroll.objects.get()
    text = run("check", "--payroll", str(payroll.pk), *user)
    assert "暂停 1 条" in text and "待乡镇核实暂停发放" in text
    with pytest.raises(CommandError, match="尚有 1 条暂停发放未核实"):
        run("submit", "--county", COUNTY, "--month", "2026-11", *user)
    PayrollHold.objects.update(status="cleared")
    payroll.lines.update(status="pending")
    assert "待县级审批" in run("submit", "--payroll", str(payroll.pk), *user)
    assert "已审批" in run("approve", "--payroll", str(payroll.pk), *user)
    with pytest.raises(CommandError, match="找不到该名册"):
        run("check", "--county", COUNTY, "--month", "2026-10", *user)
    with pytest.raises(CommandError, match="月份格式"):
        run("generate", "--county", COUNTY, "--month", "2026-13", *user)
