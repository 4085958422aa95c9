"""特困人员 (rules §3): the 三无 test, the six-item self-care assessment, and the monthly amount.

**三无** (rules §3.1): a person is 特困 when all three hold.

1. *No capacity to work* (无劳动能力): aged ``elderly_age`` (60) or over; under ``child_age`` (16); from
   ``child_age`` to under ``minor_age`` (18) only while in school; a disability whose grade is at or
   under the policy's limit for its category (``no_labour_disability``, e.g. intellectual 1–3, physical
   1–2, visual 1); or found to have none (``labour_capacity == "none"``).
2. *No means of living* (无生活来源): the household's per-capita monthly income *below* the 低保
   standard (at the standard exactly it is not) and no asset veto, both as the verification report
   found them.
3. *No supporter, or none able* (无法定义务人或义务人无履行能力): every legally liable supporter is
   unable for at least one reason — a 特困 person; a 低保 recipient aged ``elderly_age`` or over; aged
   ``supporter_age`` (70) or over, or with a grade 1–2 disability, or a grade-3 intellectual or mental
   disability, each with income under last year's per-capita disposable income and assets within the
   limits; lacking civil capacity, declared missing or in prison, with assets within the limits; a
   full-time student. A supporter with none of these is able: the condition fails. A supporter whose
   income or assets are not known (the only reason needing them) is *to be checked* (``None``).

Each condition is a ``Finding`` (met True / False / None for "to be checked") with its reasons in
Chinese; the whole test is ``"yes"`` when all are met, ``"no"`` when any fails, else ``"review"``.

**Self-care** (rules §3.2): six items, each achievable or not; 0 lost → 全自理, 1–3 lost → 半护理
(partly lost), 4 or more → 全护理 (fully lost).

**Amount** (rules §3.4): the basic living standard ``multiplier × 低保 standard`` (urban or rural),
rounded to the fen half up, plus the care standard of the tier for the support form (分散 / 集中), as
the policy gives it per month. The total is the sum of the two rounded lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .dibao import Step, _shown, money

YES, NO, REVIEW = "yes", "no", "review"

# The six items of the assessment (rules §3.2), in the order of the form.
SELFCARE_ITEMS: tuple[tuple[str, str], ...] = (
    ("eating", "自主吃饭"),
    ("dressing", "自主穿衣"),
    ("bed", "自主上下床"),
    ("toileting", "自主如厕"),
    ("walking", "室内自主行走"),
    ("bathing", "自主洗澡"),
)
SELF, PARTIAL, FULL = "self", "partial", "full"
TIERS: dict[str, str] = {
    SELF: "全自理",
    PARTIAL: "半护理（部分丧失生活自理能力）",
    FULL: "全护理（完全丧失生活自理能力）",
}
DISPERSED, CENTRAL = "dispersed", "central"
FORMS: dict[str, str] = {DISPERSED: "分散供养", CENTRAL: "集中供养"}
FULL_CARE_FROM = 4  # items lost from which self-care is fully lost

_DISABILITY = {"intellectual": "智力", "mental": "精神", "physical": "肢体", "visual": "视力"}


# --- 三无 --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """The person the case is for."""

    name: str
    age: int
    in_school: bool = False
    disability_category: str = ""
    disability_grade: int | None = None
    labour_capacity: str = "full"


@dataclass(frozen=True)
class Supporter:
    """A legally liable supporter (法定赡养、抚养、扶养义务人) with what the registry and the feeds say."""

    name: str
    relation: str
    age: int
    tekun: bool = False
    dibao: bool = False
    annual_income: Decimal | None = None  # own income over the last 12 months; None = not known
    assets_within: bool | None = None  # assets within the 低收入 limits; None = not known
    disability_category: str = ""
    disability_grade: int | None = None
    lacks_capacity: bool = False
    missing: bool = False
    in_prison: bool = False
    full_time_student: bool = False


@dataclass(frozen=True)
class SanwuSettings:
    elderly_age: int  # 60
    minor_age: int  # 18
    child_age: int  # 16: under it no capacity to work; from it to minor_age only in school
    no_labour_disability: Mapping[str, int]  # category → worst grade that still counts
    supporter_age: int  # 70
    disposable_income: Decimal  # last year's per-capita disposable income, yuan per year


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    met: bool | None  # None: to be checked
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "met": self.met, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Sanwu:
    labour: Finding
    means: Finding
    support: Finding

    @property
    def findings(self) -> tuple[Finding, Finding, Finding]:
        return (self.labour, self.means, self.support)

    @property
    def outcome(self) -> str:
        mets = [f.met for f in self.findings]
        if False in mets:
            return NO
        return REVIEW if None in mets else YES

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "findings": [f.to_json() for f in self.findings]}


def no_labour(person: Applicant, s: SanwuSettings) -> str | None:
    """Why ``person`` has no capacity to work, or None."""
    if person.age >= s.elderly_age:
        return f"年满{s.elderly_age}周岁"
    if person.age < s.child_age:
        return f"未满{s.child_age}周岁"
    if person.age < s.minor_age and person.in_school:
        return f"{s.child_age}至{s.minor_age}周岁在校就读"
    limit = s.no_labour_disability.get(person.disability_category)
    if limit and person.disability_grade and person.disability_grade <= limit:
        kind = _DISABILITY.get(person.disability_category, person.disability_category)
        return f"{kind}残疾{person.disability_grade}级"
    if person.labour_capacity == "none":
        return "经认定无劳动能力"
    return None


def labour_finding(person: Applicant, s: SanwuSettings) -> Finding:
    why = no_labour(person, s)
    if why:
        return Finding("labour", "无劳动能力", True, (f"{person.name}{why}",))
    if s.child_age <= person.age < s.minor_age:
        reason = f"{person.name}{person.age}周岁，未在校就读（{s.child_age}至{s.minor_age}周岁须在校就读）"
    else:
        reason = f"{person.name}{person.age}周岁，不属于老年人、未成年人或规定的残疾人，且未认定无劳动能力"
    return Finding("labour", "无劳动能力", False, (reason,))


def means_finding(*, per_capita_income: Decimal, standard: Decimal, vetoes: Sequence[str]) -> Finding:
    reasons = []
    ok = per_capita_income < standard
    if ok:
        reasons.append(f"家庭人均月收入 {_shown(per_capita_income)} 元，低于低保标准 {_shown(standard)} 元")
    else:
        reasons.append(f"家庭人均月收入 {_shown(per_capita_income)} 元，不低于低保标准 {_shown(standard)} 元")
    reasons += [f"财产不符合规定：{v}" for v in vetoes]
    if not vetoes:
        reasons.append("家庭财产符合规定")
    return Finding("means", "无生活来源", ok and not vetoes, tuple(reasons))


def _means_tested(sup: Supporter, s: SanwuSettings) -> tuple[bool | None, str]:
    """Income under last year's disposable income and assets within the limits: True, False, or None
    when either is not known; with the words for it."""
    if sup.annual_income is None or sup.assets_within is None:
        return None, "收入或财产情况待核实"
    if sup.annual_income >= s.disposable_income:
        line = _shown(s.disposable_income)
        return False, f"年收入 {_shown(sup.annual_income)} 元，不低于上年度居民人均可支配收入 {line} 元"
    if not sup.assets_within:
        return False, "财产超过低收入人口认定标准"
    return True, f"年收入 {_shown(sup.annual_income)} 元，低于上年度居民人均可支配收入，财产符合规定"


def supporter_unable(sup: Supporter, s: SanwuSettings) -> tuple[bool | None, tuple[str, ...]]:
    """Whether ``sup`` cannot meet the duty: True with the reasons, False (able), or None (to be
    checked: a reason that needs income and assets that are not known)."""
    reasons: list[str] = []
    pending: list[str] = []
    if sup.tekun:
        reasons.append("本人为特困人员")
    if sup.dibao and sup.age >= s.elderly_age:
        reasons.append(f"低保对象且年满{s.elderly_age}周岁")
    if sup.full_time_student:
        reasons.append("全日制在校学生")
    tested, words = _means_tested(sup, s)
    grounds = []
    if sup.age >= s.supporter_age:
        grounds.append(f"年满{s.supporter_age}周岁")
    grade, category = sup.disability_grade, sup.disability_category
    if grade is not None and (grade <= 2 or (grade == 3 and category in ("intellectual", "mental"))):
        grounds.append(f"{_DISABILITY.get(category, category)}残疾{grade}级")
    for ground in grounds:
        if tested:
            reasons.append(f"{ground}，{words}")
        elif tested is None:
            pending.append(f"{ground}，{words}")
    custody = [
        what
        for what, held in (
            ("无民事行为能力", sup.lacks_capacity),
            ("被宣告失踪", sup.missing),
            ("在监狱服刑", sup.in_prison),
        )
        if held
    ]
    for what in custody:
        if sup.assets_within:
            reasons.append(f"{what}，财产符合规定")
        elif sup.assets_within is None:
            pending.append(f"{what}，财产情况待核实")
    if reasons:
        return True, tuple(reasons)
    if pending:
        return None, tuple(pending)
    return False, ()


def support_finding(supporters: Sequence[Supporter], s: SanwuSettings) -> Finding:
    if not supporters:
        return Finding(
            "support", "无法定义务人或义务人无履行义务能力", True, ("无法定赡养、抚养、扶养义务人",)
        )
    reasons: list[str] = []
    states: list[bool | None] = []
    for sup in supporters:
        unable, why = supporter_unable(sup, s)
        states.append(unable)
        who = f"{sup.name}（{sup.relation}）"
        if unable:
            reasons.append(f"{who}无履行义务能力：" + "；".join(why))
        elif unable is None:
            reasons.append(f"{who}待核实：" + "；".join(why))
        else:
            reasons.append(f"{who}具备履行义务能力")
    met: bool | None = True
    if False in states:
        met = False
    elif None in states:
        met = None
    return Finding("support", "无法定义务人或义务人无履行义务能力", met, tuple(reasons))


def sanwu(
    *,
    person: Applicant,
    per_capita_income: Decimal,
    standard: Decimal,
    vetoes: Sequence[str],
    supporters: Sequence[Supporter],
    settings: SanwuSettings,
) -> Sanwu:
    """The 三无 test of ``person`` (rules in the module docstring)."""
    return Sanwu(
        labour_finding(person, settings),
        means_finding(per_capita_income=per_capita_income, standard=standard, vetoes=vetoes),
        support_finding(supporters, settings),
    )


# --- self-care ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelfCare:
    lost: int  # items not achievable
    tier: str  # SELF | PARTIAL | FULL
    lost_items: tuple[str, ...]  # their labels

    @property
    def tier_label(self) -> str:
        return TIERS[self.tier]

    def to_json(self) -> dict[str, Any]:
        return {
            "lost": self.lost,
            "tier": self.tier,
            "tier_label": self.tier_label,
            "lost_items": list(self.lost_items),
        }


def selfcare_tier(items: Mapping[str, bool]) -> SelfCare:
    """The tier from the six items (True: achievable on one's own). Every item must be given."""
    codes = [code for code, _ in SELFCARE_ITEMS]
    missing = [code for code in codes if code not in items]
    unknown = sorted(set(items) - set(codes))
    if missing or unknown:
        raise ValueError(f"自理能力评估须逐项填写六项：缺 {missing}，多 {unknown}")
    lost_items = tuple(label for code, label in SELFCARE_ITEMS if not items[code])
    lost = len(lost_items)
    tier = SELF if lost == 0 else (FULL if lost >= FULL_CARE_FROM else PARTIAL)
    return SelfCare(lost, tier, lost_items)


# --- amount ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    basic: Decimal
    care: Decimal
    total: Decimal
    steps: tuple[Step, ...]


def tekun_amount(
    *, standard: Decimal, multiplier: Decimal, care_standard: Decimal, tier: str, form: str
) -> Amount:
    """Basic (``multiplier × standard`` to the fen) + the care standard of ``tier`` and ``form``."""
    if tier not in TIERS:
        raise ValueError(f"未知的护理等级：{tier}")
    if form not in FORMS:
        raise ValueError(f"未知的供养形式：{form}")
    basic = money(multiplier * standard)
    care = money(care_standard)
    total = basic + care
    steps = (
        Step(
            "基本生活标准（低保标准 × 倍数）",
            f"{_shown(standard)} × {multiplier.normalize():f} = {basic}",
            basic,
        ),
        Step(f"照料护理标准（{FORMS[form]}·{TIERS[tier]}）", f"{care}", care),
        Step("月救助供养金合计", f"{basic} + {care} = {total}", total),
    )
    return Amount(basic, care, total, steps)
