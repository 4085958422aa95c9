from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiuzhu.core import vocab
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region, UrbanRural

from . import idnumber
from .choices import (
    Category,
    DisabilityCategory,
    Education,
    Employment,
    Health,
    LabourCapacity,
    MaritalStatus,
    Relation,
    SelfCare,
    Sex,
)

# PostgreSQL needs a pattern opclass for LIKE 'abc%' to use a btree under a non-C collation;
# other backends ignore opclasses.
_PATTERN = ["varchar_pattern_ops"]


class Person(models.Model):
    audit_object_type = AuditObject.PERSON  # what its audit lines name it

    # Unique through a Meta constraint, not unique=True, which on PostgreSQL would add an unused
    # varchar_pattern_ops twin index (prefix searches use id_reversed).
    id_number = models.CharField("身份证号码", max_length=18)
    # The number reversed, so that "last digits" searches are prefix searches on an index.
    id_reversed = models.CharField(max_length=18, editable=False)
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    hukou_region = models.ForeignKey(
        Region, verbose_name="户籍地", on_delete=models.PROTECT, related_name="+"
    )
    # Indexed by person_residence_idx below; the FK's own index would be a duplicate.
    residence_region = models.ForeignKey(
        Region, verbose_name="居住地", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    marital_status = models.CharField(
        "婚姻状况", max_length=10, choices=MaritalStatus.choices, blank=True, default=""
    )
    disability_category = models.CharField(
        "残疾类别", max_length=12, choices=DisabilityCategory.choices, blank=True, default=""
    )
    disability_grade = models.PositiveSmallIntegerField(
        "残疾等级", null=True, blank=True, choices=[(g, f"{g}级") for g in (1, 2, 3, 4)]
    )
    labour_capacity = models.CharField(
        "劳动能力", max_length=8, choices=LabourCapacity.choices, default=LabourCapacity.FULL
    )
    self_care = models.CharField("自理能力", max_length=8, choices=SelfCare.choices, default=SelfCare.FULL)
    health = models.CharField("健康状况", max_length=8, choices=Health.choices, default=Health.HEALTHY)
    employment = models.CharField(
        "就业状况", max_length=12, choices=Employment.choices, default=vocab.Employment.NOT_WORKING
    )
    education = models.CharField("文化程度", max_length=12, choices=Education.choices, default=Education.NONE)
    in_school = models.BooleanField("在校就读", default=False)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        permissions = [("view_full_id_number", "查看完整身份证号码")]
        indexes = [
            models.Index(fields=["name"], name="person_name_idx", opclasses=_PATTERN),
            models.Index(fields=["id_reversed"], name="person_idrev_idx", opclasses=_PATTERN),
            models.Index(fields=["residence_region"], name="person_residence_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="person_id_number_unique"),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="person_disability_grade_range",
            ),
            models.CheckConstraint(
                condition=Q(disability_category="", disability_grade__isnull=True)
                | (~Q(disability_category="") & Q(disability_grade__isnull=False)),
                name="person_disability_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self) -> str:
        return idnumber.mask(self.id_number)

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def age(self) -> int:
        return self.age_on(date.today())

    @property
    def is_deceased(self) -> bool:
        return self.death_date is not None


class Household(models.Model):
    """一户一档: one household file."""

    audit_object_type = AuditObject.HOUSEHOLD  # what its audit lines name it

    number = models.CharField("户编号", max_length=24, unique=True)
    head = models.ForeignKey(
        Person, verbose_name="户主", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Indexed by household_region_idx (region, id) below.
    region = models.ForeignKey(
        Region, verbose_name="所在村(居)", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    address = models.CharField("详细地址", max_length=200)
    urban_rural = models.CharField("城乡属性", max_length=5, choices=UrbanRural.choices)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "家庭"
        verbose_name_plural = "家庭"
        indexes = [models.Index(fields=["region", "id"], name="household_region_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_bank_account(self) -> str:
        acct = self.bank_account
        return ("*" * max(len(acct) - 4, 0) + acct[-4:]) if acct else ""


class Membership(models.Model):
    """A person's membership of a household over a period; the open one (no end date) is current."""

    # Indexed by membership_household_idx (household, end_date) below.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices)
    co_resident = models.BooleanField("共同生活", default=True)
    start_date = models.DateField("加入日期")
    end_date = models.DateField("离开日期", null=True, blank=True)
    end_reason = models.CharField("离开原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "家庭成员关系"
        verbose_name_plural = "家庭成员关系"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(end_date__isnull=True), name="one_current_household_per_person"
            ),
        ]
        indexes = [models.Index(fields=["household", "end_date"], name="membership_household_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.household_id}"


class PersonCategory(models.Model):
    """A category tag (低保, 特困, 困境儿童 …) held by a person over a period."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="categories")
    category = models.CharField("类别", max_length=24, choices=Category.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "人员类别"
        verbose_name_plural = "人员类别"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(end_date__isnull=True),
                name="one_open_category_tag",
            ),
        ]
        indexes = [models.Index(fields=["category", "end_date"], name="category_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}（{self.start_date}起）"


class RegistryChange(models.Model):
    """History of the household file: every change with who, when and old → new values."""

    class Kind(models.TextChoices):
        CREATE = "create", "新建"
        UPDATE = "update", "修改"
        JOIN = "join", "加入家庭"
        LEAVE = "leave", "离开家庭"
        TAG = "tag", "标记类别"
        UNTAG = "untag", "取消类别"

    household = models.ForeignKey(Household, null=True, on_delete=models.PROTECT, related_name="changes")
    person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("变更类型", max_length=8, choices=Kind.choices)
    entity = models.CharField("对象", max_length=16)
    changes = models.JSONField("变更内容", default=dict)
    reason = models.CharField("原因", max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人", max_length=150)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "档案变更记录"
        verbose_name_plural = "档案变更记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["household", "at"], name="change_household_idx"),
            models.Index(fields=["person", "at"], name="change_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.entity} {self.at:%Y-%m-%d}"
