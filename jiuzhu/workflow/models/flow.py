"""The procedure as data: workflow definitions (states, transitions, deadlines), the cases that run
on them, their history, the notices they issue, and the evidence each step records.

A definition is rows, not code: the national definition of a program, and a region's variant stored
whole (materialised from the national one and the region's patch, which is kept for display). A case
is pinned to the definition version and the policy version it started under.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import (
    AidProgram,
    AuditObject,
    CaseOutcome,
    CasePurpose,
    CaseStatus,
    DeadlineKind,
    NoticeKind,
    SpotCheck,
    StepKind,
    TransitionAction,
)
from jiuzhu.policy.models import NoticeTemplate, PolicyVersion
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person
from jiuzhu.verification.models import VerificationReport

_USER = settings.AUTH_USER_MODEL


# --- definitions -------------------------------------------------------------------------------------


class Definition(models.Model):
    """One version of a program's workflow, national (``region`` empty) or a region's variant."""

    audit_object_type = AuditObject.WORKFLOW_DEFINITION

    program = models.CharField("救助项目", max_length=24, choices=choices(AidProgram))
    purpose = models.CharField(
        "用途", max_length=12, choices=choices(CasePurpose), default=CasePurpose.APPLICATION
    )
    region = models.ForeignKey(
        Region, verbose_name="适用区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=100)
    base = models.ForeignKey(
        "self",
        verbose_name="所依据的全国流程",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    patch = models.JSONField("地方调整", default=dict, blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "流程定义"
        verbose_name_plural = "流程定义"
        ordering = ["program", "region_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "purpose", "region", "version"], name="one_definition_version"
            ),
            models.UniqueConstraint(
                fields=["program", "purpose", "version"],
                condition=models.Q(region__isnull=True),
                name="one_national_definition_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Step(models.Model):
    """A state of a definition: who may act in it, what it needs before the case moves on, and its
    time limit (a number of days, or the name of a policy setting that holds it)."""

    definition = models.ForeignKey(Definition, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField("代码", max_length=40)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=8, choices=choices(StepKind), default=StepKind.TASK)
    position = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("办理角色", max_length=32, blank=True)
    level = models.PositiveSmallIntegerField("办理层级", null=True, blank=True)
    evidence = models.JSONField("须具备的材料", default=list, blank=True)
    limit_setting = models.CharField("时限（政策参数）", max_length=40, blank=True)
    limit_days = models.PositiveSmallIntegerField("时限（天）", null=True, blank=True)
    limit_kind = models.CharField(
        "时限计法", max_length=8, choices=choices(DeadlineKind), default=DeadlineKind.WORKING
    )
    pauses_clock = models.BooleanField("暂停办理总时限", default=False)
    outcome = models.CharField("结果", max_length=12, choices=choices(CaseOutcome), blank=True)
    duties = models.CharField("职责说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "流程环节"
        verbose_name_plural = "流程环节"
        ordering = ["definition_id", "position"]
        constraints = [models.UniqueConstraint(fields=["definition", "code"], name="one_step_code")]

    def __str__(self) -> str:
        return self.name


class Transition(models.Model):
    """A move from one state to another. ``condition`` names a predicate of the engine (e.g.
    ``community_review_needed``) that must hold; blank means always."""

    definition = models.ForeignKey(Definition, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("起始环节", max_length=40)
    target = models.CharField("目标环节", max_length=40)
    action = models.CharField("动作", max_length=12, choices=choices(TransitionAction))
    name = models.CharField("名称", max_length=60)
    condition = models.CharField("条件", max_length=120, blank=True)
    reason_required = models.BooleanField("须说明理由", default=False)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "流转"
        verbose_name_plural = "流转"
        ordering = ["definition_id", "source", "position"]
        indexes = [models.Index(fields=["definition", "source"], name="wf_transition_source_idx")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}（{self.name}）"


# --- cases -------------------------------------------------------------------------------------------


class Case(models.Model):
    """One program's 审核确认 of one household, from acceptance to a decision."""

    audit_object_type = AuditObject.CASE

    number = models.CharField("案件编号", max_length=32, unique=True)
    program = models.CharField("救助项目", max_length=24, choices=choices(AidProgram))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The person a per-person program is for (特困, the disability subsidies, a child), where it is not
    # the applicant (a guardian applies for a child); blank: the applicant, or the household as a unit.
    subject = models.ForeignKey(
        Person, verbose_name="救助对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(
        "用途", max_length=12, choices=choices(CasePurpose), default=CasePurpose.APPLICATION
    )
    # A review case's entitlement (定期复核).
    entitlement = models.ForeignKey(
        Entitlement, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # The program's facts given at intake or recorded on the way (临时救助's type, cause and amount
    # asked; the disability certificate; the child's guardian …), read by the program's benefit rule.
    details = models.JSONField("项目信息", default=dict, blank=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    application_no = models.CharField("申请编号", max_length=32, blank=True, db_index=True)
    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="cases")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        VerificationReport, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )

    state = models.CharField("当前环节", max_length=40)
    state_entered_at = models.DateTimeField("进入当前环节时间")
    step_due_on = models.DateField("本环节期限", null=True, blank=True)
    step_due_provisional = models.BooleanField(default=False)
    accepted_on = models.DateField("受理日期")
    # The day the application was made (online or 一次性告知 ones may be accepted days later): the
    # allowance's start month under APPLICATION_MONTH and the notices' 申请日期; empty on older rows.
    applied_on = models.DateField("申请日期", null=True, blank=True)
    due_on = models.DateField("办结期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)
    extended = models.BooleanField("已延长时限", default=False)
    extension_reason = models.CharField("延长理由", max_length=200, blank=True)
    paused_since = models.DateField("暂停计时起", null=True, blank=True)
    pauses = models.JSONField("暂停计时区间", default=list, blank=True)

    status = models.CharField("状态", max_length=8, choices=choices(CaseStatus), default=CaseStatus.OPEN)
    outcome = models.CharField("结果", max_length=12, choices=choices(CaseOutcome), blank=True)
    close_relative = models.BooleanField("近亲属备案", default=False)
    remote = models.BooleanField("异地申办", default=False)
    minor_case = models.BooleanField("未成年人案件（不公示）", default=False)
    spot_check = models.CharField(
        "县级抽查", max_length=10, choices=choices(SpotCheck), default=SpotCheck.NONE
    )
    overdue = models.BooleanField("已超期", default=False)
    case_overdue = models.BooleanField("已超办结期限", default=False)
    escalated_at = models.DateTimeField("超期督办时间", null=True, blank=True)
    assigned_to = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    claimed_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    claimed_until = models.DateTimeField(null=True, blank=True)

    version = models.PositiveIntegerField(default=1)
    opened_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("立案时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "审核确认案件"
        verbose_name_plural = "审核确认案件"
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["status", "state", "region"], name="wf_case_queue_idx"),
            models.Index(fields=["status", "region", "step_due_on"], name="wf_case_due_idx"),
            models.Index(fields=["household", "program"], name="wf_case_household_idx"),
            # The to-do queue: open cases at the user's step, most urgent first, read in index order
            # (no sort of the whole queue) and counted from the index alone; the definitions (the
            # user's step in each) and the jurisdiction's region range are checked in the index too
            # (docs/benchmarks.md, "Workflow queues and case page").
            models.Index(
                fields=["state", "step_due_on", "id", "definition", "region"],
                name="wf_case_todo_idx",
                condition=models.Q(status=CaseStatus.OPEN.value),
            ),
            # The overdue queue: open cases by step deadline, the same way.
            models.Index(
                fields=["step_due_on", "id", "region"],
                name="wf_case_overdue_idx",
                condition=models.Q(status=CaseStatus.OPEN.value),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """The history of a case: one row per transition or recorded act, in order; a send-back is its
    own row with its reason."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("经办人", max_length=150)
    action = models.CharField("动作", max_length=24)
    from_state = models.CharField("原环节", max_length=40, blank=True)
    to_state = models.CharField("新环节", max_length=40, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="one_case_event_seq")]
        indexes = [models.Index(fields=["actor", "at"], name="wf_event_actor_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.seq} {self.action}"


class Notice(models.Model):
    """A notice issued to a family (or posted), rendered from the template in force and kept as
    issued: a later template change does not alter it."""

    audit_object_type = AuditObject.NOTICE

    kind = models.CharField("文书类型", max_length=24, choices=choices(NoticeKind))
    document_no = models.CharField("文号", max_length=60, unique=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    application_no = models.CharField("申请编号", max_length=32, blank=True, db_index=True)
    template = models.ForeignKey(
        NoticeTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.CharField("发文机关", max_length=100)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    issued_on = models.DateField("发文日期")
    issued_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.document_no}）"


class NoticeCounter(models.Model):
    """The last document number used per region, year and prefix (taken under a row lock)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=30)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "prefix"], name="one_notice_counter")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.prefix} {self.last}"
