"""One-click verification report latency (DESIGN §5: p95 ≤ 25 ms, fixed query count).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench
    uv run python -m bench.bench_report --households 1000000 --feeds-months 6 --samples 300

Needs the synthetic county (generated when missing) and its departmental feeds (generated with
``jiuzhu.synth.feeds`` and imported through the bulk path when missing). Every sampled household's
adults get an authorisation, then ``report_create`` runs once per household, timed; the baseline in the
same run is the same report computed from a per-row ORM walk (one query per member and feed), which is
what a straightforward implementation would do.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

# Timed as deployed: DEBUG off, so Django does not log every query (the debug cursor costs a few ms a
# report). Queries are counted by a wrapper that does nothing else.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.production")
os.environ.setdefault("JIUZHU_SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
# Production requires the audit chain's key file to exist; the benchmark keeps one of its own.
os.environ.setdefault("JIUZHU_AUDIT_KEY_FILE", str(Path(tempfile.gettempdir()) / "jiuzhu-bench-audit.key"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from jiuzhu.accounts.models import User  # noqa: E402
from jiuzhu.audit.keys import key_create, key_path  # noqa: E402
from jiuzhu.audit.services import AuditContext  # noqa: E402

if not key_path().exists():
    key_create()
from jiuzhu.demo.build import SYNTH_COUNTY_CODE, demo_accounts, demo_users_ensure, layout_from_db  # noqa: E402
from jiuzhu.exchange.catalogue import FEEDS  # noqa: E402
from jiuzhu.exchange.models import FeedRecord  # noqa: E402
from jiuzhu.exchange.services import feed_import_path  # noqa: E402
from jiuzhu.policy.services import policy_seed_default  # noqa: E402
from jiuzhu.regions.models import Region  # noqa: E402
from jiuzhu.registry.models import Household, Membership  # noqa: E402
from jiuzhu.verification import need  # noqa: E402
from jiuzhu.verification.models import Authorisation, NeedModel  # noqa: E402
from jiuzhu.verification.services import need_model_refit, report_create  # noqa: E402

AS_OF = date(2026, 11, 15)


def ensure_data(households: int, months: int, folder: Path) -> None:
    from jiuzhu.synth import synth_county
    from jiuzhu.synth.feeds import synth_feeds

    if not Region.objects.filter(code=SYNTH_COUNTY_CODE).exists():
        t = time.perf_counter()
        synth_county(households=households, seed=1)
        print(f"synthetic county: {households:,} households in {time.perf_counter() - t:.0f} s")
    layout = layout_from_db(SYNTH_COUNTY_CODE)
    demo_users_ensure(
        demo_accounts(
            county_code=layout.county_code,
            township_codes=layout.township_codes,
            village_codes=layout.village_codes,
        ),
        password="bench-only-password",
    )
    policy_seed_default(
        ctx=AuditContext.system(),
        region=Region.objects.get(code=SYNTH_COUNTY_CODE),
        effective_from=date(AS_OF.year, 1, 1),
    )
    if FeedRecord.objects.filter(id_number__startswith=SYNTH_COUNTY_CODE[:6]).exists():
        return
    t = time.perf_counter()
    files = synth_feeds(folder=folder, seed=1, as_of=AS_OF, months_deep=months)
    print(f"feed files: {sum(n for _, n in files.values()):,} rows in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    total = 0
    for feed, (path, _) in files.items():
        total += feed_import_path(
            ctx=AuditContext.system(), feed_code=feed, path=path, region_code=SYNTH_COUNTY_CODE
        ).batch.rows_loaded
    print(f"feeds imported: {total:,} facts in {time.perf_counter() - t:.0f} s")


def naive_report_inputs(household_id: int) -> int:
    """The baseline: walk members and feeds one query at a time, as an ORM loop would."""
    n = 0
    for m in Membership.objects.filter(household_id=household_id, end_date__isnull=True):
        person = m.person
        for feed in FEEDS:
            n += len(list(FeedRecord.objects.filter(id_number=person.id_number, feed=feed)))
    return n


def python_speed() -> float:
    """Seconds for ten million integer additions in pure Python: how fast this machine runs the
    interpreter, so that absolute figures from different machines can be told apart."""
    t = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t


def _head_id(household: Household) -> str:
    assert household.head is not None
    return household.head.id_number


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--feeds-months", type=int, default=6)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/jiuzhu-bench-feeds"))
    # Each run adds a report to every sampled household's history; another seed samples fresh ones.
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ensure_data(args.households, args.feeds_months, args.folder)
    print(f"settings: {os.environ['DJANGO_SETTINGS_MODULE']} (DEBUG={settings.DEBUG})")
    print(f"machine: 10M pure-Python additions in {python_speed():.2f} s")

    user = User.objects.get(username="approver")  # the county
    rng = random.Random(args.seed)
    top = Household.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = sorted({rng.randint(1, top) for _ in range(args.samples * 2)})
    sample = list(Household.objects.filter(id__in=ids).select_related("head")[: args.samples])
    members = Membership.objects.filter(household__in=sample, end_date__isnull=True).select_related("person")
    Authorisation.objects.bulk_create(
        [
            Authorisation(person=m.person, signed_on=date(2026, 1, 1), reference="bench", recorded_by=user)
            for m in members
            if m.person.age_on(AS_OF) >= 18
        ]
    )
    ctx = AuditContext(user=user, channel="cli")
    # Warm caches (permissions, policy) once. Reports are timed with a fitted need model, as in service:
    # on a fresh database the first households' reports are the samples it is fitted on.
    report_create(ctx=ctx, id_number=_head_id(sample[0]), as_of=AS_OF)
    if not NeedModel.objects.filter(active=True).exists():
        for h in sample[: need.MIN_SAMPLES]:
            report_create(ctx=ctx, id_number=_head_id(h), as_of=AS_OF)
        need_model_refit(ctx=AuditContext.system())

    executed = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    times, queries = [], set()
    with connection.execute_wrapper(count):
        for h in sample:
            before = executed
            t = time.perf_counter()
            report_create(ctx=ctx, id_number=_head_id(h), as_of=AS_OF)
            times.append((time.perf_counter() - t) * 1000)
            queries.add(executed - before)
    base = []
    for h in sample[: max(20, args.samples // 10)]:
        t = time.perf_counter()
        naive_report_inputs(h.pk)
        base.append((time.perf_counter() - t) * 1000)

    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20)[-1]

    print(
        f"reports: {len(times)}; median {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms; "
        f"database round trips per report: {sorted(queries)}"
    )
    walk = f"median {statistics.median(base):.1f} ms, p95 {p95(base):.1f} ms"
    print(f"baseline per-row ORM walk (inputs only): {walk}")
    print(f"ratio (median): {statistics.median(base) / statistics.median(times):.1f}x")


if __name__ == "__main__":
    main()
