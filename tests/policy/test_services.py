"""Writes to the policy table: one version in force per day, frozen once a report used it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.policy.services import policy_version_create, policy_version_update

from ..conftest import COUNTY, EAST_TOWN

pytestmark = pytest.mark.django_db
CTX = AuditContext.system()
STANDARDS = {
    "document_no": "测试〔2026〕2号",
    "dibao_standard_urban": Decimal("700"),
    "dibao_standard_rural": Decimal("520"),
}


def test_a_new_version_closes_the_open_one_and_overlaps_are_refused(tree) -> None:
    first = policy_version_create(ctx=CTX, region=tree[COUNTY], effective_from=date(2025, 1, 1), **STANDARDS)
    policy_version_create(ctx=CTX, region=tree[COUNTY], effective_from=date(2026, 1, 1), **STANDARDS)
    first.refresh_from_db()
    assert first.effective_to == date(2025, 12, 31)
    with pytest.raises(ValidationFailed):
        policy_version_create(
            ctx=CTX,
            region=tree[COUNTY],
            effective_from=date(2025, 6, 1),
            effective_to=date(2025, 7, 1),
            **STANDARDS,
        )


def test_the_nearest_region_up_the_tree_wins(tree) -> None:
    policy_version_create(ctx=CTX, region=tree[COUNTY], effective_from=date(2025, 1, 1), **STANDARDS)
    town = policy_version_create(
        ctx=CTX, region=tree[EAST_TOWN], effective_from=date(2026, 1, 1), **{**STANDARDS, "document_no": "镇"}
    )
    village = tree[EAST_TOWN].code[:9] + "001"
    assert policy_in_force(region_code=village, on=date(2026, 6, 1)).pk == town.pk
    assert policy_in_force(region_code=village, on=date(2025, 6, 1)).region_id == COUNTY


def test_an_unused_version_can_be_corrected_with_an_audit_line(tree) -> None:
    version = policy_version_create(
        ctx=CTX, region=tree[COUNTY], effective_from=date(2026, 1, 1), **STANDARDS
    )
    policy_version_update(ctx=CTX, version=version, dibao_standard_rural=Decimal("530"))
    version.refresh_from_db()
    assert version.dibao_standard_rural == Decimal("530")
    line = AuditEvent.objects.filter(object_type="policy_version", action="update").get()
    assert line.detail == {"fields": ["dibao_standard_rural"]}


@pytest.mark.parametrize(("field", "months"), [("reference_months", 0), ("rigid_expense_months", 37)])
def test_periods_outside_one_to_thirty_six_months_are_refused(tree, field: str, months: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        policy_version_create(
            ctx=CTX, region=tree[COUNTY], effective_from=date(2026, 1, 1), **STANDARDS, **{field: months}
        )
    assert set(caught.value.errors) == {field}
    version = policy_version_create(
        ctx=CTX, region=tree[COUNTY], effective_from=date(2026, 1, 1), **STANDARDS
    )
    with pytest.raises(ValidationFailed):
        policy_version_update(ctx=CTX, version=version, **{field: months})
    version.refresh_from_db()
    assert getattr(version, field) == 12
