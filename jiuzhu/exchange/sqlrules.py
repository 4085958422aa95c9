"""The catalogue's validation rules compiled to DuckDB SQL: the same messages, canonical values and row
keys as ``validate.py``, computed a column at a time."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jiuzhu.core.dates import EARLIEST_DATE
from jiuzhu.registry.idnumber import CHECK_CHARS, EARLIEST_BIRTH, WEIGHTS

from .catalogue import Column, Feed
from .validate import (
    DATE_FORMATS,
    DECIMAL,
    FULL_WIDTH,
    HALF_WIDTH,
    INT,
    MAX_AMOUNT,
    MONTH,
    MONTH_CN,
    NUL_REASON,
)

_WS = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


def trim(expr: str) -> str:
    """Python's str.strip() in SQL. Trimming with a character list is slow in DuckDB, so it runs only for
    the rare value whose first or last character is whitespace."""
    edge = f"contains({q(_WS)}, left({expr}, 1)) OR contains({q(_WS)}, right({expr}, 1))"
    return f"CASE WHEN {edge} THEN trim({expr}, {q(_WS)}) ELSE {expr} END"


def nonblank(exprs: list[str]) -> str:
    """True when a record has a character that Python's str.strip() would keep, in any cell."""
    return f"regexp_matches(concat({', '.join(exprs)}), {q('[^' + _WS + ']')})"


_FULL_WIDTH = ("０１２３４５６７８９ｘＸ", "0123456789XX")


def fold(expr: str, then: Callable[[str], str] | None = None) -> str:
    """``validate.fold`` in SQL: full-width ASCII and the ideographic space to ASCII. Only a value with a
    character outside ASCII (more bytes than characters) pays for the translation, and for ``then`` (an
    expression built around the folded value) when given."""
    folded = f"translate({expr}, {q(FULL_WIDTH)}, {q(HALF_WIDTH)})"
    folded = then(folded) if then else folded
    return f"CASE WHEN strlen({expr}) = length({expr}) THEN {expr} ELSE {folded} END"


def q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name + '"'


@dataclass
class _Compiled:
    # "expr AS alias" lists: the first over the raw columns (the raw text and the trimmed text), each
    # next one over the one before.
    stages: list[list[str]]
    reason: str  # over the last stage: NULL when fine, else the message
    value: str  # over the last stage: canonical text of the value (NULL when empty)
    typed: str  # over the last stage: the typed value for the staging slots


