"""Validation of one feed row against its declared columns. Every problem of a row is reported at once
in Chinese; a valid row becomes the typed values the staging table stores."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jiuzhu.core.dates import EARLIEST_DATE
from jiuzhu.registry import idnumber

from .catalogue import Column, Feed

# Shared with the bulk path, which compiles the same rules to SQL (sqlrules.py).
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
MONTH = re.compile(r"^([0-9]{4})[-/.]?([0-9]{1,2})$")
# YYYY年M月 is rewritten to YYYY-M before MONTH reads it (in SQL only for values with a non-ASCII
# character, so the common month pays for no third pattern).
MONTH_CN = re.compile(r"^([0-9]{4})年([0-9]{1,2})月$")
INT = re.compile(r"^[+-]?[0-9]+$")
DECIMAL = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$")
MAX_AMOUNT = Decimal("1e12")
NUL_REASON = "含有空字符（NUL），请检查导出程序后重新导出"

# Full-width ASCII (U+FF01–U+FF5E: "３６１３．７１", "２０２３年１０月", "－", "，") and the ideographic space
# folded to their ASCII forms before a number or a date is read. The subset of NFKC that such files
# contain, written out so that the bulk path's SQL (``sqlrules.fold``) folds exactly the same characters:
# full NFKC would also turn "²" or "½" into digits.
FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
_FOLD = str.maketrans(FULL_WIDTH, HALF_WIDTH)
_DATE_WORDS = str.maketrans("", "", "年月日")


def fold(text: str) -> str:
    return text.translate(_FOLD)


@dataclass
class CleanRow:
    id_number: str
    date: date | None
    amount: Decimal | None
    kind: str
    data: dict[str, Any]
    row_key: str


def _date(value: Any, today: date, latest: date | None = None) -> date:
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    else:
        given = str(value).strip()
        text = fold(given)
        # ASCII digits only, as the bulk path reads them (strptime would take other scripts' digits).
        if not text.translate(_DATE_WORDS).isascii() or not text[:4].isdigit() or text[:4] == "0000":
            raise ValueError(f"日期格式错误：{given}")
        for fmt in DATE_FORMATS:
            try:
                d = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"日期格式错误：{given}")
    if not EARLIEST_DATE <= d <= (latest or today):
        raise ValueError(f"日期超出合理范围：{d.isoformat()}")
    return d


def _month(value: Any, today: date) -> date:
    if isinstance(value, (date, datetime)):
        return _date(value, today).replace(day=1)
    m = MONTH.match(MONTH_CN.sub(r"\1-\2", fold(str(value).strip())))
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) == 0:
        raise ValueError(f"月份格式错误（应为 YYYY-MM）：{value}")
    d = date(int(m.group(1)), int(m.group(2)), 1)
    if not EARLIEST_DATE <= d <= today:
        raise ValueError(f"月份超出合理范围：{d:%Y-%m}")
    return d


def _decimal(value: Any) -> Decimal:
    # Plain decimal notation only (no exponents, no underscores): what a department's export contains,
    # and what the fast path accepts too.
    text = fold(str(value).strip()).replace(",", "")
    if not DECIMAL.match(text):
        raise ValueError(f"金额格式错误：{value}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"金额格式错误：{value}") from None
    if amount < 0:
        raise ValueError(f"金额不能为负：{value}")
    if amount >= MAX_AMOUNT:
        raise ValueError(f"金额过大：{value}")
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # "-0" is 0.00, one fact and one key


def _convert(col: Column, value: Any, today: date, regions: set[str]) -> Any:
    if col.type == "id":
        return idnumber.parse(str(value), today=today).value
    if col.type == "date":
        return _date(value, today, col.latest(today))
    if col.type == "month":
        return _month(value, today)
    if col.type == "decimal":
        return _decimal(value)
    if col.type == "int":
        text = fold(str(value).strip())
        if not INT.match(text):
            raise ValueError(f"应为整数：{value}")
        return int(text)
    if col.type == "choice":
        text = str(value).strip()
        if text not in col.choices:
            raise ValueError(f"取值无效：{text}（可选：{'、'.join(col.choices)}）")
        return text
    if col.type == "region":
        text = str(value).strip()
        if text not in regions:
            raise ValueError(f"区划代码不存在：{text}")
        return text
    return str(value).strip()


def plain(value: Any) -> str:
    """The canonical text of a typed value, as stored in ``data`` and hashed into the row key. The
    DuckDB fast path produces exactly the same text (``fastpath.py``)."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def row_key(feed: Feed, values: dict[str, Any]) -> str:
    key = "\x1f".join([feed.code, *(plain(values[k]) if k in values else "" for k in feed.key)])
    # A dedup key, not a security measure.
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def validate_row(feed: Feed, raw: dict[str, Any], *, today: date, regions: set[str]) -> CleanRow | list[str]:
    """A clean row, or the list of reasons it is refused."""
    reasons: list[str] = []
    values: dict[str, Any] = {}
    for col in feed.columns:
        value = raw.get(col.name, "")
        if value is None or (isinstance(value, str) and not value.strip()):
            if col.required:
                reasons.append(f"{col.label}：不能为空")
            continue
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL stores no NUL, and no fact holds one
            reasons.append(f"{col.label}：{NUL_REASON}")
            continue
        try:
            values[col.name] = _convert(col, value, today, regions)
        except (ValueError, idnumber.InvalidIdNumber) as exc:
            reasons.append(f"{col.label}：{exc}")
    if reasons:
        return reasons
    slots = {c.slot: values.get(c.name) for c in feed.columns if c.slot}
    return CleanRow(
        id_number=values["id_number"],
        date=slots.get("date"),
        amount=slots.get("amount"),
        kind=str(slots.get("kind") or ""),
        data={k: plain(v) for k, v in values.items() if k != "id_number"},
        row_key=row_key(feed, values),
    )


# The same readings under public names, for the other importers (存量对象导入 reads its dates, months and
# amounts by exactly these rules).
parse_date = _date
parse_month = _month
parse_amount = _decimal
