"""存量对象导入 on PostgreSQL (issue bar: 100k households, ~250k members, 100k entitlements ≤ 2 min).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench \\
        uv run python -m bench.bench_migration --households 100000

Generates a deterministic migration file in the template layout for a bench county of its own (990201…,
200 villages; created with a policy version and a county approver when missing): households of 1–4
members, one 低保 entitlement each (every member row repeats it, as the national export does), some
特困 persons, and about 0.5 % bad rows (wrong check digit, negative amount, unknown program). The bench
county's registry and benefits rows are deleted first, so every run starts from the same state.

The figure is ``migration_import`` end to end (hash, read, validate, group, write in chunks, commit),
with the time until the first chunk is written (reading and judging every row) split out. The baseline,
in the same run, is the one-at-a-time path of the household file's screens: ``person_create``,
``household_create``, ``member_join``, ``category_tag`` and a decision and an entitlement saved by the ORM
for each household of a sample (``--baseline-households``), rolled back and extrapolated per household.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from datetime import date
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from jiuzhu.accounts.models import User  # noqa: E402
from jiuzhu.accounts.services import user_create  # noqa: E402
from jiuzhu.audit.services import AuditContext  # noqa: E402
from jiuzhu.benefits.models import Decision, Entitlement  # noqa: E402
from jiuzhu.migration import services as migration_services  # noqa: E402
from jiuzhu.migration.layouts import COLUMNS  # noqa: E402
from jiuzhu.policy.models import PolicyVersion  # noqa: E402
from jiuzhu.policy.services import policy_version_create  # noqa: E402
from jiuzhu.regions.models import Region  # noqa: E402
from jiuzhu.registry.idnumber import check_char  # noqa: E402
from jiuzhu.registry.services import category_tag, household_create, member_join, person_create  # noqa: E402

PROVINCE, CITY, COUNTY = "990000000000", "990200000000", "990201000000"
TOWNSHIPS, VILLAGES = 10, 20
USER = "bench_migration"
RELATIONS = ["配偶", "子女", "子女", "父母"]


def cn(n: int) -> str:
    """A number spelled in Chinese digits (a name holds no digits)."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(n))


def villages() -> list[str]:
    return [f"990201{t:03d}{v:03d}" for t in range(1, TOWNSHIPS + 1) for v in range(1, VILLAGES + 1)]


def setup() -> User:
    """The bench county, its policy and its county approver (created once)."""
    if not Region.objects.filter(code=COUNTY).exists():
        Region.objects.bulk_create(
            [
                Region(code=PROVINCE, name="基准省", level=1),
                Region(code=CITY, name="基准市", level=2, parent_id=PROVINCE),
                Region(code=COUNTY, name="基准县", level=3, parent_id=CITY),
            ]
            + [
                Region(code=f"990201{t:03d}000", name=f"基准{t}镇", level=4, parent_id=COUNTY)
                for t in range(1, 11)
            ]
            + [Region(code=v, name=f"基准村{v[-6:]}", level=5, parent_id=v[:9] + "000") for v in villages()]
        )
    if not PolicyVersion.objects.filter(region_id=COUNTY).exists():
        policy_version_create(
            ctx=AuditContext.system(),
            region=Region.objects.get(code=COUNTY),
            effective_from=date(2015, 1, 1),
            document_no="基准〔2015〕1号",
            dibao_standard_urban=Decimal("800"),
            dibao_standard_rural=Decimal("600"),
        )
    user = User.objects.filter(username=USER).first()
    if user is None:
        user = user_create(
            ctx=AuditContext.system(),
            username=USER,
            password=None,
            role="county_approver",
            region_code=COUNTY,
        )
    return user


