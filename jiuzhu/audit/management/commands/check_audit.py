from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.audit.selectors import audit_verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告第一处断链（退出码 1 表示被篡改）"

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共校验 {report.checked} 条记录"))
            return
        raise CommandError(
            f"审计链在序号 {report.first_broken_seq} 处断开：{report.reason}（此前 {report.checked} 条完好）"
        )
