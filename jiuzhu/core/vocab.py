"""The platform's coded vocabularies, each defined once: the code that is stored and the Chinese wording
that is shown.

Every member is a ``str`` (its code), so it compares equal to the stored value and goes into JSON and
SQL as it is; ``label`` is the wording in the source language. The pure engines read these classes
directly (this module imports no Django). The Django layers derive from them what they need: model and
form choices (``jiuzhu.core.choices``, which translates the labels), API schemas (the enum itself, which
the OpenAPI document lists) and the labels of the pages. A copy of a code list or of a wording anywhere
else is a bug; ``tests/core/test_vocab.py`` checks that the readers agree with these classes.

Wordings follow the rules and the law where they name the thing (rules §2.2 to §2.4, §4).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


def _(text: str) -> str:
    """Marks a label for the translation catalogue (``makemessages`` extracts ``_("…")``); the label
    stays Chinese here and is translated where it is shown (``jiuzhu.core.choices``)."""
    return text


class Vocab(StrEnum):
    """A coded list: ``Member = "code", "中文名称"``."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """In an API schema (pydantic's hook; nothing here imports pydantic), the enum's description
        gives each code's wording, in place of the class's docstring."""
        schema: dict[str, Any] = handler.resolve_ref_schema(handler(core_schema))
        schema["description"] = "；".join(f"{m.value}={m.label}" for m in cls)
        return schema

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code → label, in the order of the class."""
        return {m.value: m.label for m in cls}

    @classmethod
    def label_of(cls, code: str) -> str:
        """The label of ``code``, or the code itself when the list does not hold it (a value stored
        before the list changed must still show)."""
        member = cls._value2member_map_.get(code)
        return member.label if isinstance(member, Vocab) else code


# --- programs and categories -------------------------------------------------------------------------


class Program(Vocab):
    """The assistance programs a verification report judges (rules §2, §3, §4)."""

    DIBAO = "dibao", _("低保")
    NEAR_DIBAO = "near_dibao", _("低保边缘")
    RIGID_EXPENSE = "rigid_expense", _("刚性支出困难")
    TEKUN = "tekun", _("特困")


class AidProgram(Vocab):
    """Every program a case can be opened for, decided and paid (rules §1, §3–§6, §8.1). ``Program`` is
    the means-tested part the verification report judges; the codes of the two agree."""

    DIBAO = Program.DIBAO.value, Program.DIBAO.label
    NEAR_DIBAO = Program.NEAR_DIBAO.value, Program.NEAR_DIBAO.label
    RIGID_EXPENSE = Program.RIGID_EXPENSE.value, Program.RIGID_EXPENSE.label
    TEKUN = Program.TEKUN.value, Program.TEKUN.label
    TEMPORARY = "temporary", _("临时救助")
    DISABILITY_LIVING = "disability_living", _("困难残疾人生活补贴")
    DISABILITY_CARE = "disability_care", _("重度残疾人护理补贴")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("困境儿童")
    DE_FACTO_ORPHAN = "de_facto_orphan", _("事实无人抚养儿童")


class PaymentKind(Vocab):
    """How an entitlement is paid (the payroll reads it)."""

    MONTHLY = "monthly", _("按月发放")
    ONCE = "once", _("一次性发放")
    NO_CASH = "no_cash", _("不发放资金（救助资格）")


class EntitlementSource(Vocab):
    """Where an entitlement comes from."""

    CASE = "case", _("审核确认案件")
    MIGRATION = "migration", _("存量导入")


class TemporaryKind(Vocab):
    """The two types of 临时救助 (rules §5)."""

    EMERGENCY = "emergency", _("急难型")
    EXPENSE = "expense", _("支出型")


class TemporaryCause(Vocab):
    """What a 临时救助 answers (rules §5): the sudden hardships of the emergency type, the expenses of the
    expenditure type. The once-per-year rule counts grants for the same person and the same cause."""

    FIRE = "fire", _("火灾")
    DROWNING = "drowning", _("溺水")
    TRAFFIC = "traffic", _("交通事故")
    INJURY = "injury", _("人身伤害")
    SUDDEN_ILLNESS = "sudden_illness", _("突发重大疾病")
    OTHER_EMERGENCY = "other_emergency", _("其他突发性困难")
    MEDICAL = "medical_expense", _("医疗支出")
    EDUCATION = "education", _("教育支出")
    OTHER_EXPENSE = "other_expense", _("其他必需支出（经其他救助后仍困难）")


# The causes of each type of 临时救助.
TEMPORARY_CAUSES: dict[str, frozenset[str]] = {
    TemporaryKind.EMERGENCY: frozenset(
        {
            TemporaryCause.FIRE,
            TemporaryCause.DROWNING,
            TemporaryCause.TRAFFIC,
            TemporaryCause.INJURY,
            TemporaryCause.SUDDEN_ILLNESS,
            TemporaryCause.OTHER_EMERGENCY,
        }
    ),
    TemporaryKind.EXPENSE: frozenset(
        {TemporaryCause.MEDICAL, TemporaryCause.EDUCATION, TemporaryCause.OTHER_EXPENSE}
    ),
}


class TemporaryApproval(Vocab):
    """Who approves a 临时救助 of a given amount (rules §5): the township under the county's mandate for
    small amounts, the county up to the general cap, above it the county case by case (一事一议)."""

    TOWNSHIP = "township_approval", _("乡镇（街道）审批（县级委托）")
    COUNTY = "county_approval", _("县级审批")
    COUNTY_SPECIAL = "county_special_approval", _("县级一事一议审批")


class CasePurpose(Vocab):
    """What a case is for: an application, or the periodic review of an entitlement."""

    APPLICATION = "application", _("救助申请")
    REVIEW = "review", _("定期复核")


class Category(Vocab):
    """The categories a person is tagged with in the registry: the programs, then the groups the
    platform looks after without a means test of its own."""

    DIBAO = Program.DIBAO.value, Program.DIBAO.label
    TEKUN = Program.TEKUN.value, Program.TEKUN.label
    NEAR_DIBAO = Program.NEAR_DIBAO.value, Program.NEAR_DIBAO.label
    RIGID_EXPENSE = Program.RIGID_EXPENSE.value, Program.RIGID_EXPENSE.label
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("困境儿童")
    DE_FACTO_ORPHAN = "de_facto_orphan", _("事实无人抚养儿童")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    DISABLED = "disabled", _("残疾人")
    ELDERLY_IN_DIFFICULTY = "elderly_in_difficulty", _("困难老人")


# --- income, deductions and assets (rules §2.2 to §2.4) ----------------------------------------------


class IncomeCategory(Vocab):
    """The income side of a report line: the four income categories of rules §2.2, the deductions, and
    the incomes not counted (§2.3)."""

    WAGES = "wages", _("工资性收入")
    EMPLOYMENT_COST = "employment_cost", _("必要就业成本扣减")
    BUSINESS = "business", _("经营净收入")
    PROPERTY = "property", _("财产净收入")
    TRANSFER = "transfer", _("转移净收入")
    CONTRIBUTION = "contribution", _("社保个人缴费（扣减）")
    SUPPORT_PAID = "support_paid", _("支付的赡养/抚养/扶养费")
    RIGID_DEDUCTION = "rigid_deduction", _("刚性支出（扣减）")
    EXCLUDED = "excluded", _("不计入收入")


class AssetCategory(Vocab):
    """The asset side of a report line (rules §2.4): financial assets, then the holdings the veto
    rules count."""

    DEPOSITS = "deposits", _("银行存款")
    SECURITIES = "securities", _("证券")
    INSURANCE = "insurance", _("商业保险现金价值")
    VEHICLE = "vehicle", _("机动车")
    RESIDENTIAL = "residential", _("住宅")
    NON_RESIDENTIAL = "non_residential", _("非住宅房产")
    BUSINESS_REGISTRATION = "business_registration", _("市场主体")


class ExcludedIncome(Vocab):
    """Incomes a region may leave out of the household's income (rules §2.3); which of them it does is
    a policy setting. All but the residents' basic pension are declared by the family."""

    VETERAN = "veteran", _("优待抚恤金")
    FAMILY_PLANNING = "family_planning", _("计划生育奖励与扶助金")
    SCHOLARSHIP = "scholarship", _("奖学金、助学金")
    GOOD_SAMARITAN = "good_samaritan", _("见义勇为等奖励")
    SOCIAL_ASSISTANCE = "social_assistance", _("政府发放的社会救助款物")
    RESIDENT_BASIC_PENSION = "resident_basic_pension", _("城乡居民基本养老保险基础养老金")
    ONE_CHILD = "one_child", _("独生子女奖励金")


class DeductibleExpense(Vocab):
    """Rigid expenses a region may deduct from income (rules §1.9, §4.2); a policy setting."""

    MEDICAL = "medical", _("医疗自付费用")
    EDUCATION = "education", _("教育支出")
    REHABILITATION = "rehabilitation", _("残疾康复支出")


class DeclarableItem(Vocab):
    """What a family may declare for a report. Incomes and expenses are totals over the income reference
    period; deposits, securities and insurance are values on the check date (``VALUES_ON_DATE``)."""

    WAGES = IncomeCategory.WAGES.value, IncomeCategory.WAGES.label
    BUSINESS = IncomeCategory.BUSINESS.value, IncomeCategory.BUSINESS.label
    PROPERTY = IncomeCategory.PROPERTY.value, IncomeCategory.PROPERTY.label
    SUPPORT_RECEIVED = "support_received", _("收到的赡养/抚养/扶养费")
    SUPPORT_PAID = IncomeCategory.SUPPORT_PAID.value, IncomeCategory.SUPPORT_PAID.label
    OTHER_INCOME = "other_income", _("其他收入")
    DEPOSITS = AssetCategory.DEPOSITS.value, AssetCategory.DEPOSITS.label
    SECURITIES = AssetCategory.SECURITIES.value, AssetCategory.SECURITIES.label
    INSURANCE = AssetCategory.INSURANCE.value, AssetCategory.INSURANCE.label
    EDUCATION_EXPENSE = "education_expense", DeductibleExpense.EDUCATION.label
    REHABILITATION_EXPENSE = "rehabilitation_expense", DeductibleExpense.REHABILITATION.label
    VETERAN = ExcludedIncome.VETERAN.value, ExcludedIncome.VETERAN.label
    FAMILY_PLANNING = ExcludedIncome.FAMILY_PLANNING.value, ExcludedIncome.FAMILY_PLANNING.label
    SCHOLARSHIP = ExcludedIncome.SCHOLARSHIP.value, ExcludedIncome.SCHOLARSHIP.label
    GOOD_SAMARITAN = ExcludedIncome.GOOD_SAMARITAN.value, ExcludedIncome.GOOD_SAMARITAN.label
    SOCIAL_ASSISTANCE = ExcludedIncome.SOCIAL_ASSISTANCE.value, ExcludedIncome.SOCIAL_ASSISTANCE.label
    ONE_CHILD = ExcludedIncome.ONE_CHILD.value, ExcludedIncome.ONE_CHILD.label


VALUES_ON_DATE = frozenset({DeclarableItem.DEPOSITS, DeclarableItem.SECURITIES, DeclarableItem.INSURANCE})
# The declared items that are incomes a region may exclude (every ExcludedIncome but the pension).
DECLARED_EXCLUDABLE = frozenset(
    DeclarableItem(e.value) for e in ExcludedIncome if e.value in DeclarableItem.codes()
)
# The declared expenses and the rigid expense each one is.
DECLARED_EXPENSES = {
    DeclarableItem.EDUCATION_EXPENSE: DeductibleExpense.EDUCATION,
    DeclarableItem.REHABILITATION_EXPENSE: DeductibleExpense.REHABILITATION,
}


class PensionType(Vocab):
    """Pensions in the human-resources feed (rules §2.2 transfer income, §2.3 the basic pension)."""

    EMPLOYEE = "employee", _("职工养老金")
    RESIDENT_BASIC = "resident_basic", _("城乡居民基础养老金")
    RESIDENT_PERSONAL = "resident_personal", _("城乡居民个人账户养老金")


class VehicleType(Vocab):
    """Vehicle types of the traffic-police feed; which are exempt from the vehicle veto is a policy
    setting (rules §2.4)."""

    CAR = "car", _("小型汽车")
    TRUCK = "truck", _("货车")
    MOTORCYCLE = "motorcycle", _("燃油摩托车")
    E_BIKE = "e_bike", _("电动自行车")
    DISABILITY_SCOOTER = "disability_scooter", _("残疾人代步车")
    FARM_MACHINE = "farm_machine", _("大型农机")


class BusinessKind(Vocab):
    """Market entities of the market-regulation feed (rules §2.4)."""

    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL = "individual", _("个体工商户")
    COOPERATIVE = "cooperative", _("农民专业合作社")


# --- policy settings ---------------------------------------------------------------------------------


class EmploymentCostBase(Vocab):
    """What the necessary employment cost deducted from wages is a share of (rules §2.2)."""

    INCOME = "income", _("按工资收入的比例")
    MINIMUM_WAGE = "minimum_wage", _("按当地最低工资的比例")
    DIBAO_STANDARD = "dibao_standard", _("按当地低保标准的比例")


class MarriedChildFamily(Vocab):
    """Where a married child living with their parents counts, with their spouse and minor children
    (rules §2.1)."""

    SEPARATE = "separate", _("另立家庭（不计入父母家庭，已婚子女列为法定赡养义务人）")
    JOINT = "joint", _("计入父母家庭（已婚子女及其配偶、子女一并计入）")


# --- people ------------------------------------------------------------------------------------------


class Employment(Vocab):
    """A person's employment as the registry records it."""

    EMPLOYED = "employed", _("在职")
    FLEXIBLE = "flexible", _("灵活就业")
    FARMING = "farming", _("务农")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")
    STUDENT = "student", _("在校学生")
    NOT_WORKING = "not_working", _("无业/不适用")


# In work, for the need model's employed share.
WORKING = frozenset({Employment.EMPLOYED, Employment.FLEXIBLE, Employment.FARMING})


# --- the working-day calendar ------------------------------------------------------------------------


class DayKind(Vocab):
    """A day of the State Council's holiday schedule."""

    OFF = "off", _("休")
    WORK = "work", _("班")


class CalendarSource(Vocab):
    """Where a year's holiday schedule came from."""

    PACKAGE = "chinese_calendar", _("chinese-calendar 软件包")
    CSV = "csv", _("CSV 导入")
    MANUAL = "manual", _("手工录入")


# --- benefits ----------------------------------------------------------------------------------------


class ReviewClass(Vocab):
    """The review class of a 低保 entitlement (rules §1.11, the 咸阳 A/B/C classification): how often the
    household is reviewed. The months of each class are a policy setting; the labels name the default
    frequencies."""

    A = "A", _("A类（每年复核）")
    B = "B", _("B类（每年复核）")
    C = "C", _("C类（每半年复核）")


# --- the audit log -----------------------------------------------------------------------------------


# --- the procedure (审核确认) --------------------------------------------------------------------------


class CommunityReviewMode(Vocab):
    """When a 民主评议 is held (rules §1.5: no longer mandatory under 57号; mainly after an objection)."""

    NEVER = "never", _("不开展")
    ON_OBJECTION = "on_objection", _("公示有异议时开展")
    ALWAYS = "always", _("每案开展")


class ConfirmLevel(Vocab):
    """Who confirms (rules §1.1: ``confirm_level``)."""

    COUNTY = "county", _("县级民政部门确认")
    TOWNSHIP = "township", _("委托乡镇（街道）确认")


class AllowanceStart(Vocab):
    """From which month the allowance is paid (rules §1.7)."""

    APPLICATION_MONTH = "application_month", _("申请（受理）当月")
    DECISION_MONTH = "decision_month", _("作出确认决定当月")
    MONTH_AFTER_DECISION = "month_after_decision", _("作出确认决定次月")


class PolicyAtDecision(Vocab):
    """Which policy version a case's decision applies."""

    AT_START = "at_start", _("受理时有效的政策")
    AT_DECISION = "at_decision", _("作出决定时有效的政策")


class DeadlineKind(Vocab):
    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


class StepKind(Vocab):
    """The kind of a state in a workflow definition."""

    START = "start", _("开始")
    TASK = "task", _("办理")
    WAIT = "wait", _("等待")
    END = "end", _("结束")


class TransitionAction(Vocab):
    FORWARD = "forward", _("提交下一步")
    SEND_BACK = "send_back", _("退回")
    WITHDRAW = "withdraw", _("撤回申请")
    TERMINATE = "terminate", _("终止")


class CaseStatus(Vocab):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")


class CaseOutcome(Vocab):
    CONFIRMED = "confirmed", _("确认给予")
    REFUSED = "refused", _("不予确认")
    WITHDRAWN = "withdrawn", _("申请人撤回")
    TERMINATED = "terminated", _("终止办理")
    # The ends of a periodic review (定期复核, rules §1.11): the entitlement kept, its amount changed,
    # its payment suspended, or stopped (停保).
    MAINTAINED = "maintained", _("维持")
    ADJUSTED = "adjusted", _("调整")
    SUSPENDED = "suspended", _("暂停")
    STOPPED = "stopped", _("停保")


class SpotCheck(Vocab):
    """County spot checks: a flag beside the state, not a state."""

    NONE = "none", _("未抽中")
    SELECTED = "selected", _("已抽中待核查")
    DONE = "done", _("已抽查")


class NoticeKind(Vocab):
    """Notices the procedure issues (rules §1.3, §1.7)."""

    ACCEPTANCE = "acceptance", _("受理通知书")
    REFUSAL_TO_ACCEPT = "refusal_to_accept", _("不予受理通知书")
    MISSING_ITEMS = "missing_items", _("一次性告知书")
    CONFIRMATION = "confirmation", _("确认通知书")
    REFUSAL = "refusal", _("不予确认通知书")
    PUBLIC_NOTICE = "public_notice", _("公示")
    PRIOR_AID = "prior_aid_notice", _("先行救助登记告知书")
    ADJUSTMENT = "adjustment", _("调整告知书")
    SUSPENSION = "suspension", _("暂停发放告知书")
    TERMINATION = "termination", _("终止救助告知书")
    CONCEALMENT_TERMINATION = "concealment_termination", _("终止救助通知书（隐瞒收入财产）")
    OVERPAYMENT_RECOVERY = "recovery_demand", _("追缴救助资金通知书")


class EntitlementStatus(Vocab):
    ACTIVE = "active", _("在保")
    SUSPENDED = "suspended", _("暂停")
    ENDED = "ended", _("已停保")


class RecomputationStatus(Vocab):
    """Where a recomputation after a raised standard stands (提标重算: listed, approved, applied)."""

    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已审批待执行")
    APPLIED = "applied", _("已执行")


class ApplicationChannel(Vocab):
    """How an application came in (一门受理: rules §1.2)."""

    WINDOW = "window", _("窗口受理")
    PROXY = "proxy", _("村(居)帮办代办")
    ONLINE = "online", _("网上申请")


class ApplicationStatus(Vocab):
    """Where an application stands before its cases are opened (rules §1.3)."""

    SUBMITTED = "submitted", _("待受理")
    AWAITING_MATERIALS = "awaiting_materials", _("已一次性告知，待补正材料")
    ACCEPTED = "accepted", _("已受理")
    REFUSED_TO_ACCEPT = "refused_to_accept", _("不予受理")
    WITHDRAWN = "withdrawn", _("申请人撤回")


class CooperationStatus(Vocab):
    """A request for cooperative checks (协作核查) sent to the 户籍 county of a 异地 applicant."""

    OPEN = "open", _("办理中")
    ANSWERED = "answered", _("已答复")
    OVERDUE = "overdue", _("已超期")


class AuditObject(Vocab):
    """What an audit line is about (``AuditEvent.object_type``). A model records its own with a class
    attribute ``audit_object_type``; a model without one (seen only through the admin site) is recorded
    under its model name."""

    HOUSEHOLD = "household", _("家庭")
    PERSON = "person", _("人员")
    ID_NUMBER = "id_number", _("身份证号码")
    AUTHORISATION = "authorisation", _("核对授权书")
    VERIFICATION_REPORT = "verification_report", _("核对报告")
    NEED_MODEL = "need_model", _("需求度模型")
    POLICY_VERSION = "policy_version", _("政策参数版本")
    IMPORT_BATCH = "import_batch", _("导入批次")
    USER = "user", _("用户")
    API_TOKEN = "api_token", _("接口令牌")
    NOTICE_TEMPLATE = "notice_template", _("文书模板")
    WORKFLOW_DEFINITION = "workflow_definition", _("流程定义")
    CASE = "case", _("审核确认案件")
    NOTICE = "notice", _("文书")
    DECISION = "decision", _("救助决定")
    ENTITLEMENT = "entitlement", _("在保记录")
    HOLIDAY_DAY = "holiday_day", _("节假日安排")
    CALENDAR_YEAR = "calendar_year", _("工作日历年度")
    APPLICATION = "application", _("救助申请")
    COOPERATION_REQUEST = "cooperation_request", _("异地协作核查")
    PRIOR_AID = "prior_aid", _("先行救助")
    STANDARD_RECOMPUTATION = "standard_recomputation", _("提标重算清单")
    CONCEALMENT_FINDING = "concealment_finding", _("隐瞒收入财产认定")
    DISHONESTY_RECORD = "dishonesty_record", _("失信记录")
    OVERPAYMENT_RECOVERY = "overpayment_recovery", _("追缴记录")
    MIGRATION_BATCH = "migration_batch", _("存量导入批次")
    MONITORING_RUN = "monitoring_run", _("监测运行")
    WARNING = "warning", _("预警")
    PAYROLL = "payroll", _("发放名册")
    PAYROLL_JOB = "payroll_job", _("名册作业")
    PAYROLL_LINE = "payroll_line", _("发放明细")


def audit_object_type(model: Any) -> str:
    """The audit name of a model class or instance: its ``audit_object_type``, else its model name."""
    declared = getattr(model, "audit_object_type", None)
    return str(declared) if declared else str(model._meta.model_name)


# --- integrity (诚信: rules §1.11, false statements and 追回) ---------------------------------------------


class HiddenKind(Vocab):
    """What a finding says was hidden (隐瞒收入/财产)."""

    INCOME = "hidden_income", _("隐瞒收入")
    ASSET = "hidden_asset", _("隐瞒财产")


class DishonestyStatus(Vocab):
    """A dishonesty record (失信记录): in force for the policy's ``dishonesty_months``, then expired;
    revoked (with its reason) where the finding is set aside."""

    ACTIVE = "in_force", _("有效")
    EXPIRED = "expired", _("已到期")
    REVOKED = "revoked", _("已撤销")


class RecoveryStatus(Vocab):
    """An overpayment recovery (追缴): what has been collected of the amount due."""

    OPEN = "outstanding", _("待追缴")
    PARTLY_COLLECTED = "partly_collected", _("部分追回")
    COLLECTED = "collected", _("已全部追回")
    WAIVED = "waived", _("已核销（免于追缴）")


class CollectionSource(Vocab):
    """Where a collection of a recovery was taken: at the window (退回), or deducted by the payroll."""

    WINDOW = "repaid", _("家庭退回")
    PAYROLL = "payroll_deduction", _("资金发放时抵扣")
