"""Rules compiled to SQL through SQLGlot's expression builders, for DuckDB and for Spark SQL.

``rule_query(rule, engine, as_of)`` builds one SELECT returning ``schema.HITS``; ``rules_sql`` writes the
whole set as one UNION ALL, the text ``jiuzhu monitor --emit-sql`` prints. Every operand is checked against
``schema``; an unknown column, setting or operator raises ``RuleError`` when the rule is compiled, not when
it runs. The query reads the tables ``persons``, ``coverage``, ``feeds`` and ``settings`` by those names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlglot import exp

from . import functions as fn
from .functions import Engine
from .model import Rule
from .schema import COVERAGE, FEED_FIELDS, FEEDS, HITS, PERSONS


class RuleError(ValueError):
    """A rule that cannot be compiled: its message names the rule and the operand."""


_COMPARE = {"eq": exp.EQ, "ne": exp.NEQ, "lt": exp.LT, "le": exp.LTE, "gt": exp.GT, "ge": exp.GTE}
_ARITH = {"add": exp.Add, "sub": exp.Sub, "mul": exp.Mul}
# How many operands each operator takes (None: one or more).
_ARITY: dict[str, int | None] = {
    "lit": 1,
    "date": 1,
    "and": None,
    "or": None,
    "not": 1,
    **dict.fromkeys(_COMPARE, 2),
    **dict.fromkeys(_ARITH, 2),
    "div": 2,
    "in": 2,
    "null": 1,
    "notnull": 1,
    "coalesce": None,
    "if": 3,
    "contains": 2,
    "age": 2,
    "months_between": 2,
    "add_months": 2,
    "month_key": 1,
    "number": 1,
    "date_of": 1,
    "prefix": 2,
}
_AGG = {"sum": exp.Sum, "max": exp.Max, "min": exp.Min, "count": exp.Count}
_WINDOW_COLUMNS = ("prev_kind", "recency")


class _Ctx:
    def __init__(self, rule: Rule, engine: Engine, as_of: date, aliases: set[str]) -> None:
        self.rule = rule
        self.engine = engine
        self.as_of = as_of
        self.aliases = aliases
        self.settings: set[str] = set()

    def fail(self, what: str) -> RuleError:
        return RuleError(f"规则 {self.rule.code}：{what}")


def _column(ref: str, ctx: _Ctx) -> exp.Expression:
    alias, _, name = ref.partition(".")
    if alias not in ctx.aliases:
        raise ctx.fail(f"此处不能引用 {ref}")
    known: Iterable[str]
    if alias in ("p", "g"):
        known = PERSONS
    elif alias == "f":
        known = [*FEEDS, *(_WINDOW_COLUMNS if ctx.rule.window else ())]
        fields = [f for code in _feed_codes(ctx.rule) for f in FEED_FIELDS.get(code, ())]
        if (
            name not in ("feed", "id_number", "date", "amount", "kind", "row_key", *_WINDOW_COLUMNS)
            and name not in fields
        ):
            raise ctx.fail(f"数据源 {ctx.rule.feed} 没有字段 {name}（见 schema.FEED_FIELDS）")
    elif alias == "c":
        known = COVERAGE
    elif alias == "m":
        known = [m[0] for m in ctx.rule.measures]
    elif alias == "s":
        if name not in ctx.rule.settings:
            raise ctx.fail(f"政策参数 {name} 未在 settings 中声明")
        ctx.settings.add(name)
        return exp.column(name, table="s")
    else:  # pragma: no cover - aliases are fixed above
        raise ctx.fail(f"未知别名 {alias}")
    if name not in known:
        raise ctx.fail(f"未知字段 {ref}")
    return exp.column(name, table=alias)


def expr(node: Any, ctx: _Ctx) -> Any:  # an exp.Expression (SQLGlot's builders are loosely typed)
    """One vocabulary node as a SQLGlot expression."""
    if isinstance(node, bool):
        return exp.Boolean(this=node)
    if isinstance(node, int | float):
        return fn.number_literal(node)
    if isinstance(node, str):
        if node == "as_of":
            return fn.date_literal(ctx.as_of.isoformat())
        if "." in node:
            return _column(node, ctx)
        raise ctx.fail(f"无法识别的操作数 {node!r}（文字请写作 ('lit', …)）")
    if not isinstance(node, list | tuple) or not node:
        raise ctx.fail(f"无法识别的表达式 {node!r}")
    op, *args = node
    e = ctx.engine
    if not isinstance(op, str) or op not in _ARITY:
        raise ctx.fail(f"未知运算 {op!r}")
    arity = _ARITY[op]
    if (arity is None and not args) or (arity is not None and len(args) != arity):
        want = "至少 1" if arity is None else str(arity)
        raise ctx.fail(f"运算 {op} 需要 {want} 个操作数，给了 {len(args)} 个")
    if op == "lit":
        return exp.Literal.string(str(args[0]))
    if op == "date":
        try:
            return fn.date_literal(date.fromisoformat(str(args[0])).isoformat())
        except ValueError:
            raise ctx.fail(f"日期 {args[0]!r} 不是 YYYY-MM-DD") from None
    if op in ("and", "or"):
        parts = [expr(a, ctx) for a in args]
        return exp.and_(*parts) if op == "and" else exp.or_(*parts)
    if op == "not":
        return exp.not_(expr(args[0], ctx))
    if op in _COMPARE:
        a, b = (expr(x, ctx) for x in args)
        return _COMPARE[op](this=a, expression=b)
    if op in _ARITH:
        a, b = (expr(x, ctx) for x in args)
        return exp.Paren(this=_ARITH[op](this=a, expression=b))
    if op == "div":
        return fn.divide(expr(args[0], ctx), expr(args[1], ctx), e)
    if op == "in":
        if not isinstance(args[1], list | tuple) or not args[1]:
            raise ctx.fail("in 的第二个操作数应为非空列表")
        return exp.In(this=expr(args[0], ctx), expressions=[expr(v, ctx) for v in args[1]])
    if op == "null":
        return exp.Is(this=expr(args[0], ctx), expression=exp.Null())
    if op == "notnull":
        return exp.not_(exp.Is(this=expr(args[0], ctx), expression=exp.Null()))
    if op == "coalesce":
        first, *rest = (expr(x, ctx) for x in args)
        return exp.Coalesce(this=first, expressions=rest)
    if op == "if":
        cond, a, b = (expr(x, ctx) for x in args)
        return exp.Case(ifs=[exp.If(this=cond, true=a)], default=b)
    if op == "contains":
        return fn.list_contains(expr(args[0], ctx), expr(args[1], ctx), e)
    if op == "age":
        return fn.age_full_years(expr(args[0], ctx), expr(args[1], ctx), e)
    if op == "months_between":
        return fn.months_between(expr(args[0], ctx), expr(args[1], ctx), e)
    if op == "add_months":
        return fn.add_months(expr(args[0], ctx), expr(args[1], ctx), e)
    if op == "month_key":
        return fn.month_key(expr(args[0], ctx), e)
    if op == "number":
        return fn.as_number(expr(args[0], ctx), e)
    if op == "date_of":
        return fn.as_date(expr(args[0], ctx), e)
    if op == "prefix":
        if not isinstance(args[1], int) or isinstance(args[1], bool) or args[1] < 1:
            raise ctx.fail(f"prefix 的长度必须是正整数：{args[1]!r}")
        return exp.Substring(
            this=expr(args[0], ctx), start=exp.Literal.number(1), length=exp.Literal.number(args[1])
        )
    raise AssertionError(op)  # pragma: no cover - every operator of _ARITY is handled above


def _population(rule: Rule, ctx: _Ctx) -> exp.Expression | None:
    if rule.population == "assisted":
        return exp.column("assisted", table="p")
    if rule.population == "outside":
        return exp.not_(exp.column("assisted", table="p"))
    return None


def _feed_codes(rule: Rule) -> tuple[str, ...]:
    return (rule.feed or "", *rule.feeds)


def _feed_filter(rule: Rule) -> exp.Expression:
    if not rule.feeds:
        return exp.column("feed").eq(exp.Literal.string(rule.feed or ""))
    return exp.column("feed").isin(*[exp.Literal.string(c) for c in _feed_codes(rule)])


def _feed_rows(rule: Rule) -> exp.Expression:
    """The feed's rows, with the window columns where the rule asks for them."""
    base = exp.select("*").from_("feeds").where(_feed_filter(rule))
    if not rule.window:
        return base
    part = [exp.column("id_number")]
    prev = exp.Window(
        this=exp.Anonymous(this="LAG", expressions=[exp.column("kind")]),
        partition_by=part,
        order=exp.Order(
            expressions=[
                exp.Ordered(this=exp.column("date"), nulls_first=True),
                exp.Ordered(this=exp.column("row_key"), nulls_first=True),
            ]
        ),
    )
    recency = exp.Window(
        this=exp.RowNumber(),
        partition_by=[exp.column("id_number")],
        order=exp.Order(
            expressions=[
                exp.Ordered(this=exp.column("date"), desc=True, nulls_first=False),
                exp.Ordered(this=exp.column("row_key"), desc=True, nulls_first=False),
            ]
        ),
    )
    return (
        exp.select("*", exp.alias_(prev, "prev_kind"), exp.alias_(recency, "recency"))
        .from_(exp.Subquery(this=base, alias=exp.TableAlias(this=exp.to_identifier("fr"))))
        .where(_feed_filter(rule))
    )


