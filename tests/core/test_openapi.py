"""The OpenAPI document tells clients the truth: one schema per component name, and the error
statuses of each operation documented with the API's error schema."""

from __future__ import annotations

import typing
from collections import defaultdict
from typing import Any

import pytest
from pydantic import BaseModel

from jiuzhu.api import api

pytestmark = pytest.mark.django_db


def _nested_models(annotation: Any) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _nested_models(arg)


def _schema_classes() -> dict[str, set[type[BaseModel]]]:
    """Every model the operations read or answer, by the name its component gets (the class name)."""
    by_name: dict[str, set[type[BaseModel]]] = defaultdict(set)
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel], *, wrapper: bool) -> None:
        if model in seen:
            return
        seen.add(model)
        if not wrapper:
            by_name[model.__name__].add(model)
        for field in model.model_fields.values():
            for nested in _nested_models(field.annotation):
                walk(nested, wrapper=False)

    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                # ninja's own wrappers (the request parameters, the response) are not components.
                for model in operation.models:
                    walk(model, wrapper=True)
                for response in operation.response_models.values():
                    if isinstance(response, type) and issubclass(response, BaseModel):
                        walk(response, wrapper=True)
    return by_name


def test_no_two_schemas_share_a_component_name() -> None:
    by_name = _schema_classes()
    assert "HouseholdOut" in by_name  # the walk reaches the models
    shared = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
        for name, classes in by_name.items()
        if len(classes) > 1
    }
    assert shared == {}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_household_members_carry_the_registrys_member_fields(client) -> None:
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/registry/households/{household_id}"]["get"]
    household = _resolve(document, operation["responses"]["200"]["content"]["application/json"]["schema"])
    member = _resolve(document, household["properties"]["members"]["items"])
    assert {"person", "relation", "co_resident", "start_date"} <= set(member["properties"])


def _operations(document: dict[str, Any]) -> typing.Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_error_responses_are_documented_with_the_error_schema(client) -> None:
    document = client.get("/api/openapi.json").json()
    error = document["components"]["schemas"]["ApiError"]
    assert error["required"] == ["detail"]
    assert set(error["properties"]) == {"detail", "errors"}
    expected = {
        ("/api/registry/households", "get"): {"400", "401", "403", "422"},
        ("/api/registry/households/{household_id}", "get"): {"400", "401", "403", "404", "422"},
        ("/api/registry/households/{household_id}", "patch"): {
            "400", "401", "403", "404", "409", "413", "422",
        },
        ("/api/registry/persons", "post"): {"400", "401", "403", "404", "409", "413", "422"},
        ("/api/verification/reports", "post"): {"400", "401", "403", "404", "409", "413", "422"},
        ("/api/verification/households", "get"): {"400", "401", "403", "404", "422"},
        ("/api/exchange/batches/{batch_id}", "get"): {"400", "401", "403", "404", "422"},
        ("/api/accounts/me", "get"): {"401", "403"},
    }  # fmt: skip
    for (path, method), statuses in expected.items():
        responses = document["paths"][path][method]["responses"]
        errors = {s for s in responses if s.startswith("4")}
        assert errors == statuses, (path, method)
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ApiError"}, (path, method, status)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in response["description"])
