"""The bulk import path for CSV on PostgreSQL: columnar validation in DuckDB, COPY into PostgreSQL.

The rules are the catalogue's, compiled to SQL; messages, canonical values and row keys are exactly
those of ``validate.py`` (a test runs both paths over the same tricky file and compares every row).
Parsing stays with Python's csv module, so line numbers, blank lines and quoting are read the same way
as on the row-by-row path.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import IO, Any

import duckdb
import pyarrow as pa
from django.db import transaction

from .catalogue import Column, Feed
from .readers import FileProblem, _header_map
from .validate import EARLIEST

CHUNK_ROWS = 500_000
# Exactly the characters Python's str.strip() removes, so both paths trim alike.
_WS = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


def _trim(expr: str) -> str:
    return f"trim({expr}, {_q(_WS)})"


_FULL_WIDTH = ("０１２３４５６７８９ｘＸ", "0123456789XX")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name + '"'


@dataclass
class _Compiled:
    stage1: list[str]  # "expr AS alias" over the raw columns
    stage2: list[str]  # "expr AS alias" over stage 1
    reason: str  # over stage 2: NULL when fine, else the message
    value: str  # over stage 2: canonical text of the value (NULL when empty)
    typed: str  # over stage 2: the typed value for the staging slots


def _compile(col: Column, today: date) -> _Compiled:
    """SQL for one column. Intermediate values are computed once, in two projection stages, because
    DuckDB does not share repeated subexpressions between the CASE arms."""
    n = col.name
    raw, text, empty = f"raw_{n}", f"t_{n}", f"(t_{n} = '')"
    trimmed = _trim(f"coalesce({_ident(n)}, '')")
    s1 = [f"coalesce({_ident(n)}, '') AS {raw}", f"{trimmed} AS {text}"]
    label = col.label
    none = f"'{label}：不能为空'" if col.required else "NULL"
    today_sql = f"DATE '{today.isoformat()}'"

    def fail(expr: str) -> str:
        return f"'{label}：' || {expr}"

    if col.type == "id":
        norm, birth, check = f"n_{n}", f"b_{n}", f"c_{n}"
        s1.append(
            f"upper(replace(translate({trimmed}, '{_FULL_WIDTH[0]}', '{_FULL_WIDTH[1]}'), ' ', '')) AS {norm}"
        )
        total = " + ".join(
            f"TRY_CAST(substr({norm}, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(_WEIGHTS)
        )
        s2 = [
            f"CASE WHEN substr({norm}, 7, 4) <> '0000' THEN try_strptime(substr({norm}, 7, 8), '%Y%m%d')::DATE END AS {birth}",
            f"substr('10X98765432', (({total}) % 11) + 1, 1) AS {check}",
        ]
        reason = f"""CASE WHEN {empty} THEN {none}
            WHEN length({norm}) <> 18 THEN {fail("'身份证号码应为18位，实际为' || length(" + norm + ") || '位'")}
            WHEN NOT regexp_full_match({norm}, '[0-9]{{17}}[0-9X]')
                THEN {fail("'身份证号码前17位必须是数字，最后一位是数字或X'")}
            WHEN {birth} IS NULL THEN {fail("'身份证号码中的出生日期不存在：' || substr(" + norm + ", 7, 8)")}
            WHEN {birth} < DATE '1880-01-01' OR {birth} > {today_sql}
                THEN {fail("'身份证号码中的出生日期超出合理范围：' || strftime(" + birth + ", '%Y-%m-%d')")}
            WHEN substr({norm}, 18, 1) <> {check} THEN {fail("'身份证号码校验位错误，请核对号码是否抄错'")}
            END"""
        return _Compiled(s1, s2, reason, f"CASE WHEN {empty} THEN NULL ELSE {norm} END", norm)
    if col.type == "date":
        parsed = f"p_{n}"
        s2 = [
            f"CASE WHEN regexp_full_match(substr({text}, 1, 4), '[0-9]{{4}}') AND substr({text}, 1, 4) <> '0000' "
            f"THEN try_strptime({text}, ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y.%m.%d'])::DATE END AS {parsed}"
        ]
        reason = f"""CASE WHEN {empty} THEN {none}
            WHEN {parsed} IS NULL THEN {fail("'日期格式错误：' || " + text)}
            WHEN {parsed} < DATE '{EARLIEST.isoformat()}' OR {parsed} > {today_sql}
                THEN {fail("'日期超出合理范围：' || strftime(" + parsed + ", '%Y-%m-%d')")}
            END"""
        return _Compiled(s1, s2, reason, f"strftime({parsed}, '%Y-%m-%d')", parsed)
    if col.type == "month":
        parsed, ok = f"p_{n}", f"ok_{n}"
        pattern = "'^([0-9]{4})[-/.]?([0-9]{1,2})$'"
        s1 += [
            f"regexp_extract({trimmed}, {pattern}, 1) AS y_{n}",
            f"regexp_extract({trimmed}, {pattern}, 2) AS m_{n}",
        ]
        valid = f"(y_{n} <> '' AND y_{n} <> '0000' AND TRY_CAST(m_{n} AS INTEGER) BETWEEN 1 AND 12)"
        s2 = [
            f"{valid} AS {ok}",
            f"CASE WHEN {valid} THEN make_date(CAST(y_{n} AS INTEGER), CAST(m_{n} AS INTEGER), 1) END AS {parsed}",
        ]
        reason = f"""CASE WHEN {empty} THEN {none}
            WHEN NOT {ok} THEN {fail("'月份格式错误（应为 YYYY-MM）：' || " + raw)}
            WHEN {parsed} < DATE '{EARLIEST.isoformat()}' OR {parsed} > {today_sql}
                THEN {fail("'月份超出合理范围：' || strftime(" + parsed + ", '%Y-%m')")}
            END"""
        return _Compiled(s1, s2, reason, f"strftime({parsed}, '%Y-%m-%d')", parsed)
    if col.type == "decimal":
        exact = f"x_{n}"
        clean = f"replace({text}, ',', '')"
        s2 = [
            f"CASE WHEN regexp_full_match({clean}, '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)') "
            f"THEN TRY_CAST({clean} AS DECIMAL(38,6)) END AS {exact}"
        ]
        amount = f"CAST({exact} AS DECIMAL(38,2))"
        reason = f"""CASE WHEN {empty} THEN {none}
            WHEN {exact} IS NULL THEN {fail("'金额格式错误：' || " + raw)}
            WHEN {exact} < 0 THEN {fail("'金额不能为负：' || " + raw)}
            WHEN {exact} >= 1000000000000 THEN {fail("'金额过大：' || " + raw)}
            END"""
        return _Compiled(s1, s2, reason, f"CAST({amount} AS VARCHAR)", amount)
    if col.type == "int":
        s2 = [
            f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+') THEN TRY_CAST({text} AS HUGEINT) END AS i_{n}"
        ]
        reason = (
            f"""CASE WHEN {empty} THEN {none} WHEN i_{n} IS NULL THEN {fail("'应为整数：' || " + raw)} END"""
        )
        return _Compiled(s1, s2, reason, f"CAST(i_{n} AS VARCHAR)", f"i_{n}")
    if col.type == "choice":
        options = ", ".join(_q(c) for c in col.choices)
        allowed = "、".join(col.choices)
        reason = f"""CASE WHEN {empty} THEN {none}
            WHEN {text} NOT IN ({options}) THEN {fail("'取值无效：' || " + text + " || " + _q(f"（可选：{allowed}）"))}
            END"""
        return _Compiled(s1, [], reason, f"CASE WHEN {empty} THEN NULL ELSE {text} END", text)
    if col.type == "region":
        reason = f"""CASE WHEN {empty} THEN {none}
            WHEN {text} NOT IN (SELECT code FROM known_regions) THEN {fail("'区划代码不存在：' || " + text)}
            END"""
        return _Compiled(s1, [], reason, f"CASE WHEN {empty} THEN NULL ELSE {text} END", text)
    return _Compiled(
        s1, [], f"CASE WHEN {empty} THEN {none} END", f"CASE WHEN {empty} THEN NULL ELSE {text} END", text
    )


def _validation_sql(feed: Feed, today: date) -> str:
    compiled = {c.name: _compile(c, today) for c in feed.columns}
    stage1 = ", ".join(e for x in compiled.values() for e in x.stage1)
    stage2 = ", ".join(e for x in compiled.values() for e in x.stage2) or "1 AS _"
    reasons = ", ".join(f"({x.reason})" for x in compiled.values())
    data = ", ".join(
        f"{{'key': {_q(name)}, 'value': {x.value}}}" for name, x in compiled.items() if name != "id_number"
    )
    key_parts = ", ".join(f"coalesce({compiled[k].value}, '')" for k in feed.key)
    slot = {c.slot: compiled[c.name] for c in feed.columns if c.slot}
    raw = ", ".join(f"{{'key': {_q(c.name)}, 'value': raw_{c.name}}}" for c in feed.columns)
    return f"""
        WITH s1 AS (SELECT line, {stage1} FROM chunk),
             s2 AS (SELECT *, {stage2} FROM s1)
        SELECT line,
               concat_ws('；', {reasons}) AS reasons,
               {compiled["id_number"].typed} AS id_number,
               {slot["date"].typed if "date" in slot else "NULL"}::DATE AS date,
               {slot["amount"].typed if "amount" in slot else "NULL"}::DECIMAL(38,2) AS amount,
               {slot["kind"].value if "kind" in slot else "NULL"} AS kind,
               [{data}] AS data_entries,
               md5(concat_ws(chr(31), {_q(feed.code)}, {key_parts})) AS row_key,
               [{raw}] AS raw_entries
        FROM s2
    """


def _header(fh: IO[bytes]) -> list[str]:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        header = next(csv.reader(text), None)
    except UnicodeDecodeError:
        raise FileProblem("文件不是 UTF-8 编码，请另存为 UTF-8 的 CSV") from None
    finally:
        text.detach()
    if header is None:
        raise FileProblem("文件为空")
    return header


def _read_duckdb(duck: Any, path: str, width: int) -> None:
    """Read the whole file with DuckDB's C++ reader into ``src``, every column as text. Records are
    numbered as ``readers._csv`` numbers them: an empty line is not a record."""
    spec = ", ".join(f"'c{j}': 'VARCHAR'" for j in range(width))
    options = (
        f"auto_detect=false, header=false, skip=1, columns={{{spec}}}, delim=',', quote='\"', escape='\"', "
        "null_padding=true, strict_mode=false, parallel=false, encoding='utf-8'"
    )
    duck.execute(
        f"CREATE TEMP TABLE src AS SELECT row_number() OVER () + 1 AS line, * FROM read_csv({_q(path)}, {options})"
    ).fetchall()


def _chunks_duckdb(duck: Any, feed: Feed, cols: list[str | None]) -> Iterator[int]:
    """Expose ``src`` chunk by chunk as the view ``chunk``, skipping whitespace-only records as
    ``readers._csv`` does; yields each chunk's size."""
    position = {name: j for j, name in enumerate(cols) if name}
    select = ", ".join(
        f"c{position[c.name]} AS {_ident(c.name)}"
        if c.name in position
        else f"NULL::VARCHAR AS {_ident(c.name)}"
        for c in feed.columns
    )
    blank = " AND ".join(_trim(f"coalesce(c{j}, '')") + " = ''" for j in range(len(cols)))
    last = duck.execute("SELECT coalesce(max(line), 1) FROM src").fetchall()[0][0]
    for start in range(2, last + 1, CHUNK_ROWS):
        end = start + CHUNK_ROWS - 1
        duck.execute(
            f"CREATE OR REPLACE TEMP VIEW chunk AS SELECT line, {select} FROM src "
            f"WHERE line BETWEEN {start} AND {end} AND NOT ({blank})"
        ).fetchall()
        yield duck.execute("SELECT count(*) FROM chunk").fetchall()[0][0]


