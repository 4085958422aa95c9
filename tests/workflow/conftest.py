"""Fixtures of the workflow tests: the county's policy, the national 低保 definition as rows, and the
users of each step (东镇 for the township steps, 测试县 for the county's)."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import COUNTY, EAST_TOWN
from ..factories import new_policy, workflow_definitions


@pytest.fixture
def policy(tree: dict[str, Any]) -> Any:
    return new_policy()


@pytest.fixture
def dibao(tree: dict[str, Any]) -> Any:
    return workflow_definitions()


@pytest.fixture
def reviewer(make_user: Any) -> Any:
    return make_user("township_reviewer", EAST_TOWN)


@pytest.fixture
def approver(make_user: Any) -> Any:
    return make_user("county_approver", COUNTY)


@pytest.fixture
def actors(caseworker: Any, reviewer: Any, approver: Any) -> dict[str, Any]:
    """The user of each role of the 低保 definition, all inside the cases' jurisdiction."""
    return {"township_caseworker": caseworker, "township_reviewer": reviewer, "county_approver": approver}
