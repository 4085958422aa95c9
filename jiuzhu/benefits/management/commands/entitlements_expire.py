from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.services_margins import entitlements_expire


class Command(BaseCommand):
    help = "终止认定有效期已届满的在保记录（如刚性支出困难、低保边缘；可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="按此日期判断是否届满（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, today: date | None, **options: Any) -> None:
        ended = entitlements_expire(ctx=AuditContext.system(), today=today)
        self.stdout.write(f"有效期届满终止 {ended} 条在保记录")
