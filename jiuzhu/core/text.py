"""Free text from users: the one place that says which characters are removed, refused or echoed.

Used by every write path (registry, accounts, verification) and by the API's JSON parser.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Characters that carry nothing visible and are removed: zero-width space, non-joiner and joiner,
# word joiner, byte order mark, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Control characters, NUL, lone surrogates and the remaining format characters (direction marks,
# embeddings, overrides and isolates) are refused.
_REFUSED_CATEGORIES = {"Cc", "Cs", "Cf"}


def unstorable(text: str) -> bool:
    """Whether the text holds what no database column can hold: NUL or a lone surrogate. (Any field,
    even one that allows line breaks; ``clean_text`` refuses more.)"""
    return "\x00" in text or any(unicodedata.category(ch) == "Cs" for ch in text)


def clean_text(
    value: Any, key: str, label: str, errors: dict[str, str], *, max_length: int, required: bool = False
) -> str:
    """Free text: invisible characters removed, control and direction characters refused, the length
    checked (refused with the limit, never cut)."""
    text = _INVISIBLE.sub("", "" if value is None else str(value)).strip()
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in text):
        errors[key] = f"{label}含有不可见的控制字符、方向控制符或无效字符，请删除后重新输入"
        return ""
    if required and not text:
        errors[key] = f"{label}不能为空"
    elif len(text) > max_length:
        errors[key] = f"{label}不能超过{max_length}个字（现为{len(text)}个）"
    return text


def shown(value: Any, limit: int = 40) -> str:
    """Input echoed in a message: refused characters replaced (a lone surrogate cannot even be
    encoded into the response), and cut to a readable length."""
    text = "".join("\ufffd" if unicodedata.category(ch) in _REFUSED_CATEGORIES else ch for ch in str(value))
    return text if len(text) <= limit else text[:limit] + "…"
