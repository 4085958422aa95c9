from typing import Any

from django.core.management.base import BaseCommand

from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow.services import definition_sync


class Command(BaseCommand):
    help = "将全国办理流程定义写入数据库（流程有变化时生成新版本，可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        for d in definition_sync(ctx=AuditContext.system()):
            self.stdout.write(f"{d.program}：{d.name} v{d.version}")
