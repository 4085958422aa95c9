"""Access to the admin site follows the role: administrators manage users and regions there."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from jiuzhu.accounts.models import User
from jiuzhu.accounts.services import user_assign_role

from ..conftest import CITY, EAST_TOWN

pytestmark = pytest.mark.django_db


def test_county_admin_created_on_the_command_line_can_open_the_admin_site(client, tree) -> None:
    call_command("create_user", "boss", "--role", "admin", "--region", CITY, "--password", "x-pass-12345")
    client.force_login(User.objects.get(username="boss"))
    assert client.get(reverse("admin:index")).status_code == 200


def test_other_roles_do_not_get_the_admin_site(client, tree) -> None:
    call_command("create_user", "clerk", "--role", "township_caseworker", "--region", EAST_TOWN)
    user = User.objects.get(username="clerk")
    assert user.is_staff is False
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin's sign-in page


def test_leaving_the_admin_role_removes_the_admin_site_but_not_from_a_superuser(make_user) -> None:
    admin = make_user("admin", CITY)
    root = make_user("admin", CITY, is_superuser=True)
    for user in (admin, root):
        user_assign_role(user=user, role="auditor")
    admin.refresh_from_db()
    root.refresh_from_db()
    assert (admin.is_staff, root.is_staff) == (False, True)
