"""An ID number must not tell a caller whether it is registered outside their jurisdiction.

On the pages that name a person by ID number (new household, add member), "never registered" and
"registered in another township" get the same form error. Registering a number held outside the
caller's jurisdiction is refused with one message that says nothing about where or to whom; inside
the jurisdiction the duplicate message sends the caller to the existing person.
"""

from __future__ import annotations

import json

import pytest

from jiuzhu.registry.models import Household, Person

from ..conftest import WEST_VILLAGE
from ..factories import make_id_number, new_household, new_person

pytestmark = pytest.mark.django_db

NOT_FOUND_HERE = (
    "在您的辖区内未找到该身份证号码的人员。未登记的，请先登记人员；已在其他乡镇（街道）登记的，"
    "请联系其现居住地乡镇（街道），由共同的上级民政部门办理迁入本辖区家庭"
)
NOT_REGISTRABLE_HERE = (
    "该身份证号码不能在您的辖区登记。如该人员已在其他乡镇（街道）登记，请联系其现居住地乡镇（街道），"
    "由共同的上级民政部门办理迁入本辖区家庭，迁入后即可在本辖区查找；否则请核对号码"
)
REGISTERED_HERE = "该身份证号码已登记，请直接查找该人员"


@pytest.fixture
def east_person(tree) -> Person:
    return new_person(name="东镇居民")  # lives in 东一村 (东镇)


def _errors_in(body: str) -> list[str]:
    """The form's error texts, in page order (the page is otherwise the same form)."""
    import re

    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, flags=re.S)


def test_new_household_page_answers_registered_elsewhere_like_never_registered(
    east_person, other_caseworker, client_for
) -> None:
    client = client_for(other_caseworker)
    answers = []
    for number in (east_person.id_number, make_id_number(4242)):
        response = client.post(
            "/households/new/", {"head_id_number": number, "region": WEST_VILLAGE, "address": "西一村2组"}
        )
        body = response.content.decode()
        answers.append((response.status_code, _errors_in(body)))
        assert NOT_FOUND_HERE in body
        assert "东镇居民" not in body
    assert answers[0] == answers[1]
    assert Household.objects.count() == 0


def test_add_member_page_answers_registered_elsewhere_like_never_registered(
    tree, east_person, other_caseworker, client_for
) -> None:
    west = new_household(region=tree[WEST_VILLAGE], head__residence_region=tree[WEST_VILLAGE])
    client = client_for(other_caseworker)
    answers = []
    for number in (east_person.id_number, make_id_number(4243)):
        response = client.post(
            f"/households/{west.pk}/members/add/", {"id_number": number, "relation": "child"}
        )
        body = response.content.decode()
        answers.append((response.status_code, _errors_in(body)))
        assert NOT_FOUND_HERE in body
    assert answers[0] == answers[1]
    assert answers[0][0] == 200
    east_person.refresh_from_db()
    assert east_person.residence_region_id != WEST_VILLAGE


def _register(client, number: str):
    body = {
        "id_number": number,
        "name": "某人",
        "hukou_region": WEST_VILLAGE,
        "residence_region": WEST_VILLAGE,
    }
    return client.post("/api/registry/persons", json.dumps(body), content_type="application/json")


def test_api_registration_outside_the_holders_jurisdiction_gets_the_one_refusal(
    tree, east_person, other_caseworker, client_for
) -> None:
    neighbour_county = new_person(
        hukou_region=tree["980102001001"], residence_region=tree["980102001001"], name="邻县居民"
    )
    client = client_for(other_caseworker)
    refusals = []
    for held in (east_person, neighbour_county):
        response = _register(client, held.id_number)
        assert response.status_code == 422
        refusals.append(response.json())
    assert refusals[0] == refusals[1]
    assert refusals[0]["errors"] == {"id_number": NOT_REGISTRABLE_HERE}
    text = json.dumps(refusals[0], ensure_ascii=False)
    assert "已登记，请直接查找" not in text and "东镇" not in text
    # Registration still prevents duplicates: one person per number.
    assert Person.objects.filter(id_number=east_person.id_number).count() == 1
    # An unregistered number is simply registered.
    assert _register(client, make_id_number(4244)).status_code == 201


def test_api_registration_inside_the_jurisdiction_names_the_duplicate(
    tree, other_caseworker, client_for
) -> None:
    west = new_person(hukou_region=tree[WEST_VILLAGE], residence_region=tree[WEST_VILLAGE])
    response = _register(client_for(other_caseworker), west.id_number)
    assert response.status_code == 422
    assert response.json()["errors"] == {"id_number": REGISTERED_HERE}


def test_web_registration_gives_the_same_refusal(east_person, other_caseworker, client_for) -> None:
    response = client_for(other_caseworker).post(
        "/persons/new/",
        {
            "id_number": east_person.id_number,
            "name": "某人",
            "hukou_region": WEST_VILLAGE,
            "residence_region": WEST_VILLAGE,
            "labour_capacity": "full",
            "self_care": "full",
            "health": "healthy",
            "employment": "not_working",
            "education": "none",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert NOT_REGISTRABLE_HERE in body and REGISTERED_HERE not in body


def test_changing_a_number_to_one_held_elsewhere_gets_the_one_refusal(
    tree, east_person, other_caseworker, client_for
) -> None:
    west = new_person(hukou_region=tree[WEST_VILLAGE], residence_region=tree[WEST_VILLAGE])
    response = client_for(other_caseworker).patch(
        f"/api/registry/persons/{west.pk}",
        json.dumps({"version": west.version, "id_number": east_person.id_number}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"id_number": NOT_REGISTRABLE_HERE}
