"""The 12-digit statistical division code (统计用区划代码).

Digits 1-2 province, 3-4 city, 5-6 county, 7-9 township, 10-12 village. Because every code has
the same length and a level's descendants share its significant prefix, a subtree is a contiguous
range of codes: that is what makes jurisdiction filters a single index range scan.
"""

from __future__ import annotations

import re
from enum import IntEnum

from django.utils.translation import gettext_lazy as _

CODE_RE = re.compile(r"^\d{12}$")


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5

    @property
    def label(self) -> str:
        """The label in the active language, as a plain ``str`` (callers join and format it)."""
        return str(LEVEL_LABELS[self])


LEVEL_LABELS = {
    Level.PROVINCE: _("省"),
    Level.CITY: _("市"),
    Level.COUNTY: _("县"),
    Level.TOWNSHIP: _("乡镇"),
    Level.VILLAGE: _("村(居)"),
}

# Significant prefix length for each level.
PREFIX_LEN = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}


class InvalidRegionCode(ValueError):
    pass


def validate_code(code: str) -> str:
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise InvalidRegionCode(f"区划代码必须是12位数字：{code!r}")
    if code[:2] == "00":
        raise InvalidRegionCode(f"区划代码的省级部分不能为00：{code}")
    return code


def level_of(code: str) -> Level:
    """The level is given by where the trailing zero segments begin."""
    validate_code(code)
    if code[9:] != "000":
        return Level.VILLAGE
    if code[6:9] != "000":
        return Level.TOWNSHIP
    if code[4:6] != "00":
        return Level.COUNTY
    if code[2:4] != "00":
        return Level.CITY
    return Level.PROVINCE


def prefix_of(code: str) -> str:
    return code[: PREFIX_LEN[level_of(code)]]


def subtree_bounds(code: str) -> tuple[str, str]:
    """Inclusive (low, high) bounds of every code in the subtree rooted at ``code``."""
    prefix = prefix_of(code)
    pad = 12 - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def parent_candidates(code: str) -> list[str]:
    """Codes of the possible parents, nearest first. A township may hang directly under a city that
    has no counties (e.g. 东莞 441900); a village always has a township."""
    level = level_of(code)
    allowed = {
        Level.VILLAGE: (Level.TOWNSHIP,),
        Level.TOWNSHIP: (Level.COUNTY, Level.CITY),
        Level.COUNTY: (Level.CITY,),
        Level.CITY: (Level.PROVINCE,),
        Level.PROVINCE: (),
    }[level]
    return [code[: PREFIX_LEN[lv]] + "0" * (12 - PREFIX_LEN[lv]) for lv in allowed]


def ancestor_codes(code: str) -> list[str]:
    """Every possible ancestor code, nearest first."""
    level = level_of(code)
    return [
        code[: PREFIX_LEN[lv]] + "0" * (12 - PREFIX_LEN[lv])
        for lv in sorted(Level, reverse=True)
        if lv < level
    ]


def is_within(code: str, ancestor: str) -> bool:
    low, high = subtree_bounds(ancestor)
    return low <= code <= high