def _settings_join(q: exp.Select, ctx: _Ctx, county: exp.Expression) -> exp.Select:
    if not ctx.rule.settings:
        return q
    return q.join(
        exp.table_("settings", alias="s"),
        on=exp.EQ(this=exp.column("county_code", table="s"), expression=county),
        join_type="left",
    )


def _hits_select(
    ctx: _Ctx,
    *,
    person: exp.Expression,
    household: exp.Expression,
    region: exp.Expression,
    event_date: exp.Expression,
    key_parts: Sequence[exp.Expression],
    evidence: list[tuple[str, exp.Expression]],
) -> list[Any]:
    rule, e = ctx.rule, ctx.engine
    key = fn.evidence_key([exp.Literal.string(rule.code), exp.cast(person, "VARCHAR"), *key_parts], e)
    return [
        exp.alias_(exp.Literal.string(rule.code), "rule"),
        exp.alias_(exp.Literal.number(rule.version), "version"),
        exp.alias_(exp.Literal.string(rule.purpose), "purpose"),
        exp.alias_(person, "person_id"),
        exp.alias_(household, "household_id"),
        exp.alias_(region, "region_code"),
        exp.alias_(exp.cast(event_date, "DATE"), "event_date"),
        exp.alias_(key, "evidence_key"),
        exp.alias_(fn.evidence_json(evidence, e), "evidence"),
    ]


