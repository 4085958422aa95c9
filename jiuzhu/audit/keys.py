"""The audit chain's key ring: HMAC keys kept in a file outside the database.

The file holds one key per line, ``<id> <64 hex digits>``; the last line is the current key, earlier
lines are the keys of older lines (rotation appends a line and never removes one). Its path is the
setting ``AUDIT_KEY_FILE`` (``JIUZHU_AUDIT_KEY_FILE``). Where ``AUDIT_KEY_CREATE`` is set (development,
tests) a missing file is created on first use, readable by its owner only; in production it must exist
(``jiuzhu audit-key --create``) and is never created implicitly.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current_id: str

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


_cache: dict[tuple[str, int, int], KeyRing] = {}


def key_path() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


def fingerprint(key: bytes) -> str:
    """A short public name of a key (never the key): the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:16]


def _parse(text: str, path: Path) -> KeyRing:
    keys: dict[str, bytes] = {}
    current = ""
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        try:
            key_id, key = parts[0], bytes.fromhex(parts[1])
        except (IndexError, ValueError):
            raise ImproperlyConfigured(
                f"审计密钥文件 {path} 第 {n} 行格式有误，应为“编号 64位十六进制密钥”"
            ) from None
        if len(key) < 32 or len(key_id) > 16 or key_id in keys:
            raise ImproperlyConfigured(
                f"审计密钥文件 {path} 第 {n} 行无效（密钥至少32字节，编号不超过16个字符且不重复）"
            )
        keys[key_id] = key
        current = key_id
    if not keys:
        raise ImproperlyConfigured(f"审计密钥文件 {path} 中没有密钥，请运行 jiuzhu audit-key --create")
    return KeyRing(keys, current)


def _write_new(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(line)


def _new_line(key_id: str) -> str:
    return f"{key_id} {secrets.token_hex(32)}\n"


_HEADER = "# 审计链 HMAC 密钥：勿删除旧行（旧记录用它校验）；与数据库备份分开保管\n"


def key_create() -> KeyRing:
    """Create the key file with a first key; refuses if it exists."""
    path = key_path()
    try:
        _write_new(path, _HEADER + _new_line("k1"))
    except FileExistsError:
        raise ImproperlyConfigured(f"审计密钥文件 {path} 已存在") from None
    return keyring()


def key_rotate() -> KeyRing:
    """Append a new current key; older keys stay to verify the lines signed with them."""
    ring = keyring()
    n = len(ring.keys) + 1
    while f"k{n}" in ring.keys:
        n += 1
    with key_path().open("a") as fh:
        fh.write(_new_line(f"k{n}"))
    _cache.clear()
    return keyring()


def keyring() -> KeyRing:
    """The key ring, read again whenever the file changes (rotation needs no restart)."""
    path = key_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        if not getattr(settings, "AUDIT_KEY_CREATE", False):
            raise ImproperlyConfigured(
                f"缺少审计密钥文件 {path}：请运行 jiuzhu audit-key --create，或设置 JIUZHU_AUDIT_KEY_FILE"
            ) from None
        with contextlib.suppress(FileExistsError):  # another process may have created it first
            _write_new(path, _HEADER + _new_line("k1"))
        st = path.stat()
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ImproperlyConfigured(
            f"审计密钥文件 {path} 的权限过宽，只应由运行平台的账号读取：chmod 600 {path}"
        )
    cache_key = (str(path), st.st_mtime_ns, st.st_size)
    ring = _cache.get(cache_key)
    if ring is None:
        ring = _parse(path.read_text(), path)
        _cache.clear()
        _cache[cache_key] = ring
    return ring
