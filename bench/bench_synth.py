"""Synthetic population (DESIGN §5: 1M households ≤ 3 min on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench \\
        uv run python -m bench.bench_synth --households 1000000

Times ``synth_county`` end to end (generation, COPY, index rebuild, sequences, ANALYZE; with the
deletion of an earlier synthetic county when there is one). The baseline, measured in the same
run, is the ordinary Django path: the same generator's rows turned into model instances and
written with ``bulk_create`` for a sample of households (rolled back), extrapolated per household.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")

import django

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Model  # noqa: E402
from django.utils import timezone  # noqa: E402

from jiuzhu.batch import write  # noqa: E402
from jiuzhu.registry.models import Household, Membership, Person, PersonCategory  # noqa: E402
from jiuzhu.synth.chunk import State, generate  # noqa: E402
from jiuzhu.synth.county import synth_county  # noqa: E402
from jiuzhu.synth.idnumbers import SequenceAllocator, as_day  # noqa: E402
from jiuzhu.synth.regions import build_tree, county_exists  # noqa: E402

BAR_SECONDS = 180.0


def _objects(rows: write.Rows) -> list[Model]:
    """Model instances from generated columns, as an application building rows one by one would."""
    values: dict[str, list[Any]] = {}
    for name, col in rows.columns.items():
        if isinstance(col, write.Const):
            values[name] = [col.value] * rows.n
        elif isinstance(col, np.ma.MaskedArray):
            values[name] = [
                None if m else int(v) for v, m in zip(col.data, np.ma.getmaskarray(col), strict=True)
            ]
        elif col.dtype.kind == "M":
            values[name] = col.astype(object).tolist()  # datetime.date, None for NaT
        else:
            values[name] = col.tolist()
    names = list(values)
    return [rows.model(**dict(zip(names, row, strict=True))) for row in zip(*values.values(), strict=True)]


def baseline(households: int, total: int, seed: int) -> float:
    """Seconds per household for generate + bulk_create, measured on ``households`` and rolled back."""
    tree = build_tree(total)  # the county's own villages, which exist by now
    rng = np.random.default_rng(seed + 1)
    started = time.perf_counter()
    with transaction.atomic():
        state = State(
            tree=tree,
            as_of=as_day(date(timezone.localdate().year, 1, 1)),
            now=timezone.now(),
            sequences=SequenceAllocator(rng),
            # Numbers and ID numbers beyond the county's own, so nothing collides before rollback.
            village_used=np.full(len(tree.villages), 90_000, dtype=np.int64),
            next_household=write.next_id(Household),
            next_person=write.next_id(Person),
            next_membership=write.next_id(Membership),
            next_category=write.next_id(PersonCategory),
            address_code="990199",
        )
        done = 0
        while done < households:
            n = min(10_000, households - done)
            for rows in generate(rng, state, n).tables:
                rows.model._default_manager.bulk_create(_objects(rows), batch_size=1000)
            done += n
        transaction.set_rollback(True)
    return (time.perf_counter() - started) / households


def main() -> None:
    parser = argparse.ArgumentParser(description="合成人口生成基准")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-households", type=int, default=20_000)
    args = parser.parse_args()

    replacing = county_exists()
    print(f"数据库：{connection.vendor}，CPU 核数：{os.cpu_count()}")
    print(f"生成 {args.households:,} 户（种子 {args.seed}）{'，先删除已有的合成县' if replacing else ''} ……")
    result = synth_county(households=args.households, seed=args.seed, reset=True, progress=True)
    print(
        f"合成县：{result.households:,} 户，{result.persons:,} 人，用时 {result.seconds:.1f} 秒"
        f"（{result.households / result.seconds:,.0f} 户/秒）"
    )
    per_household = baseline(args.baseline_households, args.households, args.seed)
    projected = per_household * args.households
    print(
        f"基线（同一生成器 + Django bulk_create，{args.baseline_households:,} 户样本，已回滚）："
        f"{1 / per_household:,.0f} 户/秒，外推 {args.households:,} 户约 {projected:.0f} 秒"
    )
    print(f"倍数：{projected / result.seconds:.1f}×")
    verdict = "达到" if result.seconds <= BAR_SECONDS * args.households / 1_000_000 else "未达到"
    print(f"指标（100 万户 ≤ {BAR_SECONDS:.0f} 秒，按户数折算）：{verdict}")


if __name__ == "__main__":
    main()
