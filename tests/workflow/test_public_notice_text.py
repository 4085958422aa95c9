"""The 公示 text comes from the region's PUBLIC_NOTICE template in force, on the village board and as
the case's notice, and a template can only ever print masked facts: the facts builder masks the name
and drops everything else (ID numbers, reasons, computation) for that kind."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.vocab import NoticeKind
from jiuzhu.policy.models import NoticeTemplate
from jiuzhu.workflow.models import Notice
from jiuzhu.workflow.notices import notice_facts
from jiuzhu.workflow.services import steps

from ..conftest import COUNTY, EAST_TOWN, EAST_VILLAGE
from .steps_world import World, make_world

pytestmark = pytest.mark.django_db

GREEDY = (
    "本县公示：{{ applicant_name }}|{{ id_number_masked }}|{{ reasons }}|{{ computation_lines }}|"
    "{{ household_size }}人|{{ program_label }}|{{ amount }}元/月|至{{ deadline }}|{{ region_name }}"
)


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    return make_world(tree)


def _template(tree: Any, body: str) -> NoticeTemplate:
    return NoticeTemplate.objects.create(
        region=tree[COUNTY],
        kind=NoticeKind.PUBLIC_NOTICE,
        effective_from=date(2020, 1, 1),
        issuer="测试县民政局",
        document_prefix="测公示",
        title="公示",
        body=body,
    )


def test_the_facts_of_a_public_notice_are_masked_whatever_the_caller_gives() -> None:
    given = {
        "applicant_name": "张小三",
        "id_number": "110101198001011234",
        "reasons": ["收入超标"],
        "household_size": 3,
        "amount": "450.00",
    }
    facts = notice_facts(given, kind=NoticeKind.PUBLIC_NOTICE)
    assert facts["applicant_name"] == "张*三"
    assert facts["id_number_masked"] == "" and facts["reasons"] == []
    assert (facts["household_size"], facts["amount"]) == (3, "450.00")
    # Other notices keep the full name (they go to the applicant).
    assert notice_facts(given)["applicant_name"] == "张小三"


def test_editing_the_regions_template_changes_the_board_and_the_cases_notice(
    w: World, client_for: Any, tree: Any
) -> None:
    case = w.case("public_notice")
    row = steps.public_notice_start(ctx=AuditContext(user=w.reviewer), case_id=case.pk, version=case.version)
    board = client_for(w.reviewer).get(f"/workflow/board/{EAST_VILLAGE}/").content.decode()
    assert "现予公示" in board  # the built-in text, while the region has no template of its own
    document = Notice.objects.get(case=case, kind=NoticeKind.PUBLIC_NOTICE)
    assert document.region_id == EAST_TOWN and "张*三" in document.body and "450.00" in document.body

    template = _template(tree, GREEDY)
    board = client_for(w.reviewer).get(f"/workflow/board/{EAST_VILLAGE}/").content.decode()
    period_end = f"{row.ends_on.year}年{row.ends_on.month}月{row.ends_on.day}日"
    assert f"本县公示：张*三||[]|[]|3人|低保|450.00元/月|至{period_end}|东镇" in board, board[
        board.find("本县公示") :
    ][:300]
    head = w.household.head
    for private in (head.name, head.id_number, head.id_number[-4:], w.household.address):
        assert private not in board, private

    template.body = "改后的公示：{{ applicant_name }}，{{ household_size }}人"
    template.save()
    board = client_for(w.reviewer).get(f"/workflow/board/{EAST_VILLAGE}/").content.decode()
    assert "改后的公示：张*三，3人" in board and "本县公示" not in board
