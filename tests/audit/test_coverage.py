"""Events that reach the audit chain besides writes and file views: searches by a full ID number, the
household edit form, refused out-of-jurisdiction fetches, admin-site changes of users and groups, and
lockouts after failed sign-ins (one line each, not one per failure)."""

import logging

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from jiuzhu.accounts.models import User
from jiuzhu.audit.middleware import AuditRefusalMiddleware
from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.selectors import audit_verify_chain
from jiuzhu.core.errors import NotFound
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Household

from ..conftest import CITY, EAST_VILLAGE, WEST_TOWN
from ..factories import new_household

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_search_by_full_id_number_is_audited_on_the_web(caseworker, client_for) -> None:
    household = new_household()
    id_number = household.head.id_number
    client = client_for(caseworker)
    assert household.number in client.get(reverse("household_search"), {"q": id_number}).content.decode()
    client.get(reverse("household_search"), {"q": id_number[-6:]})  # the last digits: not recorded
    client.get(reverse("household_search"), {"q": household.head.name})
    [event] = _events("search")
    assert (event.actor_id, event.object_type, event.object_id, event.channel) == (
        caseworker.pk,
        "id_number",
        id_number,
        "web",
    )
    assert event.region_code == caseworker.region_id


def test_search_by_full_id_number_is_audited_in_the_api(caseworker, client_for) -> None:
    household = new_household()
    full_width = household.head.id_number.translate({ord(str(d)): 0xFF10 + d for d in range(10)})
    response = client_for(caseworker).get("/api/registry/households", {"q": full_width})
    assert response.status_code == 200 and response.json()["total"] == 1
    [event] = _events("search")
    assert (event.object_id, event.channel) == (household.head.id_number, "api")


def test_opening_the_household_edit_form_is_audited(caseworker, client_for) -> None:
    household = new_household(bank_account="6222020200001234567")
    response = client_for(caseworker).get(reverse("household_edit", args=[household.pk]))
    assert "6222020200001234567" in response.content.decode()
    [event] = _events("view")
    assert (event.object_type, event.object_id, event.region_code, event.detail) == (
        "household",
        str(household.pk),
        household.region_id,
        {"form": "edit"},
    )


def test_a_refusal_reads_the_same_whether_the_object_is_elsewhere_or_missing(other_caseworker) -> None:
    """Whoever reads the caller's region in the log (its auditors, its admin) must not learn whether the
    id exists: both lines are filed under the caller's region with the same content, and the owner's
    region appears nowhere."""
    household = new_household()  # in 东镇; the caller is of 西镇
    missing = household.pk + 1000
    for pk in (household.pk, missing):
        with pytest.raises(NotFound):
            get_in_jurisdiction(
                Household.objects.all(), user=other_caseworker, pk=pk, region_field="region__code"
            )
    elsewhere, never = _events("refused")
    assert (elsewhere.object_id, never.object_id) == (str(household.pk), str(missing))
    for event in (elsewhere, never):
        assert (event.actor_id, event.object_type, event.region_code, event.detail) == (
            other_caseworker.pk,
            "household",
            WEST_TOWN,
            {},
        )
        assert EAST_VILLAGE not in repr(vars(event))


def test_a_township_auditor_sees_both_refusals_of_their_township_alike(
    other_caseworker, make_user, client_for
) -> None:
    household = new_household()
    missing = household.pk + 1000
    client = client_for(other_caseworker)
    assert client.get(f"/households/{household.pk}/").status_code == 404
    assert client.get(f"/households/{missing}/").status_code == 404
    auditor = make_user("auditor", WEST_TOWN)
    body = client_for(auditor).get(reverse("audit_log"), {"type": "household"}).content.decode()
    assert body.count("拒绝访问") == 2
    assert EAST_VILLAGE not in body


def test_a_fetch_inside_the_jurisdiction_is_not_a_refusal(caseworker) -> None:
    household = new_household()
    got = get_in_jurisdiction(
        Household.objects.all(), user=caseworker, pk=household.pk, region_field="region__code"
    )
    assert got == household
    assert _events("refused") == []


def test_a_refusal_inside_a_rolled_back_write_is_still_recorded(other_caseworker) -> None:
    """The gate often refuses inside a service's transaction, which then rolls back; the request's
    refusals are written once the view is done, outside it."""
    household = new_household()

    def view(request):
        with transaction.atomic():
            get_in_jurisdiction(
                Household.objects.select_for_update(),
                user=request.user,
                pk=household.pk,
                region_field="region__code",
            )

    request = RequestFactory().post(f"/households/{household.pk}/edit/", REMOTE_ADDR="10.9.8.7")
    request.user = other_caseworker
    with pytest.raises(NotFound):
        AuditRefusalMiddleware(view)(request)
    [event] = _events("refused")
    assert (event.actor_id, event.ip, event.object_id) == (other_caseworker.pk, "10.9.8.7", str(household.pk))
    assert audit_verify_chain().ok


