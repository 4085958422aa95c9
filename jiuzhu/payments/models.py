"""Monthly payrolls (发放名册), their lines, the holds of the pre-payment comparison (月比对), the long jobs
that build and move them, and the bank's return files (阳光资金监管).

A payroll is one month, one county and one program. Its lines come from the live entitlements; each line
records what it pays and why (the entitlement, the decision, the policy version, the months it covers,
the arrears, the deductions), so every yuan can be traced. Each long job (generation, comparison, export,
reconciliation) has its own row with status, heartbeat, progress and a retryable error, beside the
payroll's own status.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import AidProgram, AuditObject
from jiuzhu.monitoring.models import JobStatus
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person

_USER = settings.AUTH_USER_MODEL
HEARTBEAT = timedelta(seconds=30)
STALLED_AFTER = timedelta(minutes=3)


def collection_reference(payroll_id: int, line_id: int) -> str:
    """The reference a recovery collection deducted by a payroll line carries (its 凭证号)."""
    return f"发放名册{payroll_id}-明细{line_id}"


class Payroll(models.Model):
    audit_object_type = AuditObject.PAYROLL

    class Status(models.TextChoices):
        DRAFT = "draft", "生成中"
        CHECKING = "checking", "月比对中"
        HOLDS = "holds", "待乡镇核实暂停发放"
        SUBMITTED = "submitted", "待县级审批"
        APPROVED = "approved", "已审批"
        EXPORTED = "exported", "已导出银行文件"
        RECONCILED = "reconciled", "已对账"

    region = models.ForeignKey(
        Region, verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+"
    )
    program = models.CharField("救助项目", max_length=24, choices=choices(AidProgram))
    month = models.DateField("发放月份")  # the first day of the month
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    lines_count = models.PositiveIntegerField("明细条数", default=0)
    total_amount = models.DecimalField("发放总额", max_digits=16, decimal_places=2, default=0)
    held_count = models.PositiveIntegerField("暂停条数", default=0)
    held_amount = models.DecimalField("暂停金额", max_digits=16, decimal_places=2, default=0)
    paid_count = models.PositiveIntegerField("已到账条数", default=0)
    failed_count = models.PositiveIntegerField("失败退回条数", default=0)
    check_run = models.ForeignKey(
        "monitoring.MonitoringRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "发放名册"
        verbose_name_plural = "发放名册"
        ordering = ["-month", "region", "program"]
        constraints = [
            models.UniqueConstraint(fields=["region", "program", "month"], name="one_payroll_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_program_display()}"


class PayrollJob(models.Model):
    """One long job on a payroll. A job whose heartbeat stopped lost its process: running it again
    resumes it (every step is idempotent); a failed job keeps its error and may be retried."""

    audit_object_type = AuditObject.PAYROLL_JOB

    class Kind(models.TextChoices):
        GENERATE = "generate", "生成名册"
        CHECK = "check", "发放前比对"
        EXPORT = "export", "导出银行文件"
        RECONCILE = "reconcile", "导入银行回盘"

    Status = JobStatus  # the same states as a monitoring run's

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField("作业", max_length=10, choices=Kind.choices)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.RUNNING)
    progress_done = models.PositiveIntegerField("已完成", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=1)
    error = models.TextField("错误", blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "名册作业"
        verbose_name_plural = "名册作业"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_status_display()}"

    @property
    def stalled(self) -> bool:
        return (
            self.status == self.Status.RUNNING
            and self.heartbeat_at is not None
            and timezone.now() - self.heartbeat_at > STALLED_AFTER
        )


class PayrollLine(models.Model):
    """What one entitlement is paid in one payroll, and why. ``computation`` lists the months covered
    (the month itself, arrears after a late decision, a failed payment carried over), the proration of a
    first month, the 渐退 months and the recovery deducted, each with its amount."""

    audit_object_type = AuditObject.PAYROLL_LINE

    class Status(models.TextChoices):
        PENDING = "pending", "待发放"
        HELD = "held", "暂停发放（待核实）"
        STOPPED = "stopped", "核实后停发"
        PAID = "paid", "已到账"
        FAILED = "failed", "发放失败"
        RETURNED = "returned", "资金退回"

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="lines")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="payroll_lines")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="payroll_lines")
    person = models.ForeignKey(Person, verbose_name="领款人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(
        Region, verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+"
    )
    decision_id_ref = models.PositiveBigIntegerField("救助决定", null=True)
    policy_version_id_ref = models.PositiveBigIntegerField("政策参数版本", null=True)
    base_amount = models.DecimalField("月保障金额", max_digits=12, decimal_places=2)
    arrears_amount = models.DecimalField("补发金额", max_digits=12, decimal_places=2, default=0)
    deduction_amount = models.DecimalField("抵扣追缴", max_digits=12, decimal_places=2, default=0)
    amount = models.DecimalField("实发金额", max_digits=12, decimal_places=2)
    computation = models.JSONField("计算过程", default=dict, blank=True)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    holder_name = models.CharField("户名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    # A failed or returned payment carried into this line from an earlier payroll.
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to"
    )
    bank_reference = models.CharField("银行流水号", max_length=60, blank=True)
    bank_message = models.CharField("银行返回信息", max_length=200, blank=True)
    settled_on = models.DateField("到账日期", null=True, blank=True)

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["payroll", "township", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payroll", "entitlement"], name="one_line_per_entitlement")
        ]
        indexes = [
            models.Index(fields=["household", "payroll"], name="payrollline_household_idx"),
            models.Index(fields=["payroll", "status"], name="payrollline_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.amount}"


class PayrollHold(models.Model):
    """A line put on hold by the pre-payment comparison, with the evidence. The township clears it (the
    line is paid) or confirms it (the line is stopped and the warning's outcome follows)."""

    class Status(models.TextChoices):
        HELD = "held", "待核实"
        CLEARED = "cleared", "核实无误，恢复发放"
        CONFIRMED = "confirmed", "核实属实，停止发放"

    line = models.ForeignKey(PayrollLine, on_delete=models.PROTECT, related_name="holds")
    rule = models.CharField("规则", max_length=40)
    evidence_key = models.CharField("证据键", max_length=40)
    evidence = models.JSONField("证据", default=dict)
    warning = models.ForeignKey(
        "monitoring.Warning", null=True, blank=True, on_delete=models.PROTECT, related_name="payroll_holds"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.HELD)
    reason = models.TextField("核实说明", blank=True)
    decided_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "暂停发放"
        verbose_name_plural = "暂停发放"
        ordering = ["line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "rule", "evidence_key"], name="one_hold_per_line_fact")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.line_id}"


class BankReturn(models.Model):
    """One bank return file imported against a payroll (paid / failed / returned per line). The same
    file imports once."""

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="bank_returns")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.PositiveIntegerField("行数", default=0)
    paid = models.PositiveIntegerField("成功", default=0)
    failed = models.PositiveIntegerField("失败", default=0)
    returned = models.PositiveIntegerField("退回", default=0)
    errors = models.JSONField("无法匹配的行", default=list, blank=True)
    imported_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "银行回盘"
        verbose_name_plural = "银行回盘"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["payroll", "sha256"], name="one_return_per_file")]

    def __str__(self) -> str:
        return self.file_name
