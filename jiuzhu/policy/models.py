from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import (
    AllowanceStart,
    AssetCategory,
    AuditObject,
    CalendarSource,
    CommunityReviewMode,
    ConfirmLevel,
    DayKind,
    DeductibleExpense,
    EmploymentCostBase,
    ExcludedIncome,
    IncomeCategory,
    MarriedChildFamily,
    NoticeKind,
    PolicyAtDecision,
    VehicleType,
)
from jiuzhu.regions.models import Region

from .params import PolicyParams


def _money(label: str, default: str | None = None) -> models.DecimalField:  # type: ignore[type-arg]
    if default is None:
        return models.DecimalField(label, max_digits=12, decimal_places=2)
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=Decimal(default))


def _ratio(label: str, default: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=6, decimal_places=3, default=Decimal(default))


def _days(label: str, default: int) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )


def _default_excluded() -> list[str]:
    return [c.value for c in ExcludedIncome]


def _default_deductible() -> list[str]:
    return [c.value for c in DeductibleExpense]


def _default_precedence() -> dict[str, list[str]]:
    # Objective department data beats the family's declaration (rules §2.4: 核对系统数据为准).
    return {
        IncomeCategory.WAGES.value: ["hrss_wage", "tax", "declared"],
        IncomeCategory.BUSINESS.value: ["tax", "declared"],
        IncomeCategory.PROPERTY.value: ["tax", "declared"],
        AssetCategory.DEPOSITS.value: ["bank", "declared"],
        AssetCategory.SECURITIES.value: ["securities", "declared"],
        AssetCategory.INSURANCE.value: ["insurance", "declared"],
    }


def _default_no_labour_disability() -> dict[str, int]:
    # 特困 "无劳动能力" by disability, 2021 national text (rules §3.1, [K]: verify locally): the worst
    # grade that still counts, per category.
    return {"intellectual": 3, "mental": 3, "physical": 2, "visual": 1}


def _default_exempt_vehicles() -> list[str]:
    return [VehicleType.MOTORCYCLE.value, VehicleType.E_BIKE.value, VehicleType.DISABILITY_SCOOTER.value]


