"""The UI is translatable: Chinese is the source language (every msgid is the Chinese text shown by
default) and an English catalogue ships in ``jiuzhu/locale``. LocaleMiddleware picks the language
from the browser's Accept-Language."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from jiuzhu.accounts.roles import ROLES, Role
from jiuzhu.accounts.selectors import responsibility_list
from jiuzhu.regions.codes import Level
from jiuzhu.registry.choices import Category, Relation
from jiuzhu.registry.forms import SearchForm

from ..factories import add_member, new_household

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _back_to_default_language() -> Iterator[None]:
    """LocaleMiddleware activates the request's language in this thread; don't leak English."""
    yield
    translation.deactivate()


# --- the catalogue ---------------------------------------------------------------------------------


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def _po_entries() -> list[dict[str, str]]:
    """A tiny .po reader: one dict per entry, keyed msgctxt / msgid / msgid_plural / msgstr /
    msgstr[N], plus "flags" (the ``#,`` comment lines)."""
    entries = []
    for block in PO.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line):
                key = m.group(1)
                entry[key] = _unquote(m.group(2))
            elif m := re.match(r'^"(.*)"$', line):
                assert key is not None, block
                entry[key] += _unquote(m.group(1))
        entries.append(entry)
    return entries


def test_english_catalogue_is_complete() -> None:
    entries = _po_entries()
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "Language: en" in header["msgstr"]
    assert len(messages) > 150
    for entry in [header, *messages]:
        assert "fuzzy" not in entry["flags"], entry
    for entry in messages:
        assert CJK.search(entry["msgid"]), f"msgids are the Chinese source text: {entry}"
        strs = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert strs, entry
        for s in strs:
            assert s, f"untranslated: {entry['msgid']}"
            assert not CJK.search(s), f"Chinese left in the English text: {s}"
            # Placeholders must survive translation.
            assert set(re.findall(r"%\(\w+\)s", s)) == set(re.findall(r"%\(\w+\)s", entry["msgid"]))


def test_compiled_catalogue_matches_the_po() -> None:
    """The .mo ships in the tree: it must say what the .po says."""
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for entry in _po_entries()[1:]:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            assert mo.pgettext(entry["msgctxt"], msgid) == entry["msgstr"]
        elif "msgid_plural" in entry:
            assert mo.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr[0]"]
            assert mo.ngettext(msgid, entry["msgid_plural"], 2) == entry["msgstr[1]"]
        else:
            assert mo.gettext(msgid) == entry["msgstr"]


# --- labels in Python ------------------------------------------------------------------------------


def test_choice_labels_follow_the_active_language() -> None:
    assert str(Category.DIBAO.label) == "低保"
    with translation.override("en"):
        assert str(Category.DIBAO.label) == "Minimum living allowance (dibao)"
        assert dict(Relation.choices)[Relation.HEAD] == "Head of household"
        assert str(SearchForm().fields["q"].label).startswith("Name or ID number")
    assert str(Category.DIBAO.label) == "低保"


def test_role_and_level_labels_are_plain_strings_in_the_active_language() -> None:
    """They are joined, formatted and put into API schemas, so they must be ``str``, not lazy."""
    assert Role.TOWNSHIP_CASEWORKER.label == "乡镇经办"
    assert Level.VILLAGE.label == "村(居)"
    assert ROLES[Role.TOWNSHIP_CASEWORKER].duties.startswith("一门受理")
    with translation.override("en"):
        assert Role.TOWNSHIP_CASEWORKER.label == "Township caseworker"
        assert type(Role.TOWNSHIP_CASEWORKER.label) is str
        assert Level.TOWNSHIP.label == "Township"
        assert type(Level.TOWNSHIP.label) is str
        assert "、".join(lv.label for lv in ROLES[Role.VERIFICATION_OFFICER].levels) == "County、City"
        assert ROLES[Role.ADMIN].duties.startswith("Maintain policy parameters")
        assert type(ROLES[Role.ADMIN].duties) is str


@pytest.mark.django_db
def test_responsibility_list_in_english(tree) -> None:
    with translation.override("en"):
        rows = {r.code: r for r in responsibility_list()}
    row = rows[Role.TOWNSHIP_CASEWORKER.value]
    assert row.label == "Township caseworker"
    assert row.levels == "Township"
    assert row.duties.startswith("One-stop intake")


# --- pages -----------------------------------------------------------------------------------------


def test_search_page_is_chinese_by_default(caseworker, client_for) -> None:
    body = client_for(caseworker).get(reverse("household_search")).content.decode()
    assert '<html lang="zh-Hans">' in body
    assert "<h1>低收入人口数据库 · 一户一档</h1>" in body
    assert "姓名或身份证号（可输后几位）" in body
    assert "乡镇经办" in body
    assert "Household files" not in body


def test_search_page_in_english_from_accept_language(caseworker, client_for) -> None:
    response = client_for(caseworker).get(reverse("household_search"), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "<h1>Low-income population database · Household files</h1>" in body
    assert "Name or ID number (the last few digits will do)" in body
    assert "Township caseworker" in body  # the role in the top bar
    assert ">Minimum living allowance (dibao)</option>" in body
    assert "一户一档" not in body
    assert "低保" not in body


def test_chinese_browser_gets_chinese(caseworker, client_for) -> None:
    """zh-CN (what Chinese browsers send) falls back to zh-hans."""
    body = (
        client_for(caseworker)
        .get(reverse("household_search"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8")
        .content.decode()
    )
    assert "一户一档" in body


def test_household_file_in_english(caseworker, client_for, tree) -> None:
    household = new_household(head__name="陈东来")
    add_member(household, "child", name="陈小东", in_school=True)
    client = client_for(caseworker)
    url = reverse("household_detail", args=[household.pk])
    zh = client.get(url).content.decode()
    assert "<h1>家庭档案 " in zh
    assert "现有成员（2人）" in zh
    assert "变更历史" in zh
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Household file " in en
    assert "Current members (2 people)" in en
    assert "Change history" in en
    assert "Head of household" in en
    assert "; in school" in en
    assert "陈小东" in en  # data stays as entered
    for chinese in ("家庭档案", "现有成员", "变更历史", "户主", "在校"):
        assert chinese not in en


def test_search_results_count_in_both_languages(caseworker, client_for, tree) -> None:
    new_household(head__name="孙大明")
    client = client_for(caseworker)
    url = reverse("household_search")
    assert "共 1 户" in client.get(url, {"q": "孙"}).content.decode()
    assert "1 household<" in client.get(url, {"q": "孙"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_login_page_in_english(db, client) -> None:
    zh = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">用户名</label>' in zh
    en = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<label for="id_username">Username</label>' in en
    assert '<label for="id_password">Password</label>' in en
    assert not CJK.search(en)
