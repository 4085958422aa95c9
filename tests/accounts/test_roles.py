import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from jiuzhu.accounts.roles import ROLES, Role
from jiuzhu.accounts.selectors import responsibility_list
from jiuzhu.accounts.services import user_create
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed

from ..conftest import CITY, COUNTY, EAST_TOWN, EAST_VILLAGE

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_after_migrate() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_responsibility_list_follows_live_permissions(tree) -> None:
    before = {r.code: r for r in responsibility_list()}
    assert "新增人员" in before["township_caseworker"].permissions
    assert len(before) == len(ROLES)
    group = Group.objects.get(name="township_caseworker")
    group.permissions.remove(Permission.objects.get(codename="add_person"))
    after = {r.code: r for r in responsibility_list()}
    assert "新增人员" not in after["township_caseworker"].permissions


def test_responsibility_page_renders(caseworker, client_for) -> None:
    body = client_for(caseworker).get(reverse("responsibilities")).content.decode()
    for role in Role:
        assert role.label in body


@pytest.mark.parametrize(
    ("role", "region", "ok"),
    [
        ("village_assistant", EAST_VILLAGE, True),
        ("township_caseworker", EAST_TOWN, True),
        ("township_caseworker", COUNTY, False),
        ("county_approver", EAST_TOWN, False),
        ("county_approver", COUNTY, True),
        ("admin", CITY, True),
        ("admin", EAST_VILLAGE, False),
    ],
)
def test_role_must_match_region_level(tree, role: str, region: str, ok: bool) -> None:
    def create() -> None:
        user_create(
            ctx=AuditContext.system(),
            username=f"u-{role}-{region}",
            password="x-long-password",
            role=role,
            region_code=region,
        )

    if ok:
        create()
    else:
        with pytest.raises(ValidationFailed):
            create()


def test_user_can_only_be_created_inside_own_jurisdiction(make_user, tree) -> None:
    county_admin = make_user("admin", CITY)
    other = make_user("county_approver", COUNTY)
    with pytest.raises(ValidationFailed):
        user_create(ctx=AuditContext(user=other), username="x", password=None, role="admin", region_code=CITY)
    user_create(
        ctx=AuditContext(user=county_admin),
        username="y",
        password=None,
        role="township_caseworker",
        region_code=EAST_TOWN,
    )


def test_login_is_throttled_after_five_failures(caseworker, client) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": caseworker.username, "password": "bad"})
    response = client.post(reverse("login"), {"username": caseworker.username, "password": "pass-12345-word"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_profile_issues_a_token_shown_once(caseworker, client_for) -> None:
    client = client_for(caseworker)
    body = client.post(reverse("profile"), {"name": "对接"}).content.decode()
    assert "jz_" in body
    assert "jz_" not in client.get(reverse("profile")).content.decode()
