"""The case page: what it shows, only the forms the user may use at the step, a refusal shown with the
form as it was filled in, and a query count that does not grow with the history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow.models import CaseEvent, HomeInvestigation
from jiuzhu.workflow.services import steps

from ..factories import add_investigation
from .steps_world import World, make_world, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    return make_world(tree)


def _page(client: Any, case: Any) -> str:
    response = client.get(f"/workflow/cases/{case.pk}/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_header_and_only_the_forms_of_the_step(w: World, client_for: Any) -> None:
    case = w.case("investigation", close_relative=True)
    page = _page(client_for(w.caseworker), case)
    assert case.number in page and "张小三" in page and "入户调查" in page
    assert "近亲属备案" in page
    assert 'id="form-investigation"' in page and 'enctype="multipart/form-data"' in page
    assert f'name="version" value="{case.version}"' in page
    assert "form-confirmation" not in page and "form-review_opinion" not in page
    # The reviewer sees the case, but no form of the caseworker's step.
    other = _page(client_for(w.reviewer), case)
    assert "form-investigation" not in other
    # An auditor-like reader outside the township: nothing.
    assert client_for(w.other_caseworker).get(f"/workflow/cases/{case.pk}/").status_code == 404


def test_masked_id_for_roles_without_the_full_id(w: World, client_for: Any, tree: dict[str, Any]) -> None:
    from ..factories import new_user

    case = w.case("review")
    full = w.household.head.id_number
    assert full in _page(client_for(w.caseworker), case)
    assistant = new_user(role="village_assistant", region=tree["980101001001"])
    page = _page(client_for(assistant), case)
    assert full not in page and full[:3] + "*" in page


def test_investigation_posted_through_the_page(w: World, client_for: Any) -> None:
    case = w.case("investigation")
    client = client_for(w.caseworker)
    body = {
        "version": case.version,
        "visited_on": timezone.localdate().isoformat(),
        "investigator_ids": [w.caseworker.pk, w.caseworker2.pk],
        "food": "粗粮为主",
        "clothing": "衣着陈旧",
        "housing": "土坯房",
        "daily_goods": "无大件家电",
        "findings": "属实",
        "family_signatory": "张小三",
        "family_signature": png(),
        "investigator_signatures": png("b.png"),
    }
    response = client.post(f"/workflow/cases/{case.pk}/investigation/", body)
    assert response.status_code == 302
    assert HomeInvestigation.objects.filter(case=case).count() == 1


def test_stale_version_shows_the_conflict_and_keeps_the_values(w: World, client_for: Any) -> None:
    case = w.case("review")
    client = client_for(w.reviewer)
    body = {"version": case.version + 5, "agree": "1", "text": "经审核情况属实，拟同意"}
    response = client.post(f"/workflow/cases/{case.pk}/review-opinion/", body)
    assert response.status_code == 409
    page = response.content.decode()
    assert "该记录已被他人修改，请刷新后重试" in page
    assert "经审核情况属实，拟同意" in page  # what was typed is still there


def test_missing_evidence_and_the_refused_button(w: World, client_for: Any) -> None:
    case = w.case("investigation")
    page = _page(client_for(w.caseworker), case)
    assert "本环节尚缺" in page and "入户调查" in page
    assert "disabled" in page  # the forward button waits for the investigation
    response = client_for(w.caseworker).post(
        f"/workflow/cases/{case.pk}/act/", {"version": case.version, "target": "review"}
    )
    assert response.status_code == 422
    assert "尚缺" in response.content.decode()


def test_decision_with_its_computation_on_the_page(w: World, client_for: Any) -> None:
    case = w.case("confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    client = client_for(w.approver)
    assert "form-confirmation" in _page(client, case)
    response = client.post(
        f"/workflow/cases/{case.pk}/confirmation/", {"version": case.version, "agree": "1", "text": "同意"}
    )
    assert response.status_code == 302
    page = _page(client, case)
    assert "(800.00 − 650.00) × 3 = 450.00" in page
    assert "在保记录" in page and "450.00" in page
    assert "form-confirmation" not in page  # the case is closed


def test_refusal_without_reasons_redisplays(w: World, client_for: Any) -> None:
    case = w.case("confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    response = client_for(w.approver).post(
        f"/workflow/cases/{case.pk}/confirmation/",
        {"version": case.version, "agree": "0", "text": "收入超标"},
    )
    assert response.status_code == 422
    assert "不予确认须逐条说明理由" in response.content.decode()


def test_notice_objection_and_decision_forms(w: World, client_for: Any) -> None:
    case = w.case("public_notice")
    client = client_for(w.reviewer)
    assert "form-notice_start" in _page(client, case)
    assert (
        client.post(f"/workflow/cases/{case.pk}/public-notice/", {"version": case.version}).status_code == 302
    )
    page = _page(client, case)
    assert "form-objection" in page and "张*三" in page
    response = client.post(
        f"/workflow/cases/{case.pk}/objections/",
        {"version": case.version, "received_on": timezone.localdate().isoformat(), "content": "有车"},
    )
    assert response.status_code == 302
    objection = case.public_notices.get().objections.get()
    page = _page(client, case)
    assert f"form-decide_{objection.pk}" in page
    response = client.post(
        f"/workflow/cases/{case.pk}/objections/{objection.pk}/decide/",
        {"version": case.version, "holds": "0", "finding": "不成立"},
    )
    assert response.status_code == 302


def test_query_count_does_not_grow_with_the_history(w: World, client_for: Any) -> None:
    case = w.case("review")
    add_investigation(case, w.caseworker, w.caseworker2)
    client = client_for(w.reviewer)
    client.get(f"/workflow/cases/{case.pk}/")  # warm the session and caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/workflow/cases/{case.pk}/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    seq = CaseEvent.objects.filter(case=case).count()
    now = timezone.now()
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, seq=seq + i + 1, at=now + timedelta(seconds=i), actor_name="x", action="note")
        for i in range(30)
    )
    add_investigation(case, w.caseworker, w.caseworker2, round=2)
    steps.review_opinion(
        ctx=AuditContext(user=w.reviewer), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    after = count()
    assert before == after
    assert after == QUERY_BUDGET, after


# The case page's queries (session and user, the case, its step and definition, transitions, evidence
# checks, history, evidence rows with their prefetches, decision, documents, the flowchart of the pinned
# definition, the working-day calendar, the audit line): pinned.
QUERY_BUDGET = 22
