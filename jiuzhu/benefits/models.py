"""Decisions and the entitlements they create (在保记录). Every yuan of an entitlement traces to the
decision and the policy version that produced it; the computation is stored with the decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import (
    AidProgram,
    AuditObject,
    CaseOutcome,
    EntitlementSource,
    EntitlementStatus,
    PaymentKind,
    RecomputationStatus,
)
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person

_USER = settings.AUTH_USER_MODEL


class Decision(models.Model):
    """A program's decision on a household (确认 / 不予确认), with the amount computed step by step.
    ``case_number`` names the case that decided it."""

    audit_object_type = AuditObject.DECISION

    case_number = models.CharField("案件编号", max_length=32, unique=True)
    program = models.CharField("救助项目", max_length=24, choices=choices(AidProgram))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="decisions")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The person a per-person program is for (特困, the disability subsidies, the children's programs,
    # 单人保); blank where the household is the unit (低保, 低保边缘, 刚性支出).
    person = models.ForeignKey(
        Person, verbose_name="救助对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    document_no = models.CharField("决定文号", max_length=60, blank=True)
    source = models.CharField(
        "来源", max_length=12, choices=choices(EntitlementSource), default=EntitlementSource.CASE
    )
    outcome = models.CharField("结果", max_length=12, choices=choices(CaseOutcome))
    reasons = models.TextField("理由", blank=True)
    members = models.PositiveSmallIntegerField("保障人数", default=0)
    per_capita_income = models.DecimalField("家庭月人均收入", max_digits=12, decimal_places=2, null=True)
    amount = models.DecimalField("月保障金额", max_digits=12, decimal_places=2, default=0)
    computation = models.JSONField("计算过程", default=dict, blank=True)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("决定日期")
    decided_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "救助决定"
        verbose_name_plural = "救助决定"
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case_number} {self.get_outcome_display()}"


class Entitlement(models.Model):
    """在保记录: a household's entitlement to a program, from a start month, with its amount, review
    class and next review date."""

    audit_object_type = AuditObject.ENTITLEMENT

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="entitlements")
    program = models.CharField("救助项目", max_length=24, choices=choices(AidProgram))
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="entitlement")
    status = models.CharField(
        "状态", max_length=10, choices=choices(EntitlementStatus), default=EntitlementStatus.ACTIVE
    )
    start_month = models.DateField("起始月份")
    end_month = models.DateField("终止月份", null=True, blank=True)
    amount = models.DecimalField("月保障金额", max_digits=12, decimal_places=2)
    person = models.ForeignKey(
        Person, verbose_name="救助对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.CharField(
        "发放方式", max_length=8, choices=choices(PaymentKind), default=PaymentKind.MONTHLY
    )
    valid_until = models.DateField(
        "有效期至（月）",
        null=True,
        blank=True,
        help_text="有期限的认定（如刚性支出困难，不超过 12 个月）到期自动终止",
    )
    source = models.CharField(
        "来源", max_length=12, choices=choices(EntitlementSource), default=EntitlementSource.CASE
    )
    details = models.JSONField("项目明细", default=dict, blank=True, help_text="如特困的护理等级、供养方式")
    members = models.PositiveSmallIntegerField("保障人数")
    review_class = models.CharField("分类管理", max_length=1)
    next_review_on = models.DateField("下次复核日期")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "在保记录"
        verbose_name_plural = "在保记录"
        ordering = ["-start_month", "-id"]
        indexes = [models.Index(fields=["status", "region"], name="benefit_active_region_idx")]
        constraints = [
            # A household holds one active entitlement of a household program, a person one of a
            # person's program; one-off grants (临时救助) may repeat.
            models.UniqueConstraint(
                fields=["household", "program"],
                condition=models.Q(status="active", person__isnull=True) & ~models.Q(payment="once"),
                name="one_active_entitlement_per_program",
            ),
            models.UniqueConstraint(
                fields=["person", "program"],
                condition=models.Q(status="active", person__isnull=False) & ~models.Q(payment="once"),
                name="one_active_person_entitlement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.program} {self.amount}"


class EntitlementEvent(models.Model):
    """The history of an entitlement: created, amount changed, suspended, ended."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField("时间")
    kind = models.CharField("变更", max_length=16)
    changes = models.JSONField("变更内容", default=dict)
    reason = models.CharField("原因", max_length=200, blank=True)
    actor = models.ForeignKey(_USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "在保变更记录"
        verbose_name_plural = "在保变更记录"
        ordering = ["entitlement_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.entitlement_id} {self.kind}"


class StandardRecomputation(models.Model):
    """提标重算: when a new policy version raises a standard, the list of the region's entitlements whose
    amount the program's rule gives differently under it, from a month. Listed (draft), approved by the
    county approver, then applied (each row adjusts its entitlement from the month; resumable)."""

    audit_object_type = AuditObject.STANDARD_RECOMPUTATION

    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    from_month = models.DateField("调整起始月份")
    status = models.CharField(
        "状态", max_length=10, choices=choices(RecomputationStatus), default=RecomputationStatus.DRAFT
    )
    created_by = models.ForeignKey(_USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    applied_at = models.DateTimeField("执行时间", null=True, blank=True)

    class Meta:
        verbose_name = "提标重算清单"
        verbose_name_plural = "提标重算清单"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["policy_version", "region"], name="one_recomputation_per_policy")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.from_month:%Y-%m} {self.get_status_display()}"


class StandardRecomputationRow(models.Model):
    """One entitlement of a recomputation: its amount now and under the new policy."""

    recomputation = models.ForeignKey(StandardRecomputation, on_delete=models.CASCADE, related_name="rows")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="+")
    old_amount = models.DecimalField("原月保障金额", max_digits=12, decimal_places=2)
    new_amount = models.DecimalField("新月保障金额", max_digits=12, decimal_places=2, null=True, blank=True)
    applied = models.BooleanField("已执行", default=False)
    note = models.CharField("未重算或未执行的原因", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "提标重算明细"
        verbose_name_plural = "提标重算明细"
        ordering = ["recomputation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recomputation", "entitlement"], name="one_row_per_entitlement")
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id} {self.old_amount} → {self.new_amount}"


# Integrity (诚信): findings of hidden income or assets, dishonesty records, overpayment recoveries.
from .models_integrity import (  # noqa: E402, F401
    ConcealmentFinding,
    DishonestyRecord,
    OverpaymentRecovery,
    RecoveryCollection,
)
