"""What the steps of a case record: the home investigation, the community review, the public notice
and its objections, and the opinions of the township and the county. Files (signatures, photos) are
stored outside the row, in the file storage, after a size and type check (``jiuzhu.core.uploads``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from .flow import Case

_USER = settings.AUTH_USER_MODEL


class HomeInvestigation(models.Model):
    """入户调查: at least the policy's number of investigators; findings on food, clothing, housing and
    daily goods; signed by every investigator and the family member present (rules §1.4)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations")
    round = models.PositiveSmallIntegerField("调查轮次", default=1)
    visited_on = models.DateField("调查日期")
    investigators: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        _USER, verbose_name="调查人员", related_name="+"
    )
    food = models.CharField("饮食情况", max_length=300)
    clothing = models.CharField("穿着情况", max_length=300)
    housing = models.CharField("居住情况", max_length=300)
    daily_goods = models.CharField("日常生活用品", max_length=300)
    findings = models.TextField("调查结论", blank=True)
    family_signatory = models.CharField("在场家庭成员签字人", max_length=50)
    family_signature = models.FileField("家庭成员签字", upload_to="signatures/%Y/%m/")
    investigator_signatures = models.FileField("调查人员签字", upload_to="signatures/%Y/%m/")
    photo = models.FileField("现场照片", upload_to="photos/%Y/%m/", blank=True)
    by_county = models.BooleanField("县级入户核查", default=False)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "入户调查"
        verbose_name_plural = "入户调查"
        ordering = ["case_id", "round"]

    def __str__(self) -> str:
        return f"{self.case_id} 入户调查第{self.round}轮"


class CommunityReview(models.Model):
    """民主评议: attendance against the expected number, the vote, the minutes (rules §1.5)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="community_reviews")
    held_on = models.DateField("评议日期")
    expected = models.PositiveSmallIntegerField("应到人数")
    attended = models.PositiveSmallIntegerField("实到人数")
    votes_for = models.PositiveSmallIntegerField("同意")
    votes_against = models.PositiveSmallIntegerField("不同意")
    abstained = models.PositiveSmallIntegerField("弃权", default=0)
    passed = models.BooleanField("评议通过")
    minutes = models.TextField("评议记录")
    signatures = models.FileField("参会人员签字", upload_to="signatures/%Y/%m/")
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"
        ordering = ["case_id", "held_on"]

    def __str__(self) -> str:
        return f"{self.case_id} 民主评议 {self.held_on}"


class PublicNotice(models.Model):
    """公示 in the village: natural days; what is posted is masked (name, household size, program,
    amount); a held objection ends it early and a new round follows re-investigation."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="public_notices")
    round = models.PositiveSmallIntegerField("公示轮次", default=1)
    village = models.ForeignKey(
        "regions.Region", verbose_name="公示村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    masked_name = models.CharField("公示姓名", max_length=50)
    household_size = models.PositiveSmallIntegerField("家庭人数")
    program = models.CharField("救助项目", max_length=24)
    amount = models.DecimalField("拟保障金额（元/月）", max_digits=12, decimal_places=2)
    closed_on = models.DateField("公示结束确认日期", null=True, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["case_id", "round"]
        indexes = [models.Index(fields=["village", "ends_on"], name="wf_notice_board_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} 公示第{self.round}轮"


class Objection(models.Model):
    """An objection to a public notice; ``holds`` decides whether the case goes back to
    re-investigation."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField("收到日期")
    content = models.TextField("异议内容")
    raised_by = models.CharField("异议人（可匿名）", max_length=50, blank=True)
    holds = models.BooleanField("异议成立", null=True)
    finding = models.TextField("核实结论", blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["notice_id", "received_on"]

    def __str__(self) -> str:
        return f"{self.notice_id} 异议 {self.received_on}"


class Opinion(models.Model):
    """A step's written opinion (乡镇审核意见, 县级确认, 抽查结论): agree or not, with the reasons."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="opinions")
    step = models.CharField("环节", max_length=40)
    agree = models.BooleanField("同意")
    text = models.TextField("意见")
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        ordering = ["case_id", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step}"
