"""Monitoring (动态监测) at county scale on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres jiuzhu_bench_mon
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench_mon
    uv run jiuzhu migrate
    uv run python -m bench.bench_monitoring --households 1000000

Data (``bench/monitoring_data.py``, written once and kept): the synthetic county, one entitlement per
household and some ten million departmental facts with the events the rules look for.

Figures, each beside a baseline measured in the same run:

1. ``monitoring_run`` end to end (extract, every rule, write evidence and warnings), from an empty
   monitoring state (the county's warnings of earlier bench runs deleted first), and a second run on the
   same data (everything already known); bar ≤ 20 s for the monitoring run plus the pre-payment check.
   Baseline: a per-household ORM loop (members, entitlements, facts read with the ORM, the rules' match
   predicates evaluated in Python) on a sample of ``--sample`` households, extrapolated.
2. Rule evaluation alone: ``run_duckdb`` (the compiled rules) against hand-written DuckDB SQL for the
   same rules on the same Arrow tables (bar: compiled ≤ 1.5× hand-written); the hit sets are compared.
3. Spark: ``run_spark`` on the Parquet export of the same tables, beside DuckDB on the same files.
4. The pre-payment comparison (月比对) when the payroll's check service is there: a payroll generated
   for the month, then its check (``monitoring_run(kind="pre_payment")`` and the holds) timed.

Nothing asserts a time; the load average is printed beside each figure (the machine is shared).
"""

from __future__ import annotations

import argparse
import importlib
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")

import django

django.setup()

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from bench.monitoring_data import SYNTH_COUNTY_CODE, Cpu, ensure_data, load, log  # noqa: E402
from jiuzhu.audit.services import AuditContext  # noqa: E402
from jiuzhu.batch.rules.duck import run_duckdb  # noqa: E402
from jiuzhu.batch.rules.model import Rule  # noqa: E402
from jiuzhu.benefits.models import Entitlement  # noqa: E402
from jiuzhu.exchange.models import FeedRecord  # noqa: E402
from jiuzhu.monitoring.rules import RULES  # noqa: E402
from jiuzhu.policy.models import PolicyVersion  # noqa: E402
from jiuzhu.regions.models import Region  # noqa: E402
from jiuzhu.registry.models import Household, Membership  # noqa: E402

from . import monitoring_hand  # noqa: E402


