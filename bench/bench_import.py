"""Feed import throughput on PostgreSQL (DESIGN §5: ≥ 150k rows/s validated into staging).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench \\
        uv run python -m bench.bench_import --rows 1000000

Generates a deterministic 人社 wage file (with 0.5 % bad rows), imports it through the bulk path and,
as the baseline in the same run, a 50,000-row slice through the row-by-row path. Prints rows/s for
both and the ratio, and splits the bulk figure into "validated into staging" (read, validate, COPY into
the staging table) and the merge into the fact store.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")

import django

django.setup()

from django.db import connection  # noqa: E402

from jiuzhu.audit.services import AuditContext  # noqa: E402
from jiuzhu.exchange import fastpath, services  # noqa: E402
from jiuzhu.regions.models import Region  # noqa: E402
from jiuzhu.registry.idnumber import check_char  # noqa: E402


def wage_file(rows: int, seed: int, year: int) -> bytes:
    rng = random.Random(seed)
    people = max(1, rows // 12)
    out = io.StringIO()
    out.write("身份证号码,月份,单位,应发工资（元）\n")
    n = 0
    for i in range(people):
        born = date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        first17 = f"990101{born:%Y%m%d}{i % 999:03d}"
        number = first17 + check_char(first17)
        for month in range(1, 13):
            if n == rows:
                break
            bad = rng.random() < 0.005
            amount = f"-{rng.randint(1, 9)}" if bad else f"{rng.randint(800, 9000)}.{rng.randint(0, 99):02d}"
            out.write(f"{number},{year}-{month:02d},单位{rng.randint(1, 3000)},{amount}\n")
            n += 1
    return out.getvalue().encode()


def _region() -> str:
    """Every batch belongs to a jurisdiction: the first region of the database (its root)."""
    code = Region.objects.order_by("code").values_list("code", flat=True).first()
    if code is None:
        raise SystemExit("数据库中没有区划：请先运行 jiuzhu import-regions 或 jiuzhu demo")
    return code


def run(content: bytes, name: str) -> tuple[float, float, int]:
    """(seconds in all, seconds from the start of the merge to the end, rows). Everything before the
    merge starts (hashing the file, reading, validating, COPY into staging and quarantine) is staging."""
    merge_started: list[float] = []
    original = fastpath.merge

    def timed_merge(*args, **kwargs):  # type: ignore[no-untyped-def]
        merge_started.append(time.perf_counter())
        return original(*args, **kwargs)

    fastpath.merge = timed_merge  # type: ignore[assignment]
    try:
        t = time.perf_counter()
        outcome = services.feed_import(
            ctx=AuditContext.system(),
            feed_code="hrss_wage",
            file_name=name,
            fh=io.BytesIO(content),
            region_code=_region(),
        )
        end = time.perf_counter()
        return end - t, end - merge_started[0] if merge_started else 0.0, outcome.batch.rows_total
    finally:
        fastpath.merge = original  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("请设置 DATABASE_URL 指向 PostgreSQL")

    big = wage_file(args.rows, args.seed, 2024)
    total, merge, rows = run(big, f"bench-{args.seed}.csv")
    print(f"bulk path: {rows} rows in {total:.2f} s = {rows / total:,.0f} rows/s end to end")
    print(
        f"  validated into staging: {rows / (total - merge):,.0f} rows/s (read, validate, COPY into staging)"
    )
    print(f"  merge into the fact store (and commit): {merge:.2f} s = {rows / merge:,.0f} rows/s")

    small = wage_file(args.baseline_rows, args.seed + 1, 2023)
    services.BULK_CSV = False
    try:
        base_total, _, base_rows = run(small, f"bench-base-{args.seed}.csv")
    finally:
        services.BULK_CSV = True
    base_rate = base_rows / base_total
    print(f"baseline row-by-row path: {base_rows} rows in {base_total:.2f} s = {base_rate:,.0f} rows/s")
    print(f"ratio: {(rows / total) / (base_rows / base_total):.1f}x")


if __name__ == "__main__":
    main()
