"""Reads of the audit log: the chain check and the scoped listing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from jiuzhu.regions.codes import Level, level_of
from jiuzhu.regions.scope import scoped

from .chain import GENESIS, canonical, line_hash
from .checkpoints import Alarm, Checkpoint, CheckpointLogUnreadable, log_read
from .keys import fingerprint, keyring
from .models import AuditEvent


@dataclass
class ChainReport:
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS
    legacy_upto: int = 0  # the last line hashed without a key (written before the chain was keyed)

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def _rows(batch: int, after: int) -> Iterator[dict[str, Any]]:
    last = after
    while True:
        rows: list[dict[str, Any]] = [
            dict(r) for r in AuditEvent.objects.filter(seq__gt=last).order_by("seq").values()[:batch]
        ]
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def _content(row: dict[str, Any]) -> str:
    return canonical(
        seq=row["seq"],
        at=row["at"].astimezone(UTC),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        region_code=row["region_code"],
        ip=row["ip"],
        channel=row["channel"],
        detail=row["detail"],
    )


def audit_verify_chain(
    *, batch: int = 5000, checkpoints: Sequence[Checkpoint] = (), start: Checkpoint | None = None
) -> ChainReport:
    """Walk the chain in order; stop at the first line whose link does not hold.

    ``checkpoints`` (the log kept outside the database) pin the hash of the lines they name and the
    least length of the chain: a line that no longer matches its checkpoint, or a head behind the last
    checkpoint, is a break. Lines without a key are accepted only before the first keyed line, and not
    past the ``legacy_upto`` of the last checkpoint. ``start`` (a checkpoint) checks only the lines
    after it, once its own line is found unchanged: the background worker's incremental check."""
    keys = keyring().keys
    pinned = {cp.seq: cp.hash for cp in checkpoints}
    last_cp = max(checkpoints, key=lambda cp: cp.seq, default=None)
    legacy_limit = last_cp.legacy_upto if last_cp else None
    prev_hash, expected_seq, checked, legacy_upto = GENESIS, 1, 0, 0
    if start is not None:
        start_hash = AuditEvent.objects.filter(seq=start.seq).values_list("hash", flat=True).first()
        if start_hash != start.hash:
            return ChainReport(0, start.seq, f"序号 {start.seq} 的记录与检查点不符（被改动或删除）")
        prev_hash, expected_seq, legacy_upto = start.hash, start.seq + 1, start.legacy_upto
        checked = start.seq
    keyed_seen = expected_seq - 1 > legacy_upto

    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(checked, seq, reason, expected_seq - 1, prev_hash, legacy_upto)

    for row in _rows(batch, expected_seq - 1):
        seq, key_id = row["seq"], row["key_id"]
        if seq != expected_seq:
            return broken(expected_seq, f"缺少序号 {expected_seq} 的记录（可能被删除）")
        if row["prev_hash"] != prev_hash:
            return broken(seq, "前一条记录的哈希不匹配（前一条记录被改动或删除）")
        if not key_id and (keyed_seen or (legacy_limit is not None and seq > legacy_limit)):
            return broken(seq, "记录没有密钥签名，却写在启用密钥之后（记录被改写）")
        expected = line_hash(keys=keys, key_id=key_id, prev_hash=prev_hash, content=_content(row))
        if expected is None:
            return broken(seq, f"记录的密钥编号 {key_id} 不在审计密钥文件中（密钥文件不全，或记录被改写）")
        if expected != row["hash"]:
            return broken(seq, "记录内容与哈希不符（记录被改动）")
        if seq in pinned and pinned[seq] != row["hash"]:
            return broken(seq, f"序号 {seq} 的记录与检查点不符（此处或之前的记录被改写后重新计算了哈希）")
        keyed_seen = keyed_seen or bool(key_id)
        legacy_upto = legacy_upto if key_id else seq
        prev_hash, expected_seq, checked = row["hash"], seq + 1, checked + 1
    head = expected_seq - 1
    if last_cp is not None and head < last_cp.seq:
        return ChainReport(
            checked,
            head + 1,
            f"审计链末端为序号 {head}，而检查点记录过序号 {last_cp.seq}（最新的记录被删除）",
            head,
            prev_hash,
            legacy_upto,
        )
    return ChainReport(checked, None, "", head, prev_hash, legacy_upto)


def audit_events_for(*, user: Any, object_type: str = "", object_id: str = "") -> QuerySet[AuditEvent]:
    qs = scoped(AuditEvent.objects.select_related("actor"), user, "region_code")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-seq")


def audit_anchors_visible(user: Any) -> bool:
    """Whether ``user`` may see the checkpoint page. The chain is one for the whole platform: its head
    and length count every region's lines, and the alarms and key fingerprints concern every region.
    Superusers, and holders of ``audit.view_auditevent`` (auditors, administrators) of a county or a
    level above; not those of a township or village."""
    if getattr(user, "is_superuser", False):
        return True
    region: str | None = getattr(user, "region_id", None)
    if not region or not user.has_perm("audit.view_auditevent"):
        return False
    return level_of(region) <= Level.COUNTY


@dataclass
class AnchorSummary:
    """What the checkpoint page shows: the head as stored, the checkpoints, the keys' fingerprints."""

    head_seq: int
    head_hash: str
    checkpoints: list[Checkpoint]  # newest first
    alarms: list[Alarm]  # newest first
    keys: list[tuple[str, str, bool]]  # (id, fingerprint, current)
    log_error: str  # without the file's path: the page is no place for the server's layout
    worker_late: bool  # no worker checkpoint for three intervals while the chain grew


def audit_anchor_summary(*, limit: int = 50) -> AnchorSummary:
    head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    log_error = ""
    try:
        entries = log_read()
    except CheckpointLogUnreadable as exc:
        entries = []
        log_error = (
            f"检查点日志第 {exc.line} 行无法读取（被改动或损坏），请运维人员运行 jiuzhu check-audit 核查"
        )
    cps = [e for e in entries if isinstance(e, Checkpoint)]
    ring = keyring()
    worker = [cp for cp in cps if cp.by == "worker"]
    late_after = timezone.now() - timedelta(seconds=3 * settings.AUDIT_CHECKPOINT_INTERVAL)
    last_worker = datetime.fromisoformat(worker[-1].at) if worker else None
    grew = head is not None and (not cps or head["seq"] > max(cp.seq for cp in cps))
    return AnchorSummary(
        head_seq=head["seq"] if head else 0,
        head_hash=head["hash"] if head else GENESIS,
        checkpoints=cps[::-1][:limit],
        alarms=[e for e in entries if isinstance(e, Alarm)][::-1][:limit],
        keys=[(k, fingerprint(v), k == ring.current_id) for k, v in ring.keys.items()],
        log_error=log_error,
        worker_late=grew and (last_worker is None or last_worker < late_after),
    )
