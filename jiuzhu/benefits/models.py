"""Decisions and the entitlements they create (在保记录). Every yuan of an entitlement traces to the
decision and the policy version that produced it; the computation is stored with the decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import AuditObject, CaseOutcome, EntitlementStatus, Program
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person

_USER = settings.AUTH_USER_MODEL


class Decision(models.Model):
    """A program's decision on a household (确认 / 不予确认), with the amount computed step by step.
    ``case_number`` names the case that decided it."""

    audit_object_type = AuditObject.DECISION

    case_number = models.CharField("案件编号", max_length=32, unique=True)
    program = models.CharField("救助项目", max_length=24, choices=choices(Program))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="decisions")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
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
    program = models.CharField("救助项目", max_length=24, choices=choices(Program))
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="entitlement")
    status = models.CharField(
        "状态", max_length=10, choices=choices(EntitlementStatus), default=EntitlementStatus.ACTIVE
    )
    start_month = models.DateField("起始月份")
    end_month = models.DateField("终止月份", null=True, blank=True)
    amount = models.DecimalField("月保障金额", max_digits=12, decimal_places=2)
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
            models.UniqueConstraint(
                fields=["household", "program"],
                condition=models.Q(status="active"),
                name="one_active_entitlement_per_program",
            )
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
