"""The columns of a migration file, and the column mappings of common export layouts.

``COLUMNS`` is the template (docs/migration.md): one row per member of a household, the household's
fields repeated on its rows, and an entitlement on the row of the person (per-person programs) or on any
row of the household (household programs; repeated identical values on several rows are one
entitlement). A layout maps the headers of another system's export onto these columns, with defaults
for what that export leaves out (a 特困 export has one person per row, who is their own head). The
layout of a file is detected from its headers (``detect``) unless the importer names one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jiuzhu.core.errors import ValidationFailed


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("household_key", "户主身份证号", True, "本户户主的身份证号码；同一户的各行相同，用来识别家庭"),
    Column("name", "姓名", True, "成员姓名"),
    Column("id_number", "身份证号", True, "成员的18位身份证号码（校验位必须正确；可含全角数字、小写x）"),
    Column(
        "relation",
        "与户主关系",
        True,
        "户主、配偶、子女、儿媳/女婿、孙子女、父母、公婆/岳父母、祖父母、兄弟姐妹、其他",
    ),
    Column("region", "所在村(居)区划代码", True, "12位村(居)区划代码，须在导入辖区内"),
    Column("address", "详细地址", True, "家庭住址，不超过200字"),
    Column("urban_rural", "城乡属性", help="城镇/农村；空则取村(居)的城乡属性"),
    Column("phone", "联系电话"),
    Column("bank_name", "开户银行"),
    Column("bank_account", "银行账号", help="8至32位数字"),
    Column("disability_category", "残疾类别", help="视力、听力、言语、肢体、智力、精神、多重残疾"),
    Column("disability_grade", "残疾等级", help="1至4级；与残疾类别同时填写"),
    Column("labour_capacity", "劳动能力", help="有劳动能力、部分丧失劳动能力、无劳动能力"),
    Column("self_care", "自理能力", help="生活能自理、部分失能、完全失能"),
    Column("health", "健康状况", help="健康、慢性病、重特大疾病、残疾"),
    Column("categories", "人员类别", help="多个用顿号或分号分隔，如：残疾人、困难老人"),
    Column(
        "program", "救助项目", help="低保、低保边缘、刚性支出困难、特困、两项补贴、困境儿童、事实无人抚养儿童"
    ),
    Column("amount", "月保障金额", help="元/月，不小于0；低保边缘、刚性支出困难为0或空"),
    Column("start_month", "起始年月", help="如 2023-05、202305、2023年5月"),
    Column("review_class", "分类管理", help="A、B、C；空则按家庭成员情况确定"),
    Column("care_tier", "护理等级", help="全自理、半失能、全失能（特困人员必填）"),
    Column("support_form", "供养方式", help="分散供养、集中供养（特困人员；空为分散供养）"),
    Column("document_no", "审批文号"),
    Column("decided_on", "审批日期", help="如 2023-04-28；空则取起始年月的第一天"),
)
NAMES = tuple(c.name for c in COLUMNS)
BY_NAME = {c.name: c for c in COLUMNS}


@dataclass(frozen=True)
class Layout:
    code: str
    name: str
    headers: dict[str, str]  # a header of the export (stripped) → a column name
    defaults: dict[str, str] = field(default_factory=dict)  # values for columns the export leaves out
    # Columns filled from another column of the same row when empty (a one-person export: the person is
    # their own household).
    fallbacks: dict[str, str] = field(default_factory=dict)


def _template() -> dict[str, str]:
    out = {c.name: c.name for c in COLUMNS}
    out.update({c.label: c.name for c in COLUMNS})
    return out


LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout("template", "本平台存量导入模板", _template()),
        Layout(
            "national_dibao",
            "全国低保信息系统导出（按成员一行）",
            {
                "户主身份证号": "household_key",
                "户主身份证号码": "household_key",
                "成员姓名": "name",
                "姓名": "name",
                "身份证号": "id_number",
                "身份证号码": "id_number",
                "成员身份证号": "id_number",
                "与户主关系": "relation",
                "行政区划代码": "region",
                "区划代码": "region",
                "家庭住址": "address",
                "家庭地址": "address",
                "城乡类别": "urban_rural",
                "联系电话": "phone",
                "开户银行": "bank_name",
                "银行账号": "bank_account",
                "残疾类别": "disability_category",
                "残疾等级": "disability_grade",
                "劳动能力": "labour_capacity",
                "健康状况": "health",
                "保障类别": "program",
                "保障金额": "amount",
                "月保障金额": "amount",
                "起始年月": "start_month",
                "分类管理类别": "review_class",
                "分类类别": "review_class",
                "审批文号": "document_no",
                "审批日期": "decided_on",
            },
        ),
        Layout(
            "national_tekun",
            "全国特困人员信息导出（每人一行）",
            {
                "姓名": "name",
                "身份证号": "id_number",
                "身份证号码": "id_number",
                "行政区划代码": "region",
                "区划代码": "region",
                "居住地址": "address",
                "家庭住址": "address",
                "城乡类别": "urban_rural",
                "开户银行": "bank_name",
                "银行账号": "bank_account",
                "供养方式": "support_form",
                "护理等级": "care_tier",
                "自理能力等级": "care_tier",
                "供养金额": "amount",
                "月供养金额": "amount",
                "起始年月": "start_month",
                "审批文号": "document_no",
                "审批日期": "decided_on",
                "残疾类别": "disability_category",
                "残疾等级": "disability_grade",
            },
            defaults={"program": "tekun", "relation": "head"},
            fallbacks={"household_key": "id_number"},
        ),
    )
}


def _clean(header: object) -> str:
    return str(header or "").strip().lstrip("\ufeff").strip()


def mapping(layout: Layout, header: list[str]) -> list[str | None]:
    """The column each header names under ``layout`` (None for a column the import ignores); refused
    when a required column is missing (neither in the file nor supplied by the layout)."""
    cols = [layout.headers.get(_clean(h)) for h in header]
    seen: set[str] = set()
    out: list[str | None] = []
    for c in cols:  # a column named twice is read from its first occurrence
        out.append(c if c and c not in seen else None)
        if c:
            seen.add(c)
    supplied = seen | set(layout.defaults) | set(layout.fallbacks)
    missing = [c.label for c in COLUMNS if c.required and c.name not in supplied]
    if missing:
        message = f"文件缺少必需的列：{'、'.join(missing)}（列格式：{layout.name}）"
        raise ValidationFailed({"file": message}, message=message)
    return out


def detect(header: list[str]) -> Layout:
    """The layout whose headers the file matches best, among those it satisfies."""
    names = [_clean(h) for h in header]
    best: tuple[int, Layout] | None = None
    for layout in LAYOUTS.values():
        try:
            mapping(layout, names)
        except ValidationFailed:
            continue
        score = sum(1 for n in names if n in layout.headers)
        if best is None or score > best[0]:
            best = (score, layout)
    if best is None:
        message = (
            "无法识别文件的列格式：表头既不是本平台模板，也不是已知的导出格式；"
            "请按 docs/migration.md 的模板整理，或指定列格式"
        )
        raise ValidationFailed({"file": message}, message=message)
    return best[1]


def layout_get(code: str) -> Layout:
    layout = LAYOUTS.get(code)
    if layout is None:
        message = f"未知的列格式：{code}（可选：{'、'.join(LAYOUTS)}）"
        raise ValidationFailed({"layout": message}, message=message)
    return layout
