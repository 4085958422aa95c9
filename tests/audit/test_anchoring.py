"""The chain anchored outside the database: a keyed hash and checkpoints of its head."""

import hashlib
import hmac
import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from jiuzhu.audit.chain import GENESIS, keyed_hash, link_hash
from jiuzhu.audit.keys import key_path, key_rotate, keyring
from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.selectors import audit_verify_chain
from jiuzhu.audit.services import AuditContext, audit_record

from .conftest import guard_disable, line_content

pytestmark = pytest.mark.django_db


def _lines(n: int) -> None:
    for i in range(n):
        audit_record(ctx=AuditContext.system(), action="update", object_type="person", object_id=i)


def _rewrite_from(seq: int, rehash) -> None:
    """Change line ``seq`` and recompute it and every later line with ``rehash(prev, event)``, writing
    ``(key_id, hash)`` back: a full re-hash by someone with write access to the table."""
    guard_disable()
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET actor_name = 'mallory' WHERE seq = %s", [seq])
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    for e in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        key_id, digest = rehash(prev, e)
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE seq = %s",
                [prev, digest, key_id, e.seq],
            )
        prev = digest


def _checkpoints(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_new_lines_are_hmac_signed_with_the_key_from_the_key_file() -> None:
    _lines(2)
    key_line = [ln for ln in key_path().read_text().splitlines() if not ln.startswith("#")][-1]
    key_id, key_hex = key_line.split()
    first, second = AuditEvent.objects.order_by("seq")
    assert (first.key_id, second.key_id) == (key_id, key_id)
    # Computed here with hmac itself, not with the chain's helpers.
    message = f"{key_id}\n{first.hash}\n{line_content(second)}".encode()
    assert second.hash == hmac.new(bytes.fromhex(key_hex), message, hashlib.sha256).hexdigest()
    assert second.hash != hashlib.sha256(f"{first.hash}\n{line_content(second)}".encode()).hexdigest()


def test_key_file_is_created_readable_by_its_owner_only() -> None:
    keyring()
    assert stat.S_IMODE(os.stat(key_path()).st_mode) == 0o600


def test_key_file_open_to_others_is_refused(settings, tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_text("k1 " + "ab" * 32 + "\n")
    path.chmod(0o644)
    settings.AUDIT_KEY_FILE = path
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        keyring()


def test_missing_key_is_required_where_creation_is_off(settings, tmp_path: Path) -> None:
    settings.AUDIT_KEY_FILE = tmp_path / "absent.key"
    settings.AUDIT_KEY_CREATE = False
    with pytest.raises(ImproperlyConfigured, match="audit-key --create"):
        audit_record(ctx=AuditContext.system(), action="update")


def test_untouched_chain_passes_and_each_check_appends_a_checkpoint(checkpoint_log: Path) -> None:
    _lines(3)
    call_command("check_audit")
    _lines(2)
    call_command("check_audit")
    head = AuditEvent.objects.get(seq=5)
    cps = _checkpoints(checkpoint_log)
    assert [(c["seq"], c["by"]) for c in cps] == [(3, "check-audit"), (5, "check-audit")]
    assert (cps[-1]["hash"], cps[-1]["legacy_upto"]) == (head.hash, 0)


def test_deleting_the_last_twenty_lines_fails_the_check() -> None:
    _lines(30)
    call_command("check_audit")
    guard_disable()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE seq > 10")
    assert AuditEvent.objects.count() == 10
    with pytest.raises(CommandError, match=r"末端为序号 10.*检查点记录过序号 30"):
        call_command("check_audit")


def test_rewriting_a_line_and_rehashing_every_later_one_fails_the_check() -> None:
    """Even with the key itself (the chain's own function), the checkpoint gives the rewrite away."""
    _lines(30)
    call_command("check_audit")
    ring = keyring()
    _rewrite_from(
        12,
        lambda prev, e: (ring.current_id, keyed_hash(ring.current, ring.current_id, prev, line_content(e))),
    )
    assert audit_verify_chain().ok  # the links hold again: only the anchor outside can tell
    with pytest.raises(CommandError, match="序号 30 的记录与检查点不符"):
        call_command("check_audit")


def test_rehashing_after_the_last_checkpoint_without_the_key_fails() -> None:
    _lines(10)
    call_command("check_audit")
    _lines(10)
    _rewrite_from(15, lambda prev, e: ("k1", keyed_hash(b"guessed" * 8, "k1", prev, line_content(e))))
    with pytest.raises(CommandError, match="序号 15 处断开：记录内容与哈希不符"):
        call_command("check_audit")


def test_rehashing_as_unkeyed_lines_is_refused() -> None:
    """Writing the rewritten lines back as lines of before the key (plain SHA-256) does not help."""
    _lines(10)
    _rewrite_from(4, lambda prev, e: ("", link_hash(prev, line_content(e))))
    report = audit_verify_chain()
    assert (report.first_broken_seq, report.reason) == (
        4,
        "记录没有密钥签名，却写在启用密钥之后（记录被改写）",
    )


def _legacy_lines(n: int) -> None:
    """Lines as written before the chain was keyed: empty key id, plain SHA-256 link."""
    guard_disable()
    prev = GENESIS
    for seq in range(1, n + 1):
        e = AuditEvent(
            seq=seq,
            at=timezone.now(),
            actor_name="system",
            action="update",
            object_id=str(seq),
            channel="cli",
            prev_hash=prev,
        )
        e.hash = hashlib.sha256(f"{prev}\n{line_content(e)}".encode()).hexdigest()
        e.save(force_insert=True)
        prev = e.hash


def test_lines_written_before_the_key_are_verified_as_they_were(checkpoint_log: Path) -> None:
    _legacy_lines(3)
    _lines(2)
    assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == [
        "",
        "",
        "",
        "k1",
        "k1",
    ]
    call_command("check_audit")
    assert _checkpoints(checkpoint_log)[-1]["legacy_upto"] == 3


def test_an_unkeyed_chain_checkpointed_accepts_no_more_unkeyed_lines(checkpoint_log: Path) -> None:
    _legacy_lines(3)
    call_command("check_audit")  # checkpoint: head 3, every line written before the key
    prev = AuditEvent.objects.get(seq=3).hash
    forged = AuditEvent(seq=4, at=timezone.now(), actor_name="x", action="update", prev_hash=prev)
    forged.hash = hashlib.sha256(f"{prev}\n{line_content(forged)}".encode()).hexdigest()
    forged.save(force_insert=True)
    with pytest.raises(CommandError, match="序号 4 处断开：记录没有密钥签名"):
        call_command("check_audit")


def test_rotated_key_signs_new_lines_and_old_lines_still_verify() -> None:
    _lines(2)
    key_rotate()
    _lines(1)
    assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == ["k1", "k1", "k2"]
    call_command("check_audit")


def test_an_anchor_printed_on_paper_can_be_checked() -> None:
    _lines(5)
    line = AuditEvent.objects.get(seq=4)
    call_command("check_audit", "--expect", f"4:{line.hash}")
    with pytest.raises(CommandError, match="序号 4 的记录与给出的锚点不符"):
        call_command("check_audit", "--expect", f"4:{'0' * 64}")


def test_an_edited_checkpoint_log_fails_the_check(checkpoint_log: Path) -> None:
    _lines(3)
    call_command("check_audit")
    checkpoint_log.write_text(checkpoint_log.read_text().replace('"seq":3', '"seq":"x"'))
    with pytest.raises(CommandError, match="第 1 行无法读取"):
        call_command("check_audit")


def test_worker_checks_the_new_lines_and_appends_a_checkpoint(checkpoint_log: Path) -> None:
    from jiuzhu.audit.tasks import audit_checkpoint_tick

    _lines(3)
    call_command("check_audit")
    _lines(2)
    assert audit_checkpoint_tick.call() == 5
    assert audit_checkpoint_tick.call() == 5  # nothing new: nothing appended
    assert [(c["seq"], c["by"]) for c in _checkpoints(checkpoint_log)] == [(3, "check-audit"), (5, "worker")]


def test_worker_writes_an_alarm_instead_of_checkpointing_a_truncated_chain(checkpoint_log: Path) -> None:
    from jiuzhu.audit.tasks import audit_checkpoint_tick

    _lines(5)
    audit_checkpoint_tick.call()
    guard_disable()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE seq > 2")
    audit_checkpoint_tick.call()
    entries = _checkpoints(checkpoint_log)
    assert [e.get("seq") for e in entries] == [5, None]
    assert "序号 5 的记录与检查点不符" in entries[-1]["alarm"]


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    AUDIT_CHECKPOINT_INTERVAL=300,
)
def test_worker_cycle_keeps_exactly_one_run_waiting() -> None:
    from django_tasks_db.models import DBTaskResult

    from jiuzhu.audit.tasks import audit_checkpoint_schedule, audit_checkpoint_tick

    before = timezone.now()
    assert audit_checkpoint_schedule() is True
    assert audit_checkpoint_schedule() is False  # one is waiting already
    audit_checkpoint_tick.call()  # a run queues its successor only when none waits
    waiting = DBTaskResult.objects.filter(
        status="READY", task_path="jiuzhu.audit.tasks.audit_checkpoint_tick"
    )
    assert waiting.count() == 1
    run_after = waiting.get().run_after
    assert before + timedelta(seconds=300) <= run_after <= timezone.now() + timedelta(seconds=300)


def test_checkpoint_page_shows_the_checkpoints_for_printing(make_user, client_for) -> None:
    from ..conftest import COUNTY

    _lines(3)
    call_command("check_audit")
    head = AuditEvent.objects.get(seq=3)
    body = client_for(make_user("auditor", COUNTY)).get(reverse("audit_checkpoints")).content.decode()
    assert head.hash in body and "check-audit" in body and "签字" in body
    assert client_for(make_user("township_caseworker")).get(reverse("audit_checkpoints")).status_code == 403


def test_check_audit_says_in_chinese_when_the_log_cannot_be_written(settings, tmp_path: Path) -> None:
    _lines(1)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.AUDIT_CHECKPOINT_LOG = blocker / "audit-checkpoints.log"
    with pytest.raises(CommandError, match="无法读写检查点日志"):
        call_command("check_audit")
