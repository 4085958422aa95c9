"""Integrity on the benefits side (rules §1.11): recoveries collected (at the window and by the payroll),
partly and fully, written off by the county approver only; dishonesty records revoked by the county
approver, expiring after their period; what the household file, the pages and the API show, and to whom.
Expected figures worked by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits import integrity
from jiuzhu.benefits.models import DishonestyRecord, OverpaymentRecovery, RecoveryCollection
from jiuzhu.benefits.selectors_integrity import dishonesty_for_person, recoveries_list
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.workflow.models import Notice

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN
from ..factories import new_case, new_entitlement, new_finding, new_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(tree: dict[str, Any]) -> Any:
    return new_policy(dishonesty_months=24)


@pytest.fixture
def found(policy: Any, make_user: Any) -> Any:
    """A 低保 entitlement of 520.00 a month from January 2024, found in March 2024 (3 months: 1560.00)."""
    entitlement = new_entitlement(
        amount="520.00", start_month=date(2024, 1, 1), decided_on=date(2023, 12, 20)
    )
    return new_finding(entitlement, by=make_user("county_approver", COUNTY), found_on=date(2024, 3, 31))


def test_the_finding_fixture_figures(found) -> None:
    # 24 months (this policy) from 31 March 2024: 31 March 2026.
    assert found.dishonesty.ends_on == date(2026, 3, 31) and found.dishonesty.months == 24
    assert found.recovery.amount_due == Decimal("1560.00") and found.recovery.months == 3


def test_collections_partly_then_fully(found, make_user) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    ctx = AuditContext(user=reviewer)
    r = found.recovery
    r = integrity.recovery_collect(
        ctx=ctx,
        recovery_id=r.pk,
        version=r.version,
        amount="560",
        collected_on=date(2024, 4, 2),
        reference="收据001",
    )
    assert (r.status, r.amount_collected, r.outstanding) == (
        "partly_collected",
        Decimal("560.00"),
        Decimal("1000.00"),
    )
    with pytest.raises(ValidationFailed) as exc:
        integrity.recovery_collect(ctx=ctx, recovery_id=r.pk, version=r.version, amount="1000.01")
    assert exc.value.errors == {"amount": "追回金额超过尚欠金额（1000.00 元）"}
    with pytest.raises(Conflict):
        integrity.recovery_collect(ctx=ctx, recovery_id=r.pk, version=1, amount="10")
    # The payroll deducts the rest: no version, its batch as the reference.
    r = integrity.recovery_collect(
        ctx=ctx,
        recovery_id=r.pk,
        version=None,
        amount="1000.00",
        source="payroll_deduction",
        reference="FF-2024-05",
    )
    assert (r.status, r.amount_collected, r.outstanding) == ("collected", Decimal("1560.00"), Decimal("0.00"))
    assert list(RecoveryCollection.objects.filter(recovery=r).values_list("source", "amount")) == [
        ("repaid", Decimal("560.00")),
        ("payroll_deduction", Decimal("1000.00")),
    ]
    with pytest.raises(Conflict):
        integrity.recovery_collect(ctx=ctx, recovery_id=r.pk, version=None, amount="1")
    assert AuditEvent.objects.filter(object_type="overpayment_recovery", action="update").count() == 2


def test_a_collection_is_checked(found, make_user) -> None:
    ctx = AuditContext(user=make_user("county_approver", COUNTY))
    r = found.recovery
    with pytest.raises(ValidationFailed) as exc:
        integrity.recovery_collect(
            ctx=ctx,
            recovery_id=r.pk,
            version=r.version,
            amount="0",
            source="cash",
            collected_on=timezone.localdate() + timedelta(days=1),
        )
    assert exc.value.errors == {
        "amount": "追回金额应大于 0",
        "source": "追回方式无效",
        "collected_on": "追回日期不能晚于今天",
    }
    with pytest.raises(ValidationFailed) as exc:
        integrity.recovery_collect(
            ctx=ctx, recovery_id=r.pk, version=r.version, amount="1", collected_on=date(2024, 3, 30)
        )
    assert exc.value.errors == {"collected_on": "追回日期不能早于认定日期"}


def test_only_the_county_approver_writes_off_and_another_township_sees_nothing(found, make_user) -> None:
    r = found.recovery
    for role, region in (("township_reviewer", EAST_TOWN), ("township_caseworker", EAST_TOWN)):
        with pytest.raises(PermissionDenied):
            integrity.recovery_waive(
                ctx=AuditContext(user=make_user(role, region)), recovery_id=r.pk, version=1, reason="无力偿还"
            )
    with pytest.raises(PermissionDenied):  # a caseworker cannot record collections either
        integrity.recovery_collect(
            ctx=AuditContext(user=make_user("township_caseworker", EAST_TOWN)),
            recovery_id=r.pk,
            version=1,
            amount="1",
        )
    west = make_user("township_reviewer", WEST_TOWN)
    with pytest.raises(NotFound):
        integrity.recovery_collect(ctx=AuditContext(user=west), recovery_id=r.pk, version=1, amount="1")
    assert list(recoveries_list(user=west)) == []
    neighbour = make_user("county_approver", "980102000000")
    with pytest.raises(NotFound):
        integrity.recovery_waive(ctx=AuditContext(user=neighbour), recovery_id=r.pk, version=1, reason="x")
    approver = make_user("county_approver", COUNTY)
    with pytest.raises(ValidationFailed) as exc:
        integrity.recovery_waive(ctx=AuditContext(user=approver), recovery_id=r.pk, version=1, reason=" ")
    assert exc.value.errors == {"reason": "核销理由不能为空"}
    r = integrity.recovery_waive(
        ctx=AuditContext(user=approver), recovery_id=r.pk, version=1, reason="家庭无力偿还"
    )
    assert (r.status, r.waived_by, r.outstanding, r.amount_collected) == ("waived", approver, 0, 0)
    assert list(recoveries_list(user=approver, status="waived")) == [r]
    assert list(recoveries_list(user=approver, status="outstanding")) == []
    with pytest.raises(ValidationFailed):
        recoveries_list(user=approver, status="lost")


def test_dishonesty_revoked_by_the_county_and_expired_after_its_period(found, make_user) -> None:
    record = found.dishonesty
    assert record.status_on(date(2026, 3, 31)) == "in_force"
    assert record.status_on(date(2026, 4, 1)) == "expired"
    with pytest.raises(PermissionDenied):
        integrity.dishonesty_revoke(
            ctx=AuditContext(user=make_user("township_reviewer", EAST_TOWN)),
            record_id=record.pk,
            version=1,
            reason="x",
        )
    # Expiry: nothing before the end, then once.
    ctx = AuditContext.system()
    assert integrity.dishonesty_expire(ctx=ctx, today=date(2026, 3, 31)) == 0
    assert integrity.dishonesty_expire(ctx=ctx, today=date(2026, 4, 1)) == 1
    assert integrity.dishonesty_expire(ctx=ctx, today=date(2026, 4, 1)) == 0
    record.refresh_from_db()
    assert record.status == "expired"
    approver = make_user("county_approver", COUNTY)
    record = integrity.dishonesty_revoke(
        ctx=AuditContext(user=approver),
        record_id=record.pk,
        version=record.version,
        reason="行政复议撤销认定",
    )
    assert (record.status, record.revoked_reason, record.revoked_by) == (
        "revoked",
        "行政复议撤销认定",
        approver,
    )
    with pytest.raises(Conflict):
        integrity.dishonesty_revoke(
            ctx=AuditContext(user=approver), record_id=record.pk, version=None, reason="再撤"
        )


def test_a_persons_records_are_read_where_they_live(found, make_user) -> None:
    person = found.dishonesty.person
    caseworker = make_user("township_caseworker", EAST_TOWN)
    assert [r.pk for r in dishonesty_for_person(user=caseworker, person_id=person.pk)] == [
        found.dishonesty.pk
    ]
    with pytest.raises(NotFound):
        dishonesty_for_person(user=make_user("township_caseworker", WEST_TOWN), person_id=person.pk)


# --- pages ---------------------------------------------------------------------------------------------


def test_the_household_page_shows_the_records_and_the_recovery_page_its_forms(
    found, make_user, client_for
) -> None:
    household = found.dishonesty.household
    approver = make_user("county_approver", COUNTY)
    body = client_for(approver).get(f"/benefits/households/{household.pk}/").content.decode()
    assert "诚信记录" in body and "失信记录" in body and "2026-03-31" in body
    assert "隐瞒在外务工工资收入" in body and "1560.00" in body
    assert f"/benefits/dishonesty/{found.dishonesty.pk}/revoke/" in body  # the county may revoke
    reviewer = client_for(make_user("township_reviewer", EAST_TOWN))
    body = reviewer.get(f"/benefits/households/{household.pk}/").content.decode()
    assert "诚信记录" in body and "/revoke/" not in body
    page = reviewer.get(f"/benefits/recoveries/{found.recovery.pk}/").content.decode()
    assert "登记追回的资金" in page and "核销尚欠金额" not in page
    assert "520.00 元 × 3 个月 = 1560.00 元" in page
    listing = reviewer.get("/benefits/recoveries/?status=open").content.decode()
    assert household.number in listing
    response = reviewer.post(
        f"/benefits/recoveries/{found.recovery.pk}/collect/",
        {"version": "1", "amount": "60", "collected_on": "2024-04-10", "reference": "R1"},
    )
    assert response.status_code == 302
    response = reviewer.post(
        f"/benefits/recoveries/{found.recovery.pk}/collect/",
        {"version": "2", "amount": "5000", "collected_on": "2024-04-10"},
    )
    assert response.status_code == 422 and "追回金额超过尚欠金额（1500.00 元）" in response.content.decode()
    assert (
        reviewer.post(
            f"/benefits/recoveries/{found.recovery.pk}/waive/", {"version": "2", "reason": "x"}
        ).status_code
        == 403
    )
    county = client_for(approver)
    assert (
        county.post(
            f"/benefits/recoveries/{found.recovery.pk}/waive/", {"version": "2", "reason": "无力偿还"}
        ).status_code
        == 302
    )
    assert OverpaymentRecovery.objects.get().status == "waived"
    assert (
        county.post(
            f"/benefits/dishonesty/{found.dishonesty.pk}/revoke/", {"version": "1", "reason": "复议撤销"}
        ).status_code
        == 302
    )
    assert DishonestyRecord.objects.get().status == "revoked"


def test_the_finding_pages_for_a_case_and_an_entitlement(policy, make_user, client_for) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    client = client_for(reviewer)
    case = new_case(state="investigation", accepted_on=date(2024, 1, 10))
    page = client.get(f"/workflow/cases/{case.pk}/").content.decode()
    assert f"/workflow/cases/{case.pk}/concealment/" in page
    form = client.get(f"/workflow/cases/{case.pk}/concealment/").content.decode()
    assert "记录认定" in form and "隐瞒收入" in form
    bad = client.post(
        f"/workflow/cases/{case.pk}/concealment/",
        {
            "version": "1",
            "kind_1": "hidden_income",
            "item_1": "",
            "evidence": "查询结果",
            "found_on": "2024-02-01",
        },
    )
    assert bad.status_code == 422 and "请说明隐瞒的是什么收入或财产" in bad.content.decode()
    done = client.post(
        f"/workflow/cases/{case.pk}/concealment/",
        {
            "version": "1",
            "kind_2": "hidden_asset",
            "item_2": "隐瞒车辆一辆",
            "amount_2": "80000",
            "evidence": "公安交管车辆登记信息",
            "found_on": "2024-02-01",
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == "terminated"
    entitlement = new_entitlement(amount="300", start_month=date(2024, 1, 1))
    page = client.get(f"/benefits/households/{entitlement.household_id}/").content.decode()
    assert f"/workflow/entitlements/{entitlement.pk}/concealment/" in page
    done = client.post(
        f"/workflow/entitlements/{entitlement.pk}/concealment/",
        {
            "version": "1",
            "kind_1": "hidden_income",
            "item_1": "经营收入",
            "evidence": "市场监管登记",
            "found_on": "2024-02-15",
        },
    )
    assert done.status_code == 302
    assert OverpaymentRecovery.objects.get(entitlement=entitlement).amount_due == Decimal("600.00")  # 2 × 300
    # A caseworker sees the page but may not record.
    caseworker = client_for(make_user("township_caseworker", EAST_TOWN))
    other = new_case(state="investigation", accepted_on=date(2024, 1, 10))
    assert "您的角色无权认定" in caseworker.get(f"/workflow/cases/{other.pk}/concealment/").content.decode()
    refused = caseworker.post(
        f"/workflow/cases/{other.pk}/concealment/",
        {
            "version": "1",
            "kind_1": "hidden_income",
            "item_1": "工资",
            "evidence": "x",
            "found_on": "2024-02-01",
        },
    )
    assert refused.status_code == 403


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_records_a_finding_and_reads_and_writes_the_recovery(policy, make_user, client_for) -> None:
    approver = make_user("county_approver", COUNTY)
    client = client_for(approver)
    entitlement = new_entitlement(amount="612.50", start_month=date(2023, 11, 1))
    response = client.post(
        f"/api/workflow/entitlements/{entitlement.pk}/concealment",
        {
            "version": 1,
            "items": [{"kind": "hidden_income", "item": "隐瞒工资", "amount": "2000"}],
            "evidence": "工资发放记录",
            "found_on": "2024-02-29",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["amount_due"] == "2450.00" and out["case_id"] is None and len(out["notices"]) == 2
    assert Notice.objects.filter(pk__in=out["notices"], kind="recovery_demand").exists()
    household = client.get(f"/api/benefits/households/{entitlement.household_id}/integrity").json()
    # 24 months from 29 February 2024 ended on 28 February 2026: the API reads it as expired since.
    expected = "in_force" if date.today() <= date(2026, 2, 28) else "expired"
    assert household["dishonesty"][0]["status"] == expected
    assert household["recoveries"][0]["computation"][1]["formula"] == "612.50 元 × 4 个月 = 2450.00 元"
    rid = out["recovery_id"]
    collected = client.post(
        f"/api/benefits/recoveries/{rid}/collect",
        {"version": 1, "amount": "450", "collected_on": "2024-03-05", "reference": "R9"},
        content_type="application/json",
    ).json()
    assert (collected["status"], collected["outstanding"]) == ("partly_collected", "2000.00")
    assert collected["collections"] == [
        {"amount": "450.00", "collected_on": "2024-03-05", "source": "repaid", "reference": "R9"}
    ]
    listed = client.get("/api/benefits/recoveries", {"status": "partly_collected"}).json()
    assert [r["id"] for r in listed] == [rid]
    waived = client.post(
        f"/api/benefits/recoveries/{rid}/waive",
        {"version": 2, "reason": "低保家庭无力偿还"},
        content_type="application/json",
    ).json()
    assert waived["status"] == "waived"
    person = client.get(f"/api/benefits/persons/{entitlement.household.head_id}/dishonesty").json()
    assert [r["ends_on"] for r in person] == ["2026-02-28"]  # 24 months from 29 February 2024
    revoked = client.post(
        f"/api/benefits/dishonesty/{person[0]['id']}/revoke",
        {"version": 1, "reason": "复议撤销"},
        content_type="application/json",
    ).json()
    assert revoked["status"] == "revoked"
    # On a case, through the API.
    case = new_case(state="review", accepted_on=date(2024, 1, 10))
    response = client.post(
        f"/api/workflow/cases/{case.pk}/concealment",
        {
            "version": 1,
            "items": [{"kind": "hidden_asset", "item": "隐瞒房产", "amount": "0"}],
            "evidence": "不动产登记",
            "found_on": "2024-02-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["case_state"] == "terminated"
    assert response.json()["recovery_id"] is None


def test_the_expiry_command(found) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("dishonesty_expire", "--today", "2026-03-31", stdout=out)
    call_command("dishonesty_expire", "--today", "2026-04-01", stdout=out)
    assert out.getvalue().splitlines() == ["标记到期的失信记录 0 条", "标记到期的失信记录 1 条"]
    assert DishonestyRecord.objects.get().status == "expired"


def test_a_finding_on_a_suspended_entitlement(policy, make_user) -> None:
    # Suspended (say, during a review, for not cooperating): the finding still ends it and the 追缴 is
    # recorded — 520.00 a month from January to March 2024: 3 months, 1560.00.
    from jiuzhu.benefits.models import Entitlement

    from ..factories import new_finding as finding

    entitlement = new_entitlement(
        amount="520.00", start_month=date(2024, 1, 1), decided_on=date(2023, 12, 20)
    )
    Entitlement.objects.filter(pk=entitlement.pk).update(status="suspended")
    entitlement.refresh_from_db()
    done = finding(entitlement, by=make_user("county_approver", COUNTY), found_on=date(2024, 3, 31))
    entitlement.refresh_from_db()
    assert (entitlement.status, entitlement.end_month) == ("ended", date(2024, 3, 1))
    assert done.recovery.amount_due == Decimal("1560.00") and done.recovery.months == 3
    with pytest.raises(Conflict):  # ended: nothing more to find on it
        finding(entitlement, by=make_user("county_approver", COUNTY), found_on=date(2024, 4, 30))