def optional(module: str, name: str) -> Any:
    """A function of a part that may not exist yet in this checkout (None then)."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def best_of(k: int, fn: Callable[[], Any]) -> tuple[Any, float]:
    """The result and the shortest of ``k`` timings (a noisy machine slows runs, never speeds them)."""
    best, out = float("inf"), None
    for _ in range(k):
        out, s = timed(fn)
        best = min(best, s)
    return out, best


# --- monitoring state -------------------------------------------------------------------------------


def clear_monitoring() -> None:
    """The county's warnings, evidence and runs of earlier bench runs (and holds and payrolls pointing at
    them), so every run starts from the same state."""
    statements = [
        "DELETE FROM payments_payrollhold",
        "DELETE FROM payments_bankreturn",
        "DELETE FROM payments_payrolljob",
        "UPDATE payments_payrollline SET carried_from_id = NULL",
        "DELETE FROM payments_payrollline",
        "DELETE FROM payments_payroll",
        "DELETE FROM monitoring_warningevidence",
        "DELETE FROM monitoring_warning",
        "DELETE FROM monitoring_monitoringrun",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            try:
                with transaction.atomic():
                    cursor.execute(sql)
            except Exception as exc:  # a column another part renamed: say so, go on
                log(f"  (clear: {sql} — {exc})")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("monitoring_warningevidence", "monitoring_warning", "payments_payrollline"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def counts() -> dict[str, int]:
    from jiuzhu.monitoring.models import Warning, WarningEvidence

    return {"warnings": Warning.objects.count(), "evidence": WarningEvidence.objects.count()}


# --- 1. end to end ----------------------------------------------------------------------------------


def end_to_end(ctx: AuditContext, as_of: date, county: Region) -> tuple[Any, Cpu]:
    monitoring_run = optional("jiuzhu.monitoring.services.runs", "monitoring_run")
    if monitoring_run is None:
        raise SystemExit("jiuzhu.monitoring.services.runs.monitoring_run 尚不存在")
    with Cpu() as cpu:
        result = monitoring_run(ctx=ctx, as_of=as_of, county=county)
    return result, cpu


def describe_run(result: Any) -> str:
    run = result.run
    parts = []
    for name in ("timings", "counts", "persons", "feed_rows"):
        value = getattr(run, name, None)
        if value not in (None, {}, ""):
            parts.append(f"{name}={value}")
    return "; ".join(parts)


# --- 2. rule evaluation -----------------------------------------------------------------------------


# --- 3. ORM loop baseline ---------------------------------------------------------------------------


class _Eval:
    """The rule vocabulary (``jiuzhu.batch.rules.model``) evaluated in Python over one person and one fact,
    as a per-household program would: the baseline's rule engine."""

    def __init__(self, as_of: date, settings: dict[str, Any]) -> None:
        self.as_of = as_of
        self.settings = settings

    def __call__(self, node: Any, p: dict[str, Any], f: dict[str, Any]) -> Any:
        if isinstance(node, bool | int | float):
            return Decimal(node) if not isinstance(node, bool) else node
        if isinstance(node, str):
            if node == "as_of":
                return self.as_of
            alias, _, name = node.partition(".")
            src = {"p": p, "f": f, "s": self.settings}[alias]
            return src.get(name)
        op, *args = node
        if op == "lit":
            return args[0]
        if op == "date":
            return date.fromisoformat(args[0])
        if op == "and":
            return all(self(a, p, f) for a in args)
        if op == "or":
            return any(self(a, p, f) for a in args)
        if op == "not":
            v = self(args[0], p, f)
            return None if v is None else not v
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            a, b = self(args[0], p, f), self(args[1], p, f)
            if a is None or b is None:
                return None
            return {
                "eq": a == b,
                "ne": a != b,
                "lt": a < b,
                "le": a <= b,
                "gt": a > b,
                "ge": a >= b,
            }[op]
        if op == "in":
            return self(args[0], p, f) in [self(v, p, f) for v in args[1]]
        if op == "null":
            return self(args[0], p, f) in (None, "")
        if op == "notnull":
            return self(args[0], p, f) not in (None, "")
        if op == "contains":
            items = self(args[0], p, f) or ""
            return str(self(args[1], p, f)) in str(items).split(",")
        if op in ("add", "sub", "mul", "div"):
            a, b = self(args[0], p, f), self(args[1], p, f)
            if a is None or b is None:
                return None
            if op == "add":
                return a + b
            if op == "sub":
                return a - b
            if op == "mul":
                return a * b
            return a / b if b else None
        if op == "coalesce":
            for a in args:
                v = self(a, p, f)
                if v is not None:
                    return v
            return None
        if op == "if":
            return self(args[1], p, f) if self(args[0], p, f) else self(args[2], p, f)
        if op == "age":
            born, on = self(args[0], p, f), self(args[1], p, f)
            return Decimal(on.year - born.year - ((on.month, on.day) < (born.month, born.day)))
        if op == "add_months":
            d, k = self(args[0], p, f), int(self(args[1], p, f))
            y, m = divmod(d.year * 12 + d.month - 1 + k, 12)
            m += 1
            last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
            return date(y, m, min(d.day, last))
        if op == "months_between":
            a, b = self(args[0], p, f), self(args[1], p, f)
            return Decimal((b.year - a.year) * 12 + b.month - a.month - (b.day < a.day))
        if op == "month_key":
            d = self(args[0], p, f)
            return Decimal(d.year * 100 + d.month)
        if op == "number":
            v = self(args[0], p, f)
            return None if v in (None, "") else Decimal(str(v))
        if op == "date_of":
            v = self(args[0], p, f)
            return None if v in (None, "") else date.fromisoformat(str(v))
        if op == "prefix":
            v = self(args[0], p, f)
            return None if v is None else str(v)[: int(args[1])]
        raise ValueError(f"unknown op {op}")


