"""Monitoring runs and the warnings they raise (动态监测预警).

A run evaluates the rule set (``jiuzhu.monitoring.rules``, compiled by ``jiuzhu.batch.rules``) over the
registry, the entitlements and the feeds as of a date. Each hit is a piece of evidence: a
``WarningEvidence`` row unique on (rule, person, evidence key), inserted with ON CONFLICT DO NOTHING, so a
re-run never duplicates. New evidence joins the open warning of the same rule and person, or opens one.
A warning is dispatched to the township of the household with a deadline in working days and handled in
a closed loop: verified, given an outcome (assist / adjust / stop / dismiss with a reason), closed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person

_USER = settings.AUTH_USER_MODEL


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败（可重试）"


class MonitoringRun(models.Model):
    """One evaluation of the rule set over a county (or every county) as of a date. Recorded with the
    rule versions and the counts per rule; a run whose process died is resumed by running it again."""

    audit_object_type = AuditObject.MONITORING_RUN

    class Kind(models.TextChoices):
        MONITOR = "monitor", "日常监测"
        PRE_PAYMENT = "pre_payment", "发放前比对（月比对）"

    class Phase(models.TextChoices):
        EXTRACT = "extract", "读取数据"
        EVALUATE = "evaluate", "执行规则"
        WRITE = "write", "写入预警"
        DONE = "done", "完成"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.MONITOR)
    engine = models.CharField("引擎", max_length=8, default="duckdb")
    as_of = models.DateField("比对日期")
    # The county run (null: every county of the platform).
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=8, choices=JobStatus.choices, default=JobStatus.RUNNING)
    phase = models.CharField("阶段", max_length=8, choices=Phase.choices, default=Phase.EXTRACT)
    progress_done = models.PositiveIntegerField("已完成", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=1)
    rule_versions = models.JSONField("规则版本", default=dict, blank=True)  # {code: version}
    # {code: {"hits": n, "new_evidence": n, "new_warnings": n}}
    counts = models.JSONField("各规则命中数", default=dict, blank=True)
    persons = models.PositiveIntegerField("比对人数", default=0)
    feed_rows = models.PositiveIntegerField("部门数据行数", default=0)
    timings = models.JSONField("各阶段耗时（秒）", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "监测运行"
        verbose_name_plural = "监测运行"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of}"


class Warning(models.Model):
    """A warning on one person for one rule, open until handled. At most one open warning per rule and
    person: new evidence for them is added to it."""

    audit_object_type = AuditObject.WARNING

    class Purpose(models.TextChoices):
        WARNING = "warning", "预警（在保对象）"
        LEAD = "lead", "主动发现线索（应保尽保）"
        REVIEW = "review", "建议复核（应退尽退）"

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        VERIFIED = "verified", "已核实"
        CLOSED = "closed", "已办结"

    class Outcome(models.TextChoices):
        ASSIST = "assist", "纳入救助（发起申请）"
        ADJUST = "adjust", "调整待遇（发起复核）"
        STOP = "stop", "停止救助（启动终止）"
        DISMISS = "dismiss", "排除（说明理由）"

    class Severity(models.TextChoices):
        HIGH = "high", "高"
        MEDIUM = "medium", "中"
        LOW = "low", "低"

    rule = models.CharField("规则", max_length=40)
    rule_version = models.PositiveSmallIntegerField("规则版本", default=1)
    purpose = models.CharField("类别", max_length=8, choices=Purpose.choices, default=Purpose.WARNING)
    severity = models.CharField("等级", max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="warnings")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="warnings")
    # The household's village; the township it is dispatched to is its parent.
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Region, verbose_name="责任乡镇", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("责任角色", max_length=24, default="township_caseworker")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("处理结果", max_length=8, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField("处理说明", blank=True)
    verification = models.TextField("核实情况", blank=True)
    # What the outcome started: the application, the review case or the termination (by reference).
    outcome_ref = models.CharField("后续办理", max_length=60, blank=True)
    raised_on = models.DateField("预警日期")
    due_on = models.DateField("办理期限")
    due_provisional = models.BooleanField("期限为暂定", default=False)
    escalated_at = models.DateTimeField("升级督办时间", null=True, blank=True)
    first_run = models.ForeignKey(MonitoringRun, null=True, on_delete=models.PROTECT, related_name="+")
    evidence_count = models.PositiveIntegerField("证据条数", default=1)
    last_event_on = models.DateField("最新事实日期", null=True, blank=True)
    verified_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    closed_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person"],
                condition=~Q(status="closed"),
                name="one_open_warning_per_rule_person",
            )
        ]
        indexes = [
            models.Index(fields=["township", "status", "due_on"], name="warning_queue_idx"),
            models.Index(fields=["household", "created_at"], name="warning_household_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.person_id}"


class WarningEvidence(models.Model):
    """One piece of evidence: unique on (rule, person, evidence key). Inserted with ON CONFLICT DO
    NOTHING by the run, so a fact raises a warning once however often the rules run."""

    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="evidence")
    rule = models.CharField("规则", max_length=40)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    evidence_key = models.CharField("证据键", max_length=40)
    event_date = models.DateField("事实日期", null=True)
    evidence = models.JSONField("证据", default=dict)
    run = models.ForeignKey(MonitoringRun, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "预警证据"
        verbose_name_plural = "预警证据"
        ordering = ["warning", "event_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "person", "evidence_key"], name="one_evidence_per_fact")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.evidence_key}"
