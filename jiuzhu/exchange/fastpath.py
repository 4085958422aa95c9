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

from .catalogue import Feed
from .readers import FileProblem, header_map
from .sqlrules import ident, q, quarantine_select, trim, validation_sql

CHUNK_ROWS = 500_000


# Exactly the characters Python's str.strip() removes, so both paths trim alike.
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
        f"CREATE TEMP TABLE src AS SELECT row_number() OVER () + 1 AS line, * FROM read_csv({q(path)}, {options})"
    ).fetchall()


def _chunks_duckdb(duck: Any, feed: Feed, cols: list[str | None]) -> Iterator[None]:
    """Expose ``src`` chunk by chunk as the view ``chunk``, skipping whitespace-only records as
    ``readers._csv`` does; yields once per chunk."""
    position = {name: j for j, name in enumerate(cols) if name}
    select = ", ".join(
        f"c{position[c.name]} AS {ident(c.name)}"
        if c.name in position
        else f"NULL::VARCHAR AS {ident(c.name)}"
        for c in feed.columns
    )
    blank = " AND ".join(trim(f"coalesce(c{j}, '')") + " = ''" for j in range(len(cols)))
    last = duck.execute("SELECT coalesce(max(line), 1) FROM src").fetchall()[0][0]
    for start in range(2, last + 1, CHUNK_ROWS):
        end = start + CHUNK_ROWS - 1
        duck.execute(
            f"CREATE OR REPLACE TEMP VIEW chunk AS SELECT line, {select} FROM src "
            f"WHERE line BETWEEN {start} AND {end} AND NOT ({blank})"
        ).fetchall()
        yield None


def _chunks_python(duck: Any, feed: Feed, fh: IO[bytes], cols: list[str | None]) -> Iterator[None]:
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
            yield None
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
    cols = header_map(feed, _header(fh))
    fh.seek(0)
    duck = duckdb.connect()

    def run(sql: str) -> list[Any]:
        # DuckDB wants every result consumed before the next statement.
        return duck.execute(sql).fetchall()

    run("SET preserve_insertion_order = true")
    run("CREATE TABLE seen (row_key VARCHAR, line BIGINT)")  # unique by construction; no index to build
    run("CREATE TABLE known_regions (code VARCHAR)")
    sql = validation_sql(feed, today)
    region_cols = [c.name for c in feed.columns if c.type == "region"]
    outcome = FastOutcome(0, 0, 0, 0)
    with tempfile.TemporaryDirectory(prefix="jiuzhu-import-") as tmp:
        source = os.path.join(tmp, "source.csv")
        with open(source, "wb") as out:
            shutil.copyfileobj(fh, out, 1 << 20)
        fh.seek(0)
        chunks: Iterator[None]
        try:
            _read_duckdb(duck, source, len(cols))
            chunks = _chunks_duckdb(duck, feed, cols)
        except duckdb.Error:
            chunks = _chunks_python(duck, feed, fh, cols)
        good_path, bad_path = os.path.join(tmp, "good.csv"), os.path.join(tmp, "bad.csv")
        for _ in chunks:
            if region_cols:
                names = " UNION ".join(f"SELECT trim({ident(n)}) FROM chunk" for n in region_cols)
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
                _export(run, feed, batch_id, good_path, bad_path)
                loaded = _load(connection, feed, batch_id, good_path, bad_path)
            size = valid + bad
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
    "data, row_key "
    "FROM judged WHERE verdict IS NULL ORDER BY line"
)


def _export(
    run: Callable[[str], list[Any]], feed: Feed, batch_id: int, good_path: str, bad_path: str
) -> None:
    run(f"COPY ({_GOOD}) TO {q(good_path)} (FORMAT csv, HEADER false)")
    run(
        f"COPY (SELECT {batch_id}, * FROM ({quarantine_select(feed)})) TO {q(bad_path)} (FORMAT csv, HEADER false)"
    )


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
        result = duck.execute(quarantine_select(feed))
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
