"""PostgreSQL's COPY text format: tab-separated fields, ``\\N`` for NULL, and four characters escaped.

In a field of the text format a backslash starts an escape, and a tab or a line break would end the field
or the row; so backslash, tab, line feed and carriage return are written ``\\\\``, ``\\t``, ``\\n``, ``\\r``.
Nothing else needs escaping (UTF-8 goes as it is). A field that is exactly ``\\N`` is NULL; an escaped
backslash keeps a value ``\\N`` from being read as NULL.
"""

from __future__ import annotations

NULL = "\\N"
SPECIAL = ("\\", "\t", "\n", "\r")
# DuckDB has no text format of its own: its CSV writer with these options writes PostgreSQL's text format,
# provided each text field went through ``copy_text_sql`` (numbers and dates need no escape).
DUCKDB_COPY_TEXT = "(FORMAT csv, DELIMITER '\t', QUOTE '', ESCAPE '', NULLSTR '\\N', HEADER false)"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str | None) -> str:
    """One value as a field of the text format; ``None`` is NULL."""
    if value is None:
        return NULL
    return value.translate(_ESCAPES)


def copy_texts(values: list[str | None]) -> list[str]:
    """A column of values as fields, cheaply when nothing needs escaping: one scan of the joined column
    decides, so clean columns (the usual case) cost no per-value Python."""
    if None not in values:
        joined = "".join(values)  # type: ignore[arg-type]
        if not any(c in joined for c in SPECIAL):
            return values  # type: ignore[return-value]
    return [copy_text(v) for v in values]


def copy_text_sql(expr: str) -> str:
    """The same escape as an SQL expression over ``expr`` (PostgreSQL and DuckDB both have ``replace`` and
    ``chr``), for a query that writes the text format itself (DuckDB's ``COPY … TO``). The backslash goes
    first, or the escapes' own backslashes would be doubled."""
    out = f"replace({expr}, '\\', '\\\\')"
    for code, letter in ((9, "t"), (10, "n"), (13, "r")):
        out = f"replace({out}, chr({code}), '\\{letter}')"
    return out
