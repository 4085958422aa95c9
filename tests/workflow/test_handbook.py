"""The handbook (规程手册) and the responsibility list are generated from what is in force: a new time
limit, a region's variant without 民主评议, a step given to another role or a new notice template
shows up in them, and the flowchart changes with them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.policy.models import NoticeTemplate
from jiuzhu.policy.services import policy_version_create, policy_version_update
from jiuzhu.workflow.handbook import handbook_build, responsibilities_build
from jiuzhu.workflow.models import Step
from jiuzhu.workflow.services import definition_patch

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN
from ..factories import new_policy, workflow_definitions

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(tree: Any) -> Any:
    return new_policy(
        COUNTY,
        document_no="测民发〔2026〕1号",
        minimum_allowance=Decimal("50"),
        topup_minor=Decimal("100"),
        spot_check_rate=Decimal("0.25"),
    )


@pytest.fixture
def national(tree: Any) -> Any:
    """The national 低保 definition as the engine writes it."""
    return workflow_definitions()


def _review_row(body: str) -> str:
    """The 乡镇审核 row of the steps table."""
    match = re.search(r"<tr><td data-label=\"环节\"><strong>乡镇审核</strong>.*?</tr>", body, re.DOTALL)
    assert match, "no 乡镇审核 row"
    return match.group(0)


def _article(body: str, kind: str) -> str:
    match = re.search(rf'<article class="notice-template" id="notice-{kind}">.*?</article>', body, re.S)
    assert match, kind
    return match.group(0)


def test_handbook_has_every_chapter_from_the_configuration(
    national, policy, tree, make_user, client_for
) -> None:
    NoticeTemplate.objects.create(
        region=tree[COUNTY],
        kind="confirmation",
        effective_from=date(2020, 1, 1),
        issuer="测试县民政局",
        document_prefix="测民救",
        title="低保确认通知书",
        body="{{ applicant_name }}：经审核，自{{ start_month }}起每月发放{{ amount }}元。",
    )
    response = client_for(make_user("township_caseworker", EAST_TOWN)).get("/workflow/docs/handbook/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>东镇社会救助审核确认规程手册</h1>" in body
    for chapter in ("一、适用政策", "二、办理流程", "三、责任清单", "四、文书", "五、工作日历说明"):
        assert chapter in body
    # 适用政策: the version's own values, worded.
    assert "<th>文件依据（文号）</th><td>测民发〔2026〕1号</td>" in body
    assert "<th>乡镇审核时限（工作日）</th><td>5个工作日</td>" in body
    assert "<th>公示期（自然日）</th><td>7日（自然日）</td>" in body
    assert "<th>民主评议</th><td>公示有异议时开展</td>" in body
    assert "<th>确认层级</th><td>县级民政部门确认</td>" in body
    assert "<th>县级抽查比例</th><td>25%</td>" in body
    assert "<th>保障金起始月份</th><td>作出确认决定当月</td>" in body
    assert "<th>最低保障金（元/人/月，0 为不设）</th><td>50.00</td>" in body
    assert "<th>C类家庭复核周期（月）</th><td>6个月</td>" in body
    # 办理流程: chart and table from the same rows.
    assert "s_review[&quot;乡镇审核&lt;br&gt;乡镇审核 · 5个工作日&quot;]" in body
    row = _review_row(body)
    assert "乡镇审核（乡镇）" in row and "乡镇审核意见" in row and "5个工作日" in row
    assert "公示异议成立" in body  # a transition's condition
    # 责任清单 and 文书.
    assert "县级确认</strong>（县） · 10个工作日" in body
    confirmation = _article(body, "confirmation")
    assert "低保确认通知书" in confirmation and "测试县民政局" in confirmation and "测民救" in confirmation
    assert "{{ amount }}元" in confirmation and "系统内置文本" not in confirmation
    refusal = _article(body, "refusal")  # no template entered: the built-in text, as it is
    assert "系统内置文本" in refusal and "{% for reason in reasons %}" in refusal
    assert "<th><code>id_number_masked</code></th>" in body  # the variables a template may use
    assert 'href="/policy/calendar/"' in body
    assert "<script>" not in body


def test_a_changed_time_limit_changes_the_handbook_and_the_chart(
    national, policy, make_user, client_for
) -> None:
    client = client_for(make_user("township_caseworker", EAST_TOWN))
    before = client.get("/workflow/docs/handbook/").content.decode()
    assert "5个工作日" in _review_row(before)
    policy_version_update(ctx=AuditContext.system(), version=policy, review_days=8)
    after = client.get("/workflow/docs/handbook/").content.decode()
    assert "8个工作日" in _review_row(after) and "5个工作日" not in _review_row(after)
    assert "<th>乡镇审核时限（工作日）</th><td>8个工作日</td>" in after
    assert "s_review[&quot;乡镇审核&lt;br&gt;乡镇审核 · 8个工作日&quot;]" in after
    chart = client.get("/workflow/docs/flowchart/dibao/").content.decode()
    assert "乡镇审核 · 8个工作日" in chart and "乡镇审核 · 5个工作日" not in chart


def test_a_new_policy_version_in_force_is_what_the_handbook_shows(national, policy, tree) -> None:
    today = timezone.localdate()
    policy_version_create(
        ctx=AuditContext.system(),
        region=tree[EAST_TOWN],
        effective_from=today,
        document_no="东镇补充规定",
        dibao_standard_urban=Decimal("720"),
        dibao_standard_rural=Decimal("540"),
        confirmation_days=6,
    )
    book = handbook_build(region_code=EAST_TOWN, on=today)
    assert book.policy is not None and book.policy.document_no == "东镇补充规定"
    confirm = next(s for s in book.procedures[0].steps if s.code == "confirmation")
    assert confirm.limit == "6个工作日"
    west = handbook_build(region_code=WEST_TOWN, on=today)
    assert next(s for s in west.procedures[0].steps if s.code == "confirmation").limit == "10个工作日"


def test_a_region_patch_dropping_community_review_drops_it_everywhere(
    national, policy, tree, make_user, client_for
) -> None:
    from jiuzhu.workflow.definitions import NATIONAL

    for program, spec in NATIONAL.items():  # every program that holds one
        if spec.has_step("community_review"):
            definition_patch(
                ctx=AuditContext.system(),
                program=program,
                region_code=COUNTY,
                patch={"drop_steps": ["community_review"]},
            )
    client = client_for(make_user("township_caseworker", EAST_TOWN))
    book = client.get("/workflow/docs/handbook/").content.decode()
    chart = client.get("/workflow/docs/flowchart/dibao/").content.decode()
    duties = client.get("/workflow/docs/responsibilities/").content.decode()
    for page in (book, chart):
        assert "s_community_review" not in page
        assert "<strong>民主评议</strong>" not in page
    assert "<strong>民主评议</strong>" not in duties
    assert "测试县调整后的流程" in book
    # The national definition itself still has it.
    national_book = handbook_build(region_code=None, on=timezone.localdate())
    assert "community_review" in [s.code for s in national_book.procedures[0].steps]


def test_a_steps_role_change_shows_in_the_responsibility_list(
    national, policy, make_user, client_for
) -> None:
    rows = {r.role: r for r in responsibilities_build(region_code=EAST_TOWN, on=timezone.localdate())}
    dibao = "低保"
    reviewer_steps = [s.step for s in rows["township_reviewer"].steps if s.program_label == dibao]
    assert reviewer_steps == ["乡镇审核", "公示", "乡镇确认（委托）"]
    assert [s.step for s in rows["county_approver"].steps if s.program_label == dibao] == ["县级确认"]
    assert rows["auditor"].steps == ()
    # Every national procedure's review step moved to the county.
    Step.objects.filter(definition__region__isnull=True, code="review").update(
        role="county_approver", level=3
    )
    client = client_for(make_user("township_caseworker", EAST_TOWN))
    body = client.get("/workflow/docs/responsibilities/").content.decode()
    county = re.search(r'<tr id="role-county_approver">.*?</tr>', body, re.DOTALL)
    reviewer = re.search(r'<tr id="role-township_reviewer">.*?</tr>', body, re.DOTALL)
    assert county and reviewer
    assert "<strong>乡镇审核</strong>（县） · 5个工作日" in county.group(0)
    assert "</span> <strong>乡镇审核</strong>" not in reviewer.group(0)
    assert "</span> <strong>公示</strong>" in reviewer.group(0)
    assert "须具备：乡镇审核意见" in county.group(0)


def test_the_old_page_and_the_nav_lead_to_the_new_list(tree, make_user, client_for) -> None:
    client = client_for(make_user())
    old = client.get("/accounts/responsibilities/").content.decode()
    assert 'href="/workflow/docs/responsibilities/"' in old
    assert 'href="/workflow/docs/handbook/"' in old  # the nav
    new = client.get("/workflow/docs/responsibilities/")
    assert new.status_code == 200 and "不办理审核确认环节" in new.content.decode()


def test_without_policy_or_definitions_the_handbook_says_what_is_missing(tree, make_user, client_for) -> None:
    body = client_for(make_user()).get("/workflow/docs/handbook/").content.decode()
    assert "没有生效的政策参数" in body and "尚未配置任何审核确认流程定义" in body


def test_region_parameter_stays_within_the_jurisdiction(national, policy, make_user, client_for) -> None:
    county = client_for(make_user("county_approver", COUNTY))
    inside = county.get("/workflow/docs/handbook/", {"region": EAST_TOWN}).content.decode()
    assert "<h1>东镇社会救助审核确认规程手册</h1>" in inside
    township = client_for(make_user("township_caseworker", WEST_TOWN))
    for url in ("/workflow/docs/handbook/", "/workflow/docs/responsibilities/"):
        for region in (EAST_TOWN, COUNTY, "980101009000", "x" * 12):
            assert township.get(url, {"region": region}).status_code == 404, (url, region)
        assert township.get(url, {"region": WEST_TOWN}).status_code == 200
