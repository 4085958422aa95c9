"""The date, hashing and text functions rules use, defined for each engine as SQLGlot expressions.

Each is written out in portable arithmetic (YEAR, MONTH, DAY, MAKE_DATE-like construction), never with a
dialect's own ``date_diff`` or ``months_between``, whose meanings differ: DuckDB's ``date_diff('year', a,
b)`` counts year boundaries crossed, Spark's ``months_between`` returns fractions. Where the engines need
different spellings (hashing, building a date) the functions branch on the engine.
"""

from __future__ import annotations

from typing import Literal

from sqlglot import exp

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")


def _year(d: exp.Expression) -> exp.Expression:
    return exp.Year(this=d.copy())


def _month(d: exp.Expression) -> exp.Expression:
    return exp.Month(this=d.copy())


def _day(d: exp.Expression) -> exp.Expression:
    return exp.Day(this=d.copy())


def _int(n: int) -> exp.Expression:
    return exp.Literal.number(n)


def _paren(e: exp.Expression) -> exp.Expression:
    return exp.Paren(this=e)


def age_full_years(birth: exp.Expression, on: exp.Expression, engine: Engine) -> exp.Expression:
    """Whole years of age on ``on``: the year difference, less one before the birthday. A person born
    on 29 February turns a year older on 1 March in common years (the day after 28 February)."""
    years = exp.Sub(this=_year(on), expression=_year(birth))
    before = exp.LT(
        this=_paren(exp.Add(this=exp.Mul(this=_month(on), expression=_int(100)), expression=_day(on))),
        expression=_paren(
            exp.Add(this=exp.Mul(this=_month(birth), expression=_int(100)), expression=_day(birth))
        ),
    )
    return _paren(
        exp.Sub(this=years, expression=exp.Case(ifs=[exp.If(this=before, true=_int(1))], default=_int(0)))
    )


def months_between(a: exp.Expression, b: exp.Expression, engine: Engine) -> exp.Expression:
    """Whole months from ``a`` to ``b``: calendar months, less one when ``b``'s day of the month is
    before ``a``'s (31 January to 28 February is 0 months)."""
    months = exp.Add(
        this=exp.Mul(this=_paren(exp.Sub(this=_year(b), expression=_year(a))), expression=_int(12)),
        expression=exp.Sub(this=_month(b), expression=_month(a)),
    )
    short = exp.LT(this=_day(b), expression=_day(a))
    return _paren(
        exp.Sub(this=months, expression=exp.Case(ifs=[exp.If(this=short, true=_int(1))], default=_int(0)))
    )


def month_key(d: exp.Expression, engine: Engine) -> exp.Expression:
    """YYYYMM as an integer."""
    return _paren(exp.Add(this=exp.Mul(this=_year(d), expression=_int(100)), expression=_month(d)))


def add_months(d: exp.Expression, n: exp.Expression, engine: Engine) -> exp.Expression:
    """The same day ``n`` months later, clamped to the month's last day (31 January + 1 = 28/29 February).
    Both engines' own functions clamp the same way; they are named differently."""
    if engine == "spark":
        return exp.Anonymous(this="ADD_MONTHS", expressions=[d.copy(), n.copy()])
    # DuckDB: date + INTERVAL n MONTH clamps; the result is a timestamp, cast back to a date.
    interval = exp.Anonymous(
        this="TO_MONTHS", expressions=[exp.Cast(this=n.copy(), to=exp.DataType.build("INT"))]
    )
    return exp.Cast(this=exp.Add(this=d.copy(), expression=interval), to=exp.DataType.build("DATE"))


def text(e: exp.Expression) -> exp.Expression:
    """A value as text for evidence and keys: dates as YYYY-MM-DD, decimals with their scale, NULL as ''."""
    return exp.Coalesce(
        this=exp.Cast(this=e.copy(), to=exp.DataType.build("VARCHAR")), expressions=[exp.Literal.string("")]
    )


def evidence_key(parts: list[exp.Expression], engine: Engine) -> exp.Expression:
    """A hex MD5 of the parts joined by '|': the same value on every engine for the same parts."""
    joined = exp.Anonymous(this="CONCAT_WS", expressions=[exp.Literal.string("|"), *[text(p) for p in parts]])
    return exp.Anonymous(this="MD5", expressions=[joined])


def _json_string(e: exp.Expression) -> exp.Expression:
    escaped = exp.Anonymous(
        this="REPLACE",
        expressions=[
            exp.Anonymous(
                this="REPLACE", expressions=[text(e), exp.Literal.string("\\"), exp.Literal.string("\\\\")]
            ),
            exp.Literal.string('"'),
            exp.Literal.string('\\"'),
        ],
    )
    return exp.Anonymous(
        this="CONCAT", expressions=[exp.Literal.string('"'), escaped, exp.Literal.string('"')]
    )


def evidence_json(pairs: list[tuple[str, exp.Expression]], engine: Engine) -> exp.Expression:
    """A JSON object of text values, built by concatenation so both engines write the same bytes."""
    if not pairs:
        return exp.Literal.string("{}")
    parts: list[exp.Expression] = [exp.Literal.string("{")]
    for i, (label, value) in enumerate(pairs):
        key = label.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(exp.Literal.string(("," if i else "") + f'"{key}":'))
        parts.append(_json_string(value))
    parts.append(exp.Literal.string("}"))
    return exp.Anonymous(this="CONCAT", expressions=parts)


def as_number(e: exp.Expression, engine: Engine) -> exp.Expression:
    return exp.TryCast(this=e.copy(), to=exp.DataType.build("DECIMAL(14,2)"))


def as_date(e: exp.Expression, engine: Engine) -> exp.Expression:
    return exp.TryCast(this=e.copy(), to=exp.DataType.build("DATE"))


def date_literal(iso: str) -> exp.Expression:
    return exp.Cast(this=exp.Literal.string(iso), to=exp.DataType.build("DATE"))


def list_contains(items: exp.Expression, item: exp.Expression, engine: Engine) -> exp.Expression:
    """Whether a comma-separated list holds ``item`` (codes never contain commas)."""
    wrapped = exp.Anonymous(
        this="CONCAT",
        expressions=[
            exp.Literal.string(","),
            exp.Coalesce(this=items.copy(), expressions=[exp.Literal.string("")]),
            exp.Literal.string(","),
        ],
    )
    needle = exp.Anonymous(
        this="CONCAT", expressions=[exp.Literal.string(","), item.copy(), exp.Literal.string(",")]
    )
    return exp.GT(
        this=exp.Anonymous(this="INSTR" if engine == "spark" else "STRPOS", expressions=[wrapped, needle]),
        expression=_int(0),
    )


def sorted_set(e: exp.Expression, engine: Engine) -> exp.Expression:
    """An aggregate: the distinct values of ``e`` in a group, sorted as text and joined by commas."""
    if engine == "spark":
        items = exp.Anonymous(
            this="ARRAY_SORT", expressions=[exp.Anonymous(this="COLLECT_SET", expressions=[e.copy()])]
        )
        return exp.Anonymous(this="CONCAT_WS", expressions=[exp.Literal.string(","), items])
    items = exp.Anonymous(
        this="LIST_SORT",
        expressions=[exp.Anonymous(this="LIST", expressions=[exp.Distinct(expressions=[e.copy()])])],
    )
    return exp.Anonymous(this="ARRAY_TO_STRING", expressions=[items, exp.Literal.string(",")])
