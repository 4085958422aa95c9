"""Bad input to the registry gets a 4xx with a Chinese message, never a server error, and input
that would be silently cut or that holds invisible control characters is refused."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.registry import services
from jiuzhu.registry.models import Household, Membership, Person, PersonCategory

from ..conftest import EAST_VILLAGE
from ..factories import add_member, make_id_number, new_household, new_person

pytestmark = pytest.mark.django_db

HUGE_PAGE = str(2**63 + 5)


def _five_years_ahead() -> date:
    today = date.today()
    if (today.month, today.day) == (2, 29):
        return date(today.year + 5, 2, 28)
    return date(today.year + 5, today.month, today.day)


def test_household_list_page_past_the_database_range_is_a_4xx(tree, caseworker, client_for) -> None:
    new_household()
    client = client_for(caseworker)
    web = client.get("/households/", {"q": "张", "page": HUGE_PAGE})
    assert web.status_code == 400
    assert "页码应为1至100000之间的整数" in web.content.decode()
    # The live search (htmx) swaps only 2xx answers: its partial carries the message with 200.
    partial = client.get("/households/", {"q": "张", "page": HUGE_PAGE}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "页码应为1至100000之间的整数" in partial.content.decode()
    api = client.get("/api/registry/households", {"page": HUGE_PAGE})
    assert api.status_code == 422
    assert api.json()["errors"] == {"page": "页码应为1至100000之间的整数"}
    assert client.get("/api/registry/households", {"page": "0"}).status_code == 422


def _person_body(**overrides: object) -> str:
    body = {
        "id_number": make_id_number(5150, birth=date(1990, 2, 3)),
        "name": "王五",
        "hukou_region": EAST_VILLAGE,
        "residence_region": EAST_VILLAGE,
    }
    body.update(overrides)
    return json.dumps(body)


def test_lone_surrogate_in_a_name_is_refused(tree, caseworker, client_for) -> None:
    raw = _person_body(name="王X").replace("X", "\\ud800")  # JSON escapes give Python a lone surrogate
    response = client_for(caseworker).post("/api/registry/persons", raw, content_type="application/json")
    assert response.status_code == 422
    # The API refuses a lone surrogate anywhere in a JSON body before the service sees it.
    assert response.json()["errors"] == {
        "name": "含有不允许的字符（空字符 NUL 或不成对的 Unicode 代理字符），请删除后重试"
    }
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("\u200b\u200d\ufeff", "姓名不能为空"),
        ("张\x00三", "姓名含有不可见的控制字符、方向控制符或无效字符，请删除后重新输入"),
        ("张\x07三", "姓名含有不可见的控制字符、方向控制符或无效字符，请删除后重新输入"),
        ("张\u202e三", "姓名含有不可见的控制字符、方向控制符或无效字符，请删除后重新输入"),
        ("张\u2066三", "姓名含有不可见的控制字符、方向控制符或无效字符，请删除后重新输入"),
    ],
)
def test_names_with_invisible_or_control_characters_are_refused(caseworker, name, message) -> None:
    data = json.loads(_person_body(name=name))
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(ctx=AuditContext(user=caseworker), data=data)
    assert exc.value.errors == {"name": message}


def test_zero_width_characters_are_removed_from_a_name(caseworker) -> None:
    data = json.loads(_person_body(name="王\u200b五"))
    assert services.person_create(ctx=AuditContext(user=caseworker), data=data).name == "王五"


@pytest.fixture
def mover(tree):
    household = new_household()
    person = new_person(id_number=make_id_number(77, birth=date(2010, 6, 1)))
    return household, person


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (date(1, 1, 1), "加入日期应在1900-01-01至{latest}之间"),
        (date(2010, 5, 31), "加入日期不能早于该人员的出生日期（2010-06-01）"),
    ],
)
def test_membership_dates_before_birth_or_in_year_one_are_refused(caseworker, mover, on, message) -> None:
    household, person = mover
    latest = _five_years_ahead()
    with pytest.raises(ValidationFailed) as exc:
        services.member_join(
            ctx=AuditContext(user=caseworker),
            household_id=household.pk,
            person_id=person.pk,
            relation="child",
            on=on,
        )
    assert exc.value.errors == {"on": message.format(latest=latest.isoformat())}
    assert not Membership.objects.filter(person=person).exists()


def test_membership_from_the_birth_date_is_accepted(caseworker, mover) -> None:
    household, person = mover
    m = services.member_join(
        ctx=AuditContext(user=caseworker),
        household_id=household.pk,
        person_id=person.pk,
        relation="child",
        on=date(2010, 6, 1),
    )
    assert m.start_date == date(2010, 6, 1)


def test_leaving_in_year_one_or_far_ahead_is_refused(tree, caseworker) -> None:
    household = new_household()
    child = add_member(household, "child")
    latest = _five_years_ahead()
    for on in (date(1, 1, 1), latest + timedelta(days=1)):
        with pytest.raises(ValidationFailed) as exc:
            services.member_leave(
                ctx=AuditContext(user=caseworker),
                household_id=household.pk,
                person_id=child.pk,
                reason="分户",
                on=on,
            )
        assert exc.value.errors == {"on": f"离开日期应在1900-01-01至{latest.isoformat()}之间"}


@pytest.mark.parametrize("start", [date(1899, 12, 31), "far_ahead"])
def test_category_dates_outside_the_window_are_refused(tree, caseworker, start) -> None:
    person = new_person()
    latest = _five_years_ahead()
    when = latest + timedelta(days=1) if start == "far_ahead" else start
    with pytest.raises(ValidationFailed) as exc:
        services.category_tag(
            ctx=AuditContext(user=caseworker), person_id=person.pk, category="dibao", start_date=when
        )
    assert exc.value.errors == {"start_date": f"起始日期应在1900-01-01至{latest.isoformat()}之间"}
    assert not PersonCategory.objects.exists()
    tag = services.category_tag(
        ctx=AuditContext(user=caseworker), person_id=person.pk, category="dibao", start_date=latest
    )
    assert tag.start_date == latest


def test_over_long_free_text_is_refused_with_the_limit(tree, caseworker, client_for) -> None:
    household = new_household()
    child = add_member(household, "child")
    ctx = AuditContext(user=caseworker)
    with pytest.raises(ValidationFailed) as exc:
        services.household_update(
            ctx=ctx, household_id=household.pk, version=1, data={"bank_name": "银" * 101}
        )
    assert exc.value.errors == {"bank_name": "开户银行不能超过100个字（现为101个）"}
    with pytest.raises(ValidationFailed) as exc:
        services.category_tag(ctx=ctx, person_id=child.pk, category="dibao", note="注" * 201)
    assert exc.value.errors == {"note": "备注不能超过200个字（现为201个）"}
    with pytest.raises(ValidationFailed) as exc:
        services.member_leave(ctx=ctx, household_id=household.pk, person_id=child.pk, reason="因" * 201)
    assert exc.value.errors == {"reason": "离开原因不能超过200个字（现为201个）"}
    response = client_for(caseworker).post(
        f"/api/registry/persons/{child.pk}/categories",
        {"category": "dibao", "note": "注" * 201},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"note": "备注不能超过200个字（现为201个）"}
    household.refresh_from_db()
    assert (household.bank_name, household.version) == ("", 1)
    assert not PersonCategory.objects.exists()
    assert Household.objects.get(pk=household.pk).memberships.filter(end_date__isnull=True).count() == 2