def _chunks_python(duck: Any, feed: Feed, fh: IO[bytes], cols: list[str | None]) -> Iterator[int]:
    """The same, parsed by Python's csv module: used when DuckDB cannot read the file."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        next(reader, None)
        records = (row for row in reader if row)
        numbered = ((i, row) for i, row in enumerate(records, start=2) if any(cell.strip() for cell in row))
        position = {name: j for j, name in enumerate(cols) if name}
        while rows := list(islice(numbered, CHUNK_ROWS)):
            arrays: dict[str, Any] = {"line": pa.array([line for line, _ in rows], pa.int64())}
            for col in feed.columns:
                j = position.get(col.name)
                cells: list[str | None] = (
                    [None] * len(rows) if j is None else [r[j] if j < len(r) else "" for _, r in rows]
                )
                arrays[col.name] = pa.array(cells, pa.string())
            duck.register("chunk", pa.table(arrays))
            yield len(rows)
    except UnicodeDecodeError:
        raise FileProblem("文件不是 UTF-8 编码，请另存为 UTF-8 的 CSV") from None
    finally:
        text.detach()


@dataclass
class FastOutcome:
    total: int
    loaded: int
    existing: int
    quarantined: int


def import_csv_bulk(
    *,
    feed: Feed,
    fh: IO[bytes],
    batch_id: int,
    connection: Any,
    today: date,
    known_regions: Callable[[set[str]], set[str]],
    progress: Callable[[int], None] | None = None,
) -> FastOutcome:
    """Validate in DuckDB; load with COPY on PostgreSQL, executemany elsewhere; one transaction per chunk."""
    cols = _header_map(feed, _header(fh))
    fh.seek(0)
    duck = duckdb.connect()

    def run(sql: str) -> list[Any]:
        # DuckDB wants every result consumed before the next statement.
        return duck.execute(sql).fetchall()

    run("SET preserve_insertion_order = true")
    run("CREATE TABLE seen (row_key VARCHAR, line BIGINT)")  # unique by construction; no index to build
    run("CREATE TABLE known_regions (code VARCHAR)")
    sql = _validation_sql(feed, today)
    region_cols = [c.name for c in feed.columns if c.type == "region"]
    outcome = FastOutcome(0, 0, 0, 0)
    with tempfile.TemporaryDirectory(prefix="jiuzhu-import-") as tmp:
        source = os.path.join(tmp, "source.csv")
        with open(source, "wb") as out:
            shutil.copyfileobj(fh, out, 1 << 20)
        fh.seek(0)
        sizes: Iterator[int]
        try:
            _read_duckdb(duck, source, len(cols))
            sizes = _chunks_duckdb(duck, feed, cols)
        except duckdb.Error:
            sizes = _chunks_python(duck, feed, fh, cols)
        good_path, bad_path = os.path.join(tmp, "good.csv"), os.path.join(tmp, "bad.csv")
        for size in sizes:
            if region_cols:
                names = " UNION ".join(f"SELECT trim({_ident(n)}) FROM chunk" for n in region_cols)
                wanted = {r[0] for r in run(names) if r[0]}
                run("DELETE FROM known_regions")
                found = sorted(known_regions(wanted))
                if found:
                    duck.register("found_regions", pa.table({"code": found}))
                    run("INSERT INTO known_regions SELECT code FROM found_regions")
                    duck.unregister("found_regions")
            run(f"CREATE OR REPLACE TEMP TABLE checked AS {sql}")
            # A fact repeated in the file is kept once, at its first line, across chunks too.
            run("""
                CREATE OR REPLACE TEMP TABLE judged AS
                SELECT c.*, CASE WHEN c.reasons <> '' THEN c.reasons
                                 WHEN s.line IS NOT NULL THEN '与第' || s.line || '行重复'
                                 WHEN f.first_line < c.line THEN '与第' || f.first_line || '行重复'
                            END AS verdict
                FROM checked c
                LEFT JOIN seen s USING (row_key)
                LEFT JOIN (SELECT row_key, min(line) AS first_line FROM checked WHERE reasons = ''
                           GROUP BY row_key) f USING (row_key)
            """)
            run("INSERT INTO seen SELECT row_key, line FROM judged WHERE verdict IS NULL")
            valid, bad = run(
                "SELECT count(*) FILTER (WHERE verdict IS NULL), count(*) FILTER (WHERE verdict IS NOT NULL) "
                "FROM judged"
            )[0]
            if connection.vendor != "postgresql":
                loaded = _load_rows(connection, duck, feed, batch_id)
            else:
                _export(run, batch_id, good_path, bad_path)
                loaded = _load(connection, feed, batch_id, good_path, bad_path)
            outcome.total += size
            outcome.loaded += loaded
            outcome.existing += valid - loaded
            outcome.quarantined += bad
            if progress:
                progress(size)
    duck.close()
    return outcome


_GOOD = (
    "SELECT id_number, date, amount, coalesce(kind, ''), "
    "to_json(map_from_entries(list_filter(data_entries, lambda x: x.value IS NOT NULL))), row_key "
    "FROM judged WHERE verdict IS NULL ORDER BY line"
)
_BAD = "SELECT line, to_json(map_from_entries(raw_entries)), verdict FROM judged WHERE verdict IS NOT NULL ORDER BY line"


def _export(run: Callable[[str], list[Any]], batch_id: int, good_path: str, bad_path: str) -> None:
    run(f"COPY ({_GOOD}) TO {_q(good_path)} (FORMAT csv, HEADER false)")
    run(f"COPY (SELECT {batch_id}, * FROM ({_BAD})) TO {_q(bad_path)} (FORMAT csv, HEADER false)")


def _load_rows(connection: Any, duck: Any, feed: Feed, batch_id: int) -> int:
    """Other databases (SQLite): the validated rows go in with executemany, still without per-row Python
    validation. Returns how many facts were new."""
    loaded = 0
    with transaction.atomic(), connection.cursor() as cur:
        result = duck.execute(_GOOD)
        while rows := result.fetchmany(50_000):
            cur.executemany(
                "INSERT OR IGNORE INTO exchange_feedrecord "
                "(feed, id_number, date, amount, kind, data, row_key, batch_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        feed.code,
                        i,
                        d.isoformat() if d else None,
                        None if a is None else str(a),
                        k,
                        j,
                        key,
                        batch_id,
                    )
                    for i, d, a, k, j, key in rows
                ],
            )
            loaded += max(cur.rowcount, 0)
        result = duck.execute(_BAD)
        while rows := result.fetchmany(50_000):
            cur.executemany(
                "INSERT INTO exchange_quarantinedrow (batch_id, row_number, raw, reasons) VALUES (%s, %s, %s, %s)",
                [(batch_id, line, raw, reasons) for line, raw, reasons in rows],
            )
    return loaded


def _stream(cursor_copy: Any, path: str) -> None:
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            cursor_copy.write(block)


def _load(connection: Any, feed: Feed, batch_id: int, good_path: str, bad_path: str) -> int:
    """Stage the validated rows and merge them into the fact store, in one transaction."""
    with transaction.atomic(), connection.cursor() as cur:
        # The import is idempotent and resumable, so a crash that loses the last commits only means a
        # re-run; not waiting for the WAL flush shortens the commit of a large batch.
        cur.execute("SET LOCAL synchronous_commit = off")
        stage(cur, good_path, bad_path, batch_id)
        return merge(cur, feed, batch_id)


def stage(cur: Any, good_path: str, bad_path: str, batch_id: int) -> None:
    """COPY the validated rows into the session's staging table, and the refused rows into quarantine."""
    raw = cur.cursor  # psycopg's own cursor, for COPY
    cur.execute(
        "CREATE TEMP TABLE IF NOT EXISTS jz_stage (id_number varchar(18), date date, amount numeric(14,2), "
        "kind varchar(24), data jsonb, row_key varchar(40)) ON COMMIT DELETE ROWS"
    )
    cur.execute("TRUNCATE jz_stage")
    with raw.copy("COPY jz_stage FROM STDIN (FORMAT csv)") as copy:
        _stream(copy, good_path)
    with raw.copy(
        "COPY exchange_quarantinedrow (batch_id, row_number, raw, reasons) FROM STDIN (FORMAT csv)"
    ) as copy:
        _stream(copy, bad_path)


def merge(cur: Any, feed: Feed, batch_id: int) -> int:
    """Move staged facts into the store; a fact already there (same row key) is skipped. Returns how many
    were new."""
    cur.execute(
        "INSERT INTO exchange_feedrecord (feed, id_number, date, amount, kind, data, row_key, batch_id) "
        "SELECT %s, id_number, date, amount, coalesce(kind, ''), data, row_key, %s FROM jz_stage "
        "ON CONFLICT (feed, row_key) DO NOTHING",
        [feed.code, batch_id],
    )
    return int(cur.rowcount)
