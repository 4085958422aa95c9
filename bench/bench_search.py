"""Household search on the synthetic county (the caseworker's 查找家庭 box and the API behind it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench \\
        uv run python -m bench.bench_search --households 1000000

Generates the county first if it is missing. Runs ``household_search`` as a county-level user for a
realistic mix of queries — full names, full 18-digit ID numbers, the last 6 digits, 2-character name
prefixes, a village's list, a name within a township — and prints median and p95 per kind and in all.
The baseline, measured in the same run on a subset of the same queries, is the naive search a first
version would write: ``name__contains`` and ``id_number__endswith`` through the membership join,
which no index can serve.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")

import django

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from jiuzhu.accounts.models import User  # noqa: E402
from jiuzhu.regions.codes import subtree_bounds  # noqa: E402
from jiuzhu.registry.models import Household, Person  # noqa: E402
from jiuzhu.registry.selectors import household_search  # noqa: E402
from jiuzhu.synth import COUNTY_CODE, synth_county  # noqa: E402
from jiuzhu.synth.regions import county_exists  # noqa: E402

Query = tuple[str, str, str]  # (kind, query, region_code)
KIND_SHARES = {
    "姓名全称": 0.25,
    "18位身份证号": 0.2,
    "身份证后6位": 0.2,
    "姓名前2字": 0.15,
    "村(居)户列表": 0.1,
    "乡镇内按姓名": 0.1,
}


def queries(n: int, seed: int) -> list[Query]:
    rng = np.random.default_rng(seed)
    low, high = subtree_bounds(COUNTY_CODE)
    people = Person.objects.filter(residence_region__code__range=(low, high), death_date__isnull=True)
    bounds = people.order_by("id").values_list("id", flat=True)
    first, last = bounds.first(), people.order_by("-id").values_list("id", flat=True).first()
    assert first is not None and last is not None
    ids = rng.integers(first, last + 1, n * 2).tolist()
    sample = list(people.filter(id__in=ids).values_list("name", "id_number", "residence_region_id"))
    rng.shuffle(sample)
    kinds = rng.choice(list(KIND_SHARES), size=n, p=list(KIND_SHARES.values()))
    out: list[Query] = []
    for kind, (name, number, village) in zip(kinds, sample, strict=False):
        out.append(
            {
                "姓名全称": (kind, name, ""),
                "18位身份证号": (kind, number, ""),
                "身份证后6位": (kind, number[-6:], ""),
                "姓名前2字": (kind, name[:2], ""),
                "村(居)户列表": (kind, "", village),
                "乡镇内按姓名": (kind, name, village[:9] + "000"),
            }[str(kind)]
        )
    return out


def indexed(user: User) -> Callable[[str, str], int]:
    def run(query: str, region: str) -> int:
        return household_search(user=user, query=query, region_code=region, page=1).total

    return run


def naive(query: str, region: str) -> int:
    qs = Household.objects.filter(region__code__range=subtree_bounds(region or COUNTY_CODE))
    if query:
        if query.isdigit() and len(query) == 18:
            match = Q(memberships__person__id_number=query)
        elif query.isdigit():
            match = Q(memberships__person__id_number__endswith=query)
        else:
            match = Q(memberships__person__name__contains=query)
        qs = qs.filter(match, memberships__end_date__isnull=True).distinct()
    total = qs.count()
    list(qs.select_related("head", "region").order_by("id")[:20])
    return total


def timed(fn: Callable[[str, str], int], qs: list[Query]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for kind, query, region in qs:
        t = time.perf_counter()
        fn(query, region)
        out[kind].append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description="家庭检索基准")
    parser.add_argument("--households", type=int, default=1_000_000, help="合成县不存在时生成的户数")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--baseline-queries", type=int, default=60)
    args = parser.parse_args()

    if not county_exists():
        print(f"合成县不存在，先生成 {args.households:,} 户 ……")
        synth_county(households=args.households, seed=args.seed)
    low, high = subtree_bounds(COUNTY_CODE)
    households = Household.objects.filter(region__code__range=(low, high)).count()
    print(f"数据库：{connection.vendor}，CPU 核数：{os.cpu_count()}，合成县 {households:,} 户")

    user = User(username="bench-county", region_id=COUNTY_CODE)  # a county-level user, not saved
    mix = queries(args.queries + 20, args.seed)
    search = indexed(user)
    timed(search, mix[:20])  # warm the caches and the connection
    mix = mix[20:]
    fast = timed(search, mix)
    step = max(1, len(mix) // args.baseline_queries)
    subset = mix[::step][: args.baseline_queries]
    slow = timed(naive, subset)
    fast_on_subset = timed(search, subset)

    print(f"\n{'查询类型':<12}{'次数':>6}{'中位数 ms':>12}{'p95 ms':>10}")
    for kind in KIND_SHARES:
        values = fast.get(kind, [])
        if values:
            print(f"{kind:<12}{len(values):>6}{statistics.median(values):>12.1f}{p95(values):>10.1f}")
    everything = [v for values in fast.values() for v in values]
    print(f"{'全部':<12}{len(everything):>6}{statistics.median(everything):>12.1f}{p95(everything):>10.1f}")

    naive_all = [v for values in slow.values() for v in values]
    same = [v for values in fast_on_subset.values() for v in values]
    print(
        f"\n基线（name__contains / id_number__endswith 经成员关系连接，{len(naive_all)} 次同一子集）："
        f"中位数 {statistics.median(naive_all):.1f} ms，p95 {p95(naive_all):.1f} ms"
    )
    print(f"同一子集上的索引检索：中位数 {statistics.median(same):.1f} ms，p95 {p95(same):.1f} ms")
    print(
        f"倍数：中位数 {statistics.median(naive_all) / statistics.median(same):.0f}×，"
        f"p95 {p95(naive_all) / p95(same):.0f}×"
    )


if __name__ == "__main__":
    main()
