from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.payments import bankfiles
from jiuzhu.payments.models import Payroll
from jiuzhu.payments.services.bank import bank_file_export, file_path


def command_user(username: str | None) -> User:
    """The user a command acts as: --user, else the only active superuser."""
    if username:
        found = User.objects.filter(username=username, is_active=True).first()
        if found is None:
            raise CommandError(f"用户不存在或已停用：{username}")
        return found
    supers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(supers) != 1:
        raise CommandError("请用 --user 指定操作人（县级审批人员）")
    return supers[0]


def error_text(exc: ServiceError) -> str:
    return "；".join(exc.errors.values()) or exc.message


class Command(BaseCommand):
    help = (
        "导出已审批发放名册的银行代发文件（CSV 或 XLSX）：每个账号一行，末尾为合计行和校验行。"
        "文件保存在服务器上（VAR_DIR/bank-files），--output 另存一份。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("payroll", type=int, help="发放名册编号")
        parser.add_argument("--format", dest="fmt", choices=sorted(bankfiles.FORMATS), default="csv")
        parser.add_argument("--encoding", choices=sorted(bankfiles.ENCODINGS), default="utf-8-sig")
        parser.add_argument("--output", type=Path, help="另存到此路径")
        parser.add_argument("--user", help="操作人的用户名（县级审批人员）；不指定则用唯一的超级管理员")
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args: Any,
        payroll: int,
        fmt: str,
        encoding: str,
        output: Path | None,
        user: str | None,
        no_progress: bool,
        **options: Any,
    ) -> None:
        actor = command_user(user)
        with tqdm(desc="导出", unit="条", disable=no_progress) as bar:
            try:
                job = bank_file_export(
                    ctx=AuditContext(user=actor, channel="cli"),
                    payroll_id=payroll,
                    fmt=fmt,
                    encoding=encoding,
                    progress=bar.update,
                )
            except ServiceError as exc:
                raise CommandError(error_text(exc)) from None
        r = job.result
        path = file_path(Payroll.objects.get(pk=payroll), job)
        if output is not None:
            output.write_bytes(path.read_bytes())
            path = output
        self.stdout.write(
            f"{path}：{r['accounts']} 个账户、{r['lines']} 条明细，合计 {r['total']} 元；"
            f"校验值 {r['checksum']}"
            + (f"；{r['no_account']} 条明细没有银行账号，已记为发放失败" if r["no_account"] else "")
        )
