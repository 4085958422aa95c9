from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.monitoring.services.warnings import warnings_escalate_scheduled
from jiuzhu.monitoring.tasks import warnings_escalate_schedule


class Command(BaseCommand):
    help = (
        "预警超期督办：逾期未办结的预警升级到县级督办队列（每条只升级一次，可重复运行；并排定后台定期扫描）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="按此日期扫描（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, today: date | None, **options: Any) -> None:
        escalated = warnings_escalate_scheduled(today=today, channel="cli")
        warnings_escalate_schedule()
        self.stdout.write(f"新升级督办预警 {escalated} 条")
