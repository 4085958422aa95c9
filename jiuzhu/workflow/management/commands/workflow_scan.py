from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow.services import cases_scan
from jiuzhu.workflow.services.expiry import entitlements_expire_notify
from jiuzhu.workflow.tasks import workflow_scan_schedule


class Command(BaseCommand):
    help = (
        "扫描办理中的案件：标记超期、超期督办，日历更新后重算暂定期限；终止有效期届满的在保记录"
        "（可重复运行；并排定后台定期扫描）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="按此日期扫描（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, today: date | None, **options: Any) -> None:
        result = cases_scan(ctx=AuditContext.system(), today=today)
        expired = entitlements_expire_notify(ctx=AuditContext.system(), today=today)
        workflow_scan_schedule()  # (re)starts the worker's cycle of scans
        self.stdout.write(
            f"新标记超期 {result.overdue} 件，督办 {result.escalated} 件，重算期限 {result.recomputed} 件"
        )
        from jiuzhu.workflow.services.temporary import prior_aid_scan

        late = prior_aid_scan(ctx=AuditContext.system(), today=today)
        self.stdout.write(f"先行救助补办超期新标记 {late} 件")
        self.stdout.write(f"有效期届满终止在保记录 {expired} 条")
        from jiuzhu.workflow.services.reviews import reviews_open_scheduled

        reviews = reviews_open_scheduled(today=today, channel="cli")
        self.stdout.write(f"新立定期复核案件 {len(reviews.opened)} 件")
