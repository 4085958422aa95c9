from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.integrity import dishonesty_expire


class Command(BaseCommand):
    help = "将有效期已届满的失信记录标记为已到期（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="按此日期判断（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, today: date | None, **options: Any) -> None:
        marked = dishonesty_expire(ctx=AuditContext.system(), today=today)
        self.stdout.write(f"标记到期的失信记录 {marked} 条")
