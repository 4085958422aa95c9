"""Who sees what of the audit log: searched ID numbers masked for roles without the permission to see
them in full (DESIGN §6), on the log page and in the admin site; the checkpoint page, which shows the
whole platform's chain, only for county level and above."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext, audit_record

from ..conftest import CITY, COUNTY, EAST_TOWN, EAST_VILLAGE, WEST_TOWN
from ..factories import new_household

pytestmark = pytest.mark.django_db

FULL = "980101198005120032"
MASKED = "980***********0032"


@pytest.fixture
def searched(caseworker, client_for) -> None:
    """A caseworker of 东镇 looked a person up by the full ID number."""
    new_household(head__id_number=FULL)
    client_for(caseworker).get(reverse("household_search"), {"q": FULL})
    assert AuditEvent.objects.filter(action="search", object_id=FULL).count() == 1


def test_the_log_page_masks_a_searched_id_number_for_an_auditor(searched, make_user, client_for) -> None:
    body = client_for(make_user("auditor", EAST_TOWN)).get(reverse("audit_log")).content.decode()
    assert MASKED in body
    assert FULL not in body


def test_the_log_page_shows_the_full_number_to_a_user_allowed_to_see_it(
    searched, make_user, client_for
) -> None:
    root = make_user("admin", CITY, username="root", is_superuser=True)
    body = client_for(root).get(reverse("audit_log")).content.decode()
    assert FULL in body


def test_other_object_ids_are_shown_as_stored(make_user, client_for) -> None:
    audit_record(
        ctx=AuditContext.system(),
        action="view",
        object_type="household",
        object_id="123456789012",
        region_code=EAST_VILLAGE,
    )
    body = client_for(make_user("auditor", EAST_TOWN)).get(reverse("audit_log")).content.decode()
    assert "123456789012" in body


def test_the_admin_site_masks_a_searched_id_number_and_matches_it_only_whole(
    searched, make_user, client_for
) -> None:
    admin = client_for(make_user("admin", COUNTY, is_staff=True))
    changelist = reverse("admin:audit_auditevent_changelist")
    body = admin.get(changelist, {"action__exact": "search"}).content.decode()
    assert MASKED in body and FULL not in body
    event = AuditEvent.objects.get(action="search")
    detail = admin.get(reverse("admin:audit_auditevent_change", args=[event.seq])).content.decode()
    assert MASKED in detail and FULL not in detail
    whole = admin.get(changelist, {"q": FULL}).content.decode()
    assert MASKED in whole
    part = admin.get(changelist, {"q": FULL[:10]}).content.decode()
    assert MASKED not in part


def test_the_admin_site_shows_the_full_number_to_a_superuser(searched, make_user, client_for) -> None:
    root = client_for(make_user("admin", CITY, username="root", is_superuser=True, is_staff=True))
    body = root.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert FULL in body


@pytest.mark.parametrize(
    ("role", "region", "superuser", "status"),
    [
        ("auditor", CITY, False, 200),
        ("auditor", COUNTY, False, 200),
        ("admin", COUNTY, False, 200),
        ("admin", CITY, True, 200),
        ("auditor", EAST_TOWN, False, 403),
        ("auditor", EAST_VILLAGE, False, 403),
        ("township_caseworker", WEST_TOWN, False, 403),
    ],
)
def test_the_checkpoint_page_is_for_county_level_and_above(
    role, region, superuser, status, make_user, client_for
) -> None:
    user = make_user(role, region, is_superuser=superuser)
    assert client_for(user).get(reverse("audit_checkpoints")).status_code == status
    log_page = client_for(user).get(reverse("audit_log")).content.decode()
    assert (reverse("audit_checkpoints") in log_page) == (status == 200)


def test_the_checkpoint_page_does_not_show_where_the_log_is_kept(
    checkpoint_log: Path, make_user, client_for
) -> None:
    audit_record(ctx=AuditContext.system(), action="update", object_type="person", object_id=1)
    call_command("check_audit")
    client = client_for(make_user("auditor", COUNTY))
    body = client.get(reverse("audit_checkpoints")).content.decode()
    assert str(checkpoint_log) not in body and str(checkpoint_log.parent) not in body
    checkpoint_log.write_text(checkpoint_log.read_text() + "not json\n")
    body = client.get(reverse("audit_checkpoints")).content.decode()
    assert "检查点日志第 2 行无法读取（被改动或损坏）" in body
    assert str(checkpoint_log.parent) not in body
