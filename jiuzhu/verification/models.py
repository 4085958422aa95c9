from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from jiuzhu.core.vocab import AuditObject
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.registry.models import Household, Person


class Authorisation(models.Model):
    """A signed 核对授权书 (consent to look up a person's income and assets)."""

    audit_object_type = AuditObject.AUTHORISATION  # what its audit lines name it

    person = models.ForeignKey(
        Person, verbose_name="授权人", on_delete=models.PROTECT, related_name="authorisations"
    )
    signed_on = models.DateField("签署日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    reference = models.CharField("授权书编号或存档位置", max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "核对授权书"
        verbose_name_plural = "核对授权书"
        indexes = [models.Index(fields=["person", "signed_on"], name="authorisation_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.signed_on}"


class NeedModel(models.Model):
    """A fitted need-degree model: PCA factor and structural regression, as plain parameters."""

    audit_object_type = AuditObject.NEED_MODEL  # what its audit lines name it

    version = models.PositiveIntegerField("版本", unique=True)
    fitted_at = models.DateTimeField("拟合时间", auto_now_add=True)
    n_samples = models.PositiveIntegerField("样本数")
    params = models.JSONField("参数")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "需求度模型"
        verbose_name_plural = "需求度模型"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"需求度模型 v{self.version}（{self.n_samples} 份报告）"


class VerificationReport(models.Model):
    """会说话的核对报告: an immutable snapshot of the inputs, the policy version and the results."""

    audit_object_type = AuditObject.VERIFICATION_REPORT  # what its audit lines name it

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="verification_reports")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("所属区划", max_length=12, db_index=True)
    as_of = models.DateField("核对日期")
    programs = models.JSONField("申请项目", default=list)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="reports")
    policy_snapshot = models.JSONField("政策参数快照")
    inputs = models.JSONField("输入快照")
    results = models.JSONField("核对结果")
    insights = models.JSONField("敏感因素、异常与趋势")
    need_degree = models.DecimalField("需求度", max_digits=4, decimal_places=2, null=True, blank=True)
    need_model = models.ForeignKey(
        NeedModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "核对报告"
        verbose_name_plural = "核对报告"
        ordering = ["-id"]
        indexes = [models.Index(fields=["household", "created_at"], name="report_household_idx")]

    def __str__(self) -> str:
        return f"核对报告 #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("核对报告生成后不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("核对报告不可删除")
