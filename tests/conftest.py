"""Shared fixtures: a small region tree and users of every role bound to its nodes.

Tree (fictional province 98):
  980000000000 测试省
    980100000000 测试市
      980101000000 测试县
        980101001000 东镇 → 980101001001 东一村, 980101001002 东二村
        980101002000 西镇 → 980101002001 西一村
      980102000000 邻县 → 980102001000 邻镇 → 980102001001 邻村
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, settings

from jiuzhu.accounts.models import User
from jiuzhu.regions.models import Region, UrbanRural

from .factories import RegionFactory, new_user

TREE = [
    ("980000000000", "测试省", None),
    ("980100000000", "测试市", "980000000000"),
    ("980101000000", "测试县", "980100000000"),
    ("980101001000", "东镇", "980101000000"),
    ("980101001001", "东一村", "980101001000"),
    ("980101001002", "东二村", "980101001000"),
    ("980101002000", "西镇", "980101000000"),
    ("980101002001", "西一村", "980101002000"),
    ("980102000000", "邻县", "980100000000"),
    ("980102001000", "邻镇", "980102000000"),
    ("980102001001", "邻村", "980102001000"),
]

EAST_VILLAGE = "980101001001"
EAST_TOWN = "980101001000"
WEST_TOWN = "980101002000"
WEST_VILLAGE = "980101002001"
COUNTY = "980101000000"
CITY = "980100000000"


@pytest.fixture(autouse=True)
def _sqlite_audit_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """On SQLite, Django empties tables after a transactional test with DELETE, which the audit
    table's append-only triggers refuse. Drop them just before that flush; every test gets them
    back at setup, so every test runs with the guard in place."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or connection.vendor != "sqlite":
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down after this fixture
    from jiuzhu.audit.guard import guard_install, guard_remove

    guard_install(connection)
    yield
    if marker.kwargs.get("transaction"):
        guard_remove(connection)


@pytest.fixture
def tree(db: Any) -> dict[str, Region]:
    out = {}
    for code, name, parent in TREE:
        out[code] = RegionFactory(
            code=code,
            name=name,
            parent_id=parent,
            urban_rural=UrbanRural.URBAN if name == "东二村" else UrbanRural.RURAL,
        )
    return out


@pytest.fixture
def make_user(tree: dict[str, Region]) -> Callable[..., User]:
    def make(role: str = "township_caseworker", region: str = EAST_TOWN, **kwargs: Any) -> User:
        return new_user(role=role, region=tree[region], **kwargs)

    return make


@pytest.fixture
def caseworker(make_user: Callable[..., User]) -> User:
    return make_user("township_caseworker", EAST_TOWN)


@pytest.fixture
def other_caseworker(make_user: Callable[..., User]) -> User:
    """A caseworker of the neighbouring township: must see nothing of 东镇."""
    return make_user("township_caseworker", WEST_TOWN)


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


# Property tests run on shared 2-core CI machines: no per-example deadline and no "too slow" health
# check, which fail on a busy machine without saying anything about the code.
settings.register_profile("jiuzhu", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("jiuzhu")
