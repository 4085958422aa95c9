"""COPY text format: the four escapes, NULL, and the SQL form of the same escape."""

from __future__ import annotations

import duckdb
import pytest
from django.db import connection

from jiuzhu.batch.copytext import DUCKDB_COPY_TEXT, copy_text, copy_text_sql, copy_texts

TRICKY = ["a\\b", "tab\there", "two\nlines", "cr\rhere", "\\N", "干净", ""]
# Written out by hand: backslash doubled, tab/LF/CR as \t \n \r, and a literal \N kept apart from NULL.
ESCAPED = ["a\\\\b", "tab\\there", "two\\nlines", "cr\\rhere", "\\\\N", "干净", ""]


def test_python_escape_of_each_special_character() -> None:
    assert [copy_text(v) for v in TRICKY] == ESCAPED
    assert copy_text(None) == "\\N"


def test_a_clean_column_comes_back_as_it_is_and_a_dirty_one_escaped() -> None:
    clean = ["张三", "110101199001011234", ""]
    assert copy_texts(clean) is clean
    assert copy_texts(TRICKY) == ESCAPED
    assert copy_texts(["x", None]) == ["x", "\\N"]


def test_sql_escape_in_duckdb_matches_the_hand_written_fields() -> None:
    duck = duckdb.connect()
    got = [duck.execute(f"SELECT {copy_text_sql('$1')}", [v]).fetchall() for v in TRICKY]
    assert got == [[(e,)] for e in ESCAPED]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgresql_reads_the_escaped_fields_back_as_the_original_values() -> None:
    values = [*TRICKY, None]
    with connection.cursor() as cur:
        cur.execute(f"SELECT {copy_text_sql('%s')}", ["tab\there\\"])
        assert cur.fetchall() == [("tab\\there\\\\",)]
        cur.execute("CREATE TEMP TABLE copytext_probe (n int, v text)")
        payload = "".join(f"{i}\t{copy_text(v)}\n" for i, v in enumerate(values))
        with cur.cursor.copy("COPY copytext_probe FROM STDIN") as copy:
            copy.write(payload)
        cur.execute("SELECT v FROM copytext_probe ORDER BY n")
        assert [v for (v,) in cur.fetchall()] == values


def test_duckdb_writes_the_text_format_with_the_shared_options(tmp_path) -> None:
    path = tmp_path / "rows.txt"
    duck = duckdb.connect()
    duck.execute(
        f"COPY (SELECT 7 AS line, {copy_text_sql('kind')} AS kind, NULL AS amount FROM "
        f"(VALUES ('tab\tand\\back')) v(kind)) TO '{path}' {DUCKDB_COPY_TEXT}"
    ).fetchall()
    assert path.read_text() == "7\ttab\\tand\\\\back\t\\N\n"
