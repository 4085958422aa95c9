"""Writes to the working-day calendar (工作日历): the State Council's holiday schedule, year by year.

A year's days come from the ``chinese-calendar`` package (``calendar_seed``), from a small CSV
(``calendar_import``) or from the admin one day at a time (``holiday_day_save``); a year counts as
entered once it has a ``CalendarYear`` row. Every write is audited. The calendar is national: the
permissions are the gate, not a jurisdiction. A command (``ctx.user`` None) acts as the system.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AuditObject, CalendarSource, DayKind

from .models import CalendarYear, HolidayDay

FIRST_YEAR, LAST_YEAR = 1949, 2200
NAME_MAX = HolidayDay._meta.get_field("name").max_length or 40

# The package's holiday names (its English values) as the State Council's notices write them.
_PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

Schedule = dict[date, tuple[str, str]]  # date → (kind, name)


def _allowed(ctx: AuditContext, *perms: str) -> None:
    if ctx.user is not None:
        for perm in perms:
            require_perm(ctx.user, perm)


@dataclass
class YearOutcome:
    year: int
    added: int = 0
    changed: int = 0
    removed: int = 0
    marked: bool = False  # the year's CalendarYear row was created or its source changed
    skipped: str = ""  # why the year was left alone

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.marked)


@dataclass
class CalendarOutcome:
    years: list[YearOutcome] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for y in self.years:
            if y.skipped:
                parts.append(f"{y.year} 年：{y.skipped}")
            elif y.touched:
                parts.append(f"{y.year} 年：新增 {y.added} 天，修改 {y.changed} 天，删除 {y.removed} 天")
            else:
                parts.append(f"{y.year} 年：无变化")
        return "；".join(parts)


def _replace_year(
    ctx: AuditContext, year: int, days: Schedule, *, source: str, note: str, action: str
) -> YearOutcome:
    """Make the year's rows exactly ``days`` and mark the year entered; audited once, if anything
    changed. Runs inside the caller's transaction."""
    out = YearOutcome(year)
    existing = {
        h.date: h for h in HolidayDay.objects.select_for_update().filter(date__year=year).order_by("date")
    }
    gone = [d for d in existing if d not in days]
    if gone:
        HolidayDay.objects.filter(date__in=gone).delete()
        out.removed = len(gone)
    new = []
    for d, (kind, name) in sorted(days.items()):
        row = existing.get(d)
        if row is None:
            new.append(HolidayDay(date=d, kind=kind, name=name))
        elif (row.kind, row.name) != (kind, name):
            HolidayDay.objects.filter(pk=row.pk).update(kind=kind, name=name)
            out.changed += 1
    HolidayDay.objects.bulk_create(new)
    out.added = len(new)
    marked = CalendarYear.objects.select_for_update().filter(year=year).first()
    if marked is None:
        CalendarYear.objects.create(
            year=year, source=source, entered_at=timezone.now(), entered_by=ctx.user, note=note
        )
        out.marked = True
    elif marked.source != source or out.added or out.changed or out.removed:
        CalendarYear.objects.filter(pk=marked.pk).update(
            source=source, entered_at=timezone.now(), entered_by=ctx.user, note=note or marked.note
        )
        out.marked = marked.source != source
    if out.touched:
        audit_record(
            ctx=ctx,
            action=action,
            object_type=AuditObject.CALENDAR_YEAR,
            object_id=year,
            detail={
                "source": source,
                "added": out.added,
                "changed": out.changed,
                "removed": out.removed,
                "removed_dates": sorted(d.isoformat() for d in gone),
            },
        )
    return out


# --- seed from the chinese-calendar package ------------------------------------------------------------


def package_years() -> tuple[int, int]:
    """The first and last year the installed ``chinese-calendar`` knows."""
    import chinese_calendar

    years = {d.year for d in chinese_calendar.holidays}
    return min(years), max(years)


def _package_schedule(year: int) -> Schedule:
    import chinese_calendar

    days: Schedule = {}
    for d, english in chinese_calendar.holidays.items():
        if d.year == year:
            days[d] = (DayKind.OFF.value, _PACKAGE_NAMES.get(english, english)[:NAME_MAX])
    for d, english in chinese_calendar.workdays.items():
        if d.year == year and d.weekday() >= 5:
            days[d] = (DayKind.WORK.value, _PACKAGE_NAMES.get(english, english)[:NAME_MAX])
    return days


