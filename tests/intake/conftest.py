"""Fixtures of the intake tests: the county's policy, the national definitions as rows, a household of
东一村 whose adults have signed the 核对授权书, the uploads a caseworker scans, and fresh rate-limit
counters for every test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile

from ..factories import add_member, new_household, new_policy, workflow_definitions

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def policy(tree: dict[str, Any]) -> Any:
    return new_policy()


@pytest.fixture
def dibao(tree: dict[str, Any]) -> Any:
    return workflow_definitions()


@pytest.fixture
def family(tree: dict[str, Any], policy: Any) -> Any:
    """王大山's household in 东一村 (him and his son), both signed the authorisation."""
    from jiuzhu.verification.models import Authorisation

    from ..factories import new_user

    household = new_household(head__name="王大山")
    son = add_member(household, "child", name="王小山")
    clerk = new_user(role="township_caseworker", region=household.region.parent)
    for p in (household.head, son):
        Authorisation.objects.create(
            person=p, signed_on=date(2020, 1, 1), reference="授权书", recorded_by=clerk
        )
    return household


def png(name: str = "sign.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")