def test_a_refusal_that_cannot_be_written_leaves_the_404_and_is_logged(
    other_caseworker, client_for, settings, tmp_path, caplog
) -> None:
    """The refusal is written after the view; if that fails (here the key file is missing), the answer
    stays "not found" and the failure goes to the service's log."""
    household = new_household()
    client = client_for(other_caseworker)  # signing in appends a line: before the key goes missing
    settings.AUDIT_KEY_FILE = tmp_path / "absent.key"
    settings.AUDIT_KEY_CREATE = False
    with caplog.at_level(logging.ERROR, logger="jiuzhu.audit"):
        response = client.get(f"/households/{household.pk}/")
    assert response.status_code == 404
    assert _events("refused") == []
    [record] = [r for r in caplog.records if r.name == "jiuzhu.audit.refusals"]
    assert record.levelno == logging.ERROR and f"household {household.pk}" in record.getMessage()


def test_five_failed_sign_ins_append_one_lockout_line(caseworker, client) -> None:
    for _ in range(7):  # five failures lock the pair out; two more attempts are refused while locked
        client.post(
            reverse("login"), {"username": caseworker.username, "password": "bad"}, REMOTE_ADDR="10.0.0.9"
        )
    assert _events("login_failed") == []
    [event] = _events("lockout")
    assert (event.actor_id, event.object_id, event.region_code, event.ip) == (
        None,
        str(caseworker.pk),
        caseworker.region_id,
        "10.0.0.9",
    )
    assert event.detail == {"username": caseworker.username, "failures": 5, "cool_off_minutes": 15}


def test_unknown_usernames_append_nothing_before_a_lockout(client, tree) -> None:
    for n in range(4):
        client.post(reverse("login"), {"username": f"nobody{n}", "password": "bad"})
    assert AuditEvent.objects.count() == 0


def _superuser_client(client_for, make_user):
    return client_for(make_user("admin", CITY, username="root", is_superuser=True))


def test_a_user_changed_in_the_admin_site_is_audited(client_for, make_user) -> None:
    target = make_user("township_caseworker")
    admin_client = _superuser_client(client_for, make_user)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "user_permissions"}
    data["groups"] = [g.pk for g in data["groups"]]  # as the form shows them: the old role's group
    data.update(
        username=target.username,
        role="township_reviewer",
        region=target.region_id,
        date_joined_0="2026-01-01",
        date_joined_1="00:00:00",
        is_active="on",
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("password", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = [e for e in _events("update") if e.object_type == "user"]
    assert (event.object_id, event.region_code, event.actor_name) == (
        str(target.pk),
        target.region_id,
        "root",
    )
    assert event.detail["via"] == "admin"
    assert (event.detail["role"], event.detail["groups"], event.detail["is_superuser"]) == (
        "township_reviewer",
        ["township_reviewer"],
        False,
    )


def test_a_group_changed_in_the_admin_site_is_audited(client_for, make_user) -> None:
    group = Group.objects.get(name="auditor")
    perm = Permission.objects.get(codename="add_person")
    admin_client = _superuser_client(client_for, make_user)
    perms = [*group.permissions.values_list("pk", flat=True), perm.pk]
    response = admin_client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "auditor", "permissions": perms}
    )
    assert response.status_code == 302
    [event] = [e for e in _events("update") if e.object_type == "group"]
    assert event.object_id == str(group.pk)
    assert "registry.add_person" in event.detail["permissions"]


def test_a_user_deleted_in_the_admin_site_is_audited(client_for, make_user) -> None:
    target = make_user("township_caseworker")
    admin_client = _superuser_client(client_for, make_user)
    response = admin_client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=target.pk).exists()
    [event] = [e for e in _events("delete") if e.object_type == "user"]
    assert (event.object_id, event.region_code) == (str(target.pk), target.region_id)


def test_a_token_revoked_in_the_admin_site_is_audited(client_for, make_user) -> None:
    from jiuzhu.accounts.services import token_create
    from jiuzhu.audit.services import AuditContext

    owner = make_user("township_caseworker")
    token, _ = token_create(ctx=AuditContext(user=owner), user=owner, name="对接")
    admin_client = _superuser_client(client_for, make_user)
    response = admin_client.post(
        reverse("admin:accounts_apitoken_change", args=[token.pk]),
        {"user": owner.pk, "name": "对接", "revoked_at_0": "2026-11-01", "revoked_at_1": "09:00:00"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    [event] = [e for e in _events("update") if e.object_type == "api_token"]
    assert (event.object_id, event.region_code, event.detail["user"]) == (
        str(token.pk),
        owner.region_id,
        owner.username,
    )
    assert event.detail["revoked_at"].startswith("2026-11-01")
