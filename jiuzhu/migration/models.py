"""存量对象导入: one file of existing beneficiaries imported into one jurisdiction, and the rows it refused.

The shape follows the departmental feed's batch (``exchange.ImportBatch``): the same file (SHA-256)
imports once per jurisdiction; a batch whose process died shows as interrupted, and importing the same
file again resumes it. What the batch created is found through the records themselves (the migrated
decisions and entitlements carry ``source=migration`` and the batch in their details).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region

HEARTBEAT = timedelta(seconds=30)
STALLED_AFTER = timedelta(minutes=3)


class MigrationBatch(models.Model):
    audit_object_type = AuditObject.MIGRATION_BATCH

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    file_name = models.CharField("文件名", max_length=255)
    file_format = models.CharField("格式", max_length=8)
    encoding = models.CharField("文件编码", max_length=16, blank=True)
    layout = models.CharField("列格式", max_length=24)
    sha256 = models.CharField("文件摘要", max_length=64)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.RUNNING)
    rows_done = models.PositiveIntegerField("已处理", default=0)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_loaded = models.PositiveIntegerField("新入库", default=0)
    rows_existing = models.PositiveIntegerField("已存在（未重复入库）", default=0)
    rows_quarantined = models.PositiveIntegerField("隔离", default=0)
    households_created = models.PositiveIntegerField("新建家庭", default=0)
    persons_created = models.PositiveIntegerField("新建人员", default=0)
    entitlements_created = models.PositiveIntegerField("新建在保记录", default=0)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name="导入辖区", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("渠道", max_length=8, default="web")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)

    class Meta:
        verbose_name = "存量导入批次"
        verbose_name_plural = "存量导入批次"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["sha256", "region"], name="one_migration_per_file_region")
        ]

    def __str__(self) -> str:
        return f"存量导入 {self.file_name}"

    @property
    def stalled(self) -> bool:
        return (
            self.status == self.Status.RUNNING
            and self.heartbeat_at is not None
            and timezone.now() - self.heartbeat_at > STALLED_AFTER
        )

    @property
    def status_label(self) -> str:
        return "已中断" if self.stalled else self.get_status_display()

    @property
    def in_progress(self) -> bool:
        return self.status == self.Status.QUEUED or (self.status == self.Status.RUNNING and not self.stalled)


class MigrationRow(models.Model):
    """A refused row of a migration file, with its line number, its cells and the reasons."""

    batch = models.ForeignKey(MigrationBatch, on_delete=models.CASCADE, related_name="quarantined")
    row_number = models.PositiveIntegerField("行号")
    raw = models.JSONField("原始内容")
    reasons = models.TextField("原因")

    class Meta:
        verbose_name = "存量导入隔离行"
        verbose_name_plural = "存量导入隔离行"
        ordering = ["batch", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="one_migration_quarantine_per_row")
        ]

    def __str__(self) -> str:
        return f"第{self.row_number}行：{self.reasons}"
