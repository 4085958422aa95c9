"""What the 特困 procedure records beyond the 低保 steps: the six-item self-care assessment (rules §3.2),
led by the county with the township and village assisting, with the care tier it gives and the 三无
finding made with it (rules §3.1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from .flow import Case

_USER = settings.AUTH_USER_MODEL

TIER_CHOICES = [
    ("self", "全自理"),
    ("partial", "半护理（部分丧失生活自理能力）"),
    ("full", "全护理（完全丧失生活自理能力）"),
]


class SelfCareAssessment(models.Model):
    """生活自理能力评估: each of the six items achievable on one's own or not; the number lost gives the
    tier (0 全自理, 1–3 半护理, 4 or more 全护理). ``sanwu`` keeps the 三无 finding as made that day."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="selfcare_assessments")
    round = models.PositiveSmallIntegerField("评估轮次", default=1)
    assessed_on = models.DateField("评估日期")
    eating = models.BooleanField("自主吃饭")
    dressing = models.BooleanField("自主穿衣")
    bed = models.BooleanField("自主上下床")
    toileting = models.BooleanField("自主如厕")
    walking = models.BooleanField("室内自主行走")
    bathing = models.BooleanField("自主洗澡")
    lost = models.PositiveSmallIntegerField("不能自主完成的项数")
    tier = models.CharField("护理等级", max_length=8, choices=TIER_CHOICES)
    assessors: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        _USER, verbose_name="评估人员", related_name="+"
    )
    note = models.TextField("评估说明", blank=True)
    sanwu = models.JSONField("“三无”条件认定", default=dict, blank=True)
    reassessment = models.BooleanField("自理能力变化后的重新评估", default=False)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "生活自理能力评估"
        verbose_name_plural = "生活自理能力评估"
        ordering = ["case_id", "round"]

    def __str__(self) -> str:
        return f"{self.case_id} 自理能力评估第{self.round}轮"
