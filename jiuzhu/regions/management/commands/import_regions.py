from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.regions.services import region_import_csv


class Command(BaseCommand):
    help = "导入统计用区划代码CSV（列：code,name,urban_rural_code；或 统计用区划代码,名称,城乡分类代码）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = region_import_csv(source=path)
        for err in result.errors[:50]:
            self.stderr.write(err)
        if len(result.errors) > 50:
            self.stderr.write(f"……另有 {len(result.errors) - 50} 条错误")
        counts = f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        self.stdout.write(f"{counts}，错误 {len(result.errors)}")
        if result.errors:
            raise CommandError("部分行未导入，请修正后重新导入（已导入的行不会重复）")
