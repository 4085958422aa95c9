"""一门受理: the application as it comes in (at the window, through a village assistant, online), until
the township accepts it (one case per program chosen) or refuses to; and the requests for cooperative
checks (协作核查) a 异地 application sends to the applicant's 户籍 county.

Signed papers (the commitment, the authorisation, the mandate, the proof of residence) are files in the
file storage, outside the row, each checked for size and type first (``jiuzhu.core.uploads``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import ApplicationChannel, ApplicationStatus, AuditObject, CooperationStatus
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Person
from jiuzhu.verification.models import VerificationReport

_USER = settings.AUTH_USER_MODEL


class Application(models.Model):
    """One application of a household, from one ID number, for the programs asked for (none: 模糊申请,
    the platform proposes them from the verification report)."""

    audit_object_type = AuditObject.APPLICATION

    number = models.CharField("申请编号", max_length=32, unique=True)
    # 查询码: random, printed on the confirmation page and the 受理 notice; the public status lookup
    # asks for it with the number (the number is sequential, the ID's last characters are half-public).
    query_code = models.CharField("查询码", max_length=8, blank=True)
    channel = models.CharField("申请渠道", max_length=12, choices=choices(ApplicationChannel))
    status = models.CharField(
        "状态", max_length=24, choices=choices(ApplicationStatus), default=ApplicationStatus.SUBMITTED
    )
    township = models.ForeignKey(
        Region, verbose_name="受理乡镇（街道）", on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Region, verbose_name="村(居)", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    id_number = models.CharField("申请人身份证号码", max_length=18, db_index=True)
    name = models.CharField("申请人姓名", max_length=50)
    applicant = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    programs = models.JSONField("申请项目", default=list, blank=True)
    proposed = models.JSONField("核对后可能符合的项目", default=list, blank=True)
    report = models.ForeignKey(
        VerificationReport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statement = models.TextField("申请事由", blank=True)
    identity_confirmed = models.BooleanField("已核验申请人身份", default=False)
    # 帮办代办: the village assistant who applies on the family's behalf, and the signed mandate.
    mandated_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mandate = models.FileField("委托书", upload_to="intake/mandates/%Y/%m/", blank=True)
    commitment = models.FileField("诚信承诺书", upload_to="intake/commitments/%Y/%m/", blank=True)
    authorisation = models.FileField("核对授权书", upload_to="intake/authorisations/%Y/%m/", blank=True)
    # 近亲属备案 (rules §1.2): registered separately; the county visits the home itself.
    close_relative = models.BooleanField("近亲属备案", default=False)
    relative_official_name = models.CharField("近亲属（经办人员或村干部）姓名", max_length=50, blank=True)
    relative_position = models.CharField("其职务", max_length=100, blank=True)
    relation = models.CharField("与申请人的关系", max_length=30, blank=True)
    # 异地申办: applied at the place of residence; the 户籍 county is asked to cooperate.
    remote = models.BooleanField("异地申办", default=False)
    hukou_region = models.ForeignKey(
        Region, verbose_name="户籍地", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    residence_proof = models.FileField("居住证明", upload_to="intake/residence/%Y/%m/", blank=True)
    residence_permit_no = models.CharField("居住证号码", max_length=40, blank=True)
    missing_items = models.JSONField("一次性告知的缺件", default=list, blank=True)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    submitted_at = models.DateTimeField("申请时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cases = models.JSONField("已立案件", default=list, blank=True)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "救助申请"
        verbose_name_plural = "救助申请"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["township", "status", "submitted_at"], name="intake_queue_idx"),
            models.Index(fields=["village", "status"], name="intake_village_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationCounter(models.Model):
    """The last application number used per township and year (taken under a row lock)."""

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["township", "year"], name="one_application_counter")]

    def __str__(self) -> str:
        return f"{self.township_id} {self.year} {self.last}"


class CooperationRequest(models.Model):
    """协作核查: the residence township asks the applicant's 户籍 county to check what only it holds,
    answered within ``cooperation_days`` working days in that county's queue."""

    audit_object_type = AuditObject.COOPERATION_REQUEST

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="cooperation")
    from_region = models.ForeignKey(
        Region, verbose_name="请求方（居住地乡镇）", on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        Region, verbose_name="协作方（户籍地县级）", on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField("发出日期")
    due_on = models.DateField("答复期限")
    due_provisional = models.BooleanField("期限为暂定", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=choices(CooperationStatus), default=CooperationStatus.OPEN
    )
    question = models.TextField("协查事项", blank=True)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField("答复日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "异地协作核查"
        verbose_name_plural = "异地协作核查"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["to_region", "status", "due_on"], name="intake_coop_queue_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.to_region_id}"
