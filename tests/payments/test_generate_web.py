"""The payroll pages and API as their users meet them: the county generates, checks, submits and
approves; a township sees its own lines and holds and decides them; another county sees nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.payments.models import Payroll, PayrollHold, PayrollLine
from jiuzhu.payments.services.check import apply_hits

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN, WEST_VILLAGE
from ..factories import new_user
from . import test_check, test_generate
from .test_check import hit, hits_table
from .test_generate import ent, household

pytestmark = pytest.mark.django_db
county = test_generate.county
approver = test_generate.approver


@pytest.fixture
def two_towns(county: Any) -> tuple[Any, Any]:
    east, west = household(), household(WEST_VILLAGE, "6228480000000009")
    ent(east, amount="520.00")
    ent(west, amount="300.00")
    return east, west


def test_the_county_generates_from_the_list_page(two_towns, approver, client_for) -> None:
    client = client_for(approver)
    page = client.get("/payments/payrolls/")
    assert page.status_code == 200 and "生成发放名册" in page.content.decode()
    response = client.post(
        "/payments/payrolls/new/", {"county": COUNTY, "program": "dibao", "month": "2026-11"}
    )
    payroll = Payroll.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/payrolls/{payroll.pk}/"
    assert (payroll.lines_count, payroll.total_amount) == (2, Decimal("820.00"))
    body = client.get(f"/payments/payrolls/{payroll.pk}/").content.decode()
    assert "820.00" in body and "生成名册" in body and "东镇" in body and "西镇" in body
    listing = client.get("/payments/payrolls/", {"program": "dibao", "month": "2026-11"}).content.decode()
    assert f"/payments/payrolls/{payroll.pk}/" in listing
    bad = client.post(
        "/payments/payrolls/new/", {"county": COUNTY, "program": "temporary", "month": "2026-11"}
    )
    assert bad.status_code == 422 and not Payroll.objects.exclude(pk=payroll.pk).exists()


def test_a_township_sees_its_own_lines_and_decides_its_holds(two_towns, approver, client_for, tree) -> None:
    east, west = two_towns
    payroll = test_generate.generate(approver)
    apply_hits(
        payroll, hits_table([hit("death", east.head, east.pk, "k1"), hit("death", west.head, west.pk, "k2")])
    )
    Payroll.objects.filter(pk=payroll.pk).update(status="holds")
    worker = new_user(role="township_caseworker", region=tree[EAST_TOWN])
    client = client_for(worker)
    body = client.get(f"/payments/payrolls/{payroll.pk}/").content.decode()
    assert east.head.name in body and west.head.name not in body
    assert "生成发放名册" not in body and "审批通过" not in body
    mine = PayrollHold.objects.get(evidence_key="k1")
    theirs = PayrollHold.objects.get(evidence_key="k2")
    assert client.post(f"/payments/payrolls/holds/{theirs.pk}/clear/", {"version": 1}).status_code == 404
    refused = client.post(f"/payments/payrolls/holds/{mine.pk}/confirm/", {"version": 1, "reason": ""})
    assert refused.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "held"
    client.post(f"/payments/payrolls/holds/{mine.pk}/confirm/", {"version": 1, "reason": "已死亡"})
    mine.refresh_from_db()
    assert mine.status == "confirmed" and PayrollLine.objects.get(holds=mine).status == "stopped"
    # The API says the same.
    lines = client.get(f"/api/payroll/payrolls/{payroll.pk}/lines").json()
    assert [ln["holder_name"] for ln in lines] == [east.head.name]
    holds = client.get(f"/api/payroll/payrolls/{payroll.pk}/holds").json()
    assert [h["evidence_key"] for h in holds] == ["k1"]
    west_worker = client_for(new_user(role="township_caseworker", region=tree[WEST_TOWN]))
    cleared = west_worker.post(
        f"/api/payroll/holds/{theirs.pk}/clear",
        {"version": 1, "reason": "误报"},
        content_type="application/json",
    )
    assert cleared.status_code == 200 and cleared.json()["status"] == "cleared"


def test_the_api_walks_a_payroll_to_approval(two_towns, approver, client_for, monkeypatch) -> None:
    client = client_for(approver)
    created = client.post(
        "/api/payroll/payrolls",
        {"county": COUNTY, "program": "dibao", "month": "2026-11-01"},
        content_type="application/json",
    )
    assert created.status_code == 200, created.content
    data = created.json()
    assert (data["lines_count"], data["total_amount"], data["status"]) == (2, "820.00", "draft")
    assert data["jobs"][0]["kind"] == "generate" and data["jobs"][0]["status"] == "done"
    pid = data["id"]
    test_check._patch(monkeypatch, [])
    checked = client.post(f"/api/payroll/payrolls/{pid}/check", content_type="application/json")
    assert checked.status_code == 200 and checked.json()["status"] == "submitted"
    version = checked.json()["version"]
    stale = client.post(
        f"/api/payroll/payrolls/{pid}/approve", {"version": version + 5}, content_type="application/json"
    )
    assert stale.status_code == 409
    approved = client.post(
        f"/api/payroll/payrolls/{pid}/approve", {"version": version}, content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    listed = client.get("/api/payroll/payrolls", {"program": "dibao"}).json()
    assert [p["id"] for p in listed] == [pid]


def test_another_county_sees_nothing(two_towns, approver, client_for, tree) -> None:
    payroll = test_generate.generate(approver)
    other = client_for(new_user(role="county_approver", region=tree["980102000000"]))
    assert other.get(f"/payments/payrolls/{payroll.pk}/").status_code == 404
    assert other.get(f"/api/payroll/payrolls/{payroll.pk}").status_code == 404
    assert other.get(f"/api/payroll/payrolls/{payroll.pk}/lines").status_code == 404
    assert other.get("/api/payroll/payrolls").json() == []
    assert f"/payments/payrolls/{payroll.pk}/" not in other.get("/payments/payrolls/").content.decode()
    assert (
        other.post(
            f"/api/payroll/payrolls/{payroll.pk}/approve", {}, content_type="application/json"
        ).status_code
        == 404
    )


def test_the_payroll_page_reads_a_fixed_number_of_queries(county, approver, client_for) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> int:
        payroll = Payroll.objects.get()
        client = client_for(approver)
        client.get(f"/payments/payrolls/{payroll.pk}/")  # warm the session and the permission caches
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"/payments/payrolls/{payroll.pk}/").status_code == 200
        return len(seen)

    ent(household(), amount="520.00")
    payroll = test_generate.generate(approver)
    (line,) = PayrollLine.objects.filter(payroll=payroll)
    apply_hits(payroll, hits_table([hit("death", line.person, line.household_id, "k1")]))
    few = page_queries()
    # Six more lines, four more held: the page still reads the same number of queries.
    for i in range(6):
        h = household(account=f"62284800000001{i:02d}")
        e = ent(h, amount="300.00")
        PayrollLine.objects.create(
            payroll=payroll,
            entitlement=e,
            household=h,
            person=h.head,
            region=h.region,
            township=line.township,
            base_amount=Decimal("300.00"),
            amount=Decimal("300.00"),
            holder_name=h.head.name,
            id_number=h.head.id_number,
            bank_account=h.bank_account,
        )
    more = PayrollLine.objects.filter(payroll=payroll).exclude(pk=line.pk)[:4]
    apply_hits(payroll, hits_table([hit("death", x.person, x.household_id, f"k{x.pk}") for x in more]))
    many = page_queries()
    assert many == few
