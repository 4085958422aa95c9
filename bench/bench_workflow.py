"""The county approver's to-do queue and the case page of the 低保 procedure, at county scale
(p95 ≤ 50 ms with a fixed query count).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench
    uv run python -m bench.bench_workflow --households 1000000 --cases 100000 --samples 300

Needs the synthetic county (generated when missing, as ``bench_search`` does), the national 低保
definition (``definition_sync``) and ``--cases`` open cases spread over the county's villages and the
definition's open steps, each with its history (about 5 rows). The cases are written by COPY through
``jiuzhu.batch`` and kept: a later run with the same ``--cases`` reuses them, ``--fresh-cases`` writes
them again. ``--smoke`` runs the whole path on a small county (SQLite works too).

Timed as a user waits for them, through Django's test client under the production settings (DEBUG off,
the template loaders cached, static files from the manifest), logged in as the county approver:

- the to-do queue ``GET /workflow/``, pages 1, 2, 3 … and filtered by step and by township;
- the case page ``GET /workflow/cases/<pk>/`` for random cases of the county.

Each request's database round trips are counted; the count must not depend on the page or the case.
The baselines, in the same run: the queue computed the naive way (every open case of the jurisdiction
loaded with the ORM, the ones at the user's steps kept and sorted in Python, then the page's households
and applicants read one by one), and the case's data read with no ``select_related``/``prefetch``
(one query per related row).
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.production")
os.environ.setdefault("JIUZHU_SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
os.environ.setdefault("JIUZHU_AUDIT_KEY_FILE", str(Path(tempfile.gettempdir()) / "jiuzhu-bench-audit.key"))
os.environ.setdefault("JIUZHU_ALLOWED_HOSTS", "testserver")
# collectstatic writes the manifest the production storage needs; a folder of the benchmark's own.
os.environ.setdefault("JIUZHU_VAR_DIR", str(Path(tempfile.gettempdir()) / "jiuzhu-bench-workflow-var"))

import django

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from jiuzhu.accounts.models import User  # noqa: E402
from jiuzhu.accounts.services import roles_sync  # noqa: E402
from jiuzhu.audit.keys import key_create, key_path  # noqa: E402
from jiuzhu.audit.services import AuditContext  # noqa: E402
from jiuzhu.batch.bulk import bulk_mode  # noqa: E402
from jiuzhu.batch.write import Const, Rows, analyze, next_id, reset_sequences, write  # noqa: E402
from jiuzhu.core.vocab import CaseStatus, Program, StepKind  # noqa: E402
from jiuzhu.demo.build import SYNTH_COUNTY_CODE, demo_accounts, demo_users_ensure, layout_from_db  # noqa: E402
from jiuzhu.policy.models import PolicyVersion  # noqa: E402
from jiuzhu.policy.services import policy_seed_default  # noqa: E402
from jiuzhu.regions.codes import subtree_bounds  # noqa: E402
from jiuzhu.regions.models import Region  # noqa: E402
from jiuzhu.registry.models import Household  # noqa: E402
from jiuzhu.workflow import selectors  # noqa: E402
from jiuzhu.workflow.models import Case, CaseEvent, Definition, Step  # noqa: E402
from jiuzhu.workflow.services.definitions import definition_sync  # noqa: E402

NUMBER_PREFIX = "BW"  # the benchmark's cases: 低保 case numbers of its own
TODAY = timezone.localdate()
CHUNK_EVENTS = 200_000

# Where the open cases stand (shares of the open cases): most are early in the procedure; the county
# approver's queue (县级确认) holds about one in six.
STATE_SHARES: dict[str, float] = {
    "verification": 0.10,
    "investigation": 0.18,
    "community_review": 0.08,
    "review": 0.12,
    "public_notice": 0.12,
    "reinvestigation": 0.03,
    "materials": 0.05,
    "confirmation": 0.25,
    "township_confirmation": 0.07,
}
# The forward path that led to each state (its history): the case was opened at verification.
PATHS: dict[str, list[str]] = {
    "verification": ["verification"],
    "investigation": ["verification", "investigation"],
    "community_review": ["verification", "investigation", "community_review"],
    "review": ["verification", "investigation", "community_review", "review"],
    "public_notice": ["verification", "investigation", "community_review", "review", "public_notice"],
    "reinvestigation": ["verification", "investigation", "review", "public_notice", "reinvestigation"],
    "materials": ["verification", "investigation", "materials"],
    "confirmation": [
        "verification", "investigation", "community_review", "review", "public_notice", "confirmation",
    ],
    "township_confirmation": [
        "verification", "investigation", "review", "public_notice", "township_confirmation",
    ],
}  # fmt: skip


# --- data --------------------------------------------------------------------------------------------


def ensure_county(households: int) -> None:
    from jiuzhu.synth import synth_county

    if Region.objects.filter(code=SYNTH_COUNTY_CODE).exists():
        return
    t = time.perf_counter()
    synth_county(households=households, seed=1, progress=False)
    print(f"synthetic county: {households:,} households in {time.perf_counter() - t:.0f} s")


def ensure_users() -> dict[str, User]:
    """The demo users of the county, with the roles' default permissions (a database kept between runs
    gets the permissions of roles added or extended since)."""
    roles_sync(reset=True)
    layout = layout_from_db(SYNTH_COUNTY_CODE)
    demo_users_ensure(
        demo_accounts(
            county_code=layout.county_code,
            township_codes=layout.township_codes,
            village_codes=layout.village_codes,
        ),
        password="bench-only-password",
    )
    return {u.username: u for u in User.objects.filter(username__in=["approver", "caseworker", "reviewer"])}


def ensure_policy() -> PolicyVersion:
    return policy_seed_default(
        ctx=AuditContext.system(),
        region=Region.objects.get(code=SYNTH_COUNTY_CODE),
        effective_from=date(TODAY.year, 1, 1),
    )


def ensure_definition() -> Definition:
    """The national 低保 definition as the engine writes it (a new version only when its spec changed)."""
    definition_sync(ctx=AuditContext.system())
    found = Definition.objects.filter(program=Program.DIBAO, region__isnull=True, active=True)
    definition = found.order_by("-version").first()
    if definition is None:
        raise SystemExit("没有启用的全国低保流程定义")
    return definition


def _bench_cases() -> Any:
    return Case.objects.filter(number__startswith=NUMBER_PREFIX)


def _delete_cases() -> None:
    qn = connection.ops.quote_name
    case_table, event_table = qn(Case._meta.db_table), qn(CaseEvent._meta.db_table)
    number = qn(Case._meta.get_field("number").column)
    case_fk = qn(CaseEvent._meta.get_field("case").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {event_table} WHERE {case_fk} IN "
            f"(SELECT id FROM {case_table} WHERE {number} LIKE %s)",
            [NUMBER_PREFIX + "%"],
        )
        cursor.execute(f"DELETE FROM {case_table} WHERE {number} LIKE %s", [NUMBER_PREFIX + "%"])


@dataclass(frozen=True)
class Households:
    ids: np.ndarray
    heads: np.ndarray
    villages: np.ndarray


def _households(n: int, rng: np.random.Generator) -> Households:
    low, high = subtree_bounds(SYNTH_COUNTY_CODE)
    rows = list(
        Household.objects.filter(region__code__range=(low, high), head__isnull=False)
        .order_by("id")
        .values_list("id", "head_id", "region_id")
    )
    if len(rows) < n:
        raise SystemExit(f"合成县只有 {len(rows):,} 户有户主，少于 --cases {n:,}")
    pick = np.sort(rng.choice(len(rows), size=n, replace=False))
    chosen = [rows[i] for i in pick.tolist()]
    return Households(
        ids=np.array([r[0] for r in chosen], dtype=np.int64),
        heads=np.array([r[1] for r in chosen], dtype=np.int64),
        villages=np.array([r[2] for r in chosen]),
    )


def _day(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def write_cases(
    *, n: int, definition: Definition, policy: PolicyVersion, users: dict[str, User], seed: int
) -> None:
    """``n`` open cases over the county's villages and the definition's open steps, with their history,
    by COPY (``jiuzhu.batch``); indexes and foreign keys are rebuilt once at the end."""
    rng = np.random.default_rng(seed)
    steps = dict(Step.objects.filter(definition=definition).values_list("code", "kind"))
    states = [s for s in STATE_SHARES if steps.get(s) not in (None, StepKind.END)]
    missing = set(STATE_SHARES) - set(states)
    if missing:
        raise SystemExit(f"流程定义缺少环节：{sorted(missing)}")
    shares = np.array([STATE_SHARES[s] for s in states])
    homes = _households(n, rng)
    state_ix = rng.choice(len(states), size=n, p=shares / shares.sum())
    state = np.array(states)[state_ix]

    # Accepted in the last 30 working days or so; the current step entered after the path before it.
    today = _day(TODAY)
    accepted = today - rng.integers(1, 45, n).astype("timedelta64[D]")
    path_len = np.array([len(PATHS[s]) for s in states])[state_ix]
    entered_days = np.minimum((today - accepted).astype(int), path_len * rng.integers(1, 5, n))
    entered_day = accepted + entered_days.astype("timedelta64[D]")
    # About one in eight steps overdue, as a county that keeps up with its work would have.
    step_due = np.maximum(
        today + rng.integers(-2, 14, n).astype("timedelta64[D]"), entered_day + np.timedelta64(1, "D")
    )
    due = accepted + rng.integers(21, 36, n).astype("timedelta64[D]")
    seconds = rng.integers(8 * 3600, 18 * 3600, n).astype("timedelta64[s]")
    entered_at = entered_day.astype("datetime64[s]") + seconds
    first = next_id(Case)
    ids = np.arange(first, first + n, dtype=np.int64)
    numbers = np.char.add(f"{NUMBER_PREFIX}{TODAY.year}", np.char.zfill(ids.astype(str), 8))
    applications = np.char.add(f"SQ{TODAY.year}", np.char.zfill(ids.astype(str), 8))
    spot = np.where((state == "confirmation") & (rng.random(n) < 0.2), "selected", "none")
    caseworker, reviewer, approver = users["caseworker"], users["reviewer"], users["approver"]
    opened_at = accepted.astype("datetime64[s]") + np.timedelta64(9 * 3600, "s")
    cases = Rows(
        Case,
        {
            "id": ids,
            "number": numbers,
            "program": Const(Program.DIBAO.value),
            "household_id": homes.ids,
            "applicant_id": homes.heads,
            "region_id": homes.villages,
            "application_no": applications,
            "definition_id": Const(definition.pk),
            "policy_version_id": Const(policy.pk),
            "state": state,
            "state_entered_at": entered_at,
            "step_due_on": step_due,
            "accepted_on": accepted,
            "due_on": due,
            "status": Const(CaseStatus.OPEN.value),
            "minor_case": rng.random(n) < 0.05,
            "close_relative": rng.random(n) < 0.01,
            "spot_check": spot,
            "overdue": step_due < today,
            "version": path_len.astype(np.int64),
            "opened_by_id": Const(caseworker.pk),
            "opened_at": opened_at,
        },
        n,
    )

    # History: "opened", then one forward move per step of the path; a third of the cases were sent
    # back once on the way (two more rows), so about 5 rows a case.
    actor_for = {
        "verification": caseworker,
        "investigation": caseworker,
        "community_review": caseworker,
        "review": reviewer,
        "public_notice": reviewer,
        "reinvestigation": caseworker,
        "materials": caseworker,
        "confirmation": approver,
        "township_confirmation": reviewer,
    }
    ev_case: list[int] = []
    ev_seq: list[int] = []
    ev_at: list[datetime] = []
    ev_actor: list[int] = []
    ev_name: list[str] = []
    ev_action: list[str] = []
    ev_from: list[str] = []
    ev_to: list[str] = []
    ev_reason: list[str] = []
    sent_back = rng.random(n) < 0.33
    starts: list[datetime] = opened_at.astype("datetime64[us]").tolist()
    ends: list[datetime] = entered_at.astype("datetime64[us]").tolist()
    for i, (st, back, start, end) in enumerate(
        zip(state.tolist(), sent_back.tolist(), starts, ends, strict=True)
    ):
        path = PATHS[st]
        moves: list[tuple[str, str, str, str]] = [("open", "", path[0], "")]
        for a, b in itertools.pairwise(path):
            moves.append(("forward", a, b, ""))
        if back and len(path) >= 3:
            a, b = path[1], path[2]
            moves[2:2] = [("send_back", b, a, "调查记录缺少家庭成员签名"), ("forward", a, b, "")]
        step = (end - start) / len(moves)
        for seq, (action, src, dst, reason) in enumerate(moves, start=1):
            actor = actor_for.get(src or dst, caseworker)
            ev_case.append(first + i)
            ev_seq.append(seq)
            ev_at.append(end if seq == len(moves) else start + step * (seq - 1))
            ev_actor.append(actor.pk)
            ev_name.append(actor.get_full_name() or actor.username)
            ev_action.append(action)
            ev_from.append(src)
            ev_to.append(dst)
            ev_reason.append(reason)
    m = len(ev_case)
    t = time.perf_counter()
    with transaction.atomic(), bulk_mode([Case, CaseEvent], use=n >= 10_000):
        write(cases)
        for lo in range(0, m, CHUNK_EVENTS):
            hi = min(m, lo + CHUNK_EVENTS)
            write(
                Rows(
                    CaseEvent,
                    {
                        "case_id": np.array(ev_case[lo:hi], dtype=np.int64),
                        "seq": np.array(ev_seq[lo:hi], dtype=np.int64),
                        "at": np.array(ev_at[lo:hi], dtype="datetime64[s]"),
                        "actor_id": np.array(ev_actor[lo:hi], dtype=np.int64),
                        "actor_name": np.array(ev_name[lo:hi]),
                        "action": np.array(ev_action[lo:hi]),
                        "from_state": np.array(ev_from[lo:hi]),
                        "to_state": np.array(ev_to[lo:hi]),
                        "reason": np.array(ev_reason[lo:hi]),
                    },
                    hi - lo,
                )
            )
    reset_sequences([Case, CaseEvent])
    analyze([Case, CaseEvent])
    if connection.vendor == "postgresql":
        # The visibility map, as autovacuum would leave it: the queue counts read the index alone.
        with connection.cursor() as cursor:
            for model in (Case, CaseEvent):
                cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
    print(f"cases: {n:,} open cases and {m:,} history rows written in {time.perf_counter() - t:.1f} s")


def ensure_cases(
    *, n: int, definition: Definition, policy: PolicyVersion, users: dict[str, User], seed: int, fresh: bool
) -> None:
    existing = _bench_cases()
    have = existing.filter(status=CaseStatus.OPEN, definition=definition).count()
    if not fresh and have == n and existing.count() == n:
        print(f"cases: reusing {n:,} open cases")
        return
    if existing.exists():
        with transaction.atomic():
            _delete_cases()
    write_cases(n=n, definition=definition, policy=policy, users=users, seed=seed)


# --- measuring ---------------------------------------------------------------------------------------


class Counter:
    """Counts the database round trips of this thread's connection and the time spent waiting for
    them (nothing else: no logging)."""

    def __init__(self) -> None:
        self.executed = 0
        self.waited = 0.0  # seconds inside ``execute``: the database and the wire
        self.statements: list[str] = []
        self.keep = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.executed += 1
        if self.keep:
            self.statements.append(connection.cursor().mogrify(sql, params) if params else sql)
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.waited += time.perf_counter() - t

    @contextmanager
    def active(self) -> Iterator[Counter]:
        with connection.execute_wrapper(self):
            yield self


@dataclass
class Timings:
    name: str
    ms: list[float] = field(default_factory=list)
    queries: dict[int, int] = field(default_factory=dict)  # round trips → how many requests had that many
    db_ms: list[float] = field(default_factory=list)

    def add(self, ms: float, queries: int, db_ms: float) -> None:
        self.ms.append(ms)
        self.db_ms.append(db_ms)
        self.queries[queries] = self.queries.get(queries, 0) + 1

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.ms, n=20)[-1] if len(self.ms) >= 2 else self.ms[0]

    def line(self) -> str:
        counts = ", ".join(f"{q} ({k}×)" for q, k in sorted(self.queries.items()))
        return (
            f"{self.name}: {len(self.ms)} requests; median {self.median:.1f} ms, p95 {self.p95:.1f} ms "
            f"(in the database: median {statistics.median(self.db_ms):.1f} ms); round trips: {counts}"
        )


def timed(name: str, calls: Sequence[Callable[[], object]], counter: Counter) -> Timings:
    out = Timings(name)
    with counter.active():
        for call in calls:
            before, waited = counter.executed, counter.waited
            t = time.perf_counter()
            call()
            out.add(
                (time.perf_counter() - t) * 1000, counter.executed - before, (counter.waited - waited) * 1000
            )
    return out


def get(client: Client, url: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} → {response.status_code}")
        return response

    return call


@dataclass(frozen=True)
class QueueArgs:
    kind: str
    page: int = 1
    step: str | None = None
    region_code: str | None = None

    def query(self) -> str:
        args = {"step": self.step, "region": self.region_code, "page": self.page}
        return urlencode({k: v for k, v in args.items() if v})


def region_filter_works(user: User, township: str) -> bool:
    try:
        selectors.queue(user=user, kind="todo", region_code=township, per_page=1)
    except Exception as error:
        print(f"queue(region_code=…) fails, the runs leave that filter out: {error!r}")
        return False
    return True


def queue_args(n: int, *, kind: str, per_page: int, total: int, townships: list[str]) -> list[QueueArgs]:
    """Pages 1, 2, 3 … of a queue, and the same filtered by step and by township (``townships``
    empty: by step only)."""
    pages = max(1, min(20, total // per_page))
    out: list[QueueArgs] = []
    for i in range(n):
        page = i % pages + 1
        match i % 4:
            case 0 | 1:
                out.append(QueueArgs(kind, page))
            case 2:
                out.append(QueueArgs(kind, page, step="confirmation" if kind == "todo" else None))
            case _ if townships:
                out.append(QueueArgs(kind, region_code=townships[i % len(townships)]))
            case _:
                out.append(QueueArgs(kind, page, step="confirmation" if kind == "todo" else None))
    return out


def queue_call(user: User, a: QueueArgs) -> Callable[[], object]:
    return partial(
        selectors.queue, user=user, kind=a.kind, step=a.step, region_code=a.region_code, page=a.page
    )


def case_read(user: User, pk: int) -> object:
    """What the case page reads through the engine: the case, its transitions (with why not), what
    the step still needs, its history."""
    case = selectors.case_get(user=user, case_id=pk)
    return (
        selectors.case_transitions(user=user, case=case),
        selectors.case_missing_evidence(case),
        selectors.case_history(case),
    )


def url_or_none(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- baselines ---------------------------------------------------------------------------------------


def naive_queue(user: User, page: int, per_page: int) -> int:
    """Every open case of the user's jurisdiction as a model instance, the ones at steps of the user's
    role kept and sorted in Python, then the page's households, applicants and villages one by one."""
    assert user.region_id is not None
    low, high = subtree_bounds(user.region_id)
    mine = {(d, c) for d, c in Step.objects.filter(role=user.role).values_list("definition_id", "code")}
    cases = [
        c
        for c in Case.objects.filter(status=CaseStatus.OPEN, region__code__range=(low, high))
        if (c.definition_id, c.state) in mine
    ]
    cases.sort(key=lambda c: (c.step_due_on or date.max, c.pk))
    shown = cases[(page - 1) * per_page : page * per_page]
    for c in shown:
        _ = (c.household.number, c.applicant.name, c.region.name)
    return len(cases)


