from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jiuzhu.batch.rules.parquet import write_tables
from jiuzhu.monitoring.extract import extract_tables
from jiuzhu.monitoring.rules import RULES
from jiuzhu.regions.models import Region


class Command(BaseCommand):
    help = (
        "把监测规则读取的四张表（人员、在保、部门数据、政策参数）导出为 Parquet，"
        "供 Spark 在数据所在地运行规则。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--as-of", help="比对日期（默认今天），YYYY-MM-DD")
        parser.add_argument("--county", help="县级区划代码（默认全部县）")

    def handle(
        self, *args: Any, directory: Path, as_of: str | None, county: str | None, **options: Any
    ) -> None:
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{as_of}") from exc
        region = None
        if county:
            region = Region.objects.filter(code=county).first()
            if region is None:
                raise CommandError(f"区划代码不存在：{county}")
        tables = extract_tables(as_of=day, county=region, rules=RULES)
        write_tables(tables, directory, as_of=day)
        sizes = "，".join(f"{name} {t.num_rows} 行" for name, t in tables.items())
        self.stdout.write(f"已导出到 {directory}（{day.isoformat()}）：{sizes}")
