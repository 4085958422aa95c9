from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.payments.models import Payroll
from jiuzhu.payments.services.check import payroll_check
from jiuzhu.payments.services.generate import payroll_generate
from jiuzhu.payments.services.holds import payroll_approve, payroll_submit


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError as exc:
        raise CommandError(f"月份格式应为 YYYY-MM：{text}") from exc


class Command(BaseCommand):
    help = (
        "发放名册：generate 生成（县、项目、月份；中断后重跑即续完），check 发放前比对（月比对），"
        "submit 提交审批，approve 县级审批"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate", "check", "submit", "approve"])
        parser.add_argument("--county", default="", help="县级区划代码（12 位）")
        parser.add_argument("--program", default="dibao", help="救助项目代码，如 dibao、tekun")
        parser.add_argument("--month", type=_month, default=None, help="发放月份 YYYY-MM（默认本月）")
        parser.add_argument("--payroll", type=int, default=None, help="名册编号（代替县、项目、月份）")
        parser.add_argument("--user", default="", help="操作用户（默认：第一个在用的超级用户）")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        username = options["user"]
        actor = (
            User.objects.filter(username=username, is_active=True).first()
            if username
            else User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        )
        if actor is None:
            raise CommandError("找不到操作用户：请用 --user 指定，或先创建超级用户")
        ctx = AuditContext(user=actor, channel="cli")
        month = options["month"] or date.today().replace(day=1)
        try:
            with tqdm(desc=action, unit="条", disable=options["no_progress"]) as bar:

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.n = done
                    bar.refresh()

                if action == "generate":
                    if not options["county"]:
                        raise CommandError("请用 --county 指定县级区划代码")
                    payroll = payroll_generate(
                        ctx=ctx,
                        county_code=options["county"],
                        program=options["program"],
                        month=month,
                        progress=progress,
                    )
                else:
                    payroll = self._payroll(options, month)
                    if action == "check":
                        payroll = payroll_check(ctx=ctx, payroll_id=payroll.pk, progress=progress)
                    elif action == "submit":
                        payroll = payroll_submit(ctx=ctx, payroll_id=payroll.pk)
                    else:
                        payroll = payroll_approve(ctx=ctx, payroll_id=payroll.pk)
        except ServiceError as exc:
            detail = "；".join(exc.errors.values()) if exc.errors else exc.message
            raise CommandError(detail) from exc
        payroll.refresh_from_db()
        self.stdout.write(
            f"名册 #{payroll.pk} {payroll.region_id} {payroll.get_program_display()} {payroll.month:%Y-%m}："
            f"{payroll.lines_count} 条，合计 {payroll.total_amount} 元，暂停 {payroll.held_count} 条，"
            f"状态：{payroll.get_status_display()}"
        )

    def _payroll(self, options: dict[str, Any], month: date) -> Payroll:
        if options["payroll"]:
            found = Payroll.objects.filter(pk=options["payroll"]).first()
        else:
            found = Payroll.objects.filter(
                region_id=options["county"], program=options["program"], month=month
            ).first()
        if found is None:
            raise CommandError("找不到该名册：请先 generate，或用 --payroll 指定名册编号")
        return found
