"""Monitoring runs: extract the rule tables, evaluate every rule, write evidence and warnings.

    result = monitoring_run(ctx=ctx, as_of=date(2026, 11, 30), county=county)
    result.run     # the MonitoringRun, done, with counts per rule, timings, persons, feed rows
    result.hits    # every hit (schema.HITS) with the id of the warning it belongs to (``warning_id``)

Three phases, each recorded on the run with its time: ``extract`` (``monitoring.extract``), ``evaluate``
(DuckDB, or Spark), ``write``. The write is one transaction, set-based: the hits are staged in a
temporary table; the (rule, person) pairs with new evidence and no open warning get one (dispatched to
the household's township, due ``rule.deadline_days`` working days after it was raised); the new evidence
is inserted with ON CONFLICT DO NOTHING (unique rule + person + evidence key) and joined to the open
warning; the counts of the warnings that gained evidence are brought up to date.

A run whose process died stays ``running`` with a stale heartbeat; running the same run again (same
kind, date, county and engine) resumes it: the extract and the evaluation are repeated (they write
nothing) and the write, which never committed, happens once. A failed run is resumed the same way.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.batch.copytext import copy_text
from jiuzhu.batch.rules.duck import run_duckdb
from jiuzhu.batch.rules.model import Rule
from jiuzhu.batch.rules.spark import run_spark
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.vocab import AuditObject
from jiuzhu.policy.selectors import work_calendar
from jiuzhu.regions.codes import Level, is_within, level_of
from jiuzhu.regions.models import Region

from ..extract import extract_tables
from ..models import JobStatus, MonitoringRun, Warning, WarningEvidence

HEARTBEAT_STALE = timedelta(minutes=3)  # silence after which a running run is taken for dead
HEARTBEAT_EVERY = timedelta(seconds=30)
ENGINES = ("duckdb", "spark")
Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass
class RunResult:
    run: MonitoringRun
    hits: pa.Table  # schema.HITS + warning_id (int64)


def _default_rules() -> tuple[Rule, ...]:
    from ..rules import RULES

    return RULES


def can_start_runs(user: Any) -> bool:
    """County-level (or higher) users with the permission, or a county approver / administrator."""
    if user is None:
        return False
    if getattr(user, "is_superuser", False):
        return True
    code = getattr(user, "region_id", None)
    if not code or level_of(code) > Level.COUNTY:
        return False
    if user.has_perm("monitoring.add_monitoringrun"):
        return True
    return bool(user.groups.filter(name__in=("county_approver", "admin")).exists())


def run_stale(run: MonitoringRun, now: Any = None) -> bool:
    """Running, but its process has not been heard from for ``HEARTBEAT_STALE``."""
    now = now or timezone.now()
    beat = run.heartbeat_at or run.started_at
    return run.status == JobStatus.RUNNING and beat is not None and now - beat > HEARTBEAT_STALE


EARLIEST = date(2000, 1, 1)


def _check(ctx: AuditContext, county: Region | None, kind: str, engine: str, as_of: date) -> None:
    if not EARLIEST <= as_of <= timezone.localdate() + timedelta(days=366):
        raise ValidationFailed({"as_of": "比对日期应在 2000 年以后、一年之内"})
    if ctx.user is not None and not can_start_runs(ctx.user):
        raise PermissionDenied()
    if ctx.user is not None and county is None and not getattr(ctx.user, "is_superuser", False):
        raise ValidationFailed({"county": "请选择县（市、区）"})
    if county is not None:
        if level_of(county.code) != Level.COUNTY:
            raise ValidationFailed({"county": "监测按县（市、区）运行，请选择县级区划"})
        if ctx.user is not None and ctx.user.region_id and not is_within(county.code, ctx.user.region_id):
            raise ValidationFailed({"county": "只能对本辖区的县运行监测"})
    if kind not in MonitoringRun.Kind.values:
        raise ValidationFailed({"kind": f"未知的运行类型 {kind}"})
    if engine not in ENGINES:
        raise ValidationFailed({"engine": f"不支持的引擎 {engine}"})


def _open_run(
    ctx: AuditContext, *, as_of: date, county: Region | None, kind: str, engine: str, rules: Sequence[Rule]
) -> MonitoringRun:
    """A new run, or the interrupted (or failed) run of the same kind, date, county and engine."""
    versions = {r.code: r.version for r in rules}
    with transaction.atomic():
        same = MonitoringRun.objects.select_for_update().filter(
            kind=kind,
            as_of=as_of,
            region=county,
            engine=engine,
            status__in=(JobStatus.RUNNING, JobStatus.FAILED),
        )
        for run in same.order_by("-id"):
            if run.status == JobStatus.RUNNING and not run_stale(run):
                raise Conflict(f"该县 {as_of.isoformat()} 的监测正在运行（第 {run.pk} 号），请稍后查看结果")
            run.status = JobStatus.RUNNING
            run.phase = MonitoringRun.Phase.EXTRACT
            run.attempts += 1
            run.error = ""
            run.heartbeat_at = timezone.now()
            run.rule_versions = versions
            run.progress_done = 0
            run.save()
            audit_record(
                ctx=ctx,
                action="resume",
                object_type=AuditObject.MONITORING_RUN,
                object_id=run.pk,
                region_code=county.code if county else "",
                detail={"attempt": run.attempts},
            )
            return run
        run = MonitoringRun.objects.create(
            kind=kind,
            engine=engine,
            as_of=as_of,
            region=county,
            status=JobStatus.RUNNING,
            heartbeat_at=timezone.now(),
            rule_versions=versions,
            progress_total=len(rules) + 2,
            created_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.MONITORING_RUN,
            object_id=run.pk,
            region_code=county.code if county else "",
            detail={"kind": kind, "as_of": as_of.isoformat(), "engine": engine},
        )
    return run


@contextmanager
def _beating(run_id: int) -> Iterator[None]:
    """Keep the run's heartbeat fresh from a thread while the body runs (an extract or a rule can take
    longer than the silence after which a run is taken for dead); when the process dies, it stops."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_EVERY.total_seconds()):
                with suppress(DatabaseError):  # SQLite may be busy with the run's own write
                    MonitoringRun.objects.filter(pk=run_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"monitoring-run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _progress_caller(progress: Callable[..., None] | None) -> Callable[[int, int, str], None] | None:
    """The caller's progress callback, called with (done, total, what) or, if it takes two positional
    arguments, (done, total)."""
    if progress is None:
        return None
    try:
        params = [
            p
            for p in inspect.signature(progress).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        ]
    except (TypeError, ValueError):
        params = []
    if len(params) == 2 and all(p.kind != p.VAR_POSITIONAL for p in params):
        return lambda done, total, what: progress(done, total)
    return progress


def _beat(run: MonitoringRun, **fields: Any) -> None:
    fields["heartbeat_at"] = timezone.now()
    for k, v in fields.items():
        setattr(run, k, v)
    MonitoringRun.objects.filter(pk=run.pk).update(**fields)


def _evaluate(
    rules: Sequence[Rule],
    tables: dict[str, pa.Table],
    *,
    as_of: date,
    engine: str,
    step: Callable[[Rule, int], None],
) -> pa.Table:
    if engine == "duckdb":
        return run_duckdb(rules, tables, as_of=as_of, progress=step)
    try:
        hits: pa.Table = run_spark(rules, tables, as_of=as_of)
    except ImportError as exc:  # pragma: no cover - depends on the installed groups
        raise ValidationFailed({"engine": "本机未安装 Spark 引擎（uv sync --group spark）"}) from exc
    for rule in rules:
        step(rule, 0)
    return hits


def monitoring_run(
    *,
    ctx: AuditContext,
    as_of: date,
    county: Region | None = None,
    kind: str = "monitor",
    engine: str = "duckdb",
    rules: Sequence[Rule] | None = None,
    progress: Callable[..., None] | None = None,
) -> RunResult:
    """Run the rules over a county (or every county) as of a date and write what they found."""
    rules = tuple(rules if rules is not None else _default_rules())
    _check(ctx, county, kind, engine, as_of)
    run = _open_run(ctx, as_of=as_of, county=county, kind=kind, engine=engine, rules=rules)
    total = len(rules) + 2
    timings: dict[str, float] = {}
    progress = _progress_caller(progress)

    def report(done: int, what: str) -> None:
        _beat(run, progress_done=done, progress_total=total)
        if progress:
            progress(done, total, what)

    with _beating(run.pk):
        try:
            t0 = time.perf_counter()
            tables = extract_tables(as_of=as_of, county=county, rules=rules)
            timings["extract"] = round(time.perf_counter() - t0, 3)
            _beat(
                run,
                phase=MonitoringRun.Phase.EVALUATE,
                persons=tables["persons"].num_rows,
                feed_rows=tables["feeds"].num_rows,
                timings=dict(timings),
            )
            report(1, "读取数据")
            done = [1]

            def step(rule: Rule, n: int) -> None:
                done[0] += 1
                report(done[0], rule.name)

            t0 = time.perf_counter()
            hits = _evaluate(rules, tables, as_of=as_of, engine=engine, step=step)
            timings["evaluate"] = round(time.perf_counter() - t0, 3)
            _beat(run, phase=MonitoringRun.Phase.WRITE, timings=dict(timings))
            t0 = time.perf_counter()
            with transaction.atomic():
                counts, links = _write(run, rules, hits)
                timings["write"] = round(time.perf_counter() - t0, 3)
                run.counts = counts
                run.timings = timings
                run.status = JobStatus.DONE
                run.phase = MonitoringRun.Phase.DONE
                run.progress_done = total
                run.progress_total = total
                run.heartbeat_at = timezone.now()
                run.finished_at = timezone.now()
                run.save()
                audit_record(
                    ctx=ctx,
                    action="complete",
                    object_type=AuditObject.MONITORING_RUN,
                    object_id=run.pk,
                    region_code=county.code if county else "",
                    detail={
                        "hits": hits.num_rows,
                        "new_evidence": sum(c["new_evidence"] for c in counts.values()),
                        "new_warnings": sum(c["new_warnings"] for c in counts.values()),
                    },
                )
            if progress:
                progress(total, total, "完成")
        except Exception as exc:
            # In a caller's broken transaction this cannot be written: the original error matters more.
            with suppress(DatabaseError):
                MonitoringRun.objects.filter(pk=run.pk).update(
                    status=JobStatus.FAILED,
                    error=str(exc)[:2000],
                    heartbeat_at=timezone.now(),
                    timings=timings,
                )
                run.refresh_from_db()
            raise
    return RunResult(run=run, hits=_with_warnings(hits, links))


# --- the write ----------------------------------------------------------------------------------------

_STAGE = "monitoring_hits_stage"
_META = "monitoring_rule_stage"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _col(model: Any, name: str) -> str:
    return _qn(model._meta.get_field(name).column)


def _stage_hits(hits: pa.Table) -> None:
    pg = connection.vendor == "postgresql"
    text = "text" if pg else "TEXT"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cur.execute(
            f"CREATE TEMP TABLE {_STAGE} (rule {text}, person_id bigint, household_id bigint,"
            f" region_code {text}, event_date date, evidence_key {text}, evidence {text})"
        )
        columns = [
            "rule",
            "person_id",
            "household_id",
            "region_code",
            "event_date",
            "evidence_key",
            "evidence",
        ]
        if not hits.num_rows:
            return
        data = hits.select(columns).to_pydict()
        rows = list(zip(*(data[c] for c in columns), strict=True))
        if pg:
            with cur.cursor.copy(f"COPY {_STAGE} ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in range(0, len(rows), 50_000):
                    copy.write(
                        "".join(
                            "\t".join(copy_text(None if v is None else str(v)) for v in row) + "\n"
                            for row in rows[chunk : chunk + 50_000]
                        )
                    )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO {_STAGE} ({', '.join(columns)}) VALUES ({marks})", rows)


def _stage_rules(rules: Sequence[Rule], raised_on: date) -> None:
    calendar = work_calendar()
    pg = connection.vendor == "postgresql"
    text = "text" if pg else "TEXT"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {_META}")
        cur.execute(
            f"CREATE TEMP TABLE {_META} (rule {text}, version integer, purpose {text}, severity {text},"
            f" role {text}, due_on date, provisional boolean)"
        )
        rows = []
        for r in rules:
            deadline = calendar.add_working_days(raised_on, r.deadline_days)
            rows.append(
                (r.code, r.version, r.purpose, r.severity, r.role, deadline.due, deadline.provisional)
            )
        cur.executemany(f"INSERT INTO {_META} VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)


WRITE_LOCK = 0x4A5A_0001  # the advisory lock that serialises the write phase of monitoring runs


def _write(
    run: MonitoringRun, rules: Sequence[Rule], hits: pa.Table
) -> tuple[dict[str, dict[str, int]], list[tuple[Any, ...]]]:
    """Warnings and evidence from the hits, in the caller's transaction. Returns the counts per rule and
    (rule, person, evidence key, warning id) for every hit."""
    pg = connection.vendor == "postgresql"
    if pg:
        # Runs of different kinds or dates may overlap (the nightly run and a payroll's check): their
        # writes take turns, so the second sees the first's warnings and joins them instead of colliding
        # on the one open warning per rule and person. (SQLite writes one transaction at a time anyway.)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
    now = timezone.now()
    raised_on = min(run.as_of, timezone.localdate())
    _stage_hits(hits)
    _stage_rules(rules, raised_on)
    W, E = Warning, WarningEvidence
    w, e = _qn(W._meta.db_table), _qn(E._meta.db_table)
    closed = f"'{Warning.Status.CLOSED}'"
    has_evidence = (
        f"EXISTS (SELECT 1 FROM {e} x WHERE x.{_col(E, 'rule')} = s.rule"
        f" AND x.{_col(E, 'person')} = s.person_id AND x.{_col(E, 'evidence_key')} = s.evidence_key)"
    )
    open_warning = (
        f"SELECT 1 FROM {w} y WHERE y.{_col(W, 'rule')} = s.rule AND y.{_col(W, 'person')} = s.person_id"
        f" AND y.{_col(W, 'status')} <> {closed}"
    )
    township = "substr(min(s.region_code), 1, 9) || '000'"
    warning_columns = [
        ("rule", "s.rule"),
        ("rule_version", "min(r.version)"),
        ("purpose", "min(r.purpose)"),
        ("severity", "min(r.severity)"),
        ("person", "s.person_id"),
        ("household", "min(s.household_id)"),
        ("region", "min(s.region_code)"),
        ("township", township),
        ("role", "min(r.role)"),
        ("status", f"'{Warning.Status.OPEN}'"),
        ("outcome", "''"),
        ("outcome_reason", "''"),
        ("verification", "''"),
        ("outcome_ref", "''"),
        ("raised_on", "%s"),
        ("due_on", "min(r.due_on)"),
        ("due_provisional", "max(CASE WHEN r.provisional THEN 1 ELSE 0 END) = 1"),
        ("first_run", "%s"),
        ("evidence_count", "0"),
        ("version", "1"),
        ("created_at", "%s"),
    ]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {w} ({', '.join(_col(W, n) for n, _ in warning_columns)})"
            f" SELECT {', '.join(v for _, v in warning_columns)}"
            f" FROM {_STAGE} s JOIN {_META} r ON r.rule = s.rule"
            f" WHERE NOT {has_evidence} AND NOT EXISTS ({open_warning})"
            f" GROUP BY s.rule, s.person_id",
            [raised_on, run.pk, now],
        )
        evidence_json = "CAST(s.evidence AS jsonb)" if pg else "s.evidence"
        verb, tail = ("INSERT", " ON CONFLICT DO NOTHING") if pg else ("INSERT OR IGNORE", "")
        cur.execute(
            f"{verb} INTO {e} ({_col(E, 'warning')}, {_col(E, 'rule')}, {_col(E, 'person')},"
            f" {_col(E, 'evidence_key')}, {_col(E, 'event_date')}, {_col(E, 'evidence')}, {_col(E, 'run')},"
            f" {_col(E, 'created_at')})"
            f" SELECT y.{_col(W, 'id')}, s.rule, s.person_id, s.evidence_key, s.event_date, {evidence_json},"
            f" %s, %s FROM {_STAGE} s JOIN {w} y ON y.{_col(W, 'rule')} = s.rule"
            f" AND y.{_col(W, 'person')} = s.person_id AND y.{_col(W, 'status')} <> {closed}"
            f" WHERE NOT {has_evidence}{tail}",
            [run.pk, now],
        )
        # The warnings that gained evidence: their count and newest fact.
        cur.execute(
            f"UPDATE {w} SET {_col(W, 'evidence_count')} = (SELECT count(*) FROM {e} x"
            f" WHERE x.{_col(E, 'warning')} = {w}.{_col(W, 'id')}),"
            f" {_col(W, 'last_event_on')} = (SELECT max(x.{_col(E, 'event_date')}) FROM {e} x"
            f" WHERE x.{_col(E, 'warning')} = {w}.{_col(W, 'id')})"
            f" WHERE {_col(W, 'id')} IN (SELECT {_col(E, 'warning')} FROM {e} WHERE {_col(E, 'run')} = %s)",
            [run.pk],
        )
        cur.execute(
            f"SELECT {_col(E, 'rule')}, count(*) FROM {e} WHERE {_col(E, 'run')} = %s GROUP BY 1", [run.pk]
        )
        new_evidence = dict(cur.fetchall())
        cur.execute(
            f"SELECT {_col(W, 'rule')}, count(*) FROM {w} WHERE {_col(W, 'first_run')} = %s GROUP BY 1",
            [run.pk],
        )
        new_warnings = dict(cur.fetchall())
        cur.execute(
            f"SELECT s.rule, s.person_id, s.evidence_key, x.{_col(E, 'warning')} FROM {_STAGE} s"
            f" JOIN {e} x ON x.{_col(E, 'rule')} = s.rule AND x.{_col(E, 'person')} = s.person_id"
            f" AND x.{_col(E, 'evidence_key')} = s.evidence_key"
        )
        links = cur.fetchall()
        cur.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cur.execute(f"DROP TABLE IF EXISTS {_META}")
    hit_counts: dict[str, int] = {}
    for code in hits.column("rule").to_pylist():
        hit_counts[code] = hit_counts.get(code, 0) + 1
    counts = {
        r.code: {
            "hits": hit_counts.get(r.code, 0),
            "new_evidence": int(new_evidence.get(r.code, 0)),
            "new_warnings": int(new_warnings.get(r.code, 0)),
        }
        for r in rules
    }
    return counts, links


def _with_warnings(hits: pa.Table, links: list[tuple[Any, ...]]) -> pa.Table:
    """The hits in their order, each with the warning its evidence belongs to."""
    link = pa.table(
        {
            "rule": pa.array([r[0] for r in links], pa.string()),
            "person_id": pa.array([int(r[1]) for r in links], pa.int64()),
            "evidence_key": pa.array([r[2] for r in links], pa.string()),
            "warning_id": pa.array([int(r[3]) for r in links], pa.int64()),
        }
    )
    con = duckdb.connect()
    try:
        con.register("hits", hits.append_column("_ord", pa.array(range(hits.num_rows), pa.int64())))
        con.register("link", link)
        out = con.sql(
            "SELECT h.* EXCLUDE (_ord), l.warning_id FROM hits h LEFT JOIN link l"
            " ON l.rule = h.rule AND l.person_id = h.person_id AND l.evidence_key = h.evidence_key"
            " ORDER BY h._ord"
        ).to_arrow_table()
    finally:
        con.close()
    schema = hits.schema.append(pa.field("warning_id", pa.int64()))
    return out.cast(schema)


def monitoring_run_enqueue(
    *, ctx: AuditContext, as_of: date, county: Region | None, kind: str = "monitor", engine: str = "duckdb"
) -> None:
    """Check a run may start and hand it to the background worker (``jiuzhu db_worker``); the run page
    shows it once the worker has begun."""
    _check(ctx, county, kind, engine, as_of)
    busy = MonitoringRun.objects.filter(
        kind=kind, as_of=as_of, region=county, engine=engine, status=JobStatus.RUNNING
    )
    if any(not run_stale(r) for r in busy):
        raise Conflict("该县同一比对日期的监测正在运行，请稍后查看结果")
    from ..tasks_runs import monitoring_run_queued  # the task module imports this one

    user = ctx.user
    monitoring_run_queued.enqueue(
        as_of=as_of.isoformat(),
        county_code=county.code if county else None,
        kind=kind,
        engine=engine,
        user_id=user.pk if user is not None else None,
        ip=ctx.ip,
        channel=ctx.channel,
    )
