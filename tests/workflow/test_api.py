"""The workflow API: the queue, a case with its transitions and missing evidence, moving it (and the
conflict of a stale version), extending its limit once, claiming it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiuzhu.workflow.models import Case

from ..factories import add_investigation, new_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_queue_and_case(policy, dibao, caseworker, client_for) -> None:
    case = new_case(state="investigation", step_due_on=TODAY - timedelta(days=1))
    client = client_for(caseworker)
    page = client.get("/api/workflow/queue", {"kind": "todo"}).json()
    assert [(i["number"], i["light"], i["step_name"]) for i in page["items"]] == [
        (case.number, "red", "入户调查")
    ]
    assert client.get("/api/workflow/queue", {"kind": "later"}).status_code == 422
    body = client.get(f"/api/workflow/cases/{case.pk}").json()
    assert (body["state"], body["step_name"], body["light"], body["version"]) == (
        "investigation",
        "入户调查",
        "red",
        1,
    )
    assert body["missing_evidence"] == ["入户调查记录（调查人员不少于规定人数）"]
    review = next(t for t in body["transitions"] if t["target"] == "review")
    assert review["allowed"] is False and review["why_not"] == [
        "尚缺：入户调查记录（调查人员不少于规定人数）"
    ]
    assert [e["action"] for e in body["history"]] == ["open"]


def test_act_conflict_and_refusals(policy, dibao, caseworker, client_for) -> None:
    case = new_case(state="investigation")
    client = client_for(caseworker)
    url = f"/api/workflow/cases/{case.pk}/act"
    missing = _post(client, url, {"version": 1, "target": "review"})
    assert missing.status_code == 422 and missing.json()["errors"]["evidence"].startswith("尚缺")
    add_investigation(case)
    moved = _post(client, url, {"version": 1, "target": "review"})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["state"], moved.json()["version"]) == ("review", 2)
    stale = _post(client, url, {"version": 1, "target": "withdrawn", "reason": "撤回"})
    assert (
        stale.status_code == 409 and stale.json()["detail"] == "该案件已被他人办理（或已变化），请刷新后重试"
    )
    assert _post(client, url, {"version": 2, "target": "public_notice"}).status_code == 403  # reviewer's step


def test_extend_once_and_claim(policy, dibao, caseworker, client_for, make_user) -> None:
    case = new_case(state="investigation")
    client = client_for(caseworker)
    url = f"/api/workflow/cases/{case.pk}/extend"
    assert _post(client, url, {"version": 1, "reason": ""}).status_code == 422
    extended = _post(client, url, {"version": 1, "reason": "家庭成员在外地务工，需协查"})
    assert extended.status_code == 200 and extended.json()["extended"] is True
    assert extended.json()["due_on"] > case.due_on.isoformat()
    again = _post(client, url, {"version": 2, "reason": "再次延长"})
    assert again.status_code == 422 and "已延长过" in again.json()["errors"]["reason"]
    claim = f"/api/workflow/cases/{case.pk}/claim"
    assert _post(client, claim, {}).json() == {"claimed": True}
    assert _post(client_for(make_user("township_caseworker")), claim, {"minutes": 10}).json() == {
        "claimed": False
    }
    assert Case.objects.get(pk=case.pk).claimed_by_id == caseworker.pk


def test_a_village_assistant_reads_but_does_not_act(policy, dibao, make_user, client_for) -> None:
    case = new_case(state="investigation")
    client = client_for(make_user("village_assistant", "980101001001"))
    assert client.get(f"/api/workflow/cases/{case.pk}").status_code == 200
    assert (
        _post(
            client, f"/api/workflow/cases/{case.pk}/act", {"version": 1, "target": "withdrawn", "reason": "x"}
        ).status_code
        == 403
    )


def test_a_case_sent_back_to_verification_needs_a_new_report(policy, dibao, caseworker, client_for) -> None:
    """The report attached at acceptance counts at opening; once the case is sent back to be verified
    again it no longer does, and a report made since then is attached on the page or through the API."""
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.services import case_act

    from ..factories import new_report

    case = new_case(state="verification")
    old = new_report(case.household)  # attached at acceptance
    Case.objects.filter(pk=case.pk).update(report=old)
    ctx = AuditContext(user=caseworker)
    case = case_act(ctx=ctx, case_id=case.pk, version=1, target="investigation")  # at opening: counts
    case = case_act(ctx=ctx, case_id=case.pk, version=case.version, target="verification", reason="收入有变")
    client = client_for(caseworker)
    body = client.get(f"/api/workflow/cases/{case.pk}").json()
    assert body["missing_evidence"] == ["家庭经济状况核对报告"]
    page = client.get(f"/workflow/cases/{case.pk}/").content.decode()
    assert "附入新的核对报告" not in page  # no report made since the send-back yet

    fresh = new_report(case.household)
    page = client.get(f"/workflow/cases/{case.pk}/").content.decode()
    assert "附入新的核对报告" in page and f'value="{fresh.pk}"' in page and f'value="{old.pk}"' not in page
    response = client.post(
        f"/workflow/cases/{case.pk}/report/", {"version": str(case.version), "report_id": str(fresh.pk)}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.report_id == fresh.pk
    body = client.get(f"/api/workflow/cases/{case.pk}").json()
    assert body["missing_evidence"] == []

    newer = new_report(case.household)
    url = f"/api/workflow/cases/{case.pk}/report"
    assert _post(client, url, {"version": 1, "report_id": newer.pk}).status_code == 409  # stale version
    out = _post(client, url, {"version": case.version, "report_id": newer.pk})
    assert out.status_code == 200 and out.json()["report_id"] == newer.pk
    moved = _post(
        client,
        f"/api/workflow/cases/{case.pk}/act",
        {"version": out.json()["version"], "target": "investigation"},
    )
    assert moved.status_code == 200 and moved.json()["state"] == "investigation"
