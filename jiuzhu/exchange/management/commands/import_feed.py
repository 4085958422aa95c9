from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.exchange.services import feed_import_path
from jiuzhu.regions.models import Region


class Command(BaseCommand):
    help = (
        "导入部门数据文件（CSV/XLSX/JSON）到 --region 给出的辖区。同一文件重复导入不产生重复数据；"
        "中断后重新运行即续传。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("feed", choices=sorted(FEEDS))
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--region", help="批次所属辖区（区划代码，必填），决定哪些用户能查看批次与隔离行")
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self, *args: Any, feed: str, paths: list[Path], no_progress: bool, region: str | None, **options: Any
    ) -> None:
        if not region:
            # Without one the batch would belong to no jurisdiction, and only a superuser could see it.
            raise CommandError(
                "请用 --region 指定批次所属辖区（区划代码），例如 --region 110101000000；"
                "批次及其隔离行只对该辖区及上级的用户可见"
            )
        if not Region.objects.filter(code=region).exists():
            raise CommandError(f"区划代码不存在：{region}")
        failed = False
        for path in paths:
            with tqdm(desc=path.name, unit="行", disable=no_progress) as bar:
                try:
                    outcome = feed_import_path(
                        ctx=AuditContext.system(),
                        feed_code=feed,
                        path=path,
                        progress=bar.update,
                        region_code=region,
                    )
                except ValidationFailed as exc:
                    self.stderr.write(f"{path}: {exc.message}")
                    failed = True
                    continue
            b = outcome.batch
            if outcome.already_imported:
                self.stdout.write(f"{path}: 已导入过（批次 #{b.pk}），未作改动")
            else:
                self.stdout.write(
                    f"{path}: 批次 #{b.pk} 共 {b.rows_total} 行，新入库 {b.rows_loaded}，"
                    f"已存在 {b.rows_existing}，隔离 {b.rows_quarantined}"
                )
        if failed:
            raise CommandError("部分文件未能导入")
