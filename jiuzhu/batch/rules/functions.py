"""The date, hashing and text functions rules use, defined for each engine as SQLGlot expressions.

Each is written out in portable arithmetic (YEAR, MONTH, DAY, MAKE_DATE-like construction), never with a
dialect's own ``date_diff`` or ``months_between``, whose meanings differ: DuckDB's ``date_diff('year', a,
b)`` counts year boundaries crossed, Spark's ``months_between`` returns fractions. Where the engines need
different spellings (hashing, building a date) the functions branch on the engine.
"""

from __future__ import annotations

from decimal import Decimal
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
    Both engines' own functions clamp the same way; they are named differently. ``n`` is taken as whole
    months, rounded down (a setting is DECIMAL: DuckDB's cast to INT rounds, Spark's truncates)."""
    months = exp.Cast(this=exp.Floor(this=n.copy()), to=exp.DataType.build("INT"))
    if engine == "spark":
        return exp.Anonymous(this="ADD_MONTHS", expressions=[d.copy(), months])
    # DuckDB: date + INTERVAL n MONTH clamps; the result is a timestamp, cast back to a date.
    interval = exp.Anonymous(this="TO_MONTHS", expressions=[months])
    return exp.Cast(this=exp.Add(this=d.copy(), expression=interval), to=exp.DataType.build("DATE"))


def divide(a: exp.Expression, b: exp.Expression, engine: Engine) -> exp.Expression:
    """``a / b`` as DOUBLE on both engines (NULL when ``b`` is 0 or NULL). DuckDB divides decimals as
    doubles while Spark keeps a decimal of its own precision, so both are made doubles first: a decimal
    converts to the nearest double on both, and IEEE division gives the same bits. Compare a quotient
    with a threshold, never write it as evidence (a double's text differs: ``1e+20`` / ``1.0E20``);
    ``mul`` keeps exact decimals and is the better way to write a threshold."""
    double = exp.DataType.build("DOUBLE")
    return _paren(
        exp.Div(
            this=exp.Cast(this=a.copy(), to=double),
            expression=exp.Nullif(this=exp.Cast(this=b.copy(), to=double), expression=_int(0)),
        )
    )


def text(e: exp.Expression) -> exp.Expression:
    """A value as text for evidence and keys: dates as YYYY-MM-DD, decimals with their scale, NULL as ''."""
    return exp.Coalesce(
        this=exp.Cast(this=e.copy(), to=exp.DataType.build("VARCHAR")), expressions=[exp.Literal.string("")]
    )


def evidence_key(parts: list[exp.Expression], engine: Engine) -> exp.Expression:
    """A hex MD5 of the parts joined by '|': the same value on every engine for the same parts."""
    joined = exp.Anonymous(this="CONCAT_WS", expressions=[exp.Literal.string("|"), *[text(p) for p in parts]])
    return exp.Anonymous(this="MD5", expressions=[joined])


def _json_string(e: exp.Expression, engine: Engine) -> exp.Expression:
    """A JSON string of a value's text: backslash, quote, newline, carriage return and tab escaped,
    any other control character replaced by a space (no engine formats ``\\u00XX`` the same way)."""
    escaped = text(e)
    for raw, repl in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        escaped = exp.Anonymous(
            this="REPLACE", expressions=[escaped, exp.Literal.string(raw), exp.Literal.string(repl)]
        )
    pattern = exp.Literal.string("[\\x00-\\x1f]")
    args = [escaped, pattern, exp.Literal.string(" ")]
    if engine == "duckdb":  # DuckDB replaces the first match only unless told 'g'
        args.append(exp.Literal.string("g"))
    cleaned = exp.Anonymous(this="REGEXP_REPLACE", expressions=args)
    return exp.Anonymous(
        this="CONCAT", expressions=[exp.Literal.string('"'), cleaned, exp.Literal.string('"')]
    )


def json_text(value: str) -> str:
    """The body of a JSON string for a label known when the rule is compiled (same escapes as values)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return "".join(" " if ord(c) < 0x20 else c for c in out)


def number_literal(value: int | float) -> exp.Expression:
    """A number of a rule as a SQL literal written out in digits (``1e-05`` → ``0.00001``), so both
    engines read it as the same exact integer or decimal, never as a double."""
    if isinstance(value, int):
        return exp.Literal.number(value)
    text_ = format(Decimal(repr(value)), "f")
    return exp.Literal.number(text_)


def evidence_json(pairs: list[tuple[str, exp.Expression]], engine: Engine) -> exp.Expression:
    """A JSON object of text values, built by concatenation so both engines write the same bytes."""
    if not pairs:
        return exp.Literal.string("{}")
    parts: list[exp.Expression] = [exp.Literal.string("{")]
    for i, (label, value) in enumerate(pairs):
        key = json_text(label)
        parts.append(exp.Literal.string(("," if i else "") + f'"{key}":'))
        parts.append(_json_string(value, engine))
    parts.append(exp.Literal.string("}"))
    return exp.Anonymous(this="CONCAT", expressions=parts)


_NUMBER = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"


def _matches(e: exp.Expression, pattern: str, engine: Engine) -> exp.Expression:
    """Whether the whole text matches ``pattern`` (anchored: Spark's RLIKE finds, DuckDB's full-matches)."""
    if engine == "spark":
        return exp.RegexpLike(this=e, expression=exp.Literal.string(pattern))
    return exp.Anonymous(this="REGEXP_FULL_MATCH", expressions=[e, exp.Literal.string(pattern)])


def _gated_cast(e: exp.Expression, pattern: str, to: str, engine: Engine) -> exp.Expression:
    trimmed = exp.Trim(this=exp.Cast(this=e.copy(), to=exp.DataType.build("VARCHAR")))
    return exp.Case(
        ifs=[
            exp.If(
                this=_matches(trimmed, pattern, engine),
                # safe=True: SQLGlot writes Spark's TRY_CAST only when told (otherwise CAST, which
                # fails the whole query on 30 February under ANSI mode, Spark 4's default).
                true=exp.TryCast(this=trimmed.copy(), to=exp.DataType.build(to), safe=True),
            )
        ],
        default=exp.Null(),
    )


def as_number(e: exp.Expression, engine: Engine) -> exp.Expression:
    """A text payload field as DECIMAL(14,2) (rounded half away from zero), NULL unless the trimmed text
    is a plain decimal number (optional sign, digits, point, exponent): each engine's own cast accepts
    more, and not the same more (``NaN``, ``Infinity``, full-width digits)."""
    return _gated_cast(e, _NUMBER, "DECIMAL(14,2)", engine)


def as_date(e: exp.Expression, engine: Engine) -> exp.Expression:
    """A text payload field as a date, NULL unless the trimmed text is ``YYYY-M-D`` (one or two digits)
    naming a real day: Spark's cast also takes ``2026`` and ``2026-03`` (the first of the month), DuckDB's
    does not."""
    return _gated_cast(e, _DATE, "DATE", engine)


def date_literal(iso: str) -> exp.Expression:
    return exp.Cast(this=exp.Literal.string(iso), to=exp.DataType.build("DATE"))


def list_contains(items: exp.Expression, item: exp.Expression, engine: Engine) -> exp.Expression:
    """Whether a comma-separated list holds ``item`` (codes never contain commas). FALSE, never NULL,
    when the item is NULL or empty (Spark's CONCAT with a NULL is NULL, DuckDB's skips it)."""
    varchar = exp.DataType.build("VARCHAR")
    wrapped = exp.Anonymous(
        this="CONCAT",
        expressions=[
            exp.Literal.string(","),
            exp.Coalesce(this=exp.Cast(this=items.copy(), to=varchar), expressions=[exp.Literal.string("")]),
            exp.Literal.string(","),
        ],
    )
    needle = exp.Anonymous(
        this="CONCAT",
        expressions=[
            exp.Literal.string(","),
            exp.Cast(this=item.copy(), to=varchar),
            exp.Literal.string(","),
        ],
    )
    found = exp.GT(
        this=exp.Anonymous(this="INSTR" if engine == "spark" else "STRPOS", expressions=[wrapped, needle]),
        expression=_int(0),
    )
    empty = exp.Coalesce(
        this=exp.EQ(this=exp.Cast(this=item.copy(), to=varchar), expression=exp.Literal.string("")),
        expressions=[exp.true()],
    )
    return _paren(exp.Case(ifs=[exp.If(this=empty, true=exp.false())], default=found))


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