class PolicyVersion(models.Model):
    """One version of a region's assistance policy (rules §10). The version in force for a household is
    the one of the nearest region up the tree whose period covers the date. A version used by a
    verification report is frozen; a change is a new version."""

    audit_object_type = AuditObject.POLICY_VERSION  # what its audit lines name it

    region = models.ForeignKey(Region, verbose_name="适用区划", on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="留空表示长期有效")
    document_no = models.CharField("文件依据（文号）", max_length=100)

    dibao_standard_urban = _money("城市低保标准（元/人/月）")
    dibao_standard_rural = _money("农村低保标准（元/人/月）")
    tekun_multiplier = _ratio("特困基本生活标准倍数", "1.3")
    near_dibao_multiplier = _ratio("低保边缘收入倍数", "1.5")
    minimum_wage_monthly = _money("当地月最低工资（元）", "1900")
    near_dibao_capped_by_minimum_wage = models.BooleanField("低保边缘线不超过月最低工资", default=True)
    disposable_income_prev_year = _money("上年度居民人均可支配收入（元/年）", "24000")
    rigid_expense_ratio = _ratio("刚性支出占家庭总收入比例下限", "0.6")
    reference_months = models.PositiveSmallIntegerField(
        "收入计算期（月）", default=12, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    rigid_expense_months = models.PositiveSmallIntegerField(
        "刚性支出计算期（月）",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="刚性支出困难家庭认定：申请前这些月份的刚性支出与同期家庭总收入相比（部办法为 12 个月）",
    )
    employment_cost_base = models.CharField(
        "就业成本扣减基数",
        max_length=16,
        choices=choices(EmploymentCostBase),
        default=EmploymentCostBase.INCOME,
    )
    employment_cost_rate = _ratio("就业成本扣减比例", "0.1")
    financial_assets_months = _ratio("人均金融资产上限（城市低保标准的月数）", "24")
    residential_units_max = models.PositiveSmallIntegerField("住宅套数上限", default=1)
    nonresidential_units_max = models.PositiveSmallIntegerField("非住宅房产上限", default=0)
    vehicles_max = models.PositiveSmallIntegerField("机动车数量上限（不含豁免车型）", default=0)
    business_registrations_max = models.PositiveSmallIntegerField("市场主体登记数上限", default=0)
    exempt_vehicle_types = models.JSONField("豁免车型", default=_default_exempt_vehicles, blank=True)
    excluded_income = models.JSONField("不计入收入的项目", default=_default_excluded, blank=True)
    deductible_expenses = models.JSONField("可扣减的刚性支出", default=_default_deductible, blank=True)
    source_precedence = models.JSONField(
        "数据来源优先级",
        default=_default_precedence,
        blank=True,
        help_text="每个项目按顺序取第一个有数据的来源；declared 为家庭申报",
    )
    elderly_age = models.PositiveSmallIntegerField("老年人年龄（特困无劳动能力）", default=60)
    minor_age = models.PositiveSmallIntegerField("未成年人年龄上限（特困）", default=18)
    no_labour_disability = models.JSONField(
        "视为无劳动能力的残疾（类别: 最低等级）",
        default=_default_no_labour_disability,
        blank=True,
        help_text='例如 {"intellectual": 3} 表示智力残疾1至3级视为无劳动能力',
    )
    large_medical_expense = _money("大额医疗自付预警线（元/年）", "10000")
    large_deposit_change = _money("存款大额变动预警线（元）", "20000")
    married_child_family = models.CharField(
        "与父母共同生活的已婚子女家庭",
        max_length=10,
        choices=choices(MarriedChildFamily),
        default=MarriedChildFamily.SEPARATE,
        help_text="已婚子女的配偶和未成年子女随已婚子女：整个家庭计入父母家庭，或另立家庭（默认，规则只列配偶、"
        "未成年子女、不能独立生活的成年子女和其他负有法定义务并长期共同生活的人员）",
    )

    # --- the procedure (审核确认, rules §1.3–§1.7); limits in working days unless said otherwise ---
    case_limit_days = _days("办理总时限（工作日，自受理之日起）", 15)
    case_limit_extended_days = _days("延长后的办理总时限（工作日，须说明理由）", 25)
    investigation_start_days = _days("受理后启动入户调查时限（工作日）", 3)
    investigation_days = _days("入户调查完成时限（工作日，自受理之日起）", 10)
    community_review_days = _days("民主评议时限（工作日）", 5)
    review_days = _days("乡镇审核时限（工作日）", 5)
    public_notice_days = _days("公示期（自然日）", 7)
    reinvestigation_days = _days("公示有异议后重新调查时限（工作日）", 15)
    confirmation_days = _days("确认时限（工作日，自收到材料之日起）", 10)
    refusal_notice_days = _days("不予确认书面通知时限（工作日）", 3)
    materials_days = _days("补正材料期限（工作日，期间暂停计时）", 10)
    cooperation_days = _days("异地协作核查答复时限（工作日）", 10)
    overdue_warning_days = _days("临期提醒（剩余工作日不多于此数显示黄灯）", 3)
    investigators_min = models.PositiveSmallIntegerField(
        "入户调查最少人数", default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    community_review_mode = models.CharField(
        "民主评议",
        max_length=16,
        choices=choices(CommunityReviewMode),
        default=CommunityReviewMode.ON_OBJECTION,
    )
    community_review_quorum = _ratio("民主评议到会比例下限", "0.667")
    community_review_majority = _ratio("民主评议同意比例下限（占到会人数）", "0.667")
    confirm_level = models.CharField(
        "确认层级", max_length=10, choices=choices(ConfirmLevel), default=ConfirmLevel.COUNTY
    )
    spot_check_rate = _ratio("县级抽查比例", "0.2")
    public_notice_minors = models.BooleanField(
        "未成年人案件公示", default=False, help_text="默认不公示申请人为未成年人的案件"
    )
    allowance_start = models.CharField(
        "保障金起始月份",
        max_length=24,
        choices=choices(AllowanceStart),
        default=AllowanceStart.DECISION_MONTH,
    )
    minimum_allowance = _money("最低保障金（元/人/月，0 为不设）", "0")
    topup_minor = _money("未成年人增发（元/人/月）", "0")
    topup_elderly = _money("老年人增发（元/人/月）", "0")
    topup_severe_disability = _money("重度残疾人增发（元/人/月）", "0")
    review_months_a = _days("A类家庭复核周期（月）", 12)
    review_months_b = _days("B类家庭复核周期（月）", 12)
    review_months_c = _days("C类家庭复核周期（月）", 6)
    policy_at_decision = models.CharField(
        "决定适用的政策版本",
        max_length=12,
        choices=choices(PolicyAtDecision),
        default=PolicyAtDecision.AT_START,
    )
    remote_application = models.BooleanField("受理异地申请（居住地申办）", default=False)
    online_application = models.BooleanField("开放网上申请", default=True)

    # --- the other programs (rules §3–§6, §8.1) and the life of an entitlement (§1.11) ---------------
    # 特困: the care standard per tier, per month, dispersed and centralised (Hefei Yaohai's yearly
    # figures ÷ 12, rules §3.4); the basic standard is ``tekun_multiplier`` × the 低保 standard.
    tekun_care_dispersed_self = _money("特困照料护理标准·分散供养·全自理（元/月）", "62")
    tekun_care_dispersed_partial = _money("特困照料护理标准·分散供养·半护理（元/月）", "412")
    tekun_care_dispersed_full = _money("特困照料护理标准·分散供养·全护理（元/月）", "721")
    tekun_care_central_self = _money("特困照料护理标准·集中供养·全自理（元/月）", "82")
    tekun_care_central_partial = _money("特困照料护理标准·集中供养·半护理（元/月）", "618")
    tekun_care_central_full = _money("特困照料护理标准·集中供养·全护理（元/月）", "1030")
    tekun_child_age = models.PositiveSmallIntegerField(
        "特困：未满此年龄视为无劳动能力",
        default=16,
        validators=[MinValueValidator(1), MaxValueValidator(18)],
        help_text="此年龄至未成年人年龄上限之间的，在校就读方可认定（规则 §3.1）",
    )
    tekun_reassess_days = _days("特困自理能力变化后重新评估时限（工作日）", 10)
    # 低保边缘 / 刚性支出 (rules §4)
    near_dibao_single_member = models.BooleanField(
        "低保边缘家庭重病重残成员可单人纳入低保（单人保）", default=True
    )
    near_dibao_valid_months = _days("低保边缘家庭认定有效期（月）", 12)
    rigid_expense_valid_months = models.PositiveSmallIntegerField(
        "刚性支出困难家庭认定有效期（月，不超过 12）",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # 临时救助 (rules §5): caps in months of the monthly (urban) 低保 standard
    temporary_township_cap_months = _ratio("临时救助乡镇审批（先行救助）限额（低保标准的月数）", "3")
    temporary_cap_months = _ratio("临时救助一般上限（低保标准的月数）", "10")
    temporary_county_cap_months = _ratio("临时救助经县级批准的最高限额（低保标准的月数，一事一议）", "30")
    temporary_emergency_floor_months = _ratio("急难型临时救助最低额（低保标准的月数）", "2")
    temporary_expense_months_max = models.PositiveSmallIntegerField(
        "支出型临时救助最长计算月数",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="支出型 = 低保标准 × 救助人数 × 困难月数（规则 §5，甘肃）",
    )
    temporary_times_per_cause = models.PositiveSmallIntegerField(
        "同一人同一事由每年救助次数", default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    prior_aid_completion_days = _days("先行救助后补办手续时限（工作日）", 5)
    # 残疾人两项补贴 (rules §6), yuan per person per month
    disability_living_severe = _money("困难残疾人生活补贴·一二级（元/月）", "277")
    disability_living_other = _money("困难残疾人生活补贴·三四级（元/月）", "185")
    disability_living_near_dibao = models.BooleanField("生活补贴扩大到低保边缘家庭", default=False)
    disability_care_grade1 = _money("重度残疾人护理补贴·一级（元/月）", "300")
    disability_care_grade2 = _money("重度残疾人护理补贴·二级（元/月）", "150")
    disability_care_extended = models.BooleanField("护理补贴扩大到三四级智力、精神残疾", default=False)
    disability_care_extended_amount = _money("护理补贴·三四级智力、精神残疾（元/月）", "150")
    disability_care_months = _days("护理补贴长期照护条件（持续月数）", 6)
    # 困境儿童 (rules §8.1)
    orphan_standard = _money("孤儿基本生活保障标准·散居（元/人/月）", "1500")
    child_in_difficulty_allowance = _money("困境儿童基本生活补贴（元/人/月，0 为不设）", "0")
    # The life of an entitlement (rules §1.11)
    review_open_days_before = _days("定期复核提前立案（自然日）", 30)
    taper_months = models.PositiveSmallIntegerField(
        "渐退期（月，成员就业后继续发放）",
        default=6,
        validators=[MaxValueValidator(36)],
        help_text="0 为不设渐退期",
    )
    dishonesty_months = _days("失信记录有效期（月）", 36)
    # 临时救助's time limits (rules §5, 尖山: 9 working days to examine, a 5-working-day notice, 5 to
    # approve) and the standard its caps are multiples of
    temporary_investigation_days = _days("临时救助调查核实时限（工作日）", 9)
    temporary_notice_days = _days("临时救助公示期（工作日，急难型简易程序不公示）", 5)
    temporary_approval_days = _days("临时救助审批时限（工作日）", 5)
    temporary_urban_standard = models.BooleanField(
        "临时救助按城市低保标准计算",
        default=True,
        help_text="否：按申请家庭所在地（城市或农村）的低保标准计算",
    )
    review_months_c_urban = models.PositiveSmallIntegerField(
        "城市C类家庭复核周期（月）",
        default=0,
        validators=[MaxValueValidator(24)],
        help_text="0 为与C类相同；如咸阳城市C类按季度复核填 3（规则 §1.11）",
    )
    # 特困 (rules §3.1, §3.3)
    tekun_supporter_age = models.PositiveSmallIntegerField(
        "特困：义务人年满此年龄且收入低、财产符合规定的，视为无履行义务能力",
        default=70,
        validators=[MinValueValidator(18), MaxValueValidator(120)],
    )
    tekun_investigation_days = _days("特困调查核实时限（工作日，含自理能力评估）", 15)
    # 动态监测 (rules §7.2: the 医保 thresholds 6,000 / 10,000 yuan are confirmed; the rest are defaults)
    monitor_medical_oop_assisted = _money("医疗自付预警线·在保及监测对象（元/次）", "6000")
    monitor_medical_oop_others = _money("医疗自付预警线·其他居民（元/次）", "10000")
    monitor_lookback_months = _days("监测回溯期（月，早于此的登记事实不再预警）", 12)
    monitor_absence_months = _days("离开居住地预警（连续月数）", 6)
    monitor_income_ratio = _ratio("收入增加预警：家庭月人均收入超过低保标准的倍数", "1.000")
    monitor_lead_income_ratio = _ratio("主动发现：家庭月人均收入低于低保标准的倍数", "1.500")
    # 发放 (rules §10.6: pro-rating in the first month)
    payroll_prorate_first_month = models.BooleanField(
        "首月按日折算", default=False, help_text="否：决定起始月份发放整月"
    )
    payroll_arrears_months_max = _days("补发最多追溯月数", 12)
    payroll_recovery_ratio = _ratio("抵扣追缴：每月最多抵扣实发金额的比例", "0.300")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "政策参数版本"
        verbose_name_plural = "政策参数版本"
        ordering = ["region_id", "-effective_from"]
        indexes = [models.Index(fields=["region", "effective_from"], name="policy_region_from_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="one_policy_per_region_and_start"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="policy_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.effective_from:%Y-%m-%d} 起（{self.document_no}）"

    def dibao_standard(self, *, urban: bool) -> Decimal:
        return self.dibao_standard_urban if urban else self.dibao_standard_rural

    def as_snapshot(self) -> dict[str, Any]:
        """The parameters as plain JSON, stored in each report so that it never changes afterwards."""
        snap: dict[str, Any] = {"id": self.pk, "region": self.region_id}
        for field in self._meta.concrete_fields:
            if field.name in ("id", "region", "created_by", "created_at"):
                continue
            value = getattr(self, field.attname)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            snap[field.name] = value
        return snap

    def params(self) -> PolicyParams:
        return PolicyParams.from_snapshot(self.as_snapshot())


class NoticeTemplate(models.Model):
    """The text of a notice (受理、不予受理、一次性告知、确认、不予确认、公示) for a region from a date: a
    Django template rendered with the case's facts. The one in force is that of the nearest region up the
    tree whose period covers the date; the handbook prints it as it is."""

    audit_object_type = AuditObject.NOTICE_TEMPLATE

    region = models.ForeignKey(Region, verbose_name="适用区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("文书类型", max_length=24, choices=choices(NoticeKind))
    effective_from = models.DateField("生效日期")
    issuer = models.CharField("发文机关", max_length=100)
    document_prefix = models.CharField("文号前缀", max_length=30, help_text="例如：测民救")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文模板", help_text="Django 模板语法，可用变量见规程手册")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["region_id", "kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "effective_from"], name="one_notice_template_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.region_id}，{self.effective_from:%Y-%m-%d} 起）"


# --- the working-day calendar (工作日历) ------------------------------------------------------------


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered in full. The calendar is "published
    through" the last year of the unbroken run of entered years that starts at the first one
    (``policy.selectors.published_through``); later days count on weekends alone, provisionally."""

    audit_object_type = AuditObject.CALENDAR_YEAR

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(1949), MaxValueValidator(2200)]
    )
    source = models.CharField("来源", max_length=20, choices=choices(CalendarSource))
    entered_at = models.DateTimeField("录入时间")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True, help_text="例如国务院办公厅通知的文号")

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class HolidayDay(models.Model):
    """One day of the State Council's schedule: a holiday (休, a weekday off or a weekend inside the
    holiday) or an adjusted working day (班, a Saturday or Sunday worked)."""

    audit_object_type = AuditObject.HOLIDAY_DAY

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=8, choices=choices(DayKind))
    name = models.CharField("节日", max_length=40, help_text="例如 春节、国庆节")

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {DayKind.label_of(self.kind)}（{self.name}）"
