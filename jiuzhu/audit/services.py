"""Appending to the audit log. Callers run inside their own transaction, so the audit line commits
or rolls back with the write it describes."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.batch.rawrows import fetch_together
from jiuzhu.core.vocab import AuditObject

from .chain import GENESIS, canonical, keyed_hash
from .checkpoints import Checkpoint, alarm_append, checkpoint_append, checkpoints_read
from .keys import keyring
from .models import AuditEvent
from .selectors import ChainReport, audit_verify_chain

# Arbitrary constant: the PostgreSQL advisory-lock key that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x4A5A4155  # "JZAU"


@dataclass(frozen=True)
class AuditContext:
    """Who is acting and from where; built once per request or command."""

    user: Any = None
    ip: str = ""
    channel: str = "web"

    @classmethod
    def from_request(cls, request: Any) -> AuditContext:
        ip = client_address(request.META)
        user = getattr(request, "user", None)
        user = user if getattr(user, "is_authenticated", False) else None
        channel = "api" if request.path.startswith("/api/") else "web"
        return cls(user=user, ip=ip[:45], channel=channel)

    @classmethod
    def system(cls, channel: str = "cli") -> AuditContext:
        return cls(user=None, ip="", channel=channel)


def client_address(meta: Any) -> str:
    """The client's address. X-Forwarded-For is read only behind a known reverse proxy, and then from
    the right: each proxy appends the address it received from, so the left-most entries are whatever
    the client chose to send. With ``JIUZHU_PROXY_HOPS`` trusted proxies in front of the app, the
    client is the entry that many places from the right (the last one being the nearest proxy's own
    view of its peer); a shorter header falls back to its left-most entry."""
    remote = str(meta.get("REMOTE_ADDR", "") or "")
    if not settings.JIUZHU_TRUST_PROXY:
        return remote
    entries = [e.strip() for e in str(meta.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if e.strip()]
    if not entries:
        return remote
    hops = max(1, int(getattr(settings, "JIUZHU_PROXY_HOPS", 1)))
    return entries[max(0, len(entries) - hops)]


_LAST = f"SELECT seq, hash FROM {AuditEvent._meta.db_table} ORDER BY seq DESC LIMIT 1"


def _lock_chain_and_read_last() -> tuple[int, str] | None:
    """Take the chain's lock, then read its last line: the line read is the one this append follows.

    Every write of the platform appends here, so the two go in one round trip on PostgreSQL
    (``batch.rawrows.fetch_together``), and under READ COMMITTED the second statement takes its snapshot
    after the first has acquired the lock. SQLite needs no lock: its transactions begin IMMEDIATE
    (settings), so writers are already serialised."""
    lock = (
        [("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])] if connection.vendor == "postgresql" else []
    )
    rows = fetch_together([*lock, (_LAST, [])])[-1]
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def audit_record(
    *,
    ctx: AuditContext,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    region_code: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one line to the chain."""
    clean_detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    user = ctx.user
    ring = keyring()
    # No savepoint: the line belongs to the caller's transaction; if it cannot be written, the write it
    # describes must not commit either.
    with transaction.atomic(savepoint=False):
        last = _lock_chain_and_read_last()
        seq = last[0] + 1 if last else 1
        prev = last[1] if last else GENESIS
        at = timezone.now().astimezone(UTC)
        fields = {
            "seq": seq,
            "at": at,
            "actor_id": user.pk if user else None,
            "actor_name": user.get_username() if user else "system",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "region_code": region_code or "",
            "ip": ctx.ip,
            "channel": ctx.channel,
            "detail": clean_detail,
        }
        digest = keyed_hash(ring.current, ring.current_id, prev, canonical(**fields))
        event = AuditEvent(**fields, prev_hash=prev, hash=digest, key_id=ring.current_id)
        event.save(force_insert=True)
    return event


def audit_view(
    request: Any, *, object_type: str, object_id: Any, region_code: str, **detail: Any
) -> AuditEvent:
    """Record that the requesting user opened a file (household, person, report)."""
    return audit_record(
        ctx=AuditContext.from_request(request),
        action="view",
        object_type=object_type,
        object_id=object_id,
        region_code=region_code,
        detail=detail or None,
    )


_FULL_ID = re.compile(r"^\d{17}[\dX]$")


def audit_search(request: Any, *, query: str) -> AuditEvent | None:
    """Record a search by a full ID number (the 18 characters name one person); other searches (a
    name, the last digits) are not recorded. Full-width digits and a lowercase x count as typed."""
    text = unicodedata.normalize("NFKC", query or "").replace(" ", "").upper()
    if not _FULL_ID.match(text):
        return None
    user = getattr(request, "user", None)
    return audit_record(
        ctx=AuditContext.from_request(request),
        action="search",
        object_type=AuditObject.ID_NUMBER,
        object_id=text,
        region_code=getattr(user, "region_id", None) or "",
    )


def audit_checkpoint_write(*, by: str, incremental: bool = False) -> tuple[ChainReport, Checkpoint | None]:
    """Check the chain against the checkpoint log and, if it holds, append its head to the log.

    ``jiuzhu check-audit`` walks the whole chain; the background worker (``incremental``) checks only
    the lines after the last checkpoint, and writes nothing when the head has not moved since. A
    broken chain gets an alarm line in the log instead of a checkpoint."""
    entries = checkpoints_read()
    last = entries[-1] if entries else None
    report = audit_verify_chain(checkpoints=entries, start=last if incremental else None)
    if not report.ok:
        alarm_append(message=f"审计链在序号 {report.first_broken_seq} 处断开：{report.reason}", by=by)
        return report, None
    if report.head_seq == 0:
        return report, None
    if incremental and last is not None and (last.seq, last.hash) == (report.head_seq, report.head_hash):
        return report, None
    cp = checkpoint_append(seq=report.head_seq, hash=report.head_hash, legacy_upto=report.legacy_upto, by=by)
    return report, cp
