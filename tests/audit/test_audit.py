import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from jiuzhu.audit.chain import keyed_hash
from jiuzhu.audit.keys import keyring
from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.selectors import audit_verify_chain
from jiuzhu.audit.services import AuditContext, audit_record

from ..factories import new_household
from .conftest import guard_disable, line_content

pytestmark = pytest.mark.django_db


def _three_events() -> None:
    for i in range(3):
        audit_record(
            ctx=AuditContext.system(),
            action="update",
            object_type="person",
            object_id=i,
            detail={"n": i, "text": "中文"},
        )


def test_chain_links_each_line_to_the_previous() -> None:
    _three_events()
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit_verify_chain().ok
    call_command("check_audit")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain() -> None:
    """Writers in separate connections append at once; each must follow the line committed before it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with transaction.atomic():
                    audit_record(ctx=AuditContext.system(), action="update", object_id=f"{n}-{i}")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 41))
    assert audit_verify_chain().ok


def test_model_refuses_updates_and_deletes() -> None:
    _three_events()
    event = AuditEvent.objects.get(seq=2)
    event.ip = "1.2.3.4"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_database_refuses_raw_updates() -> None:
    _three_events()
    with pytest.raises(Exception, match="只能追加"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET ip = 'x' WHERE seq = 2")


def test_tampered_content_is_reported_at_the_first_broken_link() -> None:
    _three_events()
    guard_disable()
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET actor_name = 'mallory' WHERE seq = 2")
    report = audit_verify_chain()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 2, 1)
    with pytest.raises(CommandError, match="序号 2"):
        call_command("check_audit")


def test_deleted_line_is_reported() -> None:
    _three_events()
    guard_disable()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    report = audit_verify_chain()
    assert report.first_broken_seq == 2
    assert "缺少" in report.reason


def test_rewritten_line_with_recomputed_hash_breaks_the_next_link() -> None:
    """Line 2 is changed and its own hash recomputed with the chain's function (and its key): line 2
    holds, and line 3's link to it breaks."""
    _three_events()
    guard_disable()
    ring = keyring()
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET actor_name = 'mallory' WHERE seq = 2")
    e = AuditEvent.objects.get(seq=2)
    content = line_content(e)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE audit_auditevent SET hash = %s WHERE seq = 2",
            [keyed_hash(ring.current, ring.current_id, e.prev_hash, content)],
        )
    report = audit_verify_chain()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 3, 2)
    assert report.reason == "前一条记录的哈希不匹配（前一条记录被改动或删除）"


def test_viewing_a_household_file_is_audited(caseworker, client_for) -> None:
    household = new_household()
    response = client_for(caseworker).get(
        reverse("household_detail", args=[household.pk]), REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="view", object_type="household").get()
    assert (event.actor_id, event.object_id, event.ip, event.channel) == (
        caseworker.pk,
        str(household.pk),
        "10.1.2.3",
        "web",
    )
    assert event.region_code == household.region_id


def test_api_view_is_audited_with_api_channel(caseworker, client_for) -> None:
    household = new_household()
    response = client_for(caseworker).get(f"/api/registry/households/{household.pk}")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view", channel="api", object_id=str(household.pk)).exists()


def test_login_is_audited_and_a_single_failed_login_appends_nothing(caseworker, client) -> None:
    """Failed sign-ins are counted by django-axes; the chain gets one line per lockout (test_coverage)."""
    client.post(reverse("login"), {"username": caseworker.username, "password": "wrong-password"})
    client.post(reverse("login"), {"username": caseworker.username, "password": "pass-12345-word"})
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["login"]
    assert audit_verify_chain().ok


def test_audit_log_page_is_scoped(make_user, client_for, tree) -> None:
    from ..conftest import EAST_TOWN, WEST_TOWN

    household = new_household()
    audit_record(
        ctx=AuditContext.system(),
        action="view",
        object_type="household",
        object_id="east-marker",
        region_code=household.region_id,
    )
    east_auditor = make_user("auditor", EAST_TOWN)
    west_auditor = make_user("auditor", WEST_TOWN)
    assert "east-marker" in client_for(east_auditor).get(reverse("audit_log")).content.decode()
    assert "east-marker" not in client_for(west_auditor).get(reverse("audit_log")).content.decode()
