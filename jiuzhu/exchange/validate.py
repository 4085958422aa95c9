"""Validation of one feed row against its declared columns. Every problem of a row is reported at once
in Chinese; a valid row becomes the typed values the staging table stores."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jiuzhu.registry import idnumber

from .catalogue import Column, Feed

EARLIEST = date(1900, 1, 1)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")
_MONTH = re.compile(r"^(\d{4})[-/.]?(\d{1,2})$")


@dataclass
class CleanRow:
    id_number: str
    date: date | None
    amount: Decimal | None
    kind: str
    data: dict[str, Any]
    row_key: str


def _date(value: Any, today: date) -> date:
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    else:
        text = str(value).strip()
        for fmt in _DATE_FORMATS:
            try:
                d = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"日期格式错误：{text}")
    if not EARLIEST <= d <= today:
        raise ValueError(f"日期超出合理范围：{d.isoformat()}")
    return d


def _month(value: Any, today: date) -> date:
    if isinstance(value, (date, datetime)):
        return _date(value, today).replace(day=1)
    m = _MONTH.match(str(value).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"月份格式错误（应为 YYYY-MM）：{value}")
    d = date(int(m.group(1)), int(m.group(2)), 1)
    if not EARLIEST <= d <= today:
        raise ValueError(f"月份超出合理范围：{d:%Y-%m}")
    return d


def _decimal(value: Any) -> Decimal:
    text = str(value).strip().replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"金额格式错误：{value}") from None
    if not amount.is_finite():
        raise ValueError(f"金额格式错误：{value}")
    if amount < 0:
        raise ValueError(f"金额不能为负：{value}")
    if amount >= Decimal("1e12"):
        raise ValueError(f"金额过大：{value}")
    return amount.quantize(Decimal("0.01"))


def _convert(col: Column, value: Any, today: date, regions: set[str]) -> Any:
    if col.type == "id":
        return idnumber.parse(str(value), today=today).value
    if col.type == "date":
        return _date(value, today)
    if col.type == "month":
        return _month(value, today)
    if col.type == "decimal":
        return _decimal(value)
    if col.type == "int":
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"应为整数：{value}") from None
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


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


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
        try:
            values[col.name] = _convert(col, value, today, regions)
        except (ValueError, idnumber.InvalidIdNumber) as exc:
            reasons.append(f"{col.label}：{exc}")
    if reasons:
        return reasons
    slots = {c.slot: values.get(c.name) for c in feed.columns if c.slot}
    key = "\x1f".join([feed.code, *(str(_plain(values.get(k, ""))) for k in feed.key)])
    return CleanRow(
        id_number=values["id_number"],
        date=slots.get("date"),
        amount=slots.get("amount"),
        kind=str(slots.get("kind") or ""),
        data={k: _plain(v) for k, v in values.items() if k != "id_number"},
        row_key=hashlib.sha1(key.encode()).hexdigest(),
    )
