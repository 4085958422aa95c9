"""Notices: the template in force (nearest region, latest start), the built-in text otherwise, document
numbers per prefix and year, facts escaped and ID numbers masked, the printable page and the API
within the jurisdiction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.policy.models import NoticeTemplate
from jiuzhu.workflow.models import Notice, NoticeCounter
from jiuzhu.workflow.notices import NOTICE_FACTS, notice_issue, notice_template_in_force

from ..conftest import COUNTY, EAST_TOWN, EAST_VILLAGE, WEST_TOWN
from ..factories import new_household

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 5)
ACCEPT_FACTS = {
    "applicant_name": "王大山",
    "program": "dibao",
    "applied_on": date(2026, 3, 2),
    "accepted_on": ON,
}


def _template(region, kind="acceptance", **kwargs):
    values = {
        "effective_from": date(2025, 1, 1),
        "issuer": f"{region.name}人民政府",
        "document_prefix": "测民救",
        "title": "受理通知书",
        "body": "{{ applicant_name }}：受理（{{ program_label }}）。",
    }
    return NoticeTemplate.objects.create(region=region, kind=kind, **{**values, **kwargs})


def test_the_built_in_text_numbers_by_region_and_year(tree, caseworker) -> None:
    ctx = AuditContext(user=caseworker)
    first = notice_issue(ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=ON)
    second = notice_issue(ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=ON)
    west = notice_issue(ctx=ctx, kind="acceptance", region_code=WEST_TOWN, facts=ACCEPT_FACTS, on=ON)
    next_year = notice_issue(
        ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=date(2027, 1, 4)
    )
    assert [first.document_no, second.document_no, west.document_no, next_year.document_no] == [
        "东镇民救〔2026〕1号",
        "东镇民救〔2026〕2号",
        "西镇民救〔2026〕1号",
        "东镇民救〔2027〕1号",
    ]
    assert first.title == "受理通知书" and first.issuer == "东镇人民政府"
    assert first.template is None and first.issued_on == ON and first.issued_by == caseworker
    assert first.body.startswith("王大山：\n你（户）于2026年3月2日提出的低保申请，经审查材料齐全")
    assert "受理日期为2026年3月5日" in first.body
    line = AuditEvent.objects.get(object_type="notice", object_id=str(first.pk))
    assert line.action == "create" and line.region_code == EAST_TOWN


def test_the_template_in_force_is_the_nearest_regions_latest(tree, caseworker) -> None:
    county = _template(tree[COUNTY], issuer="测试县民政局", body="县旧：{{ applicant_name }}")
    _template(tree[COUNTY], effective_from=date(2026, 1, 1), body="县新：{{ applicant_name }}")
    _template(tree[COUNTY], effective_from=date(2026, 6, 1), body="县未生效：{{ applicant_name }}")
    _template(tree[EAST_TOWN], effective_from=date(2026, 4, 1), document_prefix="东民受", body="镇：x")
    ctx = AuditContext(user=caseworker)
    march = notice_issue(ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=ON)
    assert march.body == "县新：王大山" and march.document_no == "测民救〔2026〕1号"
    assert march.template is not None and march.template.region_id == COUNTY
    old = notice_issue(
        ctx=ctx, kind="acceptance", region_code=WEST_TOWN, facts=ACCEPT_FACTS, on=date(2025, 7, 1)
    )
    assert old.template == county and old.body == "县旧：王大山" and old.issuer == "测试县民政局"
    # Two townships under one county template share its numbers.
    west = notice_issue(ctx=ctx, kind="acceptance", region_code=WEST_TOWN, facts=ACCEPT_FACTS, on=ON)
    assert west.document_no == "测民救〔2026〕2号"
    april = notice_issue(
        ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=date(2026, 4, 2)
    )
    assert april.body == "镇：x" and april.document_no == "东民受〔2026〕1号"
    # Another kind has no template: the built-in text.
    refusal = notice_issue(
        ctx=ctx,
        kind="refusal_to_accept",
        region_code=EAST_TOWN,
        facts={**ACCEPT_FACTS, "reasons": "申请人户籍不在本乡镇"},
        on=ON,
    )
    assert refusal.template is None and "1．申请人户籍不在本乡镇\n" in refusal.body
    assert "行政复议" in refusal.body
    # A stored notice does not change with its template.
    NoticeTemplate.objects.filter(region=tree[COUNTY]).update(body="改")
    march.refresh_from_db()
    assert march.body == "县新：王大山"


def test_template_in_force_for_the_handbook(tree) -> None:
    issuer, prefix, title, body = notice_template_in_force(region_code=EAST_TOWN, kind="missing_items", on=ON)
    assert (issuer, prefix, title) == ("东镇人民政府", "东镇民救", "一次性告知书")
    assert "{% for item in missing_items %}" in body
    _template(tree[COUNTY], kind="missing_items", title="补正告知", issuer="县局")
    assert notice_template_in_force(region_code=EAST_TOWN, kind="missing_items", on=ON)[:3] == (
        "县局",
        "测民救",
        "补正告知",
    )
    assert notice_template_in_force(region_code=COUNTY, kind="confirmation", on=ON)[0] == "测试县民政局"
    assert {"applicant_name", "id_number_masked", "missing_items", "amount", "deadline"} <= set(NOTICE_FACTS)


def test_every_missing_item_listed_once(tree, caseworker) -> None:
    items = ["户口簿复印件", "残疾证复印件", "家庭成员收入证明"]
    n = notice_issue(
        ctx=AuditContext(user=caseworker),
        kind="missing_items",
        region_code=EAST_TOWN,
        facts={**ACCEPT_FACTS, "missing_items": items, "deadline": date(2026, 3, 19)},
        on=ON,
    )
    assert "1．户口簿复印件\n2．残疾证复印件\n3．家庭成员收入证明\n" in n.body
    assert "请于2026年3月19日前补齐上述材料" in n.body


def test_facts_are_escaped_and_id_numbers_masked(tree, caseworker) -> None:
    _template(
        tree[COUNTY],
        kind="confirmation",
        body="{{ applicant_name }} {{ id_number_masked }} {{ amount }}元 {{ household_size }}人",
    )
    n = notice_issue(
        ctx=AuditContext(user=caseworker),
        kind="confirmation",
        region_code=COUNTY,
        facts={
            "applicant_name": "<b>李四</b>",
            "id_number": "980101196001010011",
            "amount": Decimal("1230.5"),
            "household_size": 3,
        },
        on=ON,
    )
    assert n.body == "&lt;b&gt;李四&lt;/b&gt; 980***********0011 1230.50元 3人"
    assert "980101196001010011" not in n.body


def test_unknown_facts_and_kinds_and_broken_templates(tree, caseworker) -> None:
    ctx = AuditContext(user=caseworker)
    with pytest.raises(ValueError, match="NOTICE_FACTS"):
        notice_issue(ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts={"address": "x"}, on=ON)
    with pytest.raises(ValidationFailed) as exc:
        notice_issue(ctx=ctx, kind="award", region_code=EAST_TOWN, facts={}, on=ON)
    assert "未知的文书类型" in exc.value.errors["kind"]
    _template(tree[EAST_TOWN], body="{% if %}")
    with pytest.raises(ValidationFailed) as exc:
        notice_issue(ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=ON)
    assert "语法错误" in exc.value.errors["body"]
    assert not Notice.objects.exists()


def test_a_notice_rolls_back_with_its_callers_transaction(tree, caseworker) -> None:
    ctx = AuditContext(user=caseworker)
    with pytest.raises(RuntimeError), transaction.atomic():
        notice_issue(ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=ON)
        raise RuntimeError
    assert not Notice.objects.exists()
    assert NoticeCounter.objects.filter(last__gt=0).count() == 0
    again = notice_issue(ctx=ctx, kind="acceptance", region_code=EAST_TOWN, facts=ACCEPT_FACTS, on=ON)
    assert again.document_no == "东镇民救〔2026〕1号"


def test_the_page_and_the_api_are_jurisdiction_scoped(tree, make_user, client_for) -> None:
    household = new_household()  # lives in 东一村
    county = make_user("county_approver", COUNTY)
    confirmation = notice_issue(
        ctx=AuditContext(user=county),
        kind="confirmation",
        region_code=COUNTY,
        household_id=household.pk,
        facts={"applicant_name": "王大山", "program": "dibao", "amount": Decimal("300")},
        on=ON,
    )
    east, west = make_user("township_caseworker", EAST_TOWN), make_user("township_caseworker", WEST_TOWN)
    page = client_for(east).get(f"/workflow/notices/{confirmation.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "测试县民政局" in body and "测试县民救〔2026〕1号" in body and "2026年3月5日" in body
    assert "<p>王大山（身份证号码 ）：</p>" in body
    api = client_for(east).get(f"/api/workflow/notices/{confirmation.pk}")
    assert api.status_code == 200 and api.json()["document_no"] == "测试县民救〔2026〕1号"
    assert api.json()["kind_label"] == "确认通知书"
    assert client_for(west).get(f"/workflow/notices/{confirmation.pk}/").status_code == 404
    assert client_for(west).get(f"/api/workflow/notices/{confirmation.pk}").status_code == 404
    assert client_for(west).get("/workflow/notices/999999/").status_code == 404
    village = make_user("village_assistant", EAST_VILLAGE)
    assert client_for(village).get(f"/workflow/notices/{confirmation.pk}/").status_code == 200