def clear() -> None:
    """Delete the bench county's registry and benefits rows (children first)."""
    low, high = COUNTY[:6], COUNTY[:6] + "999999"
    with transaction.atomic(), connection.cursor() as cur:
        steps = [
            "DELETE FROM benefits_entitlementevent WHERE entitlement_id IN "
            "(SELECT id FROM benefits_entitlement WHERE region_id BETWEEN %s AND %s)",
            "DELETE FROM benefits_entitlement WHERE region_id BETWEEN %s AND %s",
            "DELETE FROM benefits_decision WHERE region_id BETWEEN %s AND %s",
            "DELETE FROM registry_registrychange WHERE household_id IN "
            "(SELECT id FROM registry_household WHERE region_id BETWEEN %s AND %s)",
            "DELETE FROM registry_personcategory WHERE person_id IN "
            "(SELECT id FROM registry_person WHERE residence_region_id BETWEEN %s AND %s)",
            "DELETE FROM registry_membership WHERE household_id IN "
            "(SELECT id FROM registry_household WHERE region_id BETWEEN %s AND %s)",
            "DELETE FROM registry_household WHERE region_id BETWEEN %s AND %s",
            "DELETE FROM registry_registrychange WHERE person_id IN "
            "(SELECT id FROM registry_person WHERE residence_region_id BETWEEN %s AND %s)",
            "DELETE FROM registry_person WHERE residence_region_id BETWEEN %s AND %s",
        ]
        for sql in steps:
            cur.execute(sql, [low, high])
        cur.execute(
            "DELETE FROM migration_migrationrow WHERE batch_id IN "
            "(SELECT id FROM migration_migrationbatch WHERE region_id = %s)",
            [COUNTY],
        )
        cur.execute("DELETE FROM migration_migrationbatch WHERE region_id = %s", [COUNTY])


