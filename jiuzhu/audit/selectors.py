"""Reads of the audit log: the chain check and the scoped listing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db.models import QuerySet

from jiuzhu.regions.scope import scoped

from .chain import GENESIS, canonical, link_hash
from .models import AuditEvent


@dataclass
class ChainReport:
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def _rows(batch: int) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        rows: list[dict[str, Any]] = [
            dict(r) for r in AuditEvent.objects.filter(seq__gt=last).order_by("seq").values()[:batch]
        ]
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def audit_verify_chain(*, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in order; stop at the first line whose link does not hold."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for row in _rows(batch):
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(checked, expected_seq, f"缺少序号 {expected_seq} 的记录（可能被删除）")
        if row["prev_hash"] != prev_hash:
            return ChainReport(checked, seq, "前一条记录的哈希不匹配（前一条记录被改动或删除）")
        content = canonical(
            seq=seq,
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
        if link_hash(prev_hash, content) != row["hash"]:
            return ChainReport(checked, seq, "记录内容与哈希不符（记录被改动）")
        prev_hash, expected_seq, checked = row["hash"], seq + 1, checked + 1
    return ChainReport(checked)


def audit_events_for(*, user: Any, object_type: str = "", object_id: str = "") -> QuerySet[AuditEvent]:
    qs = scoped(AuditEvent.objects.select_related("actor"), user, "region_code")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-seq")
