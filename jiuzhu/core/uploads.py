"""The check every uploaded scan or signature passes before it is stored (a signed commitment, an
authorisation, a mandate, a proof of residence, a photo): its size, and its type as its first bytes
say, not as its name or the browser's content type claim."""

from __future__ import annotations

from typing import Any

from .errors import ValidationFailed

# The first bytes of each accepted kind, and how the kind is named to the person uploading.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "pdf": (b"%PDF-",),
}
KIND_LABELS = {"png": "PNG 图片", "jpeg": "JPEG 图片", "pdf": "PDF 文件"}
MAX_BYTES = 5 * 1024 * 1024
_HEAD = 16


_MB = 1024 * 1024


def _size_text(n: int) -> str:
    if n % _MB == 0:
        return f"{n // _MB} MB"
    if n >= _MB:
        return f"{n / _MB:.1f} MB"
    if n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n / 1024:.1f} KB"


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else "、".join(words[:-1]) + "或" + words[-1]


def sniff(head: bytes) -> str | None:
    """The kind whose signature ``head`` begins with, if any."""
    for kind, signatures in SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return kind
    return None


def check_upload(
    file: Any,
    *,
    field: str,
    label: str,
    kinds: tuple[str, ...] = ("png", "jpeg", "pdf"),
    max_bytes: int = MAX_BYTES,
) -> None:
    """Refuse (``ValidationFailed`` on ``field``, in Chinese) an empty file, one over ``max_bytes``, or one
    whose first bytes are not those of one of ``kinds``. The file is read from its start and left there."""
    unknown = [k for k in kinds if k not in SIGNATURES]
    if unknown:
        raise ValueError(f"unknown upload kinds: {unknown}")
    allowed = _or_list([KIND_LABELS[k] for k in kinds])
    size = getattr(file, "size", None)
    if size is None:
        raise ValidationFailed({field: f"{label}：未收到文件，请重新选择后上传"})
    if size == 0:
        raise ValidationFailed({field: f"{label}：文件是空的，请重新选择后上传"})
    if size > max_bytes:
        too_big = f"文件过大（{_size_text(size)}），不能超过 {_size_text(max_bytes)}，请压缩后重新上传"
        raise ValidationFailed({field: f"{label}：{too_big}"})
    file.seek(0)
    head = file.read(_HEAD)
    file.seek(0)
    kind = sniff(head if isinstance(head, bytes) else b"")
    if kind not in kinds:
        raise ValidationFailed({field: f"{label}：文件格式不受支持，请上传 {allowed}"})
