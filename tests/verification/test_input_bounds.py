"""Bad input to 一键核对 is refused with a Chinese message (4xx), never a server error, on the form and
in the API; what the caseworker typed comes back with the message."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.verification.models import VerificationReport
from jiuzhu.verification.services import authorisation_record

from ..factories import add_member, make_id_number, new_household

pytestmark = pytest.mark.django_db
BAD_AMOUNTS = ["NaN", "sNaN", "Infinity", "-Infinity", "1e999999", "1" + "0" * 30, "1e3", "12.345", "abc", ""]


@pytest.fixture
def couple(tree, feed, county_policy, authorise):
    h = new_household(head__name="秦夫", head__id_number=make_id_number(71, birth=date(1970, 1, 1)))
    wife = add_member(
        h, "spouse", name="秦妻", id_number=make_id_number(72, birth=date(1972, 1, 1), male=False)
    )
    authorise(h.head, wife)
    return h, wife


def _api(client, h, **body):
    return client.post(
        "/api/verification/reports", {"id_number": h.head.id_number, **body}, content_type="application/json"
    )


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_api_refuses_amounts_that_are_not_plain_yuan(couple, caseworker, client_for, amount) -> None:
    h, wife = couple
    r = _api(client_for(caseworker), h, declared=[{"person_id": wife.pk, "item": "wages", "amount": amount}])
    assert r.status_code == 422, r.content
    assert "金额格式错误" in r.json()["errors"]["declared.0.amount"]
    assert VerificationReport.objects.count() == 0


def test_negative_amount_has_its_own_message(couple, caseworker, client_for) -> None:
    h, wife = couple
    r = _api(client_for(caseworker), h, declared=[{"person_id": wife.pk, "item": "wages", "amount": "-5"}])
    assert r.status_code == 422 and r.json()["errors"]["declared.0.amount"] == "金额不能为负"


def test_plain_amount_is_accepted_as_a_period_total(couple, caseworker, client_for) -> None:
    h, wife = couple
    r = _api(
        client_for(caseworker),
        h,
        declared=[{"person_id": wife.pk, "item": "wages", "amount": "9999999999.99"}],
    )
    assert r.status_code == 201, r.content


def test_thousands_of_declared_items_are_capped(couple, caseworker, client_for) -> None:
    h, wife = couple
    items = [{"person_id": wife.pk, "item": "wages", "amount": "1"}] * 5000
    r = _api(client_for(caseworker), h, declared=items)
    assert r.status_code == 422
    assert "一次最多 200 项" in r.json()["errors"]["declared"]


@pytest.mark.parametrize("as_of", ["0001-01-01", "1899-12-31"])
def test_api_refuses_report_dates_before_1900(couple, caseworker, client_for, as_of) -> None:
    h, _wife = couple
    r = _api(client_for(caseworker), h, as_of=as_of)
    assert r.status_code == 422, r.content
    assert "核对日期应在 1900-01-01 至今天" in r.json()["errors"]["as_of"]


def test_api_refuses_a_report_date_after_today(couple, caseworker, client_for) -> None:
    h, _wife = couple
    tomorrow = timezone.localdate() + timedelta(days=1)
    r = _api(client_for(caseworker), h, as_of=tomorrow.isoformat())
    assert r.status_code == 422 and "核对日期" in r.json()["errors"]["as_of"]


def test_assembly_api_refuses_year_one(couple, caseworker, client_for) -> None:
    h, _wife = couple
    r = client_for(caseworker).get(
        "/api/verification/households", {"id_number": h.head.id_number, "as_of": "0001-01-01"}
    )
    assert r.status_code == 422 and "核对日期" in r.json()["errors"]["as_of"]


def test_schema_says_the_period_unit_and_items(client_for, caseworker) -> None:
    schema = client_for(caseworker).get("/api/openapi.json").json()["components"]["schemas"]
    declared = schema["DeclaredIn"]["properties"]
    items = schema[declared["item"]["$ref"].rsplit("/", 1)[-1]]["enum"]
    assert "wages" in items and "deposits" in items and "one_child" in items and len(items) == 17
    assert "元" in declared["amount"]["description"] and "合计" in declared["amount"]["description"]
    assert "不是月收入" in declared["amount"]["description"]
    assert declared["amount"]["pattern"]
    assert schema["ReportIn"]["properties"]["declared"]["maxItems"] == 200


def test_form_says_the_period_and_unit(couple, caseworker, client_for) -> None:
    h, _wife = couple
    body = client_for(caseworker).get(reverse("verification_household", args=[h.pk])).content.decode()
    # AS_OF-independent: the reference period is the 12 whole months before this month
    assert "共 12 个月" in body and "不是月收入" in body and "单位：元" in body


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e999999", "1" + "0" * 30])
def test_form_refuses_bad_amounts_and_keeps_what_was_typed(couple, caseworker, client_for, amount) -> None:
    h, wife = couple
    r = client_for(caseworker).post(
        reverse("verification_report_new", args=[h.pk]),
        {
            "applicant": h.head.pk,
            "programs": ["dibao"],
            "declared_person_0": str(wife.pk),
            "declared_item_0": "wages",
            "declared_amount_0": amount,
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "第 1 行：金额格式错误" in body and f'value="{amount}"' in body
    assert VerificationReport.objects.count() == 0


@pytest.mark.parametrize("field", ["applicant", "declared_person_0"])
@pytest.mark.parametrize("value", ["abc", "²", "1" + "0" * 30])
def test_form_refuses_non_numeric_people(couple, caseworker, client_for, field, value) -> None:
    h, wife = couple
    data = {
        "applicant": h.head.pk,
        "declared_person_0": str(wife.pk),
        "declared_item_0": "wages",
        "declared_amount_0": "100",
        field: value,
    }
    r = client_for(caseworker).post(reverse("verification_report_new", args=[h.pk]), data)
    assert r.status_code == 400
    assert "无效" in r.content.decode()


def test_form_with_a_strange_applicant_gets_the_shared_error_page(couple, caseworker, client_for) -> None:
    h, _wife = couple
    r = client_for(caseworker).post(reverse("verification_report_new", args=[h.pk]), {"applicant": "abc"})
    assert r.status_code == 400
    assert r.templates[0].name == "request_error.html"
    assert "<p>申请人编号无效，请从家庭页面重新生成核对报告</p>" in r.content.decode()
    assert VerificationReport.objects.count() == 0


@pytest.mark.parametrize("value", ["²", "abc", "1" + "0" * 30])
def test_household_page_refuses_a_strange_applicant(couple, caseworker, client_for, value) -> None:
    h, _wife = couple
    r = client_for(caseworker).get(reverse("verification_household", args=[h.pk]), {"applicant": value})
    assert r.status_code == 404


def test_authorisation_dates_in_a_sane_window(couple, caseworker) -> None:
    h, _wife = couple
    ctx = AuditContext(user=caseworker)
    with pytest.raises(ValidationFailed) as exc:
        authorisation_record(ctx=ctx, person_id=h.head.pk, signed_on=date(1, 1, 1), reference="授-1")
    assert exc.value.errors == {"signed_on": "签署日期不能早于 1900-01-01，请核对后重填"}
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        authorisation_record(
            ctx=ctx, person_id=h.head.pk, signed_on=today, valid_until=date(9999, 12, 31), reference="授-1"
        )
    assert exc.value.errors["valid_until"].startswith(f"有效期不能晚于 {today.year + 10} 年底")
    ok = authorisation_record(
        ctx=ctx,
        person_id=h.head.pk,
        signed_on=today,
        valid_until=date(today.year + 10, 12, 31),
        reference="授-2",
    )
    assert ok.valid_until == date(today.year + 10, 12, 31)


def test_authorisation_api_refuses_year_one(couple, caseworker, client_for) -> None:
    h, _wife = couple
    r = client_for(caseworker).post(
        "/api/verification/authorisations",
        {"person_id": h.head.pk, "signed_on": "0001-01-01", "reference": "授-1"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "1900-01-01" in r.json()["errors"]["signed_on"]


def test_authorisation_reference_refused_with_its_limit_not_cut(couple, caseworker) -> None:
    h, _wife = couple
    ctx = AuditContext(user=caseworker)
    with pytest.raises(ValidationFailed) as exc:
        authorisation_record(ctx=ctx, person_id=h.head.pk, signed_on=date(2026, 1, 1), reference="档" * 101)
    assert exc.value.errors == {"reference": "授权书编号或存档位置不能超过100个字（现为101个）"}
    with pytest.raises(ValidationFailed) as exc:
        authorisation_record(ctx=ctx, person_id=h.head.pk, signed_on=date(2026, 1, 1), reference="授\x00-1")
    assert set(exc.value.errors) == {"reference"}
    ok = authorisation_record(ctx=ctx, person_id=h.head.pk, signed_on=date(2026, 1, 1), reference="档" * 100)
    assert ok.reference == "档" * 100
