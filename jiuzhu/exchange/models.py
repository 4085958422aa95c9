from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region

from .catalogue import FEEDS

HEARTBEAT = timedelta(seconds=30)  # how often a running import says it is alive
STALLED_AFTER = timedelta(minutes=3)  # silence after which its process is taken for dead
FEED_CHOICES = [(f.code, f"{f.department}·{f.name}") for f in FEEDS.values()]


class ImportBatch(models.Model):
    """One file imported into one feed for one jurisdiction. The same file (same SHA-256) imports once
    per jurisdiction: another county importing it gets a batch of its own, never this one."""

    audit_object_type = AuditObject.IMPORT_BATCH  # what its audit lines name it

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    feed = models.CharField("数据来源", max_length=24, choices=FEED_CHOICES)
    file_name = models.CharField("文件名", max_length=255)
    file_format = models.CharField("格式", max_length=8)
    # The character encoding a CSV was read in (readers.ENCODINGS: UTF-8 or GB18030); blank otherwise.
    encoding = models.CharField("文件编码", max_length=16, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.RUNNING)
    rows_done = models.PositiveIntegerField("已处理", default=0)  # progress while running
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_loaded = models.PositiveIntegerField("新入库", default=0)
    rows_existing = models.PositiveIntegerField("已存在（未重复入库）", default=0)
    rows_quarantined = models.PositiveIntegerField("隔离", default=0)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The importer's jurisdiction: who may see the batch and its quarantine (the facts themselves are
    # read through households, which are scoped on their own).
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("渠道", max_length=8, default="web")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Written while the import runs, by the importing process (services.beating): a running batch whose
    # heartbeat has stopped lost its process, and uploading the same file again resumes it.
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "sha256", "region"], name="one_batch_per_feed_file_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_feed_display()} {self.file_name}"

    @property
    def stalled(self) -> bool:
        """Running, but its process has not been heard from for ``STALLED_AFTER``."""
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


class FeedRecord(models.Model):
    """A validated departmental fact in the staging store. ``row_key`` is a hash of the feed's key
    columns, unique per feed, so re-importing a fact never duplicates it."""

    feed = models.CharField(max_length=24, choices=FEED_CHOICES)
    id_number = models.CharField(max_length=18)
    date = models.DateField(null=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    kind = models.CharField(max_length=24, blank=True)
    data = models.JSONField(default=dict)
    row_key = models.CharField(max_length=40)
    # No index on the batch: facts are read by person, never by batch, and every index costs on import.
    # No database constraint either: PostgreSQL checks a foreign key row by row (a deferred check of a
    # million rows took 5.7 s at commit), while every fact of an import carries the one batch the
    # service has just created. Batches are never deleted; PROTECT still guards the ORM.
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="records", db_index=False, db_constraint=False
    )

    class Meta:
        verbose_name = "部门数据"
        verbose_name_plural = "部门数据"
        constraints = [models.UniqueConstraint(fields=["feed", "row_key"], name="feed_row_key_unique")]
        indexes = [
            models.Index(fields=["id_number", "feed", "date"], name="feedrecord_person_idx"),
            # Only 户籍 is looked up by kind (the 户号), so only its rows carry that index. The feed is in
            # the predicate, not a column: PostgreSQL drops an implied leading column from the seek and
            # would then scan the whole index.
            models.Index(
                fields=["kind"], name="feedrecord_hukou_no_idx", condition=models.Q(feed="police_hukou")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed} {self.id_number} {self.date}"


class QuarantinedRow(models.Model):
    """A row that failed validation, kept with its line number and the reasons, never dropped."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="quarantined")
    row_number = models.PositiveIntegerField("行号")
    raw = models.JSONField("原始内容")
    reasons = models.TextField("原因")

    class Meta:
        verbose_name = "隔离行"
        verbose_name_plural = "隔离行"
        ordering = ["batch", "row_number"]
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="one_quarantine_per_row")]

    def __str__(self) -> str:
        return f"第{self.row_number}行：{self.reasons}"