def orm_baseline(rules: Sequence[Rule], as_of: date, sample: int, seed: int) -> tuple[float, int, int]:
    """Seconds per household for the per-household ORM loop on ``sample`` households; the hits it found
    and the number of match rules it evaluated (aggregate, duplicate and guardian rules need the whole
    county or another household and are left out, which only flatters the baseline)."""
    match = [r for r in rules if r.kind == "match" and r.via == "self" and r.feed]
    policy = PolicyVersion.objects.filter(region_id=SYNTH_COUNTY_CODE).order_by("-effective_from").first()
    assert policy is not None
    settings: dict[str, Any] = {}
    for r in match:
        for name in r.settings:
            value = getattr(policy, name)
            settings[name] = ",".join(value) if isinstance(value, list) else value
    ev = _Eval(as_of, settings)
    ids = list(
        Household.objects.filter(region__code__startswith=SYNTH_COUNTY_CODE[:6]).values_list("id", flat=True)
    )
    rng = np.random.default_rng(seed)
    chosen = rng.choice(np.array(ids), size=min(sample, len(ids)), replace=False).tolist()
    hits = 0
    t = time.perf_counter()
    for hid in chosen:
        household = Household.objects.select_related("region").get(pk=hid)
        members = list(
            Membership.objects.filter(household_id=hid, end_date__isnull=True).select_related("person")
        )
        pids = [m.person_id for m in members]
        live = list(
            Entitlement.objects.filter(
                Q(household_id=hid, person__isnull=True) | Q(person_id__in=pids), status="active"
            )
        )
        standard = (
            policy.dibao_standard_urban if household.urban_rural == "urban" else policy.dibao_standard_rural
        )
        for m in members:
            person = m.person
            mine = [e for e in live if e.person_id in (None, person.pk)]
            p = {
                "person_id": person.pk,
                "id_number": person.id_number,
                "birth_date": person.birth_date,
                "death_date": person.death_date,
                "relation": m.relation,
                "county_code": household.region_id[:6] + "000000",
                "assisted": bool(mine),
                "programs": ",".join(sorted({e.program for e in mine})),
                "members": Decimal(len(members)),
                "standard": standard,
                "income_pc": None,
            }
            facts = list(FeedRecord.objects.filter(id_number=person.id_number).order_by("date", "row_key"))
            by_feed: dict[str, list[dict[str, Any]]] = {}
            for fact in facts:
                row = {
                    "feed": fact.feed,
                    "date": fact.date,
                    "amount": fact.amount,
                    "kind": fact.kind,
                    "row_key": fact.row_key,
                    **fact.data,
                }
                by_feed.setdefault(fact.feed, []).append(row)
            for rule in match:
                if rule.population == "assisted" and not p["assisted"]:
                    continue
                if rule.population == "outside" and p["assisted"]:
                    continue
                rows = by_feed.get(rule.feed or "", [])
                prev = None
                for k, row in enumerate(rows):
                    row["prev_kind"], prev = prev, row["kind"]
                    row["recency"] = Decimal(len(rows) - k)
                for row in rows:
                    if ev(rule.when, p, row):
                        hits += 1
    return (time.perf_counter() - t) / len(chosen), hits, len(match)


# --- 4. Spark ---------------------------------------------------------------------------------------


