from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.recompute import recomputation_apply, recomputation_approve, recomputation_create
from jiuzhu.core.errors import ServiceError


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01" if len(text) == 7 else text)


class Command(BaseCommand):
    help = (
        "提标重算：按新的政策参数版本生成受影响在保对象的重算清单（待审批）；"
        "--approve 审批，--apply 执行（可中断后重跑）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("policy", type=int, help="新的政策参数版本编号")
        parser.add_argument(
            "--from-month", type=_month, default=None, help="调整起始月份（YYYY-MM；默认生效月份）"
        )
        parser.add_argument("--user", default="", help="操作用户（县级审批人员；默认：第一个在用的超级用户）")
        parser.add_argument("--approve", action="store_true", help="同时审批清单")
        parser.add_argument("--apply", action="store_true", help="执行已审批的清单")

    def handle(self, *args: Any, policy: int, from_month: date | None, user: str, **options: Any) -> None:
        actor = (
            User.objects.filter(username=user, is_active=True).first()
            if user
            else User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        )
        if actor is None:
            raise CommandError("找不到操作用户：请用 --user 指定，或先创建超级用户")
        ctx = AuditContext(user=actor, channel="cli")
        try:
            rec = recomputation_create(ctx=ctx, policy_version_id=policy, from_month=from_month)
            if options["approve"] and rec.status == "draft":
                rec = recomputation_approve(ctx=ctx, recomputation_id=rec.pk)
            if options["apply"]:
                rec = recomputation_apply(ctx=ctx, recomputation_id=rec.pk)
        except ServiceError as exc:
            raise CommandError(exc.message or str(exc.errors)) from exc
        self.stdout.write(
            f"重算清单 #{rec.pk}：自 {rec.from_month:%Y-%m} 起，{rec.rows.count()} 户，"
            f"状态：{rec.get_status_display()}"
        )
