"""A bounded schemathesis run against the OpenAPI document, in process (WSGI), on whichever database the
suite runs on: a few deterministic examples per operation, valid and invalid, as a township caseworker
and as a county admin (each with a Bearer token). No answer may be a server error, carry a status the
document does not list, or break the documented schema; every error must be the API's Chinese JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from jiuzhu.accounts.services import token_create
from jiuzhu.audit.services import AuditContext
from jiuzhu.wsgi import application

from .conftest import COUNTY, EAST_TOWN
from .factories import add_member, new_case, new_household, new_import_batch, new_user

pytestmark = pytest.mark.django_db

# Per operation, per generation mode, per role; JIUZHU_API_EXAMPLES=50 for a deeper run by hand.
EXAMPLES = int(os.environ.get("JIUZHU_API_EXAMPLES", "4"))
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


def _data(tree: dict[str, Any]) -> dict[str, Any]:
    """A little of everything, so that some generated requests reach real records."""
    from jiuzhu.policy.services import policy_version_create

    policy_version_create(
        ctx=AuditContext.system(),
        region=tree[COUNTY],
        effective_from=date(2020, 1, 1),
        document_no="测试",
        dibao_standard_urban=Decimal("700"),
        dibao_standard_rural=Decimal("520"),
    )
    household = new_household(head__name="契约户")
    member = add_member(household, "child", name="契约子")
    batch = new_import_batch(feed="hrss_pension")
    from .factories import new_warning

    return {
        "household_id": household.pk,
        "person_id": member.pk,
        "batch_id": batch.pk,
        "code": EAST_TOWN,
        "case_id": new_case(household=household, state="investigation").pk,
        "warning_id": new_warning(household).pk,
    }


@pytest.fixture(autouse=True)
def _keep_the_connection() -> Iterator[None]:
    """As Django's test client does: keep the connection (and so the test's transaction) open across
    requests; Django would close it at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _is_chinese_error(response: Any) -> bool:
    detail = json.loads(response.content).get("detail", "")
    return isinstance(detail, str) and any("\u4e00" <= ch <= "\u9fff" for ch in detail)


@pytest.mark.parametrize(("role", "region"), [("township_caseworker", EAST_TOWN), ("admin", COUNTY)])
def test_every_operation_answers_as_documented(role: str, region: str, tree: dict[str, Any]) -> None:
    known = _data(tree)
    user = new_user(role=role, region=tree[region])
    _, key = token_create(ctx=AuditContext.system(), user=user, name="契约测试")
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        path_names = [p.name for p in operation.path_parameters]
        real = {name: known[name] for name in path_names if name in known}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            if real and len(real) == len(path_names):
                strategy = st.one_of(
                    strategy, operation.as_strategy(generation_mode=mode, path_parameters=real)
                )

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                # Each request in a savepoint rolled back after it: independent requests, as in
                # production, so that one database error does not abort the rest of the run.
                savepoint = transaction.savepoint()
                try:
                    response = case.call(headers=headers)
                finally:
                    transaction.savepoint_rollback(savepoint)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                    if response.status_code >= 400:
                        assert _is_chinese_error(response), "error without a Chinese detail"
                except (Exception, BaseExceptionGroup) as exc:  # collect: one operation hides no other
                    body = case.body if not isinstance(case.body, bytes) else case.body[:200]
                    failures.append(
                        f"{role} {case.method} {case.formatted_path} query={case.query} body={body!r} "
                        f"-> {response.status_code} {response.content[:300]!r}: {str(exc)[:500]}"
                    )

            run()
    assert failures == [], "\n".join(failures)
