"""Integrity (诚信, rules §1.11): a finding that income or assets were hidden, the dishonesty record it
puts against the applicant (失信记录, for the policy's ``dishonesty_months``) and the recovery of what was
paid meanwhile (追缴), with each collection. Imported by ``benefits.models``.

A finding ends the case it was made on (the workflow's terminate move) or the entitlement it was made
on; the recovery is computed by ``benefits.engine.recovery`` and stored with its computation. The
payroll collects a recovery later through ``benefits.integrity.recovery_collect`` (source
"payroll_deduction").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models

from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import (
    AidProgram,
    AuditObject,
    CollectionSource,
    DishonestyStatus,
    RecoveryStatus,
)
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person

from .models import Entitlement

_USER = settings.AUTH_USER_MODEL


class ConcealmentFinding(models.Model):
    """查实隐瞒收入、财产: what was hidden (``items``: kind, item, amount), the evidence, the day found,
    and what it was found on (a case, by its number, and/or an entitlement)."""

    audit_object_type = AuditObject.CONCEALMENT_FINDING

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="concealment_findings")
    person = models.ForeignKey(Person, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    program = models.CharField("救助项目", max_length=24, choices=choices(AidProgram))
    case_number = models.CharField("案件编号", max_length=32, blank=True, db_index=True)
    entitlement = models.ForeignKey(
        Entitlement, null=True, blank=True, on_delete=models.PROTECT, related_name="concealment_findings"
    )
    items = models.JSONField("隐瞒的收入、财产", default=list)
    hidden_total = models.DecimalField("隐瞒金额合计（元）", max_digits=14, decimal_places=2, default=0)
    evidence = models.TextField("查实依据")
    found_on = models.DateField("认定日期")
    concealed_from = models.DateField("隐瞒起始日期", null=True, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "隐瞒收入财产认定"
        verbose_name_plural = "隐瞒收入财产认定"
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.found_on}"


class DishonestyRecord(models.Model):
    """失信记录 against the applicant of a finding, from the finding's day for ``dishonesty_months``
    (the policy in force then). Stored ``active`` until revoked; past ``ends_on`` it reads expired
    (``status_on``), and ``dishonesty_expire`` writes that down."""

    audit_object_type = AuditObject.DISHONESTY_RECORD

    person = models.ForeignKey(Person, verbose_name="失信人", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="dishonesty_records")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    finding = models.OneToOneField(
        ConcealmentFinding, verbose_name="认定", on_delete=models.PROTECT, related_name="dishonesty"
    )
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    months = models.PositiveSmallIntegerField("期限（月）")
    status = models.CharField(
        "状态", max_length=10, choices=choices(DishonestyStatus), default=DishonestyStatus.ACTIVE
    )
    revoked_reason = models.CharField("撤销理由", max_length=300, blank=True)
    revoked_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "失信记录"
        verbose_name_plural = "失信记录"
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["person", "status"], name="benefit_dishonesty_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.starts_on}–{self.ends_on}"

    def status_on(self, day: date) -> str:
        """The status as of ``day``: an active record past its end reads expired."""
        if self.status == DishonestyStatus.ACTIVE and day > self.ends_on:
            return DishonestyStatus.EXPIRED.value
        return str(self.status)

    def status_label_on(self, day: date) -> str:
        return DishonestyStatus.label_of(self.status_on(day))


class OverpaymentRecovery(models.Model):
    """追缴: the months an entitlement paid while the concealment lasted × its monthly amount, what has
    been collected of it and its status."""

    audit_object_type = AuditObject.OVERPAYMENT_RECOVERY

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="recoveries")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="recoveries")
    finding = models.OneToOneField(
        ConcealmentFinding, verbose_name="认定", on_delete=models.PROTECT, related_name="recovery"
    )
    from_month = models.DateField("追缴起始月份")
    through_month = models.DateField("追缴截止月份")
    months = models.PositiveSmallIntegerField("追缴月数")
    monthly_amount = models.DecimalField("月保障金额", max_digits=12, decimal_places=2)
    amount_due = models.DecimalField("应追缴金额", max_digits=14, decimal_places=2)
    amount_collected = models.DecimalField("已追回金额", max_digits=14, decimal_places=2, default=0)
    status = models.CharField(
        "状态", max_length=16, choices=choices(RecoveryStatus), default=RecoveryStatus.OPEN
    )
    computation = models.JSONField("计算过程", default=dict, blank=True)
    waived_reason = models.CharField("核销理由", max_length=300, blank=True)
    waived_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    waived_at = models.DateTimeField("核销时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "追缴记录"
        verbose_name_plural = "追缴记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "region"], name="benefit_recovery_status_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.amount_due}"

    @property
    def outstanding(self) -> Decimal:
        """What is still to collect (nothing once waived or collected)."""
        if self.status in (RecoveryStatus.WAIVED, RecoveryStatus.COLLECTED):
            return Decimal("0.00")
        return Decimal(self.amount_due) - Decimal(self.amount_collected)


class RecoveryCollection(models.Model):
    """One collection of a recovery: at the window, or deducted by the payroll (its reference)."""

    recovery = models.ForeignKey(OverpaymentRecovery, on_delete=models.PROTECT, related_name="collections")
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2)
    collected_on = models.DateField("追回日期")
    source = models.CharField("方式", max_length=20, choices=choices(CollectionSource))
    reference = models.CharField("凭证号", max_length=60, blank=True)
    recorded_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "追回记录"
        verbose_name_plural = "追回记录"
        ordering = ["recovery_id", "collected_on", "id"]

    def __str__(self) -> str:
        return f"{self.recovery_id} {self.amount}"