def _match(rule: Rule, ctx: _Ctx) -> exp.Select:
    q = exp.select().from_(exp.table_("persons", alias="p"))
    if rule.via == "guardian":
        ctx.aliases.add("g")
        q = q.join(
            exp.table_("persons", alias="g"),
            on=exp.and_(
                exp.column("household_id", table="g").eq(exp.column("household_id", table="p")),
                exp.column("person_id", table="g").neq(exp.column("person_id", table="p")),
                exp.column("relation", table="g").isin(*[exp.Literal.string(r) for r in ("head", "spouse")]),
                exp.column("relation", table="p").isin(
                    *[exp.Literal.string(r) for r in ("child", "grandchild")]
                ),
            ),
        )
    if rule.feed:
        ctx.aliases.add("f")
        who = "g" if rule.via == "guardian" else "p"
        q = q.join(
            exp.Subquery(this=_feed_rows(rule), alias=exp.TableAlias(this=exp.to_identifier("f"))),
            on=exp.column("id_number", table="f").eq(exp.column("id_number", table=who)),
        )
    q = _settings_join(q, ctx, exp.column("county_code", table="p"))
    conds = [c for c in (_population(rule, ctx), expr(rule.when, ctx)) if c is not None]
    q = q.where(exp.and_(*conds))
    return q.select(
        *_hits_select(
            ctx,
            person=exp.column("person_id", table="p"),
            household=exp.column("household_id", table="p"),
            region=exp.column("region_code", table="p"),
            event_date=expr(rule.event_date, ctx),
            key_parts=[expr(k, ctx) for k in rule.evidence_key],
            evidence=[(label, expr(v, ctx)) for label, v in rule.evidence],
        )
    )