def id_number(seq: int) -> str:
    born = date(1940, 1, 1).toordinal() + (seq // 997) % 25000
    first17 = f"990201{date.fromordinal(born):%Y%m%d}{seq % 997:03d}"
    return first17 + check_char(first17)


def migration_file(households: int, seed: int) -> tuple[bytes, int]:
    rng = random.Random(seed)
    places = villages()
    out = io.StringIO()
    out.write(",".join(c.label for c in COLUMNS) + "\n")
    index = {c.name: i for i, c in enumerate(COLUMNS)}
    seq, lines = 0, 0
    for h in range(households):
        size = rng.choice((1, 2, 2, 3, 3, 3, 4))
        village = places[h % len(places)]
        head = id_number(seq)
        tekun = size == 1 and rng.random() < 0.2
        amount = "1030" if tekun else str(200 * size + rng.randint(0, 99))
        start = f"{rng.randint(2016, 2025)}-{rng.randint(1, 12):02d}"
        tier = rng.choice(("全自理", "半失能", "全失能"))
        for m in range(size):
            number = id_number(seq)
            seq += 1
            cells = [""] * len(COLUMNS)
            cells[index["household_key"]] = head
            cells[index["name"]] = f"基准{cn(h)}{'甲乙丙丁'[m]}"
            cells[index["id_number"]] = number
            cells[index["relation"]] = "户主" if m == 0 else RELATIONS[m - 1]
            cells[index["region"]] = village
            cells[index["address"]] = f"{village[-6:]}村{h % 50}组{h}号"
            if tekun:
                cells[index["program"]] = "特困"
                cells[index["amount"]] = amount
                cells[index["care_tier"]] = tier
            else:
                cells[index["program"]] = "低保"
                cells[index["amount"]] = amount
            cells[index["start_month"]] = start
            cells[index["document_no"]] = f"民救〔{2016 + h % 10}〕{h}号"
            cells[index["decided_on"]] = ""
            r = rng.random()
            if r < 0.002:
                cells[index["id_number"]] = number[:17] + ("0" if number[17] != "0" else "1")
            elif r < 0.004:
                cells[index["amount"]] = "-5"
            elif r < 0.005:
                cells[index["program"]] = "无此项目"
            out.write(",".join(cells) + "\n")
            lines += 1
    return out.getvalue().encode(), lines


def backend_cpu() -> float | None:
    """CPU seconds of this session's PostgreSQL backend so far (when the server runs on this machine and
    /proc shows it): with the client's own CPU time, what the import costs whatever the machine's load."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]  # type: ignore[index]
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def baseline(user: User, households: int, seed: int) -> float:
    """Seconds per household through the one-at-a-time services (rolled back)."""
    rng = random.Random(seed)
    ctx = AuditContext(user=user)
    policy = PolicyVersion.objects.filter(region_id=COUNTY).first()
    assert policy is not None
    t = time.perf_counter()

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for h in range(households):
                village = villages()[h % len(villages())]
                size = rng.choice((1, 2, 2, 3, 3, 3, 4))
                people = []
                for m in range(size):
                    number = id_number(9_000_000 + h * 4 + m)
                    people.append(
                        person_create(
                            ctx=ctx,
                            data={
                                "id_number": number,
                                "name": f"基线{cn(h)}{'甲乙丙丁'[m]}",
                                "hukou_region": village,
                                "residence_region": village,
                            },
                        )
                    )
                household = household_create(
                    ctx=ctx, data={"region": village, "address": f"基线{h}号"}, head_person_id=people[0].pk
                )
                for m, p in enumerate(people[1:]):
                    member_join(
                        ctx=ctx,
                        household_id=household.pk,
                        person_id=p.pk,
                        relation="spouse" if m == 0 else "child",
                    )
                for p in people:
                    category_tag(ctx=ctx, person_id=p.pk, category="dibao", start_date=date(2024, 1, 1))
                decision = Decision.objects.create(
                    case_number=f"基线-{seed}-{h}",
                    program="dibao",
                    household=household,
                    applicant=people[0],
                    region_id=village,
                    source="migration",
                    outcome="confirmed",
                    members=size,
                    amount=Decimal(200 * size),
                    policy_version=policy,
                    decided_on=date(2024, 1, 1),
                    decided_by=user,
                )
                Entitlement.objects.create(
                    household=household,
                    program="dibao",
                    region_id=village,
                    decision=decision,
                    start_month=date(2024, 1, 1),
                    amount=decision.amount,
                    members=size,
                    review_class="B",
                    next_review_on=date(2027, 1, 1),
                    source="migration",
                )
            raise Rollback
    except Rollback:
        pass
    return (time.perf_counter() - t) / households


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--baseline-households", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("请设置 DATABASE_URL 指向 PostgreSQL")
    user = setup()
    clear()
    content, lines = migration_file(args.households, args.seed)
    print(f"file: {args.households:,} households, {lines:,} rows, {len(content) / 1e6:.1f} MB")

    first_chunk: list[float] = []
    original = migration_services.write_chunk

    def timed(**kwargs):  # type: ignore[no-untyped-def]
        if not first_chunk:
            first_chunk.append(time.perf_counter())
        return original(**kwargs)

    migration_services.write_chunk = timed  # type: ignore[assignment]
    try:
        pg0, cpu0 = backend_cpu(), time.process_time()
        load0 = os.getloadavg()[0]
        t = time.perf_counter()
        outcome = migration_services.migration_import(
            ctx=AuditContext(user=user, channel="cli"),
            file_name=f"bench-{args.seed}.csv",
            fh=io.BytesIO(content),
            region_code=COUNTY,
        )
        total = time.perf_counter() - t
        cpu, pg1 = time.process_time() - cpu0, backend_cpu()
    finally:
        migration_services.write_chunk = original  # type: ignore[assignment]
    b = outcome.batch
    print(
        f"migration_import: {total:.1f} s end to end — {b.households_created:,} households, "
        f"{b.persons_created:,} persons, {b.entitlements_created:,} entitlements, "
        f"{b.rows_quarantined:,} rows quarantined"
    )
    pg = f"{pg1 - pg0:.1f} s" if pg0 is not None and pg1 is not None else "(not readable)"
    print(
        f"  CPU: this process {cpu:.1f} s, its PostgreSQL backend {pg}; "
        f"load average {load0:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    read = first_chunk[0] - t if first_chunk else total
    chunk = migration_services.CHUNK_HOUSEHOLDS
    print(
        f"  read, validate, group every row: {read:.1f} s; write (chunks of {chunk:,}): {total - read:.1f} s"
    )
    per = baseline(user, args.baseline_households, args.seed)
    projected = per * args.households
    print(
        f"baseline one-at-a-time services: {per * 1000:.1f} ms per household on "
        f"{args.baseline_households} households (rolled back) = {projected:,.0f} s projected for "
        f"{args.households:,}"
    )
    print(f"ratio: {projected / total:.0f}x")


if __name__ == "__main__":
    main()
