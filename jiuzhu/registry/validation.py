"""Field validation shared by every write path (web forms, API, imports).

Each function returns cleaned values or raises ``ValidationFailed`` with one Chinese message per
field, so a form can show all problems at once (一次性告知) instead of one at a time.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import models

from jiuzhu.core.dates import EARLIEST_DATE
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.text import clean_text, shown
from jiuzhu.regions.codes import Level
from jiuzhu.regions.models import Region, UrbanRural
from jiuzhu.regions.scope import in_jurisdiction

from . import idnumber
from .choices import (
    DisabilityCategory,
    Education,
    Employment,
    Health,
    LabourCapacity,
    MaritalStatus,
    Relation,
    SelfCare,
)
from .models import Person

PERSON_FIELDS = (
    "id_number",
    "name",
    "hukou_region",
    "residence_region",
    "phone",
    "marital_status",
    "disability_category",
    "disability_grade",
    "labour_capacity",
    "self_care",
    "health",
    "employment",
    "education",
    "in_school",
    "death_date",
)
HOUSEHOLD_FIELDS = ("region", "address", "urban_rural", "bank_name", "bank_account")

_CHOICES: dict[str, type[models.TextChoices]] = {
    "disability_category": DisabilityCategory,
    "labour_capacity": LabourCapacity,
    "self_care": SelfCare,
    "health": Health,
    "employment": Employment,
    "education": Education,
    "urban_rural": UrbanRural,
    "relation": Relation,
    "marital_status": MaritalStatus,
}
# The window of registry dates (joining and leaving a household, category tags): nothing before 1900,
# and at most this many years ahead (a planned date). No policy setting for a longest validity exists;
# when one does, the upper bound should come from it.
YEARS_AHEAD_MAX = 5


def latest_date(today: date | None = None) -> date:
    """The last date a registry date may take: today plus ``YEARS_AHEAD_MAX`` years."""
    today = today or date.today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD_MAX)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD_MAX, day=28)


def check_date_window(value: date | None, key: str, label: str, errors: dict[str, str]) -> None:
    if value is None or key in errors:
        return
    latest = latest_date()
    if not EARLIEST_DATE <= value <= latest:
        errors[key] = f"{label}应在{EARLIEST_DATE.isoformat()}至{latest.isoformat()}之间"


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


# A number already registered to a person in the caller's jurisdiction: they can find that person.
ID_REGISTERED_HERE = "该身份证号码已登记，请直接查找该人员"
# A number the caller may not register, whatever the reason: the same words whether or not it is
# registered outside the caller's jurisdiction, and nothing about where or to whom.
ID_NOT_REGISTRABLE_HERE = (
    "该身份证号码不能在您的辖区登记。如该人员已在其他乡镇（街道）登记，请联系其现居住地乡镇（街道），"
    "由共同的上级民政部门办理迁入本辖区家庭，迁入后即可在本辖区查找；否则请核对号码"
)


def id_number_taken(number: str, *, user: Any, exclude_pk: int | None = None) -> str:
    """The message for an ID number that already belongs to another person, or "" when it is free."""
    clash = Person.objects.filter(id_number=number)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    regions = list(clash.values_list("residence_region_id", flat=True)[:1])
    if not regions:
        return ""
    return ID_REGISTERED_HERE if in_jurisdiction(user, regions[0]) else ID_NOT_REGISTRABLE_HERE


_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
_ACCOUNT = re.compile(r"^\d{8,32}$")


def _as_date(value: Any, label: str, errors: dict[str, str], key: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[key] = f"{label}格式应为 YYYY-MM-DD：{value}"
        return None


def _region(
    code: Any, key: str, label: str, errors: dict[str, str], *, village: bool = False
) -> Region | None:
    if isinstance(code, Region):
        region: Region | None = code
    else:
        region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None:
        errors[key] = f"{label}区划代码不存在：{shown(code)}" if code else f"请选择{label}"
        return None
    if village and region.level != Level.VILLAGE:
        errors[key] = f"{label}必须选到村(居)一级"
        return None
    return region


def clean_choice(key: str, value: Any, errors: dict[str, str]) -> str:
    enum = _CHOICES[key]
    value = "" if value is None else str(value)
    if value not in enum.values:
        allowed = "、".join(f"{v}（{lbl}）" for v, lbl in enum.choices if v)
        errors[key] = f"取值无效：{shown(value)}；可选：{allowed}"
    return value


def clean_person(data: dict[str, Any], *, user: Any, instance: Person | None = None) -> dict[str, Any]:
    """Validate the given person fields. For an update (``instance``) only the keys present are checked;
    cross-field rules use the instance's current values for the rest. ``user`` decides what a clash of
    ID numbers may tell (``id_number_taken``)."""
    errors: dict[str, str] = {}
    unknown = set(data) - set(PERSON_FIELDS) - {"birth_date", "sex"}
    for key in sorted(unknown):
        errors[key] = "不能修改或不存在的字段"
    out: dict[str, Any] = {}
    creating = instance is None

    if creating or "id_number" in data:
        try:
            parsed = idnumber.parse(str(data.get("id_number") or ""))
        except idnumber.InvalidIdNumber as exc:
            errors["id_number"] = str(exc)
        else:
            out["id_number"] = parsed.value
            out["id_reversed"] = parsed.value[::-1]
            out["birth_date"], out["sex"] = parsed.birth_date, parsed.sex
            taken = id_number_taken(parsed.value, user=user, exclude_pk=instance.pk if instance else None)
            if taken:
                errors["id_number"] = taken
            # A birth date or sex typed by hand must agree with the number.
            if data.get("birth_date") and str(data["birth_date"]) != parsed.birth_date.isoformat():
                errors["birth_date"] = "出生日期与身份证号码不一致"
            if data.get("sex") and data["sex"] != parsed.sex:
                errors["sex"] = "性别与身份证号码不一致"

    if creating or "name" in data:
        raw_name = re.sub(r"\s+", "", str(data.get("name") or ""))
        name = clean_text(raw_name, "name", "姓名", errors, max_length=50, required=True)
        if "name" not in errors and any(ch.isdigit() for ch in name):
            errors["name"] = "姓名不能包含数字"
        out["name"] = name

    for key, label in (("hukou_region", "户籍地"), ("residence_region", "居住地")):
        if creating or key in data:
            out[key] = _region(data.get(key), key, label, errors, village=True)

    if "phone" in data:
        phone = str(data.get("phone") or "").strip()
        if phone and not _PHONE.match(phone):
            errors["phone"] = "联系电话格式不正确"
        out["phone"] = phone

    for key in (
        "labour_capacity",
        "self_care",
        "health",
        "employment",
        "education",
        "disability_category",
        "marital_status",
    ):
        if key in data:
            out[key] = clean_choice(key, data[key], errors)

    if "disability_grade" in data:
        grade = data["disability_grade"]
        if grade in (None, ""):
            out["disability_grade"] = None
        elif str(grade).isdigit() and 1 <= int(grade) <= 4:
            out["disability_grade"] = int(grade)
        else:
            errors["disability_grade"] = "残疾等级应为1至4级"
    if "disability_category" in out or "disability_grade" in out:
        cat = out.get("disability_category", instance.disability_category if instance else "")
        grade = out.get("disability_grade", instance.disability_grade if instance else None)
        if bool(cat) != (grade is not None) and "disability_grade" not in errors:
            errors["disability_grade"] = "残疾类别与残疾等级须同时填写或同时为空"

    if "in_school" in data:
        out["in_school"] = bool(data["in_school"]) and str(data["in_school"]).lower() not in ("false", "0")

    if "death_date" in data:
        died = _as_date(data.get("death_date"), "死亡日期", errors, "death_date")
        born = out.get("birth_date") or (instance.birth_date if instance else None)
        if died and died > date.today():
            errors["death_date"] = "死亡日期不能晚于今天"
        elif died and born and died < born:
            errors["death_date"] = "死亡日期不能早于出生日期"
        out["death_date"] = died

    if errors:
        raise ValidationFailed(errors)
    return out


def clean_household(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key in sorted(set(data) - set(HOUSEHOLD_FIELDS)):
        errors[key] = "不能修改或不存在的字段"
    if creating or "region" in data:
        out["region"] = _region(data.get("region"), "region", "所在村(居)", errors, village=True)
    if creating or "address" in data:
        out["address"] = clean_text(
            data.get("address"), "address", "详细地址", errors, max_length=200, required=True
        )
    if data.get("urban_rural"):
        out["urban_rural"] = clean_choice("urban_rural", data["urban_rural"], errors)
    elif creating and out.get("region") is not None:
        out["urban_rural"] = out["region"].urban_rural
    if "bank_name" in data:
        out["bank_name"] = clean_text(data.get("bank_name"), "bank_name", "开户银行", errors, max_length=100)
    if "bank_account" in data:
        acct = re.sub(r"[\s-]", "", str(data.get("bank_account") or ""))
        if acct and not _ACCOUNT.match(acct):
            errors["bank_account"] = "银行账号应为8至32位数字"
        out["bank_account"] = acct
    if errors:
        raise ValidationFailed(errors)
    return out
