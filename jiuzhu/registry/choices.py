"""Coded values of the registry. Labels are the terms caseworkers use."""

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
    GRANDCHILD = "grandchild", "孙子女/外孙子女"
    PARENT = "parent", "父母"
    PARENT_IN_LAW = "parent_in_law", "公婆/岳父母"
    GRANDPARENT = "grandparent", "祖父母/外祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class DisabilityCategory(models.TextChoices):
    NONE = "", "无"
    VISUAL = "visual", "视力残疾"
    HEARING = "hearing", "听力残疾"
    SPEECH = "speech", "言语残疾"
    PHYSICAL = "physical", "肢体残疾"
    INTELLECTUAL = "intellectual", "智力残疾"
    MENTAL = "mental", "精神残疾"
    MULTIPLE = "multiple", "多重残疾"


class LabourCapacity(models.TextChoices):
    FULL = "full", "有劳动能力"
    PARTIAL = "partial", "部分丧失劳动能力"
    NONE = "none", "无劳动能力"


class SelfCare(models.TextChoices):
    FULL = "full", "生活能自理"
    PARTIAL = "partial", "部分失能"
    NONE = "none", "完全失能"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "慢性病"
    SERIOUS = "serious", "重特大疾病"
    DISABLED = "disabled", "残疾"


class Employment(models.TextChoices):
    EMPLOYED = "employed", "在职"
    FLEXIBLE = "flexible", "灵活就业"
    FARMING = "farming", "务农"
    UNEMPLOYED = "unemployed", "失业"
    RETIRED = "retired", "退休"
    STUDENT = "student", "在校学生"
    NOT_WORKING = "not_working", "无业/不适用"


class Education(models.TextChoices):
    NONE = "none", "未上学"
    PRESCHOOL = "preschool", "学龄前"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    POSTGRADUATE = "postgraduate", "研究生"


class Category(models.TextChoices):
    DIBAO = "dibao", "低保"
    TEKUN = "tekun", "特困"
    NEAR_DIBAO = "near_dibao", "低保边缘"
    RIGID_EXPENSE = "rigid_expense", "刚性支出困难"
    CHILD_IN_DIFFICULTY = "child_in_difficulty", "困境儿童"
    DE_FACTO_ORPHAN = "de_facto_orphan", "事实无人抚养儿童"
    LEFT_BEHIND_CHILD = "left_behind_child", "留守儿童"
    DISABLED = "disabled", "残疾人"
    ELDERLY_IN_DIFFICULTY = "elderly_in_difficulty", "困难老人"
