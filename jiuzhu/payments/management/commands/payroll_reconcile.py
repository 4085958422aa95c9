from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.payments.services.bank import bank_return_import_path

from .payroll_export import command_user, error_text


class Command(BaseCommand):
    help = (
        "导入银行回盘文件（CSV/XLSX：账号、身份证号码、金额、状态 成功/失败/退回、银行流水号、说明、"
        "到账日期），逐账户登记到账、失败或退回；同一文件重复导入不作改动。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("payroll", type=int, help="发放名册编号")
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="操作人的用户名（县级审批人员）；不指定则用唯一的超级管理员")
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self, *args: Any, payroll: int, path: Path, user: str | None, no_progress: bool, **options: Any
    ) -> None:
        actor = command_user(user)
        with tqdm(desc=path.name, unit="行", disable=no_progress) as bar:
            try:
                outcome = bank_return_import_path(
                    ctx=AuditContext(user=actor, channel="cli"),
                    payroll_id=payroll,
                    path=path,
                    progress=bar.update,
                )
            except ServiceError as exc:
                raise CommandError(error_text(exc)) from None
        b = outcome.bank_return
        if outcome.already_imported:
            self.stdout.write(f"{path}：已导入过（回盘 #{b.pk}），未作改动")
            return
        self.stdout.write(
            f"{path}：回盘 #{b.pk} 共 {b.rows} 行：成功 {b.paid}、失败 {b.failed}、退回 {b.returned}，"
            f"无法匹配 {len(b.errors)} 行"
        )
        for row in b.errors[:20]:
            self.stdout.write(f"  第{row['row']}行：{row['reasons']}")
        if len(b.errors) > 20:
            self.stdout.write(f"  ……另有 {len(b.errors) - 20} 行，见回盘页面")
