"""Reading a migration file and judging each row: the registry's rules for persons and households (ID
number checksum, names, relations, regions, coded values) and the programs' rules for entitlements
(program, amount ≥ 0, months, review class, care tier). Every problem of a row is reported at once, in
Chinese; a valid row becomes a ``MigRow``. The rules that need other rows (one head per household, one
entitlement per program) are in ``households.py``; those that need the database in ``services.py``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

from openpyxl import load_workbook

from jiuzhu.core.text import clean_text, shown
from jiuzhu.core.vocab import AidProgram, Category, PaymentKind
from jiuzhu.exchange.readers import FileProblem, csv_encoding, excel_date
from jiuzhu.exchange.validate import NUL_REASON, fold, parse_amount, parse_date, parse_month
from jiuzhu.registry import idnumber
from jiuzhu.registry.choices import DisabilityCategory, Health, LabourCapacity, Relation, SelfCare

from .layouts import BY_NAME, COLUMNS, Layout, detect, mapping

FORMATS = ("csv", "xlsx")

# Programs paid in money every month; the others carry an eligibility without cash (专项救助资格).
NO_CASH = frozenset({AidProgram.NEAR_DIBAO, AidProgram.RIGID_EXPENSE})
HOUSEHOLD_PROGRAMS = frozenset({AidProgram.DIBAO, AidProgram.NEAR_DIBAO, AidProgram.RIGID_EXPENSE})
CHILD_PROGRAMS = frozenset({AidProgram.CHILD_IN_DIFFICULTY, AidProgram.DE_FACTO_ORPHAN})
DISABILITY_PROGRAMS = frozenset({AidProgram.DISABILITY_LIVING, AidProgram.DISABILITY_CARE})
# Labels other systems use for the programs (保障类别), besides the platform's own codes and labels.
PROGRAM_ALIASES = {
    "城市低保": AidProgram.DIBAO,
    "农村低保": AidProgram.DIBAO,
    "城乡低保": AidProgram.DIBAO,
    "城市最低生活保障": AidProgram.DIBAO,
    "农村最低生活保障": AidProgram.DIBAO,
    "最低生活保障": AidProgram.DIBAO,
    "低保边缘家庭": AidProgram.NEAR_DIBAO,
    "边缘": AidProgram.NEAR_DIBAO,
    "刚性支出": AidProgram.RIGID_EXPENSE,
    "支出型困难": AidProgram.RIGID_EXPENSE,
    "支出型贫困": AidProgram.RIGID_EXPENSE,
    "特困供养": AidProgram.TEKUN,
    "特困人员": AidProgram.TEKUN,
    "特困人员救助供养": AidProgram.TEKUN,
    "城市特困": AidProgram.TEKUN,
    "农村特困": AidProgram.TEKUN,
    "五保": AidProgram.TEKUN,
    "残疾人生活补贴": AidProgram.DISABILITY_LIVING,
    "生活补贴": AidProgram.DISABILITY_LIVING,
    "护理补贴": AidProgram.DISABILITY_CARE,
    "残疾人护理补贴": AidProgram.DISABILITY_CARE,
}
# What a program tags its people with in the registry (household programs: every member).
PROGRAM_CATEGORY = {
    AidProgram.DIBAO: Category.DIBAO,
    AidProgram.NEAR_DIBAO: Category.NEAR_DIBAO,
    AidProgram.RIGID_EXPENSE: Category.RIGID_EXPENSE,
    AidProgram.TEKUN: Category.TEKUN,
    AidProgram.CHILD_IN_DIFFICULTY: Category.CHILD_IN_DIFFICULTY,
    AidProgram.DE_FACTO_ORPHAN: Category.DE_FACTO_ORPHAN,
    AidProgram.DISABILITY_LIVING: Category.DISABLED,
    AidProgram.DISABILITY_CARE: Category.DISABLED,
}
CARE_TIERS = {"self": "全自理", "partial": "半失能", "full": "全失能"}
CARE_ALIASES = {
    "全护理": "full",
    "半护理": "partial",
    "完全失能": "full",
    "部分失能": "partial",
    "自理": "self",
}
SUPPORT_FORMS = {"dispersed": "分散供养", "central": "集中供养"}
CARE_CODES = {label: code for code, label in CARE_TIERS.items()}
SUPPORT_CODES = {label: code for code, label in SUPPORT_FORMS.items()}
REVIEW_CLASSES = ("A", "B", "C")
RELATION_ALIASES = {
    "本人": Relation.HEAD,
    "户主本人": Relation.HEAD,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "长子": Relation.CHILD,
    "次子": Relation.CHILD,
    "长女": Relation.CHILD,
    "次女": Relation.CHILD,
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙子": Relation.GRANDCHILD,
    "外孙女": Relation.GRANDCHILD,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "祖父": Relation.GRANDPARENT,
    "祖母": Relation.GRANDPARENT,
    "兄": Relation.SIBLING,
    "弟": Relation.SIBLING,
    "姐": Relation.SIBLING,
    "妹": Relation.SIBLING,
}
_SPLIT = re.compile(r"[;；、,，/|\s]+")
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
_ACCOUNT = re.compile(r"^\d{8,32}$")


_CODES: dict[Any, dict[str, str]] = {}


def _choice(value: str, choices: Any, aliases: Mapping[str, str] | None = None) -> str | None:
    """A coded value given as its code or its label (or a known alias); None when it is neither. The
    codes and labels of a list are read once (a lazy label costs a translation each time it is read)."""
    known = _CODES.get(choices)
    if known is None:
        known = {str(label): str(code) for code, label in choices.choices}
        known.update({str(code): str(code) for code in choices.values})
        _CODES[choices] = known
    found = known.get(value)
    return found if found is not None else (aliases or {}).get(value)


@lru_cache(maxsize=1 << 16)
def _id(text: str, today: date) -> idnumber.IdNumber | str:
    """A parsed ID number, or the reason it is refused (a household's key repeats on each of its rows)."""
    try:
        return idnumber.parse(text, today=today)
    except idnumber.InvalidIdNumber as exc:
        return str(exc)


def program_code(text: str) -> str | None:
    text = text.strip()
    return _PROGRAMS.get(text) or PROGRAM_ALIASES.get(text)


_PROGRAMS = {m.value: m.value for m in AidProgram} | {m.label: m.value for m in AidProgram}


@dataclass(slots=True)
class MigRow:
    line: int
    household_key: str
    id_number: str
    name: str
    sex: str
    birth_date: date
    relation: str
    region: str
    address: str
    urban_rural: str  # "" = the village's
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    disability_category: str = ""
    disability_grade: int | None = None
    labour_capacity: str = LabourCapacity.FULL
    self_care: str = SelfCare.FULL
    health: str = Health.HEALTHY
    categories: tuple[str, ...] = ()
    program: str = ""
    amount: Decimal | None = None
    start_month: date | None = None
    review_class: str = ""
    care_tier: str = ""
    support_form: str = ""
    document_no: str = ""
    decided_on: date | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def payment(self) -> str:
        return PaymentKind.NO_CASH if self.program in NO_CASH else PaymentKind.MONTHLY

    def entitlement_key(self) -> tuple[str, str]:
        """What one entitlement is keyed on: the household (household programs) or the person."""
        holder = self.household_key if self.program in HOUSEHOLD_PROGRAMS else self.id_number
        return (holder, self.program)

    def entitlement_values(self) -> tuple[Any, ...]:
        return (
            self.amount,
            self.start_month,
            self.review_class,
            self.care_tier,
            self.support_form,
            self.document_no,
            self.decided_on,
        )


@dataclass
class Source:
    """A file's rows as the layout maps them: (line, {column: raw cell})."""

    layout: Layout
    encoding: str  # the codec of a CSV (readers.ENCODINGS key); "" for XLSX
    rows: list[tuple[int, dict[str, Any]]]


def detect_format(file_name: str) -> str:
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if ext not in FORMATS:
        raise FileProblem(f"不支持的文件格式：.{ext or '（无扩展名）'}；请使用 CSV 或 XLSX")
    return ext


def _records(fh: IO[bytes], fmt: str, encoding: str) -> Iterator[list[Any]]:
    if fmt == "csv":
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        try:
            yield from csv.reader(text)
        finally:
            text.detach()
        return
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a broken file
        raise FileProblem("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密") from None
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True):
            yield ["" if v is None else v for v in row]
    finally:
        wb.close()


