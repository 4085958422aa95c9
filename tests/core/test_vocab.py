"""One vocabulary per concept (``jiuzhu.core.vocab``): every reader — the model fields, the forms, the
admin's choices, the feed catalogue, the policy defaults and the API schemas — offers exactly the codes
and the wordings of the one definition, so that a copy cannot drift again."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.utils import translation

from jiuzhu.core import vocab
from jiuzhu.core.vocab import (
    AuditObject,
    BusinessKind,
    Category,
    DeclarableItem,
    EmploymentCostBase,
    ExcludedIncome,
    MarriedChildFamily,
    PensionType,
    Program,
    VehicleType,
    Vocab,
)
from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.policy import models as policy_models
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.registry import choices as registry_choices
from jiuzhu.registry.forms import CategoryForm, PersonForm, SearchForm
from jiuzhu.registry.models import Person, PersonCategory
from jiuzhu.verification import need

VOCABULARIES: list[type[Vocab]] = [
    v for v in vars(vocab).values() if isinstance(v, type) and issubclass(v, Vocab) and v is not Vocab
]


def _pairs(choices: Any) -> list[tuple[str, str]]:
    return [(str(code), str(label)) for code, label in choices]


def _listed(vocabulary: type[Vocab]) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in vocabulary]


# --- the definitions themselves -------------------------------------------------------------------------


def test_every_vocabulary_has_distinct_codes_and_labels() -> None:
    assert len(VOCABULARIES) >= 14
    for v in VOCABULARIES:
        codes, labels = [m.value for m in v], [m.label for m in v]
        assert len(set(codes)) == len(codes), v
        assert len(set(labels)) == len(labels), v
        assert all(labels) and all(label != code for code, label in zip(codes, labels, strict=True)), v


def test_a_code_shared_by_two_vocabularies_has_one_wording() -> None:
    wordings: dict[str, set[str]] = defaultdict(set)
    for v in VOCABULARIES:
        for m in v:
            wordings[m.value].add(m.label)
    assert {code: w for code, w in wordings.items() if len(w) > 1} == {}


def test_wordings_follow_the_rules() -> None:
    """The wordings copies disagreed on, as rules §2.2 and §2.3 give them."""
    assert DeclarableItem.FAMILY_PLANNING.label == "计划生育奖励与扶助金"
    assert DeclarableItem.GOOD_SAMARITAN.label == "见义勇为等奖励"
    assert DeclarableItem.SOCIAL_ASSISTANCE.label == "政府发放的社会救助款物"
    assert DeclarableItem.SUPPORT_RECEIVED.label == "收到的赡养/抚养/扶养费"
    assert DeclarableItem.SUPPORT_PAID.label == "支付的赡养/抚养/扶养费"
    assert vocab.IncomeCategory.EMPLOYMENT_COST.label == "必要就业成本扣减"
    assert [m.label for m in Program] == ["低保", "低保边缘", "刚性支出困难", "特困"]


def test_the_declarable_items_and_the_excludable_incomes_are_the_same_codes() -> None:
    declared = {m.value for m in DeclarableItem}
    assert {m.value for m in ExcludedIncome} - declared == {"resident_basic_pension"}
    assert {str(m) for m in vocab.DECLARED_EXCLUDABLE} == {m.value for m in ExcludedIncome} - {
        "resident_basic_pension"
    }
    assert {str(m) for m in vocab.VALUES_ON_DATE} == {"deposits", "securities", "insurance"}


def test_the_programs_are_categories() -> None:
    assert {(m.value, m.label) for m in Program} <= {(m.value, m.label) for m in Category}


def test_an_unknown_code_shows_as_itself() -> None:
    assert VehicleType.label_of("car") == "小型汽车"
    assert VehicleType.label_of("tractor") == "tractor"


# --- Django's readers --------------------------------------------------------------------------------


def test_registry_choices_are_the_vocabularies() -> None:
    assert _pairs(registry_choices.Category.choices) == _listed(Category)
    assert _pairs(registry_choices.Employment.choices) == _listed(vocab.Employment)
    assert _pairs(PersonCategory._meta.get_field("category").choices) == _listed(Category)
    assert _pairs(Person._meta.get_field("employment").choices) == _listed(vocab.Employment)
    assert Person._meta.get_field("employment").default == "not_working"


def test_registry_forms_offer_the_vocabularies() -> None:
    assert _pairs(CategoryForm().fields["category"].choices) == _listed(Category)
    assert _pairs(SearchForm().fields["category"].choices)[1:] == _listed(Category)
    assert _pairs(PersonForm().fields["employment"].choices) == _listed(vocab.Employment)


def test_labels_are_translated_where_shown() -> None:
    with translation.override("en"):
        assert dict(_pairs(CategoryForm().fields["category"].choices))["dibao"] == (
            "Minimum living allowance (dibao)"
        )
        assert registry_choices.Employment("employed").label == "Employed"


def test_policy_settings_read_the_vocabularies() -> None:
    field = PolicyVersion._meta.get_field
    assert _pairs(field("employment_cost_base").choices) == _listed(EmploymentCostBase)
    assert _pairs(field("married_child_family").choices) == _listed(MarriedChildFamily)
    assert policy_models._default_excluded() == [m.value for m in ExcludedIncome]
    assert policy_models._default_deductible() == ["medical", "education", "rehabilitation"]
    assert set(policy_models._default_exempt_vehicles()) <= {m.value for m in VehicleType}
    lines = {m.value for m in vocab.IncomeCategory} | {m.value for m in vocab.AssetCategory}
    assert set(policy_models._default_precedence()) <= lines


def test_the_feed_catalogue_accepts_the_vocabularies() -> None:
    def choices(feed: str, column: str) -> tuple[str, ...]:
        return FEEDS[feed].column_map[column].choices

    assert choices("vehicle", "vehicle_type") == tuple(m.value for m in VehicleType)
    assert choices("business", "kind") == tuple(m.value for m in BusinessKind)
    assert choices("hrss_pension", "pension_type") == tuple(m.value for m in PensionType)
    assert choices("tax", "income_type") == ("wages", "business", "property", "other")
    assert all(type(c) is str for c in choices("tax", "income_type"))


def test_the_need_model_has_one_covariate_per_program() -> None:
    assert tuple(m.value for m in Program) == need.PROGRAMS


# --- the API -----------------------------------------------------------------------------------------


def _component(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        if option.get("type") != "null":
            return _component(document, option)
    return schema


def _body(document: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    operation = document["paths"][path][method]
    return _component(document, operation["requestBody"]["content"]["application/json"]["schema"])


@pytest.mark.django_db
def test_api_schemas_list_the_vocabularies(client) -> None:
    document = client.get("/api/openapi.json").json()
    report = _body(document, "/api/verification/reports")
    programs = _component(document, report["properties"]["programs"]["items"])
    assert programs["enum"] == [m.value for m in Program]
    wordings = "dibao=低保；near_dibao=低保边缘；rigid_expense=刚性支出困难；tekun=特困"
    assert programs["description"] == wordings
    declared = _component(document, report["properties"]["declared"]["items"])
    assert _component(document, declared["properties"]["item"])["enum"] == [m.value for m in DeclarableItem]
    category = _body(document, "/api/registry/persons/{person_id}/categories")
    assert _component(document, category["properties"]["category"])["enum"] == [m.value for m in Category]
    person = _body(document, "/api/registry/persons")
    employment = [m.value for m in vocab.Employment]
    assert _component(document, person["properties"]["employment"])["enum"] == employment
    patch = _body(document, "/api/registry/persons/{person_id}", "patch")
    assert _component(document, patch["properties"]["employment"])["enum"] == employment


@pytest.mark.django_db
def test_an_unknown_category_is_refused_by_the_schema(caseworker, client_for) -> None:
    from ..factories import new_household

    household = new_household()
    response = client_for(caseworker).post(
        f"/api/registry/persons/{household.head.pk}/categories",
        {"category": "poor"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"category": "取值无效：请使用接口文档列出的取值之一"}


# --- the audit log -----------------------------------------------------------------------------------


def test_models_name_their_audit_lines_from_the_vocabulary() -> None:
    from jiuzhu.accounts.models import ApiToken, User
    from jiuzhu.exchange.models import ImportBatch
    from jiuzhu.registry.models import Household
    from jiuzhu.verification.models import Authorisation, NeedModel, VerificationReport

    named = {
        m: vocab.audit_object_type(m)
        for m in (
            ApiToken,
            User,
            ImportBatch,
            Household,
            Person,
            Authorisation,
            NeedModel,
            VerificationReport,
            PolicyVersion,
        )
    }
    assert named == {
        ApiToken: "api_token",
        User: "user",
        ImportBatch: "import_batch",
        Household: "household",
        Person: "person",
        Authorisation: "authorisation",
        NeedModel: "need_model",
        VerificationReport: "verification_report",
        PolicyVersion: "policy_version",
    }
    assert set(named.values()) <= {m.value for m in AuditObject}
    assert vocab.audit_object_type(PersonCategory) == "personcategory"  # not in the list: its model name
