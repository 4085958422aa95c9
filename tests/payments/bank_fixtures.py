"""The payroll the bank tests share: 测试县's 低保 of November 2026, approved, with

- A: 东一村, account 6222000000000001, 850.00;
- B: 东二村, the household's and its child's entitlements paid into account 6222000000000002, 300.00
  and 150.50 (one detail line of 450.50, in the name of the first line's payee, the head);
- C: held, account 6222000000000003, 200.00, and D: stopped, account 6222000000000004, 100.00 (neither
  in the file);
- E: pending without an account, 99.00 (failed at export).

The bank file therefore holds 2 detail lines, 3 payroll lines, 1300.50 yuan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from ..conftest import EAST_VILLAGE
from ..factories import add_bank_line, add_member, new_bank_payroll, new_household, new_policy

ACCOUNT_A = "6222000000000001"
ACCOUNT_B = "6222000000000002"
NOTE = "低保2026年11月"
TODAY = date(2026, 11, 28)


@dataclass
class Bank:
    payroll: Any
    a: Any
    b1: Any
    b2: Any
    held: Any
    stopped: Any
    no_account: Any
    approver: Any

    def refresh(self) -> None:
        for obj in (self.payroll, self.a, self.b1, self.b2, self.held, self.stopped, self.no_account):
            obj.refresh_from_db()


@pytest.fixture
def var_dir(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def bank(tree: dict[str, Any], make_user: Any, var_dir: Any) -> Bank:
    new_policy()
    payroll = new_bank_payroll()
    ha = new_household(head__name="甲户主")
    hb = new_household(
        region=tree["980101001002"], head__name="乙户主", head__hukou_region=tree["980101001002"]
    )
    a = add_bank_line(payroll, household=ha, amount="850.00", bank_account=ACCOUNT_A)
    b1 = add_bank_line(payroll, household=hb, amount="300.00", bank_account=ACCOUNT_B)
    child = add_member(hb, "child", name="乙之子")
    b2 = add_bank_line(payroll, household=hb, person=child, amount="150.50", bank_account=ACCOUNT_B)
    held = add_bank_line(payroll, amount="200.00", bank_account="6222000000000003", status="held")
    stopped = add_bank_line(payroll, amount="100.00", bank_account="6222000000000004", status="stopped")
    no_account = add_bank_line(payroll, amount="99.00", bank_account="")
    assert ha.region_id == EAST_VILLAGE
    return Bank(payroll, a, b1, b2, held, stopped, no_account, make_user("county_approver", "980101000000"))