def naive_case(pk: int) -> int:
    """The case page's data read with no ``select_related``/``prefetch``: one query per related row."""
    c = Case.objects.get(pk=pk)
    n = len(c.household.number) + len(c.applicant.name) + len(c.region.name)
    region = c.region
    while region.parent_id is not None:
        region = region.parent  # type: ignore[assignment]
    d = c.definition
    step = d.steps.get(code=c.state)
    n += len(step.name) + len(list(d.transitions.filter(source=c.state)))
    n += c.policy_version.case_limit_days
    for event in c.events.all():
        n += len(event.actor.username) if event.actor is not None else 0
    n += len(list(c.notices.all()))
    return n


# --- report ------------------------------------------------------------------------------------------


def python_speed() -> float:
    """Seconds for ten million integer additions in pure Python (see bench_report)."""
    t = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t


def explain(statements: list[str]) -> None:
    """EXPLAIN ANALYZE of each statement a request ran (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            print("\n" + sql)
            for (line,) in cursor.fetchall():
                print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300, help="timed requests of each page")
    parser.add_argument("--baseline-samples", type=int, default=10, help="naive queue computations")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fresh-cases", action="store_true", help="write the cases again")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE one request of each page")
    parser.add_argument("--load-only", action="store_true", help="load the data, measure nothing")
    parser.add_argument("--smoke", action="store_true", help="a small county: the path, not the figures")
    args = parser.parse_args()
    if args.smoke:
        args.households, args.cases, args.samples = min(args.households, 3000), min(args.cases, 1000), 20
        args.baseline_samples, args.warmup = 2, 2
    if not key_path().exists():
        key_create()
    ensure_county(args.households)
    users = ensure_users()
    policy = ensure_policy()
    definition = ensure_definition()
    ensure_cases(
        n=args.cases,
        definition=definition,
        policy=policy,
        users=users,
        seed=args.seed,
        fresh=args.fresh_cases,
    )
    if args.load_only:
        return
    call_command("collectstatic", "--noinput", verbosity=0)
    print(f"settings: {os.environ['DJANGO_SETTINGS_MODULE']} (DEBUG={settings.DEBUG}), {connection.vendor}")
    print(f"machine: 10M pure-Python additions in {python_speed():.2f} s")
    households = Household.objects.count()
    open_cases = Case.objects.filter(status=CaseStatus.OPEN).count()
    print(
        f"data: {households:,} households, {open_cases:,} open cases, "
        f"{CaseEvent.objects.count():,} history rows"
    )

    approver = users["approver"]
    client = Client()
    client.force_login(approver)
    townships = layout_from_db(SYNTH_COUNTY_CODE).township_codes
    if not region_filter_works(approver, townships[0]):
        townships = []
    per_page = 50
    n = args.warmup + args.samples
    todo = selectors.queue(user=approver, kind="todo", per_page=1).total
    overdue = selectors.queue(user=approver, kind="overdue", per_page=1).total
    todo_args = queue_args(n, kind="todo", per_page=per_page, total=todo, townships=townships)
    overdue_args = queue_args(n, kind="overdue", per_page=per_page, total=overdue, townships=townships)
    rng = np.random.default_rng(args.seed)
    low = Case.objects.order_by("id").values_list("id", flat=True).first() or 0
    high = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    picks = sorted(set(rng.integers(low, high + 1, n * 2).tolist()))
    case_ids = list(Case.objects.filter(pk__in=picks).values_list("id", flat=True))
    rng.shuffle(case_ids)
    case_ids = case_ids[:n]
    print(f"approver's queues: to do {todo:,} cases (县级确认), overdue {overdue:,}")

    runs: list[tuple[str, Sequence[Callable[[], object]]]] = [
        ("selector queue(kind=todo)", [queue_call(approver, a) for a in todo_args]),
        ("selector queue(kind=overdue)", [queue_call(approver, a) for a in overdue_args]),
        ("case read (engine's selectors)", [partial(case_read, approver, pk) for pk in case_ids]),
    ]
    for name, qargs in (("workflow_todo", todo_args), ("workflow_overdue", overdue_args)):
        page_url = url_or_none(name)
        if page_url is None:
            print(f"page: no URL named {name}")
            continue
        urls = [f"{page_url}?{a.query()}" for a in qargs]
        runs.append((f"page GET {page_url} ({qargs[0].kind})", [get(client, u) for u in urls]))
    if url_or_none("workflow_case", case_ids[0]) is not None:
        urls = [reverse("workflow_case", args=[pk]) for pk in case_ids]
        runs.append(("case page GET /workflow/cases/<pk>/", [get(client, u) for u in urls]))
    else:
        print("page: no URL named workflow_case; the case is read through the API instead")
        urls = [f"/api/workflow/cases/{pk}" for pk in case_ids]
        runs.append(("case API GET /api/workflow/cases/<pk>", [get(client, u) for u in urls]))
    counter = Counter()
    results: dict[str, Timings] = {}
    for name, calls in runs:
        for call in calls[: args.warmup]:
            call()
        results[name] = timed(name, calls[args.warmup :], counter)
    pages = [i % max(1, todo // per_page) + 1 for i in range(args.baseline_samples)]
    naive_pages = [partial(naive_queue, approver, p, per_page) for p in pages]
    nq = timed("naive queue (data only)", naive_pages, counter)
    nc = timed("naive case (data only)", [partial(naive_case, pk) for pk in case_ids[args.warmup :]], counter)
    print()
    for t in [*results.values(), nq, nc]:
        print(t.line())
    print()
    for name, t in results.items():
        base = nc if "case" in name else nq if "todo" in name or "to do" in name else None
        if base is not None:
            print(f"ratio naive / {name}: median {base.median / t.median:.1f}x, p95 {base.p95 / t.p95:.1f}x")
    met = all(t.p95 <= 50 for t in results.values())
    fixed = all(len(t.queries) == 1 for t in results.values())
    print(f"bar p95 ≤ 50 ms: {'met' if met else 'NOT met'}; query count fixed: {'yes' if fixed else 'NO'}")
    if args.explain:
        for name, calls in runs:
            counter.keep, counter.statements = True, []
            with counter.active():
                calls[args.warmup]()
            counter.keep = False
            print(f"\n=== {name}")
            explain(counter.statements)


if __name__ == "__main__":
    main()