def read_source(fh: IO[bytes], fmt: str, layout_code: str | None = None) -> Source:
    """Every row of the file, mapped to the template's columns by the named layout or the detected one.
    Line numbers count as a person counts them in the spreadsheet (the header is line 1)."""
    from .layouts import layout_get

    encoding = csv_encoding(fh) if fmt == "csv" else ""
    records = _records(fh, fmt, encoding)
    header = next(records, None)
    if header is None:
        raise FileProblem("文件为空")
    header = [str(h) for h in header]
    layout = layout_get(layout_code) if layout_code else detect(header)
    cols = mapping(layout, header)
    dates = {"start_month", "decided_on"}
    rows: list[tuple[int, dict[str, Any]]] = []
    for i, record in enumerate(records, start=2):
        if not any(str(v).strip() for v in record):
            continue
        raw: dict[str, Any] = {}
        for j, c in enumerate(cols):
            if c and j < len(record):
                v = record[j]
                raw[c] = excel_date(v) if c in dates and fmt == "xlsx" else v
        rows.append((i, raw))
    fh.seek(0)
    if not rows:
        raise FileProblem("文件只有表头，没有数据行：请确认导出时选中了数据，再重新上传")
    return Source(layout, encoding, rows)


_EMPTY = {c.name: "" for c in COLUMNS}