def spark_beside_duckdb(rules: Sequence[Rule], tables: dict[str, pa.Table], as_of: date) -> None:
    write_tables = optional("jiuzhu.batch.rules.parquet", "write_tables")
    run_spark = optional("jiuzhu.batch.rules.spark", "run_spark")
    if write_tables is None or run_spark is None:
        print("Spark: jiuzhu.batch.rules.spark / parquet 尚不存在，跳过")
        return
    table_paths = optional("jiuzhu.batch.rules.parquet", "table_paths")
    with tempfile.TemporaryDirectory(prefix="bench-mon-parquet-") as folder:
        _, s_write = timed(lambda: write_tables(tables, folder, as_of=as_of))
        print(f"Parquet export of the four tables: {s_write:.1f} s ({load()})")
        if table_paths is not None:
            paths, _ = table_paths(folder)
        else:
            paths = {name: os.path.join(folder, f"{name}.parquet") for name in tables}
        # run_duckdb over the Parquet paths themselves fails (a prepared parameter in CREATE VIEW, in
        # jiuzhu/batch/rules/duck.py); the files are read back as Arrow first, as ``jiuzhu monitor --input``
        # would.
        read_tables = optional("jiuzhu.batch.rules.parquet", "read_tables")
        (back, _), s_read = timed(lambda: read_tables(folder))
        d_hits, d_s = best_of(2, lambda: run_duckdb(rules, back, as_of=as_of))
        print(
            f"DuckDB on the tables read back from Parquet ({s_read:.1f} s): {d_s:.1f} s, "
            f"{d_hits.num_rows:,} hits ({load()})"
        )
        with Cpu() as cold:
            s_hits = run_spark(rules, paths, as_of=as_of)
        with Cpu() as warm:
            s_hits = run_spark(rules, paths, as_of=as_of)
        print(
            f"Spark local[2] on the Parquet files: {cold.wall:.1f} s with the session's start, "
            f"{warm.wall:.1f} s in a warm session, {s_hits.num_rows:,} hits ({load()})"
        )
        print(
            f"Spark / DuckDB (warm): {warm.wall / d_s:.1f}×; "
            f"hit sets: {monitoring_hand.compare_hits(d_hits, s_hits)}"
        )


# --- 5. pre-payment ---------------------------------------------------------------------------------


def pre_payment(ctx: AuditContext, as_of: date, county: Region) -> None:
    generate = optional("jiuzhu.payments.services.generate", "payroll_generate")
    check = optional("jiuzhu.payments.services.check", "payroll_check")
    if generate is None or check is None:
        print("月比对: jiuzhu.payments.services.generate/check 尚不存在，跳过")
        return
    from bench.bench_payroll import generate_month, run_check

    month = as_of.replace(day=1)
    payroll, s_gen = generate_month(ctx=ctx, county=county, program="dibao", month=month)
    print(f"payroll 低保 {month:%Y-%m} generated for the check: {s_gen:.1f} s ({load()})")
    with Cpu() as cpu:
        result, s_check = run_check(ctx=ctx, payroll=payroll)
    print(f"pre-payment check (月比对: monitoring_run pre_payment + holds): {s_check:.1f} s, {result}")
    print(f"  {cpu}")


