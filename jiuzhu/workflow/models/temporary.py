"""先行救助 (rules §5): a 临时救助 the township paid at once from its standing reserve (备用金), within its
cap, before the paperwork; the case opened with it completes the paperwork within the policy's
``prior_aid_completion_days`` working days, and its decision ratifies the payment."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person

from .flow import Case

_USER = settings.AUTH_USER_MODEL


class PriorAid(models.Model):
    """One 先行救助: who was paid, when, how much and why, by whom; the one-off grant it created at once
    (its decision and entitlement, so that the payroll pays it), and the case that completes it."""

    audit_object_type = AuditObject.PRIOR_AID

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="prior_aid")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Person, verbose_name="受助人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("先行救助金额", max_digits=12, decimal_places=2)
    reason = models.CharField("救助事由", max_length=500)
    cause = models.CharField("事由类别", max_length=24)
    paid_on = models.DateField("发放日期")
    paid_by = models.ForeignKey(_USER, verbose_name="经办人", on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="+")
    entitlement = models.OneToOneField(Entitlement, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("补办手续期限")
    due_provisional = models.BooleanField("期限为暂定", default=False)
    overdue = models.BooleanField("补办已超期", default=False)
    non_resident = models.BooleanField("流动人口（急难发生地救助）", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "先行救助"
        verbose_name_plural = "先行救助"
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["region", "due_on"], name="wf_prior_aid_due_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount}"
