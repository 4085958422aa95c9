from datetime import date

import pytest
from django.test import Client

from jiuzhu.accounts.services import token_create
from jiuzhu.audit.services import AuditContext
from jiuzhu.registry.models import Person

from ..conftest import EAST_TOWN, EAST_VILLAGE
from ..factories import add_member, make_id_number, new_household

pytestmark = pytest.mark.django_db


def _bearer(user) -> Client:
    _, key = token_create(ctx=AuditContext.system(), user=user, name="测试")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_unauthenticated_request_gets_chinese_401(tree) -> None:
    response = Client().get("/api/registry/households")
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]


def test_bad_token_is_refused(tree) -> None:
    response = Client(HTTP_AUTHORIZATION="Bearer jz_nope").get("/api/registry/households")
    assert response.status_code == 401


def test_token_auth_search_and_masking(caseworker, make_user, tree) -> None:
    household = new_household(head__name="吴大伟")
    add_member(household, "spouse")
    full = _bearer(caseworker).get("/api/registry/households", {"q": "吴"}).json()
    assert (full["total"], full["items"][0]["member_count"]) == (1, 2)
    assert full["items"][0]["head_id_number"] == household.head.id_number
    assistant = make_user("village_assistant", EAST_VILLAGE)
    masked = _bearer(assistant).get("/api/registry/households", {"q": "吴"}).json()
    assert masked["items"][0]["head_id_number"] == household.head.masked_id
    assert "*" in masked["items"][0]["head_id_number"]


def test_household_file_json(caseworker, tree) -> None:
    household = new_household()
    add_member(household, "child", in_school=True)
    body = _bearer(caseworker).get(f"/api/registry/households/{household.pk}").json()
    assert [m["relation"] for m in body["members"]] == ["head", "child"]
    assert body["members"][1]["person"]["in_school"] is True


def test_create_person_and_household_then_patch(caseworker, tree) -> None:
    client = _bearer(caseworker)
    id_number = make_id_number(4321, birth=date(1975, 2, 3))
    created = client.post(
        "/api/registry/persons",
        {
            "id_number": id_number.lower(),
            "name": "郑建国",
            "hukou_region": EAST_VILLAGE,
            "residence_region": EAST_VILLAGE,
            "labour_capacity": "partial",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    person = created.json()
    assert (person["birth_date"], person["sex"], person["version"]) == ("1975-02-03", "M", 1)
    hh = client.post(
        "/api/registry/households",
        {"head_person_id": person["id"], "region": EAST_VILLAGE, "address": "东一村2组8号"},
        content_type="application/json",
    )
    assert hh.status_code == 201, hh.content
    patched = client.patch(
        f"/api/registry/households/{hh.json()['id']}",
        {"version": 1, "address": "东一村2组9号"},
        content_type="application/json",
    )
    assert patched.json()["address"] == "东一村2组9号"
    assert patched.json()["history"][0]["changes"] == {"address": ["东一村2组8号", "东一村2组9号"]}
    stale = client.patch(
        f"/api/registry/households/{hh.json()['id']}",
        {"version": 1, "address": "又改"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert "他人修改" in stale.json()["detail"]


def test_validation_errors_are_chinese_json_per_field(caseworker, tree) -> None:
    response = _bearer(caseworker).post(
        "/api/registry/persons",
        {
            "id_number": "110105194912310021",
            "name": "王",
            "hukou_region": "123",
            "residence_region": EAST_VILLAGE,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "提交的信息有误，请按提示修改"
    assert "校验位" in body["errors"]["id_number"]
    assert "区划代码不存在" in body["errors"]["hukou_region"]
    assert Person.objects.count() == 0


def test_schema_errors_are_chinese_too(caseworker, tree) -> None:
    response = _bearer(caseworker).post(
        "/api/registry/persons", {"name": "王", "surprise": 1}, content_type="application/json"
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["id_number"] == "必填项"
    assert errors["surprise"] == "不允许的字段"


def test_reviewer_cannot_write_via_api(make_user, tree) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    response = _bearer(reviewer).post(
        "/api/registry/persons",
        {
            "id_number": make_id_number(5),
            "name": "某",
            "hukou_region": EAST_VILLAGE,
            "residence_region": EAST_VILLAGE,
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_session_auth_requires_csrf(caseworker, tree) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    response = client.post("/api/registry/persons", {}, content_type="application/json")
    assert response.status_code == 403


def test_openapi_docs_are_served(caseworker, client_for) -> None:
    client = client_for(caseworker)
    assert client.get("/api/docs").status_code == 200
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/registry/households/{household_id}" in paths
