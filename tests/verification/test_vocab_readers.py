"""The means engine, the report page, the report form and the audit lines of reports speak the one
vocabulary of ``jiuzhu.core.vocab``: the same codes, the same wordings. Expected wordings are written
out here as the rules give them, not read from the code under test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.vocab import AssetCategory, DeclarableItem, IncomeCategory, Program
from jiuzhu.verification.engine.means import assess
from jiuzhu.verification.presenters import category_label
from jiuzhu.verification.services import report_create

from ..factories import add_member, make_id_number, new_household
from .conftest import AS_OF
from .helpers import declared, fact, household, member, monthly

DECLARED_LABELS = {
    "family_planning": "计划生育奖励与扶助金",
    "good_samaritan": "见义勇为等奖励",
    "social_assistance": "政府发放的社会救助款物",
    "veteran": "优待抚恤金",
    "scholarship": "奖学金、助学金",
    "one_child": "独生子女奖励金",
    "support_received": "收到的赡养/抚养/扶养费",
    "other_income": "其他收入",
}


def _result():
    decl = declared(**dict.fromkeys(DECLARED_LABELS, "120"), support_paid="60", education_expense="30")
    facts = (
        *monthly("hrss_wage", "1000"),
        *monthly("hrss_pension", "100", kind="resident_basic"),
        fact("vehicle", date(2026, 1, 1), "50000", kind="car", plate="京A12345", event="hold"),
        fact("business", date(2025, 1, 1), "1000", kind="individual", reg_no="92110105MA01", status="active"),
        fact("bank", date(2026, 10, 1), "3000", institution="农信社"),
    )
    return assess(household(member(1, facts=facts, decl=decl)))


def test_engine_lines_carry_the_vocabulary_wordings() -> None:
    r = _result()
    by_label = {ln.label: ln for ln in r.lines}
    for item, text in DECLARED_LABELS.items():
        assert text in by_label, item
    assert by_label["支付的赡养/抚养/扶养费"].category == "support_paid"
    assert by_label["必要就业成本扣减"].category == "employment_cost"
    assert by_label["工资性收入"].category == "wages"
    assert by_label["城乡居民基础养老金"].category == "excluded"
    assert by_label["教育支出"].category == "rigid_deduction"
    assert by_label["小型汽车 京A12345"].category == "vehicle"
    assert by_label["个体工商户 92110105MA01"].category == "business_registration"
    assert by_label["银行存款（农信社）"].category == "deposits"
    # every category is a code of the line vocabularies, and each code is a plain string in JSON
    codes = {m.value for m in IncomeCategory} | {m.value for m in AssetCategory}
    assert {ln.category for ln in r.lines} <= codes
    assert all(type(ln["category"]) is str for ln in r.to_json()["lines"])


def test_verdicts_are_the_programs() -> None:
    r = _result()
    assert [(v.program, v.label) for v in r.verdicts] == [
        ("dibao", "低保"),
        ("near_dibao", "低保边缘"),
        ("rigid_expense", "刚性支出困难"),
        ("tekun", "特困"),
    ]
    assert [v.program for v in r.verdicts] == [m.value for m in Program]


def test_the_report_page_labels_categories_from_the_vocabulary() -> None:
    assert category_label("employment_cost") == "必要就业成本扣减"
    assert category_label("support_paid") == "支付的赡养/抚养/扶养费"
    assert category_label("deposits") == "银行存款"
    assert category_label("insurance") == "商业保险现金价值"
    assert category_label("no_such_category") == "no_such_category"
    for m in (*IncomeCategory, *AssetCategory):
        assert category_label(m.value) == m.label


@pytest.fixture
def couple(tree, feed, county_policy):
    h = new_household(head__name="卫夫", head__id_number=make_id_number(61, birth=date(1970, 1, 1)))
    wife = add_member(
        h, "spouse", name="卫妻", id_number=make_id_number(62, birth=date(1972, 1, 1), male=False)
    )
    feed("hrss_wage", h.head.id_number, date(2026, 3, 1), "1000", employer="甲")
    return h, wife


@pytest.mark.django_db
def test_the_report_form_offers_the_vocabularies(couple, caseworker, client_for) -> None:
    h, _wife = couple
    response = client_for(caseworker).get(reverse("verification_household", args=[h.pk]))
    assert response.status_code == 200
    assert list(response.context["programs"].items()) == [(m.value, m.label) for m in Program]
    offered = [(code, str(label)) for code, label in response.context["declarable"].items()]
    assert offered == [(m.value, m.label) for m in DeclarableItem]
    body = response.content.decode()
    assert "计划生育奖励与扶助金" in body and "计划生育奖励扶助金" not in body


@pytest.mark.django_db
def test_a_refused_report_is_audited_under_the_reports_name(
    couple, caseworker, other_caseworker, authorise, client_for
) -> None:
    """A report opened and a report refused are one object type in the audit log, so that a search by
    type finds both."""
    h, wife = couple
    authorise(h.head, wife)
    report = report_create(ctx=AuditContext(user=caseworker), id_number=h.head.id_number, as_of=AS_OF)
    assert client_for(caseworker).get(f"/api/verification/reports/{report.pk}").status_code == 200
    assert client_for(other_caseworker).get(f"/api/verification/reports/{report.pk}").status_code == 404
    lines = AuditEvent.objects.filter(object_id=str(report.pk), action__in=("view", "refused"))
    assert sorted((e.action, e.object_type) for e in lines) == [
        ("refused", "verification_report"),
        ("view", "verification_report"),
    ]
    assert {e.object_type_label for e in lines} == {"核对报告"}
    assert Decimal(report.results["totals"]["wages"]) == Decimal("1000.00")
