from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.migration.layouts import LAYOUTS
from jiuzhu.migration.services import error_text, migration_import_path


class Command(BaseCommand):
    help = (
        "导入存量救助对象（家庭、成员、人员类别、在保待遇）文件（CSV/XLSX）到 --region 给出的辖区。"
        "同一文件重复导入不产生重复数据；中断后重新运行即续传。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--region", required=True, help="导入辖区（县级或以上的区划代码）")
        parser.add_argument("--layout", choices=sorted(LAYOUTS), help="列格式；不指定则按表头自动识别")
        parser.add_argument(
            "--user", help="导入人的用户名（记为决定人；须有存量导入权限）；不指定则用唯一的超级管理员"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args: Any,
        paths: list[Path],
        region: str,
        layout: str | None,
        user: str | None,
        no_progress: bool,
        **options: Any,
    ) -> None:
        importer = self._user(user)
        failed = False
        for path in paths:
            with tqdm(desc=path.name, unit="行", disable=no_progress) as bar:
                try:
                    outcome = migration_import_path(
                        ctx=AuditContext(user=importer, channel="cli"),
                        path=path,
                        region_code=region,
                        layout=layout,
                        progress=bar.update,
                    )
                except ValidationFailed as exc:
                    self.stderr.write(f"{path}: {error_text(exc)}")
                    failed = True
                    continue
                except PermissionDenied:
                    raise CommandError(f"用户 {importer.username} 无存量导入权限") from None
            b = outcome.batch
            if outcome.already_imported:
                self.stdout.write(f"{path}: 已导入过（批次 #{b.pk}），未作改动")
            else:
                self.stdout.write(
                    f"{path}: 批次 #{b.pk} 共 {b.rows_total} 行，新入库 {b.rows_loaded}，"
                    f"已存在 {b.rows_existing}，隔离 {b.rows_quarantined}；"
                    f"新建家庭 {b.households_created} 户、人员 {b.persons_created} 人、"
                    f"在保记录 {b.entitlements_created} 条"
                )
        if failed:
            raise CommandError("部分文件未能导入")

    def _user(self, username: str | None) -> User:
        if username:
            found = User.objects.filter(username=username, is_active=True).first()
            if found is None:
                raise CommandError(f"用户不存在或已停用：{username}")
            return found
        supers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
        if len(supers) != 1:
            raise CommandError("请用 --user 指定导入人（记为存量决定的决定人）")
        return supers[0]
