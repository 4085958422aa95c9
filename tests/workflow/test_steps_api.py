"""The steps through the REST API: multipart for the signed records, JSON for the rest; errors as the
API's Chinese JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ..factories import add_investigation
from .steps_world import World, make_world, not_an_image, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    return make_world(tree)


def test_investigation_multipart(w: World, client_for: Any) -> None:
    case = w.case("investigation")
    client = client_for(w.caseworker)
    body = {
        "version": case.version,
        "visited_on": timezone.localdate().isoformat(),
        "investigator_ids": [w.caseworker.pk, w.caseworker2.pk],
        "food": "粗粮",
        "clothing": "陈旧",
        "housing": "土坯房",
        "daily_goods": "无",
        "findings": "属实",
        "family_signatory": "张小三",
        "family_signature": png(),
        "investigator_signatures": pdf(),
    }
    response = client.post(f"/api/workflow/cases/{case.pk}/investigation", body)
    assert response.status_code == 201, response.content
    assert response.json()["round"] == 1
    assert sorted(response.json()["investigators"]) == sorted([w.caseworker.pk, w.caseworker2.pk])
    bad = client.post(
        f"/api/workflow/cases/{case.pk}/investigation",
        {**body, "family_signature": not_an_image(), "investigator_signatures": pdf()},
    )
    assert bad.status_code == 422 and "格式" in bad.json()["errors"]["family_signature"]
    other = client_for(w.other_caseworker).post(
        f"/api/workflow/cases/{case.pk}/investigation",
        {**body, "family_signature": png(), "investigator_signatures": pdf()},
    )
    assert other.status_code == 404


def test_confirmation_and_entitlements(w: World, client_for: Any) -> None:
    case = w.case("confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    client = client_for(w.approver)
    response = client.post(
        f"/api/workflow/cases/{case.pk}/confirmation",
        {"version": case.version, "agree": True, "text": "同意"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "450.00" and response.json()["outcome"] == "confirmed"
    listing = client.get(f"/api/benefits/households/{w.household.pk}/entitlements")
    assert listing.status_code == 200
    (row,) = listing.json()
    assert row["amount"] == "450.00" and row["events"][0]["kind"] == "create"
    assert row["computation"][0]["formula"] == "(800.00 − 650.00) × 3 = 450.00"
    assert (
        client_for(w.other_caseworker)
        .get(f"/api/benefits/households/{w.household.pk}/entitlements")
        .status_code
        == 404
    )


def test_review_opinion_wrong_role_is_403_in_chinese(w: World, client_for: Any) -> None:
    case = w.case("review")
    response = client_for(w.caseworker).post(
        f"/api/workflow/cases/{case.pk}/review-opinion",
        {"version": case.version, "agree": True, "text": "同意"},
        content_type="application/json",
    )
    assert response.status_code == 403 and "乡镇审核" in response.json()["detail"]
