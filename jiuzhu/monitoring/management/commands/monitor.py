from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from jiuzhu.audit.services import AuditContext
from jiuzhu.batch.rules.compiler import rules_sql
from jiuzhu.batch.rules.duck import run_duckdb
from jiuzhu.batch.rules.parquet import read_tables
from jiuzhu.batch.rules.spark import run_spark
from jiuzhu.core.errors import ServiceError
from jiuzhu.monitoring.rules import RULES
from jiuzhu.monitoring.services.runs import monitoring_run
from jiuzhu.regions.models import Region


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


class Command(BaseCommand):
    help = (
        "动态监测：按比对日期对一个县（或全部县）运行全部监测规则，写入预警证据与预警；"
        "中断后再次运行即续跑。--emit-sql 只打印规则的 SQL；--input 对 Parquet 导出运行规则并写出命中。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="比对日期（默认今天），YYYY-MM-DD")
        parser.add_argument("--county", help="县级区划代码（默认全部县）")
        parser.add_argument("--kind", choices=["monitor", "pre_payment"], default="monitor")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--input", type=Path, help="jiuzhu export-parquet 导出的目录：只计算命中，不写数据库"
        )
        parser.add_argument("--output", type=Path, help="与 --input 一起：命中写到此文件（.parquet 或 .csv）")
        parser.add_argument("--emit-sql", action="store_true", help="打印该引擎的规则 SQL 后退出")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        engine: str = options["engine"]
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        if options["emit_sql"]:
            self.stdout.write(rules_sql(RULES, engine, as_of))  # type: ignore[arg-type]
            return
        if options["input"]:
            self._offline(options["input"], options["output"], engine, options["as_of"])
            return
        if options["output"]:
            raise CommandError("--output 只与 --input 一起使用")
        county = None
        if options["county"]:
            county = Region.objects.filter(code=options["county"]).first()
            if county is None:
                raise CommandError(f"区划代码不存在：{options['county']}")
        with tqdm(total=len(RULES) + 2, desc="监测", unit="步", disable=options["no_progress"]) as bar:

            def progress(done: int, total: int, what: str) -> None:
                bar.total = total
                bar.n = done
                bar.set_postfix_str(what)
                bar.refresh()

            try:
                result = monitoring_run(
                    ctx=AuditContext.system(),
                    as_of=as_of,
                    county=county,
                    kind=options["kind"],
                    engine=engine,
                    progress=progress,
                )
            except ServiceError as exc:
                details = "；".join(str(v) for v in (getattr(exc, "errors", None) or {}).values())
                raise CommandError(f"{exc.message}：{details}" if details else exc.message) from exc
        run = result.run
        self.stdout.write(
            f"监测运行 #{run.pk}（{run.get_kind_display()}，{as_of.isoformat()}）：比对 {run.persons} 人，"
            f"部门数据 {run.feed_rows} 行，耗时 " + "，".join(f"{k} {v} 秒" for k, v in run.timings.items())
        )
        for rule in RULES:
            c = run.counts.get(rule.code, {})
            self.stdout.write(
                f"  {rule.code:<24}{rule.name}：命中 {c.get('hits', 0)}，新证据 {c.get('new_evidence', 0)}，"
                f"新预警 {c.get('new_warnings', 0)}"
            )

    def _offline(self, directory: Path, output: Path | None, engine: str, as_of_text: str | None) -> None:
        if not directory.is_dir():
            raise CommandError(f"目录不存在：{directory}")
        tables, exported_on = read_tables(directory)
        as_of = _date(as_of_text) if as_of_text else exported_on
        if engine == "spark":
            try:
                hits: pa.Table = run_spark(RULES, tables, as_of=as_of)
            except ImportError as exc:
                raise CommandError("本机未安装 Spark 引擎（uv sync --group spark）") from exc
        else:
            hits = run_duckdb(RULES, tables, as_of=as_of)
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            if output.suffix.lower() == ".csv":
                pacsv.write_csv(hits, output)
            elif output.suffix.lower() == ".parquet":
                pq.write_table(hits, output)
            else:
                raise CommandError("--output 应为 .parquet 或 .csv 文件")
        counts = Counter(hits.column("rule").to_pylist())
        self.stdout.write(
            f"{engine}：{as_of.isoformat()} 共命中 {hits.num_rows} 条"
            + (f"，已写出 {output}" if output else "")
        )
        for rule in RULES:
            self.stdout.write(f"  {rule.code:<24}{rule.name}：{counts.get(rule.code, 0)}")
