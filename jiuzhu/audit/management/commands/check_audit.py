from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.audit.checkpoints import CheckpointLogUnreadable, log_path
from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import audit_checkpoint_write
from jiuzhu.audit.tasks import audit_checkpoint_schedule


def _anchor(raw: str) -> tuple[int, str]:
    seq, _, digest = raw.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(f"--expect 的格式应为 序号:64位哈希，收到 {raw}")
    return int(seq), digest.lower()


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链（含密钥签名），并与库外的检查点日志比对；完好时把链头写入检查点日志"
        "（退出码 1 表示被篡改）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="另行核对一个锚点，例如打印存档的检查点：该序号的记录必须仍有此哈希（可多次给出）",
        )

    def handle(self, *args: Any, expect: list[str], **options: Any) -> None:
        anchors = [_anchor(raw) for raw in expect]
        try:
            report, cp = audit_checkpoint_write(by="check-audit")
        except (CheckpointLogUnreadable, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"无法读写检查点日志 {log_path()}：{exc.strerror or exc}") from None
        if not report.ok:
            raise CommandError(
                f"审计链在序号 {report.first_broken_seq} 处断开：{report.reason}"
                f"（此前 {report.checked} 条完好）。"
                f"若数据库是有意重建或从备份恢复，请将检查点日志 {log_path()} 留档后移走，并记录原因"
            )
        for seq, digest in anchors:
            found = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
            if found != digest:
                why = "不存在" if found is None else "哈希不同"
                raise CommandError(f"序号 {seq} 的记录与给出的锚点不符（{why}）")
        audit_checkpoint_schedule()
        where = f"；检查点已写入 {log_path()}（序号 {cp.seq}）" if cp else ""
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共校验 {report.checked} 条记录{where}"))