def _aggregate(rule: Rule, ctx: _Ctx) -> exp.Select:
    """Feed rows matching ``when`` summed per person or household; a hit where ``having`` holds. The
    subject is the household's head (or the person); the evidence key is the newest fact's month."""
    if not rule.feed or not rule.measures or rule.having is None:
        raise ctx.fail("汇总规则需要 feed、measures 与 having")
    ctx.aliases.add("f")
    grain = "household_id" if rule.group == "household" else "person_id"
    inner = (
        exp.select()
        .from_(exp.table_("persons", alias="p"))
        .join(
            exp.Subquery(this=_feed_rows(rule), alias=exp.TableAlias(this=exp.to_identifier("f"))),
            on=exp.column("id_number", table="f").eq(exp.column("id_number", table="p")),
        )
    )
    inner = _settings_join(inner, ctx, exp.column("county_code", table="p"))
    conds = [c for c in (_population(rule, ctx), expr(rule.when, ctx)) if c is not None]
    inner = inner.where(exp.and_(*conds))
    selects: list[Any] = [
        exp.alias_(exp.column(grain, table="p"), "grain"),
        exp.alias_(exp.Max(this=exp.column("date", table="f")), "last_date"),
    ]
    for name, agg, operand in rule.measures:
        if agg not in _AGG:
            raise ctx.fail(f"未知汇总 {agg}")
        selects.append(exp.alias_(_AGG[agg](this=expr(operand, ctx)), name))
    inner = inner.select(*selects).group_by(exp.column(grain, table="p"))
    # The subject row: the head of the household (or the person), for region, county and members.
    outer_ctx = _Ctx(rule, ctx.engine, ctx.as_of, {"p", "m", "s"})
    outer_ctx.settings = ctx.settings
    q = (
        exp.select()
        .from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("m"))))
        .join(
            exp.table_("persons", alias="p"),
            on=exp.and_(
                exp.column(grain, table="p").eq(exp.column("grain", table="m")),
                *(
                    [exp.column("relation", table="p").eq(exp.Literal.string("head"))]
                    if grain == "household_id"
                    else []
                ),
            ),
        )
    )
    q = _settings_join(q, outer_ctx, exp.column("county_code", table="p"))
    q = q.where(expr(rule.having, outer_ctx))
    last = exp.column("last_date", table="m")
    return q.select(
        *_hits_select(
            outer_ctx,
            person=exp.column("person_id", table="p"),
            household=exp.column("household_id", table="p"),
            region=exp.column("region_code", table="p"),
            event_date=last,
            key_parts=[fn.month_key(last, ctx.engine)],
            evidence=[(label, expr(v, outer_ctx)) for label, v in rule.evidence],
        )
    )


def _duplicate(rule: Rule, ctx: _Ctx) -> exp.Select:
    """Coverage rows sharing ``key`` across more than one ``across`` value (or, with ``programs``, holding
    both programs of an incompatible pair). Every person found gets a hit keyed on the set of
    entitlements involved, so a new entitlement is new evidence and the same set is not."""
    if rule.key not in ("person_id", "bank_account") or rule.across not in (
        "household_id",
        "county_code",
        "program",
    ):
        raise ctx.fail("重复享受规则的 key/across 不受支持")
    key = exp.column(rule.key, table="c")
    eids = fn.sorted_set(exp.cast(exp.column("entitlement_id", table="c"), "VARCHAR"), ctx.engine)
    count = exp.Count(this=exp.Distinct(expressions=[exp.column(rule.across, table="c")]))
    having: Any = exp.GT(this=count, expression=exp.Literal.number(1))
    if rule.programs:
        pairs = [
            exp.and_(
                exp.GT(
                    this=exp.Sum(
                        this=exp.Case(
                            ifs=[
                                exp.If(
                                    this=exp.column("program", table="c").eq(exp.Literal.string(a)),
                                    true=exp.Literal.number(1),
                                )
                            ],
                            default=exp.Literal.number(0),
                        )
                    ),
                    expression=exp.Literal.number(0),
                ),
                exp.GT(
                    this=exp.Sum(
                        this=exp.Case(
                            ifs=[
                                exp.If(
                                    this=exp.column("program", table="c").eq(exp.Literal.string(b)),
                                    true=exp.Literal.number(1),
                                )
                            ],
                            default=exp.Literal.number(0),
                        )
                    ),
                    expression=exp.Literal.number(0),
                ),
            )
            for a, b in rule.programs
        ]
        having = exp.or_(*pairs)
    grouped = (
        exp.select(exp.alias_(key, "k"), exp.alias_(eids, "eids"))
        .from_(exp.table_("coverage", alias="c"))
        .where(
            exp.not_(exp.Is(this=key.copy(), expression=exp.Null())).and_(
                exp.NEQ(this=exp.cast(key.copy(), "VARCHAR"), expression=exp.Literal.string(""))
            )
        )
        .group_by(key.copy())
        .having(having)
    )
    ctx.aliases.update({"d", "c"})
    q = (
        exp.select()
        .from_(exp.Subquery(this=grouped, alias=exp.TableAlias(this=exp.to_identifier("d"))))
        .join(
            exp.table_("coverage", alias="c"),
            on=exp.column(rule.key, table="c").eq(exp.column("k", table="d")),
        )
        .join(
            exp.table_("persons", alias="p"),
            on=exp.column("person_id", table="p").eq(exp.column("person_id", table="c")),
        )
    )
    q = _settings_join(q, ctx, exp.column("county_code", table="p"))
    q = q.where(exp.column("household_id", table="p").eq(exp.column("household_id", table="c")))
    base = q.select(
        *_hits_select(
            ctx,
            person=exp.column("person_id", table="p"),
            household=exp.column("household_id", table="p"),
            region=exp.column("region_code", table="p"),
            event_date=fn.date_literal(ctx.as_of.isoformat()),
            key_parts=[exp.column("eids", table="d")],
            evidence=[
                ("涉及在保记录", exp.column("eids", table="d")),
                *[(label, expr(v, ctx)) for label, v in rule.evidence],
            ],
        )
    )
    return base.distinct()


