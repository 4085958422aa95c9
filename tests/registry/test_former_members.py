"""A former member is shown as the household's history holds them, not with their current file."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.registry import services
from jiuzhu.registry.models import Person

from ..conftest import COUNTY, EAST_VILLAGE, WEST_VILLAGE
from ..factories import add_member, new_household

pytestmark = pytest.mark.django_db


def test_member_moved_to_another_township_shows_only_the_households_history(
    tree, make_user, caseworker, client_for
) -> None:
    east = new_household(region=tree[EAST_VILLAGE])
    mover = add_member(east, "child", name="迁走的人")
    west = new_household(region=tree[WEST_VILLAGE], head__residence_region=tree[WEST_VILLAGE])
    county = make_user("county_approver", COUNTY)
    services.member_join(
        ctx=AuditContext(user=county),
        household_id=west.pk,
        person_id=mover.pk,
        relation="spouse",
        on=date(2024, 3, 1),
        reason="婚迁",
    )
    Person.objects.filter(pk=mover.pk).update(phone="13800001111")  # a later change, in 西镇's file

    out = client_for(caseworker).get(f"/api/registry/households/{east.pk}").json()
    assert out["former_members"] == [
        {
            "person_id": mover.pk,
            "name": "迁走的人",
            "relation": "child",
            "relation_label": "子女",
            "start_date": "2020-01-01",
            "end_date": "2024-03-01",
            "end_reason": "婚迁",
        }
    ]
    text = str(out)
    assert WEST_VILLAGE not in text and "13800001111" not in text and mover.id_number not in text
