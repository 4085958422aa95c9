from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.verification.services import need_model_refit


class Command(BaseCommand):
    help = "用已存储的核对报告重新拟合需求度模型（主成分因子 + 结构回归），生成新版本并启用"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = need_model_refit(ctx=AuditContext.system())
        except ValidationFailed as exc:
            raise CommandError("；".join(exc.errors.values())) from None
        p = model.params
        explained, r2 = p["explained_variance_ratio"], p["r2"]
        summary = f"样本 {model.n_samples} 份，主成分解释方差 {explained:.1%}，结构回归 R² {r2:.2f}"
        self.stdout.write(f"需求度模型 v{model.version}：{summary}")