def rule_query(rule: Rule, engine: Engine, as_of: date) -> exp.Select:
    """The SELECT for one rule on one engine, as of a date. Raises RuleError for a malformed rule."""
    if engine not in fn.ENGINES:
        raise RuleError(f"不支持的引擎 {engine}")
    ctx = _Ctx(
        rule,
        engine,
        as_of,
        {"p", "s"} | ({"c"} if rule.kind == "duplicate" else set()),
    )
    if rule.kind == "match":
        q = _match(rule, ctx)
    elif rule.kind == "aggregate":
        q = _aggregate(rule, ctx)
    elif rule.kind == "duplicate":
        q = _duplicate(rule, ctx)
    else:
        raise ctx.fail(f"未知规则类型 {rule.kind}")
    unused = set(rule.settings) - ctx.settings
    if unused:
        raise ctx.fail(f"声明了未使用的政策参数 {sorted(unused)}")
    return q


def rule_sql(rule: Rule, engine: Engine, as_of: date) -> str:
    return rule_query(rule, engine, as_of).sql(dialect=engine)


# A rule that reaches one fact through two paths keeps one hit per (evidence_key, person_id): the first in
# this order, so every engine keeps the same row.
DEDUP_ORDER = ("evidence_key", "person_id", "household_id", "region_code", "event_date", "evidence")


def deduplicated(query: exp.Select) -> exp.Select:
    """A rule's SELECT keeping one row per (evidence_key, person_id), the first in ``DEDUP_ORDER``
    (NULLs first): standard SQL (ROW_NUMBER), the same on DuckDB, Spark and a cluster's Spark SQL."""
    number = exp.Window(
        this=exp.RowNumber(),
        partition_by=[exp.column("evidence_key"), exp.column("person_id")],
        order=exp.Order(expressions=[exp.Ordered(this=exp.column(c), nulls_first=True) for c in DEDUP_ORDER]),
    )
    numbered = exp.select("*", exp.alias_(number, "_n")).from_(
        exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("_r")))
    )
    return (
        exp.select(*[exp.column(c) for c in HITS])
        .from_(exp.Subquery(this=numbered, alias=exp.TableAlias(this=exp.to_identifier("_d"))))
        .where(exp.column("_n").eq(exp.Literal.number(1)))
    )


def rules_sql(
    rules: Sequence[Rule], engine: Engine, as_of: date, *, pretty: bool = True, dedup: bool = True
) -> str:
    """The whole rule set as one statement, each rule's SELECT headed by a comment naming it. With
    ``dedup`` (the default) each rule keeps one row per evidence key and person, as ``run_duckdb`` and
    ``run_spark`` do: the printed statement returns the rows the platform would."""
    parts = []
    for rule in rules:
        query = rule_query(rule, engine, as_of)
        body = (deduplicated(query) if dedup else query).sql(dialect=engine, pretty=pretty)
        parts.append(f"-- {rule.code} v{rule.version} {rule.name}\n{body}")
    return "\nUNION ALL\n".join(parts) + "\n"


def settings_used(rules: Sequence[Rule]) -> list[str]:
    """Every policy setting the rules read: the columns the ``settings`` table must have."""
    return sorted({s for r in rules for s in r.settings})


HIT_COLUMNS = tuple(HITS)
