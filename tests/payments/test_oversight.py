"""Anomaly reports and totals of payroll lines: every finding checked at its boundary, figures by hand,
the caller's jurisdiction only, downloads masked and audited."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jiuzhu.audit.models import AuditEvent
from jiuzhu.benefits.models import Entitlement, EntitlementEvent
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.masking import id_number_masked
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.payments import selectors_oversight
from jiuzhu.registry.models import Person

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN, WEST_VILLAGE
from ..factories import (
    add_member,
    new_entitlement,
    new_household,
    new_import_batch,
    new_policy,
    oversight_line,
)

pytestmark = pytest.mark.django_db
FEB = date(2026, 2, 1)


@pytest.fixture
def policy(tree):
    return new_policy()


def _kinds(user, month=FEB, kind=""):
    report = selectors_oversight.anomaly_report(user=user, month=month, kind=kind)
    return report, sorted((a.kind, a.line.pk) for a in report.rows)


def test_payments_after_death(policy, make_user) -> None:
    # Died 2026-01-31: January's payment is due, February's is not; a stopped line paid nothing.
    dead = new_household(head__name="故者")
    Person.objects.filter(pk=dead.head_id).update(death_date=date(2026, 1, 31))
    ent = new_entitlement(dead, amount="520.00", start_month=date(2025, 6, 1))
    jan = oversight_line(ent, month=date(2026, 1, 1))
    feb = oversight_line(ent, month=FEB, status="pending")
    mar = oversight_line(ent, month=date(2026, 3, 1), status="stopped")
    # Died on 2026-02-01 by the police feed only: February is still due.
    feed_dead = new_household(head__name="当月故者")
    ent2 = new_entitlement(feed_dead, amount="300.00", start_month=date(2025, 6, 1))
    feb2 = oversight_line(ent2, month=FEB)
    mar2 = oversight_line(ent2, month=date(2026, 3, 1))
    batch = new_import_batch(feed="police_death")
    FeedRecord.objects.create(
        feed="police_death",
        id_number=feed_dead.head.id_number,
        date=date(2026, 2, 1),
        kind="death",
        row_key="d1",
        batch=batch,
    )
    user = make_user("auditor", EAST_TOWN)
    assert _kinds(user, date(2026, 1, 1), "after_death")[1] == []
    report, rows = _kinds(user, FEB, "after_death")
    assert rows == [("after_death", feb.pk)]
    assert report.counts == {"after_death": 1} and report.amounts == {"after_death": Decimal("520.00")}
    assert "2026-01-31" in report.rows[0].reason
    assert _kinds(user, date(2026, 3, 1), "after_death")[1] == [("after_death", mar2.pk)]
    assert jan.pk and mar.pk and feb2.pk


def test_the_same_account_in_two_households_of_a_month(policy, make_user, tree) -> None:
    a, b = new_household(), new_household()
    ea = new_entitlement(a, amount="520.00")
    eb = new_entitlement(b, amount="300.00")
    la = oversight_line(ea, month=FEB, bank_account="6222000011112222")
    lb = oversight_line(eb, month=FEB, bank_account="6222000011112222")
    # One household, two programs, one account: not an anomaly. Another month: not compared.
    c = new_household()
    oversight_line(new_entitlement(c, amount="520.00"), month=FEB, bank_account="6222999900001111")
    oversight_line(
        new_entitlement(c, program="near_dibao", amount="100.00"), month=FEB, bank_account="6222999900001111"
    )
    oversight_line(ea, month=date(2026, 3, 1), bank_account="6222000011112222")
    # A failed payment paid nothing.
    d = new_household()
    oversight_line(
        new_entitlement(d, amount="520.00"), month=FEB, bank_account="6222000011112222", status="failed"
    )
    # 西镇 shares another of 东镇's accounts.
    west = new_household(region=tree[WEST_VILLAGE], head__residence_region=tree[WEST_VILLAGE])
    lw = oversight_line(new_entitlement(west, amount="300.00"), month=FEB, bank_account="6222555566667777")
    e = new_household()
    le = oversight_line(new_entitlement(e, amount="520.00"), month=FEB, bank_account="6222555566667777")
    east_user = make_user("auditor", EAST_TOWN)
    report, rows = _kinds(east_user, kind="shared_account")
    assert rows == sorted([("shared_account", la.pk), ("shared_account", lb.pk), ("shared_account", le.pk)])
    reasons = {a.line.pk: a.reason for a in report.rows}
    assert reasons[la.pk] == "该账号本月在 2 户家庭的发放中出现"
    assert reasons[le.pk] == "该账号本月在 2 户家庭的发放中出现（其中 1 户不在您的辖区）"
    county = _kinds(make_user("auditor", COUNTY), kind="shared_account")[1]
    assert ("shared_account", lw.pk) in county and len(county) == 4


def test_amounts_that_differ_from_the_entitlement_in_force(policy, make_user) -> None:
    h = new_household()
    ent = new_entitlement(h, amount="520.00", start_month=date(2025, 1, 1))
    # Cut from 520 to 400 from March: February's 520 is right, March's 520 wrong.
    EntitlementEvent.objects.create(
        entitlement=ent,
        at=timezone.make_aware(datetime(2026, 2, 20, 10)),
        kind="adjust",
        changes={"amount": ["520.00", "400.00"], "from_month": "2026-03-01"},
    )
    Entitlement.objects.filter(pk=ent.pk).update(amount=Decimal("400.00"))
    ent.refresh_from_db()
    feb_ok = oversight_line(ent, month=FEB, base_amount="520.00")
    mar_wrong = oversight_line(ent, month=date(2026, 3, 1), base_amount="520.00")
    # Another household: the paid sum does not add up; another: the decision is not the entitlement's.
    h2 = new_household()
    e2 = new_entitlement(h2, amount="300.00")
    sum_wrong = oversight_line(
        e2, month=FEB, arrears_amount="600.00", deduction_amount="50.00", amount="900.00"
    )
    h3 = new_household()
    e3 = new_entitlement(h3, amount="300.00")
    decision_wrong = oversight_line(e3, month=FEB, decision_id_ref=e2.decision_id)
    # A prorated first month: compared with its computation (150), not the monthly amount.
    h4 = new_household()
    e4 = new_entitlement(h4, amount="300.00", start_month=FEB)
    prorated = {"months": [{"month": "2026-02", "kind": "prorated", "amount": "150.00"}]}
    prorated_ok = oversight_line(e4, month=FEB, base_amount="150.00", computation=prorated)
    user = make_user("auditor", EAST_TOWN)
    report, rows = _kinds(user, kind="amount_mismatch")
    assert rows == sorted([("amount_mismatch", sum_wrong.pk), ("amount_mismatch", decision_wrong.pk)])
    reasons = {a.line.pk: a.reason for a in report.rows}
    assert reasons[sum_wrong.pk] == "实发 900.00 元 ≠ 月保障 300.00 + 补发 600.00 − 抵扣 50.00"
    assert reasons[decision_wrong.pk] == "所依据的救助决定与在保记录不一致"
    march = _kinds(user, date(2026, 3, 1), "amount_mismatch")
    assert march[1] == [("amount_mismatch", mar_wrong.pk)]
    assert march[0].rows[0].reason == "月保障金额 520.00 元，在保记录当月应为 400.00 元"
    assert feb_ok.pk and prorated_ok.pk


def test_payments_without_a_live_entitlement(policy, make_user) -> None:
    early = new_entitlement(new_household(), amount="300.00", start_month=date(2026, 3, 1))
    not_begun = oversight_line(early, month=FEB)
    ended = new_entitlement(new_household(), amount="300.00", start_month=date(2025, 1, 1))
    Entitlement.objects.filter(pk=ended.pk).update(status="ended", end_month=date(2026, 1, 1))
    after_end = oversight_line(ended, month=FEB)
    last_month = oversight_line(ended, month=date(2026, 1, 1))
    paused = new_entitlement(new_household(), amount="300.00", start_month=date(2025, 1, 1))
    EntitlementEvent.objects.create(
        entitlement=paused,
        at=timezone.make_aware(datetime(2026, 1, 20, 10)),
        kind="suspend",
        changes={"status": ["active", "suspended"], "from_month": "2026-02-01"},
    )
    Entitlement.objects.filter(pk=paused.pk).update(status="suspended")
    paused_feb = oversight_line(paused, month=FEB)
    paused_jan = oversight_line(paused, month=date(2026, 1, 1))
    user = make_user("auditor", EAST_TOWN)
    report, rows = _kinds(user, kind="no_entitlement")
    assert rows == sorted(
        [
            ("no_entitlement", not_begun.pk),
            ("no_entitlement", after_end.pk),
            ("no_entitlement", paused_feb.pk),
        ]
    )
    reasons = {a.line.pk: a.reason for a in report.rows}
    assert reasons[not_begun.pk] == "在保记录自 2026-03 起，本月尚未开始"
    assert reasons[after_end.pk] == "在保记录已停保（终止月份 2026-01）"
    assert reasons[paused_feb.pk] == "在保记录本月状态为暂停"
    assert _kinds(user, date(2026, 1, 1), "no_entitlement")[1] == []
    assert last_month.pk and paused_jan.pk


def test_totals_by_month_program_and_township(policy, make_user, tree) -> None:
    a = new_household()
    ea = new_entitlement(a, amount="520.00")
    oversight_line(ea, month=date(2026, 1, 1))  # paid 520
    oversight_line(ea, month=FEB, status="held")  # held 520
    b = new_household(region=tree["980101001002"])
    eb = new_entitlement(b, program="tekun", amount="150.00", person=b.head)
    oversight_line(eb, month=FEB, status="failed")  # failed 150
    west = new_household(region=tree[WEST_VILLAGE], head__residence_region=tree[WEST_VILLAGE])
    oversight_line(new_entitlement(west, amount="300.00"), month=FEB)  # 西镇: paid 300
    east = selectors_oversight.payment_totals(
        user=make_user("auditor", EAST_TOWN), month_from=date(2026, 1, 1), month_to=FEB
    )
    got = [
        (r.month, r.program, r.township_code, r.lines, r.amount, r.paid_amount, r.held_count, r.failed_count)
        for r in east.rows
    ]
    assert got == [
        (date(2026, 1, 1), "dibao", EAST_TOWN, 1, Decimal("520.00"), Decimal("520.00"), 0, 0),
        (FEB, "dibao", EAST_TOWN, 1, Decimal("520.00"), Decimal("0"), 1, 0),
        (FEB, "tekun", EAST_TOWN, 1, Decimal("150.00"), Decimal("0"), 0, 1),
    ]
    assert (east.lines, east.amount, east.paid_amount) == (3, Decimal("1190.00"), Decimal("520.00"))
    assert east.by_program == {"dibao": Decimal("1040.00"), "tekun": Decimal("150.00")}
    county = selectors_oversight.payment_totals(
        user=make_user("auditor", COUNTY), month_from=FEB, month_to=FEB
    )
    assert (county.lines, county.amount) == (3, Decimal("970.00"))
    only_dibao = selectors_oversight.payment_totals(
        user=make_user("auditor", COUNTY), month_from=FEB, month_to=FEB, program="dibao"
    )
    assert {r.township_code for r in only_dibao.rows} == {EAST_TOWN, WEST_TOWN}
    with pytest.raises(ValidationFailed):
        selectors_oversight.payment_totals(
            user=make_user("auditor", COUNTY), month_from=FEB, month_to=date(2026, 1, 1)
        )


def test_pages_api_and_masked_download(policy, make_user, client_for) -> None:
    dead = new_household(head__name="故者甲某")
    add_member(dead, "spouse", name="配偶")
    Person.objects.filter(pk=dead.head_id).update(death_date=date(2025, 12, 1))
    line = oversight_line(new_entitlement(dead, amount="520.00"), month=FEB)
    auditor = make_user("auditor", COUNTY)
    client = client_for(auditor)
    page = client.get("/oversight/anomalies/", {"month": "2026-02"})
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "死亡后仍发放" in text
        and dead.head.id_number not in text
        and id_number_masked(dead.head.id_number) in text
    )
    assert client.get("/oversight/anomalies/", {"month": "2026-13"}).status_code == 422
    download = client.get("/oversight/anomalies/", {"month": "2026-02", "format": "xlsx"})
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content))["异常明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("死亡后仍发放", "2026-02", "低保")
    assert rows[1][4:9] == (
        dead.number,
        "故**某",
        id_number_masked(dead.head.id_number),
        "************" + line.bank_account[-4:],
        520,
    )
    assert AuditEvent.objects.filter(action="export", actor=auditor).count() == 1
    api = client.get("/api/oversight/anomalies", {"month": "2026-02"}).json()
    assert api["counts"] == {"after_death": 1, "shared_account": 0, "amount_mismatch": 0, "no_entitlement": 0}
    assert api["rows"][0]["line"]["id_number"] == id_number_masked(dead.head.id_number)
    staff = client_for(make_user("township_caseworker", EAST_TOWN)).get(
        "/api/oversight/anomalies", {"month": "2026-02"}
    )
    assert staff.json()["rows"][0]["line"]["id_number"] == dead.head.id_number
    assert client.get("/api/oversight/anomalies", {"month": "2026-00"}).status_code == 422
    assert client.get("/api/oversight/anomalies", {"month": "2026-02", "kind": "x"}).status_code == 422
    totals = client.get("/api/oversight/totals", {"month_from": "2026-01", "month_to": "2026-02"}).json()
    assert (totals["lines"], totals["amount"]) == (1, "520.00")
    assert client.get("/oversight/", {"month_from": "2026-01", "month_to": "2026-02"}).status_code == 200
    west = client_for(make_user("auditor", WEST_TOWN))
    assert west.get("/api/oversight/anomalies", {"month": "2026-02"}).json()["rows"] == []
    assert dead.number not in west.get("/oversight/anomalies/", {"month": "2026-02"}).content.decode()
    # Roles without the right to read decisions see no reports.
    assert (
        client_for(make_user("village_assistant", "980101001001")).get("/oversight/anomalies/").status_code
        == 403
    )
