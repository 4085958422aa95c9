"""The ID-number rules compiled to SQL against the Python rules, on many generated numbers at once."""

from __future__ import annotations

import random
from datetime import date

import duckdb
import pyarrow as pa

from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.exchange.sqlrules import validation_sql
from jiuzhu.exchange.validate import validate_row
from jiuzhu.registry.idnumber import check_char

TODAY = date(2026, 11, 1)
FEED = FEEDS["hrss_wage"]


def _numbers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        born = date(1900, 1, 1).toordinal() + rng.randrange(46_000)
        first17 = f"{rng.randrange(110000, 660000)}{date.fromordinal(born):%Y%m%d}{rng.randrange(1000):03d}"
        last = check_char(first17) if rng.random() < 0.6 else rng.choice("0123456789X")
        number = first17 + last
        twist = rng.random()
        if twist < 0.05:
            number = number.lower()
        elif twist < 0.10:
            number = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in number)
        elif twist < 0.15:
            number = number[: rng.randrange(18)]
        elif twist < 0.20:
            number = number[:8] + "13" + number[10:]  # month 13
        out.append(number)
    return out


def test_sql_and_python_id_rules_agree_on_2000_numbers() -> None:
    numbers = _numbers(2000, seed=7)
    duck = duckdb.connect()
    duck.execute("CREATE TABLE known_regions (code VARCHAR)")
    chunk = pa.table(
        {
            "line": list(range(2, len(numbers) + 2)),
            "id_number": numbers,
            "month": ["2026-01"] * len(numbers),
            "employer": ["甲"] * len(numbers),
            "amount": ["1"] * len(numbers),
        }
    )
    duck.register("chunk", chunk)
    rows = duck.execute(
        f"SELECT line, reasons, row_key FROM ({validation_sql(FEED, TODAY)}) ORDER BY line"
    ).fetchall()
    mismatches = []
    for (_, reasons, key), number in zip(rows, numbers, strict=True):
        raw = {"id_number": number, "month": "2026-01", "employer": "甲", "amount": "1"}
        result = validate_row(FEED, raw, today=TODAY, regions=set())
        expected = ("；".join(result), None) if isinstance(result, list) else ("", result.row_key)
        if (reasons, key if not reasons else None) != expected:
            mismatches.append((number, reasons, expected))
    assert not mismatches, mismatches[:5]
    assert sum(1 for _, reasons, _ in rows if not reasons) > 800  # enough valid numbers to mean something
