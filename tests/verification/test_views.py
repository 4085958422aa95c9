from datetime import date

import pytest
from django.urls import reverse

from jiuzhu.verification.models import Authorisation, VerificationReport

from ..factories import add_member, make_id_number, new_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(tree, feed, county_policy):
    h = new_household(head__name="冯户主", head__id_number=make_id_number(41, birth=date(1960, 1, 1)))
    spouse = add_member(
        h, "spouse", name="冯配偶", id_number=make_id_number(42, birth=date(1962, 1, 1), male=False)
    )
    feed("hrss_pension", h.head.id_number, date(2026, 3, 1), "1800", kind="employee")
    feed("bank", spouse.id_number, date(2026, 9, 1), "5000", institution="农信社")
    return h, spouse


def test_one_id_number_to_a_talking_report(family, caseworker, client_for) -> None:
    h, spouse = family
    client = client_for(caseworker)
    start = client.post(reverse("verification_start"), {"id_number": spouse.id_number.lower()})
    assert start.status_code == 302
    page = client.get(start["Location"])
    body = page.content.decode()
    assert "冯户主" in body and "冯配偶" in body and "未签署" in body
    assert spouse.id_number not in start["Location"]

    for person in (h.head, spouse):
        r = client.post(
            reverse("verification_authorisation", args=[h.pk]),
            {
                "person_id": person.pk,
                "signed_on": "2026-01-01",
                "reference": "授-1",
                "back": start["Location"],
            },
        )
        assert r.status_code == 302
    assert Authorisation.objects.count() == 2

    made = client.post(
        reverse("verification_report_new", args=[h.pk]),
        {
            "applicant": spouse.pk,
            "programs": ["dibao"],
            "declared_person_0": str(h.head.pk),
            "declared_item_0": "scholarship",
            "declared_amount_0": "500",
        },
    )
    assert made.status_code == 302, made.content
    report = VerificationReport.objects.get()
    html = client.get(made["Location"]).content.decode()
    for text in (
        "核对结论",
        "收入明细",
        "财产明细",
        "需求度",
        "trend-data",
        "农信社",
        "奖学金",
        "敏感因素",
        "跨年度异常",
    ):
        assert text in html, text
    assert report.programs == ["dibao"]


def test_missing_authorisation_is_a_clear_message(family, caseworker, client_for) -> None:
    h, _spouse = family
    client = client_for(caseworker)
    r = client.post(reverse("verification_report_new", args=[h.pk]), {"applicant": h.head.pk}, follow=True)
    assert "尚未签署有效的核对授权书" in r.content.decode()
    assert VerificationReport.objects.count() == 0


def test_unknown_id_number(tree, caseworker, client_for) -> None:
    r = client_for(caseworker).post(reverse("verification_start"), {"id_number": "110105194912310021"})
    assert "校验位" in r.content.decode()


def test_report_json_api_masks_for_auditors(family, caseworker, make_user, client_for, authorise) -> None:
    from ..conftest import EAST_TOWN

    h, spouse = family
    authorise(h.head, spouse)
    created = client_for(caseworker).post(
        "/api/verification/reports", {"id_number": h.head.id_number}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    auditor = make_user("auditor", EAST_TOWN)
    body = client_for(auditor).get(f"/api/verification/reports/{report_id}").json()
    assert "*" in body["inputs"]["members"][0]["id_number"]
    assert body["results"]["verdicts"][0]["program"] == "dibao"
