"""The flowchart is drawn from the definition's rows and the policy in force: one node per step with
its role and time limit, one edge per transition, send-backs dashed, ends as stadiums, the current step
highlighted; the Mermaid text is escaped, and the page, the case include and the API show it."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.template.loader import render_to_string

from jiuzhu.audit.services import AuditContext
from jiuzhu.policy.services import policy_version_update
from jiuzhu.workflow.flowchart import condition_label, mermaid, mermaid_text, node_ids
from jiuzhu.workflow.models import Definition, Step, Transition
from jiuzhu.workflow.services import definition_patch

from ..conftest import CITY, COUNTY, EAST_TOWN, WEST_TOWN
from ..factories import new_policy, workflow_definitions

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(tree: Any) -> Any:
    return new_policy(COUNTY, document_no="测民发〔2026〕1号")


@pytest.fixture
def national(tree: Any) -> Definition:
    """The national 低保 definition as the engine writes it."""
    return workflow_definitions()


def without_community_review(region_code: str) -> Definition:
    return definition_patch(
        ctx=AuditContext.system(),
        program="dibao",
        region_code=region_code,
        patch={"drop_steps": ["community_review"]},
    )


def test_nodes_carry_name_role_and_the_policy_time_limit(national, policy) -> None:
    text = mermaid(national, policy=policy)
    assert text.startswith("flowchart TD\n")
    assert '  s_review["乡镇审核<br>乡镇审核 · 5个工作日"]\n' in text
    assert '  s_verification["家庭经济状况核对<br>乡镇经办 · 3个工作日"]\n' in text
    assert '  s_confirmation["县级确认<br>县级审批 · 10个工作日"]\n' in text
    assert '  s_public_notice["公示<br>乡镇审核 · 7日（自然日）"]\n' in text
    assert '  s_materials["补正材料<br>乡镇经办 · 10个工作日，暂停计时"]\n' in text
    # End states are stadiums and share a class; 13 steps, 13 nodes.
    assert '  s_confirmed(["确认给予"])\n' in text
    assert "  class s_confirmed,s_refused,s_withdrawn,s_terminated ending\n" in text
    assert len(re.findall(r"^  s_\w+\[|^  s_\w+\(\[", text, re.MULTILINE)) == 13


def test_edges_are_labelled_and_send_backs_dashed(national, policy) -> None:
    text = mermaid(national, policy=policy)
    assert '  s_investigation -->|"提交民主评议<br>本地每案开展民主评议"| s_community_review\n' in text
    assert '  s_investigation -->|"提交乡镇审核<br>非「本地每案开展民主评议」"| s_review\n' in text
    assert (
        '  s_review -->|"报县级确认（不公示）<br>本案不公示（未成年人案件）且由县级确认"| s_confirmation\n'
        in text
    )
    assert '  s_public_notice -->|"异议成立，重新调查核实<br>公示异议成立"| s_reinvestigation\n' in text
    assert '  s_verification -->|"启动入户调查"| s_investigation\n' in text
    assert '  s_review -.->|"退回入户调查"| s_investigation\n' in text
    assert '  s_confirmation -.->|"退回乡镇审核"| s_review\n' in text
    # 26 moves between steps; withdraw and terminate (9 open steps each) drawn once each.
    assert text.count(" -->|") + text.count(" -.->|") == 26 + 2
    assert '  any_open_step -.->|"申请人撤回"| s_withdrawn\n' in text
    assert '  any_open_step -.->|"终止办理"| s_terminated\n' in text
    assert 's_review -.->|"申请人撤回"|' not in text


def test_current_step_is_highlighted(national, policy) -> None:
    assert "  class s_public_notice current\n" in mermaid(national, policy=policy, current="public_notice")
    assert " current\n" not in mermaid(national, policy=policy).replace("classDef current", "")
    assert " current\n" not in mermaid(national, policy=policy, current="nowhere").replace(
        "classDef current", ""
    )


def test_without_a_policy_the_label_names_the_setting(national) -> None:
    assert '  s_review["乡镇审核<br>乡镇审核 · 按政策参数「乡镇审核时限」"]\n' in mermaid(
        national, policy=None
    )


def test_a_changed_time_limit_changes_the_label(national, policy) -> None:
    before = mermaid(national, policy=policy)
    changed = policy_version_update(
        ctx=AuditContext.system(), version=policy, review_days=8, public_notice_days=10
    )
    after = mermaid(national, policy=changed)
    assert "乡镇审核 · 5个工作日" in before and "乡镇审核 · 8个工作日" in after
    assert "公示<br>乡镇审核 · 10日（自然日）" in after


def test_a_step_with_its_own_days_and_unknown_codes() -> None:
    spec = SimpleNamespace(
        steps=[
            SimpleNamespace(code="a", name="甲", kind="start", role="no_such_role", level=None, limit_days=4),
            SimpleNamespace(code="b", name="乙", kind="end"),
        ],
        transitions=[
            SimpleNamespace(source="a", target="b", action="forward", name="去", condition="odd_code")
        ],
    )
    text = mermaid(spec, policy=None)
    assert '  s_a["甲<br>no_such_role · 4个工作日"]\n' in text
    assert '  s_a -->|"去<br>odd_code"| s_b\n' in text


def test_labels_are_escaped_and_ids_sanitised() -> None:
    assert mermaid_text('审核"甲"<b>#1 & `x`') == "审核#quot;甲#quot;#lt;b#gt;#35;1 #amp; #96;x#96;"
    assert mermaid_text("两\n行") == "两 行"
    assert node_ids(["end", "a-b", "a_b", "乙", "graph"]) == {
        "end": "s_end",
        "a-b": "s_a_b",
        "a_b": "s_a_b_2",
        "乙": "s__",
        "graph": "s_graph",
    }


def test_escaping_in_a_drawn_chart(tree) -> None:
    d = Definition.objects.create(program="dibao", version=9, name="x")
    Step.objects.create(
        definition=d, code="start-1", name='核对"1"[a]', kind="start", position=0, limit_days=2
    )
    Step.objects.create(definition=d, code="end", name="结束", kind="end", position=1)
    Transition.objects.create(
        definition=d, source="start-1", target="end", action="forward", name="完成|<ok>"
    )
    text = mermaid(d, policy=None)
    assert '  s_start_1["核对#quot;1#quot;[a]<br>2个工作日"]\n' in text
    assert '  s_start_1 -->|"完成|#lt;ok#gt;"| s_end\n' in text
    assert '  s_end(["结束"])\n' in text


def test_condition_labels() -> None:
    assert condition_label("no_objection_held&confirm_township") == "公示无成立的异议且委托乡镇确认"
    assert condition_label("!opinion_agree") == "非「本环节意见为同意」"


# --- the page, the case include, the API -----------------------------------------------------------


def test_page_shows_the_chart_of_the_users_region(national, policy, make_user, client_for) -> None:
    client = client_for(make_user("township_caseworker", EAST_TOWN))
    response = client.get("/workflow/docs/flowchart/dibao/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>低保 · 审核确认流程图</h1>" in body
    # The Mermaid text is the fallback (no JS), HTML-escaped.
    assert "s_review[&quot;乡镇审核&lt;br&gt;乡镇审核 · 5个工作日&quot;]" in body
    assert 'src="/static/vendor/mermaid.min.js"' in body and 'src="/static/flowchart.js"' in body
    assert "<script>" not in body  # no inline script: the content security policy forbids it
    assert "乡镇审核（乡镇）" in body  # the steps table: role and level


def test_page_follows_the_regions_variant(national, policy, tree, make_user, client_for) -> None:
    without_community_review(EAST_TOWN)
    east = client_for(make_user("township_caseworker", EAST_TOWN)).get("/workflow/docs/flowchart/dibao/")
    west = client_for(make_user("township_caseworker", WEST_TOWN)).get("/workflow/docs/flowchart/dibao/")
    assert "s_community_review" not in east.content.decode()
    assert "东镇调整后的流程" in east.content.decode()
    assert "s_community_review[&quot;民主评议" in west.content.decode()


def test_page_region_parameter_stays_within_the_jurisdiction(national, policy, make_user, client_for) -> None:
    county = client_for(make_user("county_approver", COUNTY))
    assert county.get("/workflow/docs/flowchart/dibao/", {"region": EAST_TOWN}).status_code == 200
    township = client_for(make_user("township_caseworker", WEST_TOWN))
    for region in (EAST_TOWN, CITY, "999999999999", "abc"):
        assert township.get("/workflow/docs/flowchart/dibao/", {"region": region}).status_code == 404, region
    assert township.get("/workflow/docs/flowchart/nothing/").status_code == 404


def test_page_without_a_definition_says_so(tree, make_user, client_for) -> None:
    body = client_for(make_user()).get("/workflow/docs/flowchart/tekun/").content.decode()
    assert "该区划尚未配置这个救助项目的审核确认流程。" in body


def test_case_include_highlights_the_current_step(national, policy) -> None:
    case = SimpleNamespace(definition=national, policy_version=policy, state="review")
    html = render_to_string("workflow/_flowchart.html", {"case": case})
    assert "class s_review current" in html
    assert "最低生活保障审核确认 v1" in html
    assert 'src="/static/flowchart.js"' in html


def test_api_returns_the_mermaid_text(national, policy, tree, make_user, client_for) -> None:
    without_community_review(EAST_TOWN)
    client = client_for(make_user("county_approver", COUNTY))
    own = client.get("/api/workflow/docs/flowchart/dibao").json()
    assert own["region"] == COUNTY and own["national"] is True and own["version"] == 1
    assert own["mermaid"] == mermaid(national, policy=policy)
    east = client.get("/api/workflow/docs/flowchart/dibao", {"region": EAST_TOWN}).json()
    assert east["national"] is False and "s_community_review" not in east["mermaid"]
    west = client_for(make_user("township_caseworker", WEST_TOWN))
    refused = west.get("/api/workflow/docs/flowchart/dibao", {"region": EAST_TOWN})
    assert refused.status_code == 404 and refused.json()["detail"]
    assert west.get("/api/workflow/docs/flowchart/tekun", {"region": EAST_TOWN}).status_code == 404
    assert west.get("/api/workflow/docs/flowchart/nothing").status_code == 404
