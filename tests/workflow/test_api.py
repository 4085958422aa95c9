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
