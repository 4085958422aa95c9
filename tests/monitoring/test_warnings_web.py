"""The warning page and the warning API: what they show (evidence with dates, members, live entitlements,
the chain link), the closed loop through the forms and the endpoints, conflicts and validation in
Chinese, and other townships refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jiuzhu.core.masking import id_number_masked
from jiuzhu.monitoring.models import Warning
from jiuzhu.workflow.models import Case

from ..conftest import COUNTY
from ..factories import new_life_entitlement, new_policy, new_warning, workflow_definitions

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: dict[str, Any]) -> Any:
    """An entitlement in payment (户主 and a child, 低保 300 a month) and a death warning with two pieces of
    evidence on its head."""
    new_policy()
    workflow_definitions()
    e = new_life_entitlement()
    w = new_warning(
        e.household,
        raised_on=date(2026, 3, 2),
        evidence=[
            (date(2026, 2, 27), {"死亡日期": "2026-02-27", "信息来源": "公安"}),
            (date(2026, 2, 25), {"死亡日期": "2026-02-25", "信息来源": "殡葬"}),
        ],
    )
    return e, w


def test_the_page_shows_the_evidence_members_entitlements_and_the_chain_link(
    world, caseworker, client_for
) -> None:
    e, w = world
    body = client_for(caseworker).get(f"/monitoring/warnings/{w.pk}/").content.decode()
    assert "死亡、火化" in body and "核实后停发救助金" in body
    # Evidence in date order.
    assert body.index("2026-02-25") < body.index("2026-02-27")
    assert "信息来源：殡葬" in body
    head = e.household.head
    assert head.name in body and head.id_number not in body  # masked
    assert id_number_masked(head.id_number) in body
    assert f'data-entitlement="{e.pk}"' in body and "300.00" in body
    assert f'href="/oversight/households/{e.household_id}/chain/"' in body  # 一户一条救助链
    assert 'id="form-verify"' in body and 'id="form-outcome"' not in body  # verify first


def test_the_closed_loop_through_the_forms(world, caseworker, client_for) -> None:
    e, w = world
    client = client_for(caseworker)
    empty = client.post(f"/monitoring/warnings/{w.pk}/verify/", {"version": "1", "verification": "  "})
    assert empty.status_code == 422 and "核实情况不能为空" in empty.content.decode()
    done = client.post(
        f"/monitoring/warnings/{w.pk}/verify/", {"version": "1", "verification": "入户核实：已死亡"}
    )
    assert done.status_code == 302
    stale = client.post(f"/monitoring/warnings/{w.pk}/verify/", {"version": "1", "verification": "再核"})
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()
    page = client.get(f"/monitoring/warnings/{w.pk}/").content.decode()
    assert 'id="form-outcome"' in page and "入户核实：已死亡" in page
    no_reason = client.post(f"/monitoring/warnings/{w.pk}/close/", {"version": "2", "outcome": "dismiss"})
    assert no_reason.status_code == 422 and "处理说明不能为空" in no_reason.content.decode()
    closed = client.post(
        f"/monitoring/warnings/{w.pk}/close/",
        {"version": "2", "outcome": "adjust", "entitlement_id": str(e.pk), "reason": "核减人口"},
        follow=True,
    )
    text = closed.content.decode()
    case = Case.objects.get()
    assert "预警已办结：调整待遇（发起复核）" in text and case.number in text
    w.refresh_from_db()
    assert (w.status, w.outcome, w.outcome_ref) == ("closed", "adjust", f"case:{case.number}")
    assert 'id="form-verify"' not in text


def test_the_assistant_sees_no_outcome_form(world, client_for, make_user, caseworker) -> None:
    e, _ = world
    lead = new_warning(e.household, rule="disability_lead", purpose="lead", person=e.household.head)
    assistant = make_user("village_assistant", "980101001001")
    client = client_for(assistant)
    client.post(f"/monitoring/warnings/{lead.pk}/verify/", {"version": "1", "verification": "走访属实"})
    body = client.get(f"/monitoring/warnings/{lead.pk}/").content.decode()
    assert 'id="form-outcome"' not in body and "处理结果由乡镇经办人员办理" in body
    refused = client.post(
        f"/monitoring/warnings/{lead.pk}/close/", {"version": "2", "outcome": "assist", "program": "dibao"}
    )
    assert refused.status_code == 403
    assert Warning.objects.get(pk=lead.pk).status == "verified"


def test_other_townships_and_counties_get_404(world, other_caseworker, make_user, client_for) -> None:
    _, w = world
    for user in (other_caseworker, make_user("county_approver", "980102000000")):
        client = client_for(user)
        assert client.get(f"/monitoring/warnings/{w.pk}/").status_code == 404
        assert (
            client.post(
                f"/monitoring/warnings/{w.pk}/verify/", {"version": "1", "verification": "x"}
            ).status_code
            == 404
        )
        assert (
            client.post(
                f"/monitoring/warnings/{w.pk}/close/", {"version": "1", "outcome": "dismiss", "reason": "x"}
            ).status_code
            == 404
        )
        assert client.get(f"/api/monitoring/warnings/{w.pk}").status_code == 404
        response = client.post(
            f"/api/monitoring/warnings/{w.pk}/verify",
            {"version": 1, "verification": "x"},
            content_type="application/json",
        )
        assert response.status_code == 404
    w.refresh_from_db()
    assert (w.status, w.version) == ("open", 1)


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_queue_and_detail(world, caseworker, client_for) -> None:
    e, w = world
    client = client_for(caseworker)
    listed = client.get("/api/monitoring/warnings").json()
    assert listed["queue"] == "township" and listed["total"] == 1
    [row] = listed["items"]
    assert (row["id"], row["rule"], row["rule_name"], row["status"]) == (w.pk, "death", "死亡、火化", "open")
    assert row["evidence_count"] == 2 and row["last_event_on"] == "2026-02-27"
    assert set(listed["counts"]) == {"red", "yellow", "green"}
    assert client.get("/api/monitoring/warnings", {"rule": "vehicle_acquired"}).json()["total"] == 0
    assert client.get("/api/monitoring/warnings", {"light": "purple"}).status_code == 422
    detail = client.get(f"/api/monitoring/warnings/{w.pk}").json()
    assert [x["event_date"] for x in detail["evidence"]] == ["2026-02-25", "2026-02-27"]
    assert detail["evidence"][0]["evidence"] == {"死亡日期": "2026-02-25", "信息来源": "殡葬"}
    assert detail["members"][0]["name"] == e.household.head.name
    assert detail["members"][0]["is_subject"] is True
    assert [x["id"] for x in detail["entitlements"]] == [e.pk]
    assert detail["holds_payment"] is True and detail["suggested_outcome"] == "stop"
    assert detail["chain_url"] == f"/oversight/households/{e.household_id}/chain/"


def test_the_api_closed_loop(world, caseworker, client_for, make_user) -> None:
    e, w = world
    client = client_for(caseworker)
    url = f"/api/monitoring/warnings/{w.pk}"
    bad = client.post(f"{url}/verify", {"version": 1, "verification": ""}, content_type="application/json")
    assert bad.status_code == 422 and "verification" in bad.json()["errors"]
    extra = client.post(
        f"{url}/verify", {"version": 1, "verification": "x", "who": 1}, content_type="application/json"
    )
    assert extra.status_code == 422
    early = client.post(
        f"{url}/close",
        {"version": 1, "outcome": "dismiss", "reason": "误报"},
        content_type="application/json",
    )
    assert early.status_code == 409 and "请先记录核实情况" in early.json()["detail"]
    ok = client.post(f"{url}/verify", {"version": 1, "verification": "属实"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "verified" and ok.json()["version"] == 2
    # The county approver stops at once, with the notice.
    approver = client_for(make_user("county_approver", COUNTY))
    stopped = approver.post(
        f"{url}/close",
        {"version": 2, "outcome": "stop", "reason": "户主已死亡", "end_month": "2026-03-01"},
        content_type="application/json",
    )
    assert stopped.status_code == 200, stopped.content
    body = stopped.json()
    assert body["warning"]["status"] == "closed" and body["entitlement_id"] == e.pk
    assert body["notice_id"] is not None and body["case_number"] is None
    again = client.post(
        f"{url}/close", {"version": 3, "outcome": "dismiss", "reason": "x"}, content_type="application/json"
    )
    assert again.status_code == 409
    e.refresh_from_db()
    assert (e.status, e.end_month) == ("ended", date(2026, 3, 1))


def test_the_page_reads_a_fixed_number_of_queries(world, caseworker, client_for) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..factories import add_member

    e, w = world
    client = client_for(caseworker)
    url = f"/monitoring/warnings/{w.pk}/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    from jiuzhu.monitoring.models import WarningEvidence

    new_life_entitlement(household=e.household, program="near_dibao", amount="0", ages=(45,))
    for n in range(3):
        add_member(e.household, "child")
        WarningEvidence.objects.create(
            warning=w, rule="death", person=w.person, evidence_key=f"more-{n}", evidence={}, run=w.first_run
        )
    assert count() == few
