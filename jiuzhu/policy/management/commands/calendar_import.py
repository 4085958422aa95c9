from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.policy.calendar_services import calendar_import


class Command(BaseCommand):
    help = "从 CSV 导入工作日历（列 date,kind,name；kind 为 休/班 或 off/work；UTF-8 或 GB18030）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--year", type=int, default=None, help="限定年度：每一行都须在该年度")
        parser.add_argument("--note", default="", help="说明，例如国务院办公厅通知的文号")

    def handle(self, *args: Any, path: Path, year: int | None, note: str, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            outcome = calendar_import(
                ctx=AuditContext.system(), content=path.read_bytes(), year=year, note=note
            )
        except ValidationFailed as exc:
            for message in exc.errors.values():
                for line in message.split("；"):
                    self.stderr.write(line)
            raise CommandError("文件有误，未导入任何一行；请修正后重新导入") from None
        self.stdout.write(self.style.SUCCESS(outcome.summary()))
