"""The checkpoint log: the chain's head (seq and hash) written, line by line, outside the database.

Every successful ``jiuzhu check-audit`` and the background worker (every ``AUDIT_CHECKPOINT_INTERVAL``
seconds) append a checkpoint; a later check refuses a chain whose head is behind the last checkpoint
or whose line at a checkpointed seq no longer has the checkpointed hash. The path is the setting
``AUDIT_CHECKPOINT_LOG`` (``JIUZHU_AUDIT_CHECKPOINT_LOG``). One JSON object a line; besides checkpoints
the worker writes an ``alarm`` line when it finds the chain broken. Each line also goes to the logger
``jiuzhu.audit.checkpoint``, so that it can be shipped to another machine (syslog) as well.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger("jiuzhu.audit.checkpoint")


@dataclass(frozen=True)
class Checkpoint:
    at: str
    seq: int
    hash: str
    legacy_upto: int  # the last line of the chain written before it was keyed (0: none)
    by: str


@dataclass(frozen=True)
class Alarm:
    at: str
    message: str
    by: str


class CheckpointLogUnreadable(Exception):
    """The log exists but a line of it cannot be read: it was damaged or edited. The message names the
    file (for the operator's command line); ``line`` is the line's number."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(message)
        self.line = line


def log_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_LOG)


def log_read() -> list[Checkpoint | Alarm]:
    path = log_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    entries: list[Checkpoint | Alarm] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if "alarm" in obj:
                entries.append(Alarm(at=str(obj["at"]), message=str(obj["alarm"]), by=str(obj["by"])))
            else:
                seq, hash_, legacy = int(obj["seq"]), str(obj["hash"]), int(obj["legacy_upto"])
                if seq < 1 or len(hash_) != 64 or not 0 <= legacy <= seq:
                    raise ValueError(line)
                entries.append(Checkpoint(str(obj["at"]), seq, hash_, legacy, str(obj["by"])))
        except (ValueError, KeyError, TypeError):
            message = f"检查点日志 {path} 第 {n} 行无法读取（被改动或损坏）"
            raise CheckpointLogUnreadable(message, line=n) from None
    return entries


def checkpoints_read() -> list[Checkpoint]:
    return [e for e in log_read() if isinstance(e, Checkpoint)]


def _append(obj: dict[str, Any]) -> None:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # check-audit and the worker may append at once
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    (logger.error if "alarm" in obj else logger.info)("%s", line.rstrip())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def checkpoint_append(*, seq: int, hash: str, legacy_upto: int, by: str) -> Checkpoint:
    cp = Checkpoint(_now(), seq, hash, legacy_upto, by)
    _append({"at": cp.at, "seq": seq, "hash": hash, "legacy_upto": legacy_upto, "by": by})
    return cp


def alarm_append(*, message: str, by: str) -> None:
    _append({"at": _now(), "alarm": message, "by": by})