def _compile(col: Column, today: date, nul: bool = True) -> _Compiled:
    """SQL for one column. Intermediate values are computed once, in projection stages, because DuckDB
    does not share repeated subexpressions between the CASE arms."""
    n = col.name
    raw, text, empty = f"raw_{n}", f"t_{n}", f"(t_{n} = '')"
    trimmed = trim(f"coalesce({ident(n)}, '')")
    s1 = [f"coalesce({ident(n)}, '') AS {raw}", f"{trimmed} AS {text}"]
    label = col.label
    none = f"'{label}：不能为空'" if col.required else "NULL"
    today_sql = f"DATE '{today.isoformat()}'"
    latest_sql = f"DATE '{col.latest(today).isoformat()}'"

    def fail(expr: str) -> str:
        return f"'{label}：' || {expr}"

    # Every column: empty, then a NUL anywhere (refused before any other rule reads the value). A file
    # without a NUL byte, the usual one, is compiled without the check.
    head = f"CASE WHEN {empty} THEN {none}"
    if nul:
        head += f" WHEN contains({raw}, chr(0)) THEN {q(label + '：' + NUL_REASON)}"

    if col.type == "id":
        norm, birth, digits = f"n_{n}", f"b_{n}", f"d_{n}"
        shape = "'[0-9]{17}[0-9X]'"
        # Most numbers are already in shape; only the others pay for folding full-width digits.
        s2 = [
            f"CASE WHEN regexp_full_match({text}, {shape}) THEN {text} "
            f"ELSE upper(replace(translate({text}, '{_FULL_WIDTH[0]}', '{_FULL_WIDTH[1]}'), ' ', '')) END AS {norm}",
        ]
        # The check digit from the first 17 digits as one integer: arithmetic instead of 17 substrings.
        # Only read once the shape check has passed, so the cast never fails where it matters.
        total = " + ".join(f"(({digits} // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(WEIGHTS))
        s3 = [
            f"CASE WHEN substr({norm}, 7, 4) <> '0000' THEN try_strptime(substr({norm}, 7, 8), '%Y%m%d')::DATE END AS {birth}",
            f"TRY_CAST(substr({norm}, 1, 17) AS BIGINT) AS {digits}",
        ]
        check = f"substr('{CHECK_CHARS}', (({total}) % 11) + 1, 1)"
        reason = f"""{head}
            WHEN length({norm}) <> 18 THEN {fail("'身份证号码应为18位，实际为' || length(" + norm + ") || '位'")}
            WHEN NOT regexp_full_match({norm}, {shape})
                THEN {fail("'身份证号码前17位必须是数字，最后一位是数字或X'")}
            WHEN {birth} IS NULL THEN {fail("'身份证号码中的出生日期不存在：' || substr(" + norm + ", 7, 8)")}
            WHEN {birth} < DATE '{EARLIEST_BIRTH.isoformat()}' OR {birth} > {today_sql}
                THEN {fail("'身份证号码中的出生日期超出合理范围：' || strftime(" + birth + ", '%Y-%m-%d')")}
            WHEN substr({norm}, 18, 1) <> {check} THEN {fail("'身份证号码校验位错误，请核对号码是否抄错'")}
            END"""
        return _Compiled([s1, s2, s3], reason, f"CASE WHEN {empty} THEN NULL ELSE {norm} END", norm)
    if col.type == "date":
        parsed, folded = f"p_{n}", f"f_{n}"
        s2 = [f"{fold(text)} AS {folded}"]
        s3 = [
            f"CASE WHEN regexp_full_match(substr({folded}, 1, 4), '[0-9]{{4}}') AND substr({folded}, 1, 4) <> '0000' "
            f"THEN try_strptime({folded}, [{', '.join(q(f) for f in DATE_FORMATS)}])::DATE END AS {parsed}"
        ]
        reason = f"""{head}
            WHEN {parsed} IS NULL THEN {fail("'日期格式错误：' || " + text)}
            WHEN {parsed} < DATE '{EARLIEST_DATE.isoformat()}' OR {parsed} > {latest_sql}
                THEN {fail("'日期超出合理范围：' || strftime(" + parsed + ", '%Y-%m-%d')")}
            END"""
        return _Compiled([s1, s2, s3], reason, f"strftime({parsed}, '%Y-%m-%d')", parsed)
    if col.type == "month":
        parsed, ok, folded = f"p_{n}", f"ok_{n}", f"f_{n}"
        pattern = q(MONTH.pattern)

        def chinese(value: str) -> str:  # YYYY年M月 → YYYY-M
            return f"regexp_replace({value}, {q(MONTH_CN.pattern)}, '\\1-\\2')"

        s2 = [f"{fold(text, chinese)} AS {folded}"]
        s3 = [
            f"regexp_extract({folded}, {pattern}, 1) AS y_{n}",
            f"regexp_extract({folded}, {pattern}, 2) AS m_{n}",
        ]
        valid = f"(y_{n} <> '' AND y_{n} <> '0000' AND TRY_CAST(m_{n} AS INTEGER) BETWEEN 1 AND 12)"
        s4 = [
            f"{valid} AS {ok}",
            f"CASE WHEN {valid} THEN make_date(CAST(y_{n} AS INTEGER), CAST(m_{n} AS INTEGER), 1) END AS {parsed}",
        ]
        reason = f"""{head}
            WHEN NOT {ok} THEN {fail("'月份格式错误（应为 YYYY-MM）：' || " + raw)}
            WHEN {parsed} < DATE '{EARLIEST_DATE.isoformat()}' OR {parsed} > {today_sql}
                THEN {fail("'月份超出合理范围：' || strftime(" + parsed + ", '%Y-%m')")}
            END"""
        return _Compiled([s1, s2, s3, s4], reason, f"strftime({parsed}, '%Y-%m-%d')", parsed)
    if col.type == "decimal":
        clean, fits, exact = f"c_{n}", f"ok_{n}", f"x_{n}"
        s2 = [f"replace({fold(text)}, ',', '') AS {clean}"]
        s2b = [f"regexp_full_match({clean}, {q(DECIMAL.pattern.strip('^$'))}) AS {fits}"]
        # Rounded half up from the text itself, once: a cast through more decimal places first would round
        # twice (1.0049999 → 1.005 → 1.01). DECIMAL(18,2) is a 64-bit integer; anything at or over the
        # limit that it cannot hold is judged by its digits below.
        s3 = [f"CASE WHEN {fits} THEN TRY_CAST({clean} AS DECIMAL(18,2)) END AS {exact}"]
        # Sign and size on the exact value, as Decimal compares them: -0.001 is negative although it
        # rounds to 0.00, and 999999999999.995 is under the limit although it rounds up to it.
        negative = f"(starts_with({clean}, '-') AND regexp_matches({clean}, '[1-9]'))"
        # Only a value that rounds to within a cent of the limit needs its whole part compared (as digits).
        whole, limit = f"regexp_extract({clean}, '^[+-]?0*([0-9]*)', 1)", str(int(MAX_AMOUNT))
        at_limit = (
            f"(length({whole}) > {len(limit)} OR (length({whole}) = {len(limit)} AND {whole} >= {q(limit)}))"
        )
        too_large = f"({exact} IS NULL OR ({exact} >= {MAX_AMOUNT - Decimal('0.01'):f} AND {at_limit}))"
        reason = f"""{head}
            WHEN NOT {fits} THEN {fail("'金额格式错误：' || " + raw)}
            WHEN {negative} THEN {fail("'金额不能为负：' || " + raw)}
            WHEN {too_large} THEN {fail("'金额过大：' || " + raw)}
            END"""
        return _Compiled([s1, s2, s2b, s3], reason, f"CAST({exact} AS VARCHAR)", exact)
    if col.type == "int":
        folded = f"f_{n}"
        s2 = [f"{fold(text)} AS {folded}"]
        s3 = [
            f"CASE WHEN regexp_full_match({folded}, {q(INT.pattern.strip('^$'))}) THEN TRY_CAST({folded} AS HUGEINT) END AS i_{n}"
        ]
        reason = f"""{head} WHEN i_{n} IS NULL THEN {fail("'应为整数：' || " + raw)} END"""
        return _Compiled([s1, s2, s3], reason, f"CAST(i_{n} AS VARCHAR)", f"i_{n}")
    if col.type == "choice":
        options = ", ".join(q(c) for c in col.choices)
        allowed = "、".join(col.choices)
        reason = f"""{head}
            WHEN {text} NOT IN ({options}) THEN {fail("'取值无效：' || " + text + " || " + q(f"（可选：{allowed}）"))}
            END"""
        return _Compiled([s1], reason, f"CASE WHEN {empty} THEN NULL ELSE {text} END", text)
    if col.type == "region":
        reason = f"""{head}
            WHEN {text} NOT IN (SELECT code FROM known_regions) THEN {fail("'区划代码不存在：' || " + text)}
            END"""
        return _Compiled([s1], reason, f"CASE WHEN {empty} THEN NULL ELSE {text} END", text)
    return _Compiled([s1], f"{head} END", f"CASE WHEN {empty} THEN NULL ELSE {text} END", text)


def validation_sql(feed: Feed, today: date, nul: bool = True) -> str:
    """``nul``: whether the file may hold a NUL character (without one, no cell is checked for it)."""
    compiled = {c.name: _compile(c, today, nul) for c in feed.columns}
    depth = max(len(x.stages) for x in compiled.values())
    stages = [
        ", ".join(e for x in compiled.values() if k < len(x.stages) for e in x.stages[k]) or f"1 AS _{k}"
        for k in range(depth)
    ]
    ctes = ",\n             ".join(
        f"s{k + 1} AS (SELECT line, {stages[0]} FROM chunk)"
        if k == 0
        else f"s{k + 1} AS (SELECT *, {stages[k]} FROM s{k})"
        for k in range(depth)
    )
    reasons = ", ".join(f"({x.reason})" for x in compiled.values())
    # JSON by concatenation: much cheaper in DuckDB than building a map per row; to_json() escapes.
    pairs = ", ".join(
        f"CASE WHEN {x.value} IS NOT NULL THEN {q(json.dumps(name))} || ':' || to_json({x.value}) END"
        for name, x in compiled.items()
        if name != "id_number"
    )
    key_parts = ", ".join(f"coalesce({compiled[k].value}, '')" for k in feed.key)
    slot = {c.slot: compiled[c.name] for c in feed.columns if c.slot}
    raw = ", ".join(f"raw_{c.name}" for c in feed.columns)
    return f"""
        WITH {ctes}
        SELECT line,
               concat_ws('；', {reasons}) AS reasons,
               {compiled["id_number"].typed} AS id_number,
               {slot["date"].typed if "date" in slot else "NULL"}::DATE AS date,
               {slot["amount"].typed if "amount" in slot else "NULL"}::DECIMAL(18,2) AS amount,
               {slot["kind"].value if "kind" in slot else "NULL"} AS kind,
               '{{' || concat_ws(',', {pairs}) || '}}' AS data,
               md5(concat_ws(chr(31), {q(feed.code)}, {key_parts})) AS row_key,
               {raw}
        FROM s{depth}
    """


def quarantine_select(feed: Feed, reasons: str) -> str:
    """The refused rows of ``checked`` (those with ``reasons``, a column) with their raw cells as a JSON
    object, as ``readers`` keeps them."""
    # A NUL is shown as ␀ (PostgreSQL stores none), as ``services._jsonable`` shows it.
    raw = ", ".join(f"{q(c.name)}, replace(raw_{c.name}, chr(0), '\u2400')" for c in feed.columns)
    return (
        f"SELECT line, json_object({raw}), {reasons} FROM checked "
        f"WHERE coalesce({reasons}, '') <> '' ORDER BY line"
    )
