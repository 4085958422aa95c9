"""The rule catalogue page: every rule listed with its thresholds valued from the reader's policy."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from jiuzhu.monitoring.rules import RULES

from ..conftest import EAST_TOWN
from ..factories import new_policy

pytestmark = pytest.mark.django_db


def test_every_rule_is_listed_with_the_thresholds_in_force(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    new_policy(monitor_medical_oop_assisted=Decimal("6500"), exempt_vehicle_types=["e_bike"])
    body = client_for(make_user("township_caseworker", EAST_TOWN)).get("/monitoring/rules/")
    assert body.status_code == 200
    text = body.content.decode()
    for rule in RULES:
        assert f'id="rule-{rule.code}"' in text and rule.name in text
    assert "医疗自付预警线·在保及监测对象（元/次）：<strong>6500</strong>" in text
    assert "豁免车型：<strong>电动自行车</strong>" in text
    assert text.count('<span class="tag warn">暂停发放</span>') == 11
    assert "特困 + 低保" in text


def test_without_a_policy_the_thresholds_are_named_only(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    text = client_for(make_user("county_approver", "980101000000")).get("/monitoring/rules/").content.decode()
    assert '医疗自付预警线·在保及监测对象（元/次）：<span class="muted">未录入</span>' in text


def test_the_page_needs_a_sign_in(client: Client) -> None:
    assert client.get("/monitoring/rules/").status_code == 302
