"""The hash chain: canonical content of an audit line and its link hash.

A line written since the chain was anchored carries ``key_id`` and its hash is an HMAC-SHA256 under
that key (``keys.py``), so that nobody without the key file can recompute the chain after changing
it. Lines written before (``key_id`` empty) keep their plain SHA-256 link; they are accepted only
as the chain's first lines, before the first keyed line (see ``selectors.audit_verify_chain``)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    region_code: str,
    ip: str,
    channel: str,
    detail: dict[str, Any],
) -> str:
    body = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "region_code": region_code,
        "ip": ip,
        "channel": channel,
        "detail": detail,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def link_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + "\n" + content).encode()).hexdigest()


def keyed_hash(key: bytes, key_id: str, prev_hash: str, content: str) -> str:
    """The link of a keyed line: HMAC-SHA256 over the key id, the previous hash and the content."""
    return hmac.new(key, (key_id + "\n" + prev_hash + "\n" + content).encode(), hashlib.sha256).hexdigest()


def line_hash(*, keys: dict[str, bytes], key_id: str, prev_hash: str, content: str) -> str | None:
    """The hash a line must carry; None when its key is not in the key ring."""
    if not key_id:
        return link_hash(prev_hash, content)
    key = keys.get(key_id)
    return None if key is None else keyed_hash(key, key_id, prev_hash, content)
