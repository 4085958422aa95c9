"""Coded values of the registry. Labels are the terms caseworkers use."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core import vocab
from jiuzhu.core.choices import text_choices


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class MaritalStatus(models.TextChoices):
    UNKNOWN = "", _("未登记")
    UNMARRIED = "unmarried", _("未婚")
    MARRIED = "married", _("已婚")
    DIVORCED = "divorced", _("离异")
    WIDOWED = "widowed", _("丧偶")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    PARENT = "parent", _("父母")
    PARENT_IN_LAW = "parent_in_law", _("公婆/岳父母")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class DisabilityCategory(models.TextChoices):
    NONE = "", _("无")
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class LabourCapacity(models.TextChoices):
    FULL = "full", _("有劳动能力")
    PARTIAL = "partial", _("部分丧失劳动能力")
    NONE = "none", _("无劳动能力")


class SelfCare(models.TextChoices):
    FULL = "full", _("生活能自理")
    PARTIAL = "partial", _("部分失能")
    NONE = "none", _("完全失能")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("慢性病")
    SERIOUS = "serious", _("重特大疾病")
    DISABLED = "disabled", _("残疾")


# Employment and the person categories are platform vocabularies (``jiuzhu.core.vocab``): the means
# engine and the reports read them too.
Employment = text_choices(vocab.Employment)


class Education(models.TextChoices):
    NONE = "none", _("未上学")
    PRESCHOOL = "preschool", _("学龄前")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


Category = text_choices(vocab.Category)