def _values(raw: dict[str, Any]) -> dict[str, str]:
    """Every column's cell as trimmed text ("" when the file has no such column)."""
    values = dict(_EMPTY)
    for name, v in raw.items():
        values[name] = v.strip() if isinstance(v, str) else _text(raw, name)
    return values


def _clean(
    value: str, key: str, label: str, errors: dict[str, str], *, max_length: int, required: bool = False
) -> str:
    """``clean_text``, without its per-character scan for the common text that has nothing to remove or
    refuse (``str.isprintable`` is false for every control, format and separator character but space)."""
    if value.isprintable():
        if required and not value:
            errors[key] = f"{label}不能为空"
        elif len(value) > max_length:
            errors[key] = f"{label}不能超过{max_length}个字（现为{len(value)}个）"
        return value
    return clean_text(value, key, label, errors, max_length=max_length, required=required)


def _text(raw: dict[str, Any], name: str) -> str:
    v = raw.get(name, "")
    if isinstance(v, datetime):
        v = v.date()
    if isinstance(v, date):  # an Excel date cell
        return f"{v:%Y-%m}" if name == "start_month" else v.isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # a number typed into an Excel cell (a grade, a region code)
    return "" if v is None else str(v).strip()


def parse_row(line: int, raw: dict[str, Any], layout: Layout, *, today: date) -> MigRow | list[str]:
    """A valid row, or every reason it is refused."""
    values = _values(raw)
    for name, default in layout.defaults.items():
        values[name] = values[name] or default
    for name, other in layout.fallbacks.items():
        values[name] = values[name] or values[other]
    reasons: list[str] = []
    if any("\x00" in v for v in values.values()):
        for c in COLUMNS:
            if "\x00" in values[c.name]:
                reasons.append(f"{c.label}：{NUL_REASON}")
                values[c.name] = ""
    errors: dict[str, str] = {}

    def need(name: str) -> str:
        if not values[name]:
            reasons.append(f"{_label(name)}：不能为空")
        return values[name]

    key_id = person_id = None
    if need("household_key"):
        parsed = _id(values["household_key"], today)
        if isinstance(parsed, str):
            reasons.append(f"户主身份证号：{parsed}")
        else:
            key_id = parsed
    if need("id_number"):
        parsed = _id(values["id_number"], today)
        if isinstance(parsed, str):
            reasons.append(f"身份证号：{parsed}")
        else:
            person_id = parsed
    name = _clean(re.sub(r"\s+", "", values["name"]), "name", "姓名", errors, max_length=50, required=True)
    if "name" not in errors and any(ch.isdigit() for ch in name):
        errors["name"] = "姓名不能包含数字"
    address = _clean(values["address"], "address", "详细地址", errors, max_length=200, required=True)
    relation = ""
    if need("relation"):
        relation = _choice(values["relation"], Relation, RELATION_ALIASES) or ""
        if not relation:
            reasons.append(f"与户主关系：取值无效：{shown(values['relation'])}")
    if key_id and person_id and relation:
        if person_id.value == key_id.value and relation != Relation.HEAD:
            reasons.append("与户主关系：身份证号与户主身份证号相同，与户主关系应为“户主”")
        elif person_id.value != key_id.value and relation == Relation.HEAD:
            reasons.append("与户主关系：填写为“户主”，但身份证号与户主身份证号不同")
    region = fold(need("region"))
    if region and not re.fullmatch(r"\d{12}", region):
        reasons.append(f"所在村(居)区划代码：应为12位数字：{shown(values['region'])}")
    urban_rural = ""
    if values["urban_rural"]:
        urban_rural = {
            "城镇": "urban",
            "城市": "urban",
            "urban": "urban",
            "农村": "rural",
            "rural": "rural",
        }.get(values["urban_rural"], "")
        if not urban_rural:
            reasons.append(f"城乡属性：取值无效：{shown(values['urban_rural'])}（可选：城镇、农村）")
    phone = values["phone"]
    if phone and not _PHONE.match(phone):
        reasons.append("联系电话：格式不正确")
    account = re.sub(r"[\s-]", "", fold(values["bank_account"]))
    if account and not _ACCOUNT.match(account):
        reasons.append("银行账号：应为8至32位数字")
    bank_name = _clean(values["bank_name"], "bank_name", "开户银行", errors, max_length=100)
    coded: dict[str, str] = {}
    for key, choices, default in (
        ("disability_category", DisabilityCategory, ""),
        ("labour_capacity", LabourCapacity, LabourCapacity.FULL),
        ("self_care", SelfCare, SelfCare.FULL),
        ("health", Health, Health.HEALTHY),
    ):
        if not values[key]:
            coded[key] = default
            continue
        found = _choice(values[key], choices, {"无": ""} if key == "disability_category" else None)
        if found is None:
            allowed = "、".join(str(lbl) for v, lbl in choices.choices if v)
            reasons.append(f"{_label(key)}：取值无效：{shown(values[key])}（可选：{allowed}）")
        coded[key] = found or default
    grade: int | None = None
    if values["disability_grade"]:
        text = fold(values["disability_grade"]).removesuffix("级")
        text = {"一": "1", "二": "2", "三": "3", "四": "4"}.get(text, text)
        if text.isdigit() and 1 <= int(text) <= 4:
            grade = int(text)
        else:
            reasons.append("残疾等级：应为1至4级")
    if bool(coded["disability_category"]) != (grade is not None) and not any(
        r.startswith("残疾") for r in reasons
    ):
        reasons.append("残疾等级：残疾类别与残疾等级须同时填写或同时为空")
    categories: list[str] = []
    for part in (p for p in _SPLIT.split(values["categories"]) if p):
        code = _choice(part, _CategoryChoices)
        if code is None:
            reasons.append(f"人员类别：未知的类别：{shown(part)}")
        elif code not in categories:
            categories.append(code)
    reasons += [f"{_label(k)}：{m}" for k, m in errors.items()]
    ent = _entitlement(values, today, reasons)
    if ent.get("program") in CHILD_PROGRAMS and person_id and ent.get("start_month"):
        start = ent["start_month"]
        age = start.year - person_id.birth_date.year - ((start.month, 1) < (person_id.birth_date.month, 1))
        if age >= 18:
            reasons.append(f"救助项目：{AidProgram.label_of(ent['program'])}须为未满18周岁的儿童")
    if (
        ent.get("program") in DISABILITY_PROGRAMS
        and grade is None
        and not any(r.startswith("残疾") for r in reasons)
    ):
        reasons.append("救助项目：残疾人两项补贴须填写残疾类别和残疾等级")
    if reasons or key_id is None or person_id is None:
        return reasons or ["身份证号：不能为空"]
    return MigRow(
        line=line,
        household_key=key_id.value,
        id_number=person_id.value,
        name=name,
        sex=person_id.sex,
        birth_date=person_id.birth_date,
        relation=relation,
        region=region,
        address=address,
        urban_rural=urban_rural,
        phone=phone,
        bank_name=bank_name,
        bank_account=account,
        disability_category=coded["disability_category"],
        disability_grade=grade,
        labour_capacity=coded["labour_capacity"],
        self_care=coded["self_care"],
        health=coded["health"],
        categories=tuple(categories),
        raw=raw,
        **ent,
    )


