from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.policy.services import policy_version_create
from jiuzhu.verification.models import Authorisation

from ..conftest import COUNTY
from ..factories import new_import_batch

AS_OF = date(2026, 11, 15)


@pytest.fixture
def county_policy(tree: dict[str, Any]):
    return policy_version_create(
        ctx=AuditContext.system(),
        region=tree[COUNTY],
        effective_from=date(2026, 1, 1),
        document_no="测试〔2026〕1号",
        dibao_standard_urban=Decimal("700"),
        dibao_standard_rural=Decimal("520"),
        minimum_wage_monthly=Decimal("1700"),
        disposable_income_prev_year=Decimal("21000"),
    )


@pytest.fixture
def feed(db: Any):
    batch = new_import_batch()
    counter = iter(range(10**6))

    def add(
        feed_code: str,
        id_number: str,
        on: date | None,
        amount: str | None = None,
        kind: str = "",
        **data: Any,
    ) -> FeedRecord:
        return FeedRecord.objects.create(
            feed=feed_code,
            id_number=id_number,
            date=on,
            amount=Decimal(amount) if amount else None,
            kind=kind,
            data=data,
            row_key=f"k{next(counter)}",
            batch=batch,
        )

    return add


@pytest.fixture
def authorise(caseworker: Any):
    def sign(*persons: Any, on: date = date(2026, 1, 1)) -> None:
        for p in persons:
            Authorisation.objects.create(person=p, signed_on=on, reference="授2026-1", recorded_by=caseworker)

    return sign
