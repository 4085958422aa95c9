"""Coded lists the policy table refers to: income items that may be excluded, expenses that may be
deducted, vehicle types that may be exempt. The lists are data the means engine understands; which of
them apply is per region and per version."""

from django.db import models


class ExcludedIncome(models.TextChoices):
    VETERAN = "veteran", "优待抚恤金"
    FAMILY_PLANNING = "family_planning", "计划生育奖励与扶助金"
    SCHOLARSHIP = "scholarship", "奖学金、助学金"
    GOOD_SAMARITAN = "good_samaritan", "见义勇为等奖励"
    SOCIAL_ASSISTANCE = "social_assistance", "政府发放的社会救助款物"
    RESIDENT_BASIC_PENSION = "resident_basic_pension", "城乡居民基本养老保险基础养老金"
    ONE_CHILD = "one_child", "独生子女奖励金"


class DeductibleExpense(models.TextChoices):
    MEDICAL = "medical", "医疗自付费用"
    EDUCATION = "education", "教育支出"
    REHABILITATION = "rehabilitation", "残疾康复支出"


class VehicleType(models.TextChoices):
    CAR = "car", "小型汽车"
    TRUCK = "truck", "货车"
    MOTORCYCLE = "motorcycle", "燃油摩托车"
    E_BIKE = "e_bike", "电动自行车"
    DISABILITY_SCOOTER = "disability_scooter", "残疾人代步车"
    FARM_MACHINE = "farm_machine", "大型农机"


class EmploymentCostBase(models.TextChoices):
    INCOME = "income", "按工资收入的比例"
    MINIMUM_WAGE = "minimum_wage", "按当地最低工资的比例"
    DIBAO_STANDARD = "dibao_standard", "按当地低保标准的比例"


class MarriedChildFamily(models.TextChoices):
    """Where a married child living with their parents counts, with their spouse and minor children
    (rules §2.1). The values are those of ``jiuzhu.verification.engine.household``."""

    SEPARATE = "separate", "另立家庭（不计入父母家庭，已婚子女列为法定赡养义务人）"
    JOINT = "joint", "计入父母家庭（已婚子女及其配偶、子女一并计入）"
