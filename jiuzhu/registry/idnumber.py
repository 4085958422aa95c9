"""Resident identity numbers (公民身份号码), GB 11643-1999.

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for men, even for
women) and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from jiuzhu.core.masking import id_number_masked

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by the weighted sum modulo 11
_SHAPE = re.compile(r"^\d{17}[\dX]$")
EARLIEST_BIRTH = date(1880, 1, 1)


class InvalidIdNumber(ValueError):
    """The message is shown to users as is."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    sex: str  # "M" or "F"
    address_code: str


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(raw: str) -> str:
    """Trim spaces, accept full-width digits and a lowercase x."""
    s = (raw or "").strip().replace(" ", "")
    s = s.translate({0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: ord("X"), 0xFF58: ord("X")})
    return s.upper()


def parse(raw: str, *, today: date | None = None) -> IdNumber:
    value = normalise(raw)
    if len(value) != 18:
        raise InvalidIdNumber(f"身份证号码应为18位，实际为{len(value)}位")
    if not _SHAPE.match(value):
        raise InvalidIdNumber("身份证号码前17位必须是数字，最后一位是数字或X")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号码中的出生日期不存在：{value[6:14]}") from None
    today = today or date.today()
    if born < EARLIEST_BIRTH or born > today:
        raise InvalidIdNumber(f"身份证号码中的出生日期超出合理范围：{born.isoformat()}")
    expected = check_char(value[:17])
    if value[17] != expected:
        raise InvalidIdNumber("身份证号码校验位错误，请核对号码是否抄错")
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return IdNumber(value=value, birth_date=born, sex=sex, address_code=value[:6])


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidIdNumber:
        return False
    return True


def mask(value: str) -> str:
    """Keep the first 3 and last 4 characters, as public notices do: 110***********123X."""
    return id_number_masked(value)