def calendar_seed(
    *, ctx: AuditContext, first_year: int, last_year: int, overwrite: bool = False
) -> CalendarOutcome:
    """Enter the years ``first_year`` to ``last_year`` from the ``chinese-calendar`` package. Idempotent:
    a year already as the package has it is left untouched. A year entered by hand or from a CSV is
    skipped unless ``overwrite``."""
    _allowed(ctx, "policy.add_holidayday", "policy.change_holidayday", "policy.add_calendaryear")
    known_first, known_last = package_years()
    if first_year > last_year:
        raise ValidationFailed({"first_year": "起始年度不能晚于结束年度"})
    if first_year < known_first or last_year > known_last:
        raise ValidationFailed(
            {
                "last_year": f"chinese-calendar 软件包只包含 {known_first}—{known_last} 年的安排；"
                "其他年度请按国务院办公厅的通知用 CSV 导入或在后台录入"
            }
        )
    outcome = CalendarOutcome()
    with transaction.atomic():
        entered = dict(
            CalendarYear.objects.select_for_update()
            .filter(year__range=(first_year, last_year))
            .values_list("year", "source")
        )
        for year in range(first_year, last_year + 1):
            source = entered.get(year)
            if source not in (None, CalendarSource.PACKAGE) and not overwrite:
                label = CalendarSource.label_of(source or "")
                outcome.years.append(YearOutcome(year, skipped=f"已由{label}录入，未覆盖"))
                continue
            outcome.years.append(
                _replace_year(
                    ctx,
                    year,
                    _package_schedule(year),
                    source=CalendarSource.PACKAGE,
                    note="",
                    action="seed",
                )
            )
    return outcome


# --- CSV import ----------------------------------------------------------------------------------------

_KINDS = {"休": DayKind.OFF, "off": DayKind.OFF, "班": DayKind.WORK, "work": DayKind.WORK}
_HEADERS = {("date", "kind", "name"), ("日期", "类别", "节日"), ("日期", "类别", "名称")}
MAX_IMPORT_BYTES = 200_000
MAX_ERRORS_SHOWN = 20


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed({"file": "无法识别文件编码：请另存为 UTF-8 或 GB18030 编码的 CSV"})


def _parse_row(cells: list[str], year: int | None) -> tuple[date, str, str]:
    if len(cells) != 3:
        raise ValueError(f"应有 3 列（日期、类别、节日），实有 {len(cells)} 列")
    raw_date, raw_kind, name = (c.strip() for c in cells)
    try:
        d = date.fromisoformat(raw_date)
    except ValueError:
        raise ValueError(f"日期“{raw_date}”无效，格式应为 YYYY-MM-DD") from None
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise ValueError(f"日期“{raw_date}”的年度超出 {FIRST_YEAR}—{LAST_YEAR}")
    if year is not None and d.year != year:
        raise ValueError(f"日期 {raw_date} 不在所选的 {year} 年")
    kind = _KINDS.get(raw_kind.lower())
    if kind is None:
        raise ValueError(f"类别“{raw_kind}”无效，应为 休 或 班（off 或 work）")
    if kind == DayKind.WORK and d.weekday() < 5:
        raise ValueError(f"{raw_date} 是工作日（周一至周五），不需要登记为调休上班日")
    if not name:
        raise ValueError("节日名称不能为空")
    if len(name) > NAME_MAX:
        raise ValueError(f"节日名称过长（最多 {NAME_MAX} 个字）")
    return d, kind.value, name


