"""The public notice board of a village: masked name, household size, program, amount and period;
no ID number, address or diagnosis; printable; only within the user's jurisdiction."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow.services import steps

from ..conftest import EAST_VILLAGE
from ..factories import new_user
from .steps_world import World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    return make_world(tree)


def test_board_shows_the_masked_notice_and_nothing_private(w: World, client_for: Any, tree: Any) -> None:
    case = w.case("public_notice")
    steps.public_notice_start(ctx=AuditContext(user=w.reviewer), case_id=case.pk, version=case.version)
    assistant = new_user(role="village_assistant", region=tree[EAST_VILLAGE])
    response = client_for(assistant).get(f"/workflow/board/{EAST_VILLAGE}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "张*三" in page and "450.00" in page and "低保" in page and "data-print" in page
    head = w.household.head
    for private in (head.name, head.id_number, head.id_number[-4:], w.household.address):
        assert private not in page, private


def test_board_of_another_township_is_not_found(w: World, client_for: Any) -> None:
    client = client_for(w.other_caseworker)
    assert client.get(f"/workflow/board/{EAST_VILLAGE}/").status_code == 404
    assert client.get("/workflow/board/abc/").status_code == 404
    assert client.get("/workflow/board/980101002001/").status_code == 200  # their own village