class _CategoryChoices:
    """The registry's categories as ``_choice`` reads them."""

    values = Category.codes()
    choices = [(m.value, m.label) for m in Category]


def _label(name: str) -> str:
    return BY_NAME[name].label


def _entitlement(values: dict[str, str], today: date, reasons: list[str]) -> dict[str, Any]:
    """The entitlement fields of a row (empty when it names no program)."""
    given = [n for n in ("amount", "start_month", "review_class", "care_tier", "document_no") if values[n]]
    if not values["program"]:
        if given:
            reasons.append(f"救助项目：填写了{_label(given[0])}，但未填写救助项目")
        return {}
    program = program_code(values["program"])
    if program == AidProgram.TEMPORARY:
        reasons.append("救助项目：临时救助为一次性救助，不属于存量在保对象，不能导入")
        return {}
    if program is None:
        reasons.append(f"救助项目：未知的救助项目：{shown(values['program'])}")
        return {}
    out: dict[str, Any] = {"program": program}
    label = AidProgram.label_of(program)
    if values["amount"]:
        try:
            out["amount"] = parse_amount(values["amount"])
        except ValueError as exc:
            reasons.append(f"月保障金额：{exc}")
    if program in NO_CASH:
        if out.get("amount"):
            reasons.append(f"月保障金额：{label}不发放资金，应为0或不填")
        out["amount"] = Decimal("0.00")
    elif "amount" not in out and not values["amount"]:
        reasons.append(f"月保障金额：{label}须填写月保障金额")
    if values["start_month"]:
        try:
            out["start_month"] = parse_month(values["start_month"], today)
        except ValueError as exc:
            reasons.append(f"起始年月：{exc}")
    else:
        reasons.append("起始年月：不能为空")
    if values["review_class"]:
        rc = fold(values["review_class"]).upper().removesuffix("类")
        if rc not in REVIEW_CLASSES:
            reasons.append(f"分类管理：取值无效：{shown(values['review_class'])}（可选：A、B、C）")
        out["review_class"] = rc
    tier = values["care_tier"]
    if tier:
        code = (
            tier
            if tier in CARE_TIERS
            else {v: k for k, v in CARE_TIERS.items()}.get(tier) or CARE_ALIASES.get(tier)
        )
        if code is None:
            reasons.append(f"护理等级：取值无效：{shown(tier)}（可选：全自理、半失能、全失能）")
        out["care_tier"] = code or ""
    elif program == AidProgram.TEKUN:
        reasons.append("护理等级：特困人员须填写护理等级（全自理、半失能、全失能）")
    form = values["support_form"]
    if form:
        code = form if form in SUPPORT_FORMS else SUPPORT_CODES.get(form)
        if code is None:
            reasons.append(f"供养方式：取值无效：{shown(form)}（可选：分散供养、集中供养）")
        out["support_form"] = code or ""
    elif program == AidProgram.TEKUN:
        out["support_form"] = "dispersed"
    errors: dict[str, str] = {}
    out["document_no"] = _clean(values["document_no"], "document_no", "审批文号", errors, max_length=60)
    if errors:
        reasons.append(errors["document_no"])
    if values["decided_on"]:
        try:
            out["decided_on"] = parse_date(values["decided_on"], today)
        except ValueError as exc:
            reasons.append(f"审批日期：{exc}")
    return out