def calendar_parse_csv(content: bytes, *, year: int | None = None) -> dict[int, Schedule]:
    """The schedule of each year the CSV covers; every row checked, ``ValidationFailed`` listing each
    bad row by its line number."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed({"file": f"文件过大（超过 {MAX_IMPORT_BYTES // 1000} KB），不像是节假日安排"})
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed({"year": f"年度应在 {FIRST_YEAR}—{LAST_YEAR} 之间"})
    text = _decode(content)
    if "\x00" in text:
        raise ValidationFailed({"file": "文件含有空字符，不是 CSV 文本"})
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip().lower() for c in rows[0]) not in _HEADERS:
        raise ValidationFailed({"file": "第 1 行应为表头：date,kind,name（或 日期,类别,节日）"})
    years: dict[int, Schedule] = {}
    first_line: dict[date, int] = {}
    errors: list[str] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        try:
            d, kind, name = _parse_row(cells, year)
        except ValueError as exc:
            errors.append(f"第 {line} 行：{exc}")
            continue
        if d in first_line:
            errors.append(f"第 {line} 行：日期 {d.isoformat()} 与第 {first_line[d]} 行重复")
            continue
        first_line[d] = line
        years.setdefault(d.year, {})[d] = (kind, name)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(f"……另有 {len(errors) - MAX_ERRORS_SHOWN} 处错误")
        raise ValidationFailed({"file": "；".join(shown)}, message="文件有误，未导入任何一行：" + shown[0])
    if not years:
        raise ValidationFailed({"file": "文件只有表头，没有数据行"})
    return years


def calendar_import(
    *, ctx: AuditContext, content: bytes, year: int | None = None, note: str = ""
) -> CalendarOutcome:
    """Import a CSV (``date,kind,name``; kind 休/班 or off/work; UTF-8 or GB18030): each year it
    covers is replaced by the file's days and marked entered (source csv). Nothing is written when any
    row is bad; importing the same file again changes nothing. ``year``: every row must lie in it."""
    _allowed(ctx, "policy.add_holidayday", "policy.change_holidayday", "policy.add_calendaryear")
    years = calendar_parse_csv(content, year=year)
    outcome = CalendarOutcome()
    with transaction.atomic():
        for y in sorted(years):
            outcome.years.append(
                _replace_year(ctx, y, years[y], source=CalendarSource.CSV, note=note[:200], action="import")
            )
    return outcome


# --- one day, one year (the admin) ----------------------------------------------------------------------


def _clean_day(day: date, kind: str, name: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    if kind not in DayKind.codes():
        errors["kind"] = "类别应为 休 或 班"
    elif kind == DayKind.WORK and day.weekday() < 5:
        errors["kind"] = "周一至周五本来就是工作日，调休上班日只能是周六或周日"
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写节日名称"
    elif len(name) > NAME_MAX:
        errors["name"] = f"节日名称最多 {NAME_MAX} 个字"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["date"] = f"年度应在 {FIRST_YEAR}—{LAST_YEAR} 之间"
    if errors:
        raise ValidationFailed(errors)
    return kind, name


def holiday_day_save(
    *, ctx: AuditContext, day: date, kind: str, name: str, pk: int | None = None
) -> HolidayDay:
    """Add a day (``pk`` None) or change one."""
    _allowed(ctx, "policy.change_holidayday" if pk else "policy.add_holidayday")
    kind, name = _clean_day(day, kind, name)
    with transaction.atomic():
        clash = HolidayDay.objects.select_for_update().filter(date=day).exclude(pk=pk or 0).first()
        if clash is not None:
            raise ValidationFailed({"date": f"{day.isoformat()} 已有安排（{clash.name}），请修改那一天"})
        if pk is None:
            row = HolidayDay.objects.create(date=day, kind=kind, name=name)
            before: dict[str, str] = {}
        else:
            row = HolidayDay.objects.select_for_update().get(pk=pk)
            before = {"date": row.date.isoformat(), "kind": row.kind, "name": row.name}
            row.date, row.kind, row.name = day, kind, name
            row.save()
        audit_record(
            ctx=ctx,
            action="update" if pk else "create",
            object_type=AuditObject.HOLIDAY_DAY,
            object_id=row.pk,
            detail={"date": day.isoformat(), "kind": kind, "name": name, "before": before},
        )
    return row


def holiday_days_delete(*, ctx: AuditContext, pks: Iterable[int]) -> int:
    """Remove days entered by mistake; one audit line each."""
    _allowed(ctx, "policy.delete_holidayday")
    with transaction.atomic():
        rows = list(HolidayDay.objects.select_for_update().filter(pk__in=list(pks)).order_by("date"))
        for row in rows:
            audit_record(
                ctx=ctx,
                action="delete",
                object_type=AuditObject.HOLIDAY_DAY,
                object_id=row.pk,
                detail={"date": row.date.isoformat(), "kind": row.kind, "name": row.name},
            )
        HolidayDay.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


def calendar_year_save(
    *, ctx: AuditContext, year: int, note: str = "", pk: int | None = None
) -> CalendarYear:
    """Mark a year's schedule as entered by hand (``pk`` None), or change its note. Marking it makes
    its days count and its deadlines final: do it once every day of the notice is in the table."""
    _allowed(ctx, "policy.change_calendaryear" if pk else "policy.add_calendaryear")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed({"year": f"年度应在 {FIRST_YEAR}—{LAST_YEAR} 之间"})
    with transaction.atomic():
        clash = CalendarYear.objects.select_for_update().filter(year=year).exclude(pk=pk or 0).first()
        if clash is not None:
            raise ValidationFailed({"year": f"{year} 年已录入"})
        if pk is None:
            row = CalendarYear.objects.create(
                year=year,
                source=CalendarSource.MANUAL,
                entered_at=timezone.now(),
                entered_by=ctx.user,
                note=note[:200],
            )
        else:
            row = CalendarYear.objects.select_for_update().get(pk=pk)
            row.year, row.note = year, note[:200]
            row.save()
        audit_record(
            ctx=ctx,
            action="update" if pk else "create",
            object_type=AuditObject.CALENDAR_YEAR,
            object_id=year,
            detail={"source": row.source, "note": row.note},
        )
    return row


def calendar_years_delete(*, ctx: AuditContext, pks: Iterable[int]) -> int:
    """Mark years as not entered (their days are kept, and ignored until the year is marked again)."""
    _allowed(ctx, "policy.delete_calendaryear")
    with transaction.atomic():
        rows = list(CalendarYear.objects.select_for_update().filter(pk__in=list(pks)).order_by("year"))
        for row in rows:
            audit_record(
                ctx=ctx,
                action="delete",
                object_type=AuditObject.CALENDAR_YEAR,
                object_id=row.year,
                detail={"source": row.source},
            )
        CalendarYear.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)
