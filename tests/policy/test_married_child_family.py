"""The married-child setting (rules §2.1): a versioned policy field with a default, refused when unknown,
and read as the default from reports stored before it existed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.policy.params import PolicyParams
from jiuzhu.policy.services import policy_version_create

from ..conftest import COUNTY

pytestmark = pytest.mark.django_db
STANDARDS = {
    "document_no": "测试〔2026〕3号",
    "dibao_standard_urban": Decimal("700"),
    "dibao_standard_rural": Decimal("520"),
}


def test_default_is_a_separate_household_and_a_snapshot_keeps_it(tree) -> None:
    v = policy_version_create(
        ctx=AuditContext.system(), region=tree[COUNTY], effective_from=date(2026, 1, 1), **STANDARDS
    )
    assert v.married_child_family == "separate"
    assert v.params().married_child_family == "separate"
    snapshot = v.params().to_snapshot()
    assert snapshot["married_child_family"] == "separate"
    del snapshot["married_child_family"]  # a report stored before the setting existed
    assert PolicyParams.from_snapshot(snapshot).married_child_family == "separate"


def test_joint_is_accepted_and_unknown_values_refused(tree) -> None:
    ctx = AuditContext.system()
    v = policy_version_create(
        ctx=ctx,
        region=tree[COUNTY],
        effective_from=date(2026, 1, 1),
        married_child_family="joint",
        **STANDARDS,
    )
    assert v.params().married_child_family == "joint"
    with pytest.raises(ValidationFailed) as exc:
        policy_version_create(
            ctx=ctx,
            region=tree[COUNTY],
            effective_from=date(2027, 1, 1),
            married_child_family="both",
            **STANDARDS,
        )
    assert "married_child_family" in exc.value.errors
