from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow.services.reviews import reviews_open


class Command(BaseCommand):
    help = "为临近下次复核日期的在保对象立定期复核案件（提前天数按政策参数；可重复运行，不会重复立案）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="按此日期计算（YYYY-MM-DD）"
        )
        parser.add_argument(
            "--user",
            default="",
            help="以此用户立案（乡镇经办人员只立本乡镇的案件；默认：第一个在用的超级用户）",
        )
        parser.add_argument("--region", default="", help="只处理此区划（代码）内的在保对象")

    def handle(self, *args: Any, today: date | None, user: str, region: str, **options: Any) -> None:
        actor = (
            User.objects.filter(username=user, is_active=True).first()
            if user
            else User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        )
        if actor is None:
            raise CommandError("找不到立案用户：请用 --user 指定乡镇经办人员，或先创建超级用户")
        result = reviews_open(
            ctx=AuditContext(user=actor, channel="cli"), today=today, region_code=region or None
        )
        skipped = "，".join(f"{k} {v}" for k, v in sorted(result.skipped.items())) or "无"
        self.stdout.write(f"新立定期复核案件 {len(result.opened)} 件；跳过：{skipped}")
