"""The ID-number rules compiled to SQL against the Python rules, on many generated numbers at once."""

from __future__ import annotations

import json
import random
from datetime import date

import duckdb
import pyarrow as pa

from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.exchange.sqlrules import trim, validation_sql
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


def _amounts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    fixed = [
        "1.005", "1.0049999", "1.00499999999999999999999", "0.015", "-0.001", "-0", "-.5", "5.", ".5", "+5",
        "1,234.565", "999999999999.994", "999999999999.995", "999999999999.999", "1000000000000",
        "1000000000000.00", "0999999999999", "000000000000000000000000000001.005", "12345678901234567",
        "123456789012345678901234567890123456789", "1e5", "1.2.3", "", " 12 ", "１２",
    ]  # fmt: skip
    out = list(fixed)
    while len(out) < count:
        whole = str(rng.randrange(10 ** rng.randrange(1, 15)))
        fraction = "".join(rng.choice("0123456789") for _ in range(rng.randrange(0, 9)))
        text = whole + ("." + fraction if fraction or rng.random() < 0.1 else "")
        out.append(("-" if rng.random() < 0.1 else "") + text)
    return out


def test_sql_and_python_amount_rules_agree_on_2000_amounts() -> None:
    """Rounding half up from the exact text, once (not from a value already rounded to 6 places), and the
    sign and size checks on the exact value."""
    amounts = _amounts(2000, seed=11)
    number = "11010519491231002X"
    duck = duckdb.connect()
    duck.execute("CREATE TABLE known_regions (code VARCHAR)")
    chunk = pa.table(
        {
            "line": list(range(2, len(amounts) + 2)),
            "id_number": [number] * len(amounts),
            "month": ["2026-01"] * len(amounts),
            "employer": [f"单位{i}" for i in range(len(amounts))],
            "amount": amounts,
        }
    )
    duck.register("chunk", chunk)
    rows = duck.execute(
        f"SELECT line, reasons, amount, data FROM ({validation_sql(FEED, TODAY)}) ORDER BY line"
    ).fetchall()
    mismatches = []
    for (_, reasons, amount, data), text in zip(rows, amounts, strict=True):
        raw = {"id_number": number, "month": "2026-01", "employer": "单位", "amount": text}
        result = validate_row(FEED, raw, today=TODAY, regions=set())
        got: object
        expected: object
        if isinstance(result, list):
            got, expected = reasons, "；".join(result)
        else:
            got = (reasons, amount, json.loads(data)["amount"])
            expected = ("", result.amount, result.data["amount"])
        if got != expected:
            mismatches.append((text, got, expected))
    assert not mismatches, mismatches[:5]
    assert sum(1 for _, reasons, _, _ in rows if not reasons) > 1500


def test_sql_trim_strips_what_python_strips() -> None:
    """Every character Python's str.strip() removes, and a few it keeps (zero-width space, DEL, NBSP's
    neighbours), at either end, alone and around text."""
    edges = [chr(c) for c in range(0x3001) if chr(c).isspace()] + ["\u200b", "\x7f", "\x9f", "\u00a1", "x"]
    values = [e + "甲 乙" + e for e in edges] + edges + ["", "甲", "  "]
    duck = duckdb.connect()
    duck.register("v", pa.table({"x": values}))
    got = [r[0] for r in duck.execute(f"SELECT {trim('x')} FROM v").fetchall()]
    assert got == [v.strip() for v in values]


# Characters that stand in for ASCII in department files: the full-width forms both paths fold, and
# look-alikes neither may read as digits (superscripts, other scripts' digits, the ideographic full stop).
_STAND_INS = {
    **{c: [chr(ord(c) + 0xFEE0)] for c in "0123456789.,-+/年月日"},
    "2": ["\uff12", "\u00b2", "\u0662"],
    "5": ["\uff15", "\u2075"],
    ".": ["\uff0e", "\u3002"],
    " ": ["\u3000"],
}


def _twisted(texts: list[str], rng: random.Random) -> list[str]:
    out = []
    for text in texts:
        chars = list(text)
        for i, c in enumerate(chars):
            if c in _STAND_INS and rng.random() < 0.3:
                chars[i] = rng.choice(_STAND_INS[c])
        out.append("".join(chars))
    return out


def _agree(feed_code: str, columns: dict[str, list[str]]) -> tuple[int, list[tuple[object, ...]]]:
    """Validate the same values with the SQL and with Python; (rows accepted, mismatches)."""
    feed = FEEDS[feed_code]
    count = len(next(iter(columns.values())))
    duck = duckdb.connect()
    duck.execute("CREATE TABLE known_regions (code VARCHAR)")
    duck.register("chunk", pa.table({"line": list(range(2, count + 2)), **columns}))
    rows = duck.execute(f"SELECT reasons, data FROM ({validation_sql(feed, TODAY)}) ORDER BY line").fetchall()
    mismatches = []
    for i, (reasons, data) in enumerate(rows):
        raw = {name: values[i] for name, values in columns.items()}
        result = validate_row(feed, raw, today=TODAY, regions=set())
        expected = ("；".join(result), None) if isinstance(result, list) else ("", result.data)
        got = (reasons, None if reasons else json.loads(data))
        if got != expected:
            mismatches.append((raw, got, expected))
    return sum(1 for reasons, _ in rows if not reasons), mismatches


def test_sql_and_python_fold_full_width_months_and_amounts_alike() -> None:
    rng = random.Random(3)
    months = [
        rng.choice(
            ["{y}-{m:02d}", "{y}/{m}", "{y}{m:02d}", "{y}年{m}月", "{y}年{m:02d}月", "{y}.{m}"]
        ).format(y=rng.randrange(1895, 2031), m=rng.randrange(0, 14))
        for _ in range(2000)
    ]
    amounts = [
        f"{rng.choice(['', '-', '+'])}{rng.randrange(10**6):,}.{rng.randrange(100):02d}" for _ in range(2000)
    ]
    accepted, mismatches = _agree(
        "hrss_wage",
        {
            "id_number": ["11010519491231002X"] * 2000,
            "month": _twisted(months, rng),
            "employer": [f"单位{i}" for i in range(2000)],
            "amount": _twisted(amounts, rng),
        },
    )
    assert not mismatches, mismatches[:5]
    assert accepted > 300


def test_sql_and_python_fold_full_width_dates_and_integers_alike() -> None:
    rng = random.Random(5)
    dates = [
        rng.choice(
            ["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}{m:02d}{d:02d}", "{y}年{m}月{d}日", "{y}.{m}.{d}"]
        ).format(y=rng.randrange(1895, 2060), m=rng.randrange(0, 14), d=rng.randrange(0, 33))
        for _ in range(2000)
    ]
    grades = [rng.choice(["", "+", "-"]) + str(rng.randrange(0, 30)) for _ in range(2000)]
    accepted, mismatches = _agree(
        "disability",
        {
            "id_number": ["11010519491231002X"] * 2000,
            "category": ["visual"] * 2000,
            "grade": _twisted(grades, rng),
            "issued_on": _twisted(dates, rng),
        },
    )
    assert not mismatches, mismatches[:5]
    assert accepted > 300
    accepted, mismatches = _agree(
        "justice",
        {
            "id_number": ["11010519491231002X"] * 2000,
            "kind": ["prison"] * 2000,
            "start_date": ["2020-01-01"] * 2000,
            "end_date": _twisted(dates, rng),  # may lie up to 30 years ahead
        },
    )
    assert not mismatches, mismatches[:5]
    assert accepted > 300