def main() -> None:
    parser = argparse.ArgumentParser(description="动态监测基准")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 28))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sample", type=int, default=300, help="ORM 逐户基线的样本户数")
    parser.add_argument("--fresh-data", action="store_true")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--once", action="store_true", help="端到端只运行一次（不测第二次）")
    parser.add_argument("--skip", default="", help="逗号分隔：e2e,rules,orm,spark,prepay")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if connection.vendor != "postgresql":
        raise SystemExit("请设置 DATABASE_URL 指向 PostgreSQL")
    users = ensure_data(households=args.households, as_of=args.as_of, seed=args.seed, fresh=args.fresh_data)
    if args.load_only:
        return
    county = Region.objects.get(code=SYNTH_COUNTY_CODE)
    ctx = AuditContext(user=users["approver"], channel="cli")
    facts = FeedRecord.objects.count()
    print(
        f"data: {Household.objects.count():,} households, {Entitlement.objects.count():,} entitlements, "
        f"{facts:,} facts; {len(RULES)} rules; as of {args.as_of}; {load()}"
    )

    e2e_seconds = None
    if "e2e" not in skip:
        clear_monitoring()
        result, cpu = end_to_end(ctx, args.as_of, county)
        e2e_seconds = cpu.wall
        c = counts()
        print(
            f"monitoring_run, first (empty state): {cpu.wall:.1f} s, {result.hits.num_rows:,} hits → "
            f"{c['warnings']:,} warnings, {c['evidence']:,} evidence"
        )
        print(f"  {cpu}")
        print(f"  {describe_run(result)}")
    if "e2e" not in skip and not args.once:
        again, cpu = end_to_end(ctx, args.as_of, county)
        c = counts()
        print(
            f"monitoring_run, again (all known): {cpu.wall:.1f} s, {again.hits.num_rows:,} hits, "
            f"{c['warnings']:,} warnings"
        )
        print(f"  {cpu}")
        print(f"  {describe_run(again)}")

    tables = None
    if not {"rules", "spark"} <= skip:
        extract_tables = optional("jiuzhu.monitoring.extract", "extract_tables")
        if extract_tables is None:
            raise SystemExit("jiuzhu.monitoring.extract.extract_tables 尚不存在")
        tables, s_extract = timed(lambda: extract_tables(as_of=args.as_of, county=county, rules=RULES))
        sizes = ", ".join(f"{k} {v.num_rows:,}" for k, v in tables.items())
        print(f"extract_tables: {s_extract:.1f} s ({sizes}) ({load()})")

    if "rules" not in skip and tables is not None:
        covered = [r for r in RULES if r.code in monitoring_hand.HAND]
        missing = [r.code for r in RULES if r.code not in monitoring_hand.HAND]
        all_hits, s_all = best_of(3, lambda: run_duckdb(RULES, tables, as_of=args.as_of))
        print(f"run_duckdb, all {len(RULES)} rules: {s_all:.2f} s, {all_hits.num_rows:,} hits ({load()})")
        compiled, s_compiled = best_of(3, lambda: run_duckdb(covered, tables, as_of=args.as_of))
        hand, s_hand = best_of(3, lambda: monitoring_hand.run(covered, tables, as_of=args.as_of))
        print(
            f"the {len(covered)} rules with a hand-written query: compiled {s_compiled:.2f} s, "
            f"hand-written {s_hand:.2f} s, ratio {s_compiled / s_hand:.2f}× (bar ≤ 1.5×) ({load()})"
        )
        print(f"  hit sets: {monitoring_hand.compare_hits(compiled, hand)}")
        if missing:
            print(f"  rules without a hand-written query: {', '.join(missing)}")
        per_rule = monitoring_hand.per_rule(covered, tables, as_of=args.as_of)
        for code, (sc, sh, n) in per_rule.items():
            print(f"    {code:<22} compiled {sc * 1000:7.0f} ms  hand {sh * 1000:7.0f} ms  hits {n:,}")

    if "orm" not in skip:
        per, hits, nrules = orm_baseline(RULES, args.as_of, args.sample, args.seed)
        total = Household.objects.count()
        projected = per * total
        print(
            f"baseline per-household ORM loop ({nrules} match rules, {args.sample} households, {hits} hits): "
            f"{per * 1000:.1f} ms per household → {projected:,.0f} s projected for {total:,} ({load()})"
        )
        if e2e_seconds:
            print(f"  monitoring_run end to end is {projected / e2e_seconds:.0f}× faster (bar ≥ 50×)")

    if "spark" not in skip and tables is not None:
        spark_beside_duckdb(RULES, tables, args.as_of)

    if "prepay" not in skip:
        pre_payment(ctx, args.as_of, county)


if __name__ == "__main__":
    main()
