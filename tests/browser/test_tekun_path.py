"""特困人员认定 end to end in Debian's Chromium, as the demo users: the caseworker takes a window
application for an elderly woman living alone, chooses 特困 with the person and 分散供养 on the
acceptance page; records the home investigation and the six-item self-care assessment (two items lost:
半护理, the county's approver among the assessors), the case page then shows the tier and the 三无
finding; the reviewer's opinion and the 7-day notice; the county approver confirms and the decision
shows the basic standard plus the care standard: 东一村's rural 低保 standard 520 × 1.3 = 676.00, + 412.00
(分散供养·半护理) = 1088.00 yuan a month."""

from __future__ import annotations

import shutil
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from ..conftest import COUNTY, EAST_TOWN, EAST_VILLAGE, WEST_TOWN, WEST_VILLAGE
from ..factories import make_id_number, new_household, new_policy, workflow_definitions
from .test_dibao_path import (
    Desk,
    _case_page,
    _investigate,
    _move,
    _notice_into_the_past,
    _pdf,
    _png,
    _start_notice,
    desk,  # noqa: F401 - the module's desk fixture
)
from .test_ui import CHROMIUM, PASSWORD, browser  # noqa: F401 - the module's browser fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


def _world(tree: Any) -> dict[str, Any]:
    from jiuzhu.accounts.models import User
    from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure
    from jiuzhu.demo.procedure import procedure_accounts
    from jiuzhu.verification.models import Authorisation

    new_policy(COUNTY)
    workflow_definitions()
    layout = Layout(COUNTY, [EAST_TOWN, WEST_TOWN], [EAST_VILLAGE, WEST_VILLAGE])
    accounts = demo_accounts(
        county_code=COUNTY, township_codes=layout.township_codes, village_codes=layout.village_codes
    )
    demo_users_ensure([*accounts, *procedure_accounts(layout, remote=False)], password=PASSWORD)
    worker = User.objects.get(username="caseworker")
    today = timezone.localdate()
    number = make_id_number(7001, birth=date(today.year - 78, 3, 1), male=False)
    family = new_household(head__name="张秀英", head__id_number=number)
    Authorisation.objects.create(person=family.head, signed_on=today, reference="授权书", recorded_by=worker)
    return {"family": family, "users": {u.username: u for u in User.objects.all()}}


def test_tekun_with_the_selfcare_assessment(desk: Desk, live_server: Any, tree: Any) -> None:  # noqa: F811
    from jiuzhu.workflow.models import Case

    w = _world(tree)
    users, family = w["users"], w["family"]
    url, today = live_server.url, timezone.localdate().isoformat()

    # 受理: 特困 for the household's head, 分散供养.
    page = desk.login("caseworker")
    page.goto(f"{url}/intake/new/")
    page.fill("#id_id_number", family.head.id_number)
    page.select_option("#id_channel", "window")
    page.check("input[name=programs][value=tekun]")
    page.fill("#id_statement", "年老体弱，独自生活，无生活来源")
    page.click("button:has-text('登记申请')")
    page.wait_for_selector("text=待受理")
    page.click("button:has-text('一键核对')")
    page.wait_for_selector("text=查看核对报告")
    page.set_input_files("#p-c", _png("commitment"))
    page.set_input_files("#p-a", _pdf("authorisation"))
    page.click("form[action$='/papers/'] button[type=submit]")
    page.wait_for_selector("a:has-text('已上传')")
    for box in page.locator("#accept-form input[name=programs]").all():
        box.uncheck()
    page.check("#accept-form input[name=programs][value=tekun]")
    page.select_option("select[name='details.tekun.subject_id']", str(family.head.pk))
    page.select_option("select[name='details.tekun.support_form']", "dispersed")
    page.click("button:has-text('受理所选项目')")
    page.wait_for_selector("text=已立案件")
    case = Case.objects.get(household=family, program="tekun")
    assert case.subject_id == family.head.pk and case.details["support_form"] == "dispersed"
    page.click(f"a:has-text('{case.number}')")
    page.wait_for_selector("text=受理与核对")
    assert "特困人员认定" in page.inner_text("main")

    # 调查核实: the home visit, then the self-care assessment; without it the case cannot move on.
    _move(page, "启动调查核实")
    _investigate(page, users, today)
    assert "生活自理能力评估（六项）及“三无”条件认定" in page.inner_text("section.missing")
    form = page.locator("#form-selfcare")
    form.locator("input[name=assessed_on]").fill(today)
    for item in ("eating", "dressing", "bed", "toileting", "walking", "bathing"):
        lost = item in ("walking", "bathing")
        form.locator(f"input[name={item}][value='{0 if lost else 1}']").check()
    for name in ("approver", "caseworker"):
        form.locator(f"input[name=assessor_ids][value='{users[name].pk}']").check()
    form.locator("[name=note]").fill("县民政局牵头，镇民政办、村委会协助评估")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记生活自理能力评估")
    panel = page.inner_text("section.tekun")
    assert "半护理（部分丧失生活自理能力）" in panel and "2 项不能自主完成" in panel
    assert "室内自主行走、自主洗澡" in panel
    assert page.inner_text("section.tekun .sanwu-outcome") == "符合"
    assert "张秀英年满60周岁" in panel and "无法定赡养、抚养、扶养义务人" in panel
    _move(page, "提交乡镇审核")

    # 乡镇审核 and the 7-day notice, which passes without objection.
    page = desk.login("reviewer")
    _case_page(page, url, case.pk)
    form = page.locator("#form-review_opinion")
    form.locator("input[name=agree][value='1']").check()
    form.locator("[name=text]").fill("经审核，符合特困人员“三无”条件，同意上报")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已登记审核意见")
    _move(page, "开始公示")
    _start_notice(page)
    _notice_into_the_past(case)
    _case_page(page, url, case.pk)
    page.locator("#form-notice_close button[type=submit]").click()
    page.wait_for_selector("text=公示已结束，案件已转入确认")

    # 县级确认: basic + care.
    page = desk.login("approver")
    _case_page(page, url, case.pk)
    if page.locator("#form-spot_check").count():
        form = page.locator("#form-spot_check")
        form.locator("input[name=agree][value='1']").check()
        form.locator("[name=finding]").fill("调阅评估材料并入户回访，情况属实")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("text=已登记抽查结论")
    form = page.locator("#form-confirmation")
    form.locator("input[name=agree][value='1']").check()
    form.locator("[name=text]").fill("经审查，符合特困人员认定条件，同意确认给予，分散供养、半护理")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已作出确认决定")
    assert "确认给予" in page.inner_text(".case-header")
    decision = page.inner_text("section.decision")
    assert "520.00 × 1.3 = 676.00" in decision, decision
    assert "676.00 + 412.00 = 1088.00" in decision
    assert "月保障金额 1088.00 元" in decision
    assert "确认通知书" in page.inner_text("main")
