"""The character rules for free text, in one place (``jiuzhu.core.text``)."""

from __future__ import annotations

import pytest

from jiuzhu.core.text import clean_text, shown, unstorable


def test_clean_text_removes_invisibles_and_refuses_controls_with_the_label() -> None:
    errors: dict[str, str] = {}
    assert clean_text(" 东\u200b街\u00ad ", "address", "地址", errors, max_length=10) == "东街"
    assert errors == {}
    assert clean_text("东\u202e街", "address", "地址", errors, max_length=10) == ""
    assert errors == {"address": "地址含有不可见的控制字符、方向控制符或无效字符，请删除后重新输入"}


def test_clean_text_refuses_empty_required_and_over_long_text() -> None:
    errors: dict[str, str] = {}
    clean_text("\u200b", "name", "姓名", errors, max_length=5, required=True)
    clean_text("长" * 6, "note", "备注", errors, max_length=5)
    assert errors == {"name": "姓名不能为空", "note": "备注不能超过5个字（现为6个）"}


def test_shown_replaces_refused_characters_and_cuts() -> None:
    assert shown("a\x00b\ud800c") == "a\ufffdb\ufffdc"
    assert shown("甲" * 41) == "甲" * 40 + "…"


@pytest.mark.parametrize(
    ("text", "expected"), [("a\x00", True), ("王\udc00", True), ("第一行\n第二行", False)]
)
def test_unstorable_is_nul_or_a_lone_surrogate_only(text: str, expected: bool) -> None:
    assert unstorable(text) is expected
