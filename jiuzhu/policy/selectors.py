"""Which policy is in force for a region on a date."""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, models

from jiuzhu.batch.rawrows import RowLoader, fetch_together
from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import DayKind
from jiuzhu.regions.codes import ancestor_codes

from .models import CalendarYear, HolidayDay, PolicyVersion
from .workdays import WorkCalendar

_VERSION = RowLoader(PolicyVersion, "v")


def policy_in_force_query(*, region_code: str, on: date) -> tuple[str, list[Any]]:
    """The SQL of ``policy_in_force``, for a caller that sends it with other reads in one round trip.
    In SQL, because compiling the ORM form over the model's 32 columns cost more than the query itself
    (2.2 of 5.4 ms). See docs/decisions.md."""
    chain = [region_code, *ancestor_codes(region_code)]
    codes = ", ".join(["%s"] * len(chain))
    sql = (
        f"SELECT {_VERSION.columns} FROM {PolicyVersion._meta.db_table} v WHERE v.region_id IN ({codes})"
        " AND v.effective_from <= %s AND (v.effective_to IS NULL OR v.effective_to >= %s)"
    )
    return sql, [*chain, on, on]


def policy_in_force_from(rows: list[tuple[Any, ...]], *, region_code: str, on: date) -> PolicyVersion:
    """The version of the nearest region up the tree (the region itself first) whose period covers ``on``,
    among the rows of ``policy_in_force_query``."""
    candidates = sorted((_VERSION.load(row) for row in rows), key=lambda v: v.effective_from, reverse=True)
    for code in [region_code, *ancestor_codes(region_code)]:
        for version in candidates:
            if version.region_id == code:
                return version
    raise NotFound(f"区划 {region_code} 在 {on.isoformat()} 没有生效的政策参数，请管理员先在后台录入")


def policy_in_force(*, region_code: str, on: date) -> PolicyVersion:
    """The version of the nearest region up the tree (the region itself first) whose period covers ``on``."""
    [rows] = fetch_together([policy_in_force_query(region_code=region_code, on=on)])
    return policy_in_force_from(rows, region_code=region_code, on=on)


# --- the working-day calendar (工作日历) ------------------------------------------------------------


def published_through(years: Iterable[int]) -> int:
    """The last year whose official schedule counts as entered: the end of the unbroken run of entered
    years that starts at the first one (0 when none is entered). A year entered beyond a gap (2028
    typed in before 2027) does not carry 2027 with it: 2027 is still counted on weekends alone."""
    entered = set(years)
    if not entered:
        return 0
    year = min(entered)
    while year + 1 in entered:
        year += 1
    return year


def _calendar_reads() -> list[tuple[str, list[Any]]]:
    qn = connection.ops.quote_name
    days, years = HolidayDay._meta, CalendarYear._meta
    return [
        (f"SELECT {qn('year')} FROM {qn(years.db_table)}", []),
        (f"SELECT {qn('date')}, {qn('kind')} FROM {qn(days.db_table)}", []),
    ]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def work_calendar() -> WorkCalendar:
    """The national working-day calendar as the table holds it now. Two small reads, sent in one round
    trip on PostgreSQL (some 40 rows a year); an empty table gives weekends only, everything
    provisional. Build it once per request and reuse it for every deadline on the page."""
    year_rows, day_rows = fetch_together(_calendar_reads())
    off: set[date] = set()
    work: set[date] = set()
    for value, kind in day_rows:
        (work if kind == DayKind.WORK else off).add(_as_date(value))
    return WorkCalendar(
        days_off=frozenset(off),
        work_days=frozenset(work),
        published_through=published_through(int(y) for (y,) in year_rows),
    )


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    weekend: bool
    working: bool
    kind: str  # DayKind code, "" for an ordinary day
    name: str


@dataclass(frozen=True)
class CalendarMonth:
    month: int
    weeks: list[list[CalendarDay]]


@dataclass(frozen=True)
class CalendarYearView:
    year: int
    published_through: int
    entered: CalendarYear | None
    months: list[CalendarMonth]
    days: list[HolidayDay]  # the table's days of the year, in date order

    @property
    def provisional(self) -> bool:
        return self.year > self.published_through


def calendar_year_view(year: int) -> CalendarYearView:
    """The year's month grids (weeks from Monday), each day marked as the deadlines count it."""
    if not 1949 <= year <= 2200:
        raise NotFound("没有该年度的日历")
    cal = work_calendar()
    rows = list(HolidayDay.objects.filter(date__year=year).order_by("date"))
    entered = CalendarYear.objects.select_related("entered_by").filter(year=year).first()
    by_date = {h.date: h for h in rows}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for d in week:
                h = by_date.get(d) if d.month == month else None
                cells.append(
                    CalendarDay(
                        day=d,
                        in_month=d.month == month,
                        weekend=d.weekday() >= 5,
                        working=cal.is_working_day(d),
                        kind=h.kind if h else "",
                        name=h.name if h else "",
                    )
                )
            weeks.append(cells)
        months.append(CalendarMonth(month, weeks))
    return CalendarYearView(year, cal.published_through, entered, months, rows)


def policy_version_users(version: PolicyVersion) -> list[str]:
    """What records ``version`` as the policy it applied: the names of the kinds of rows (a report, a
    case pinned to it, a decision …) that hold it through a protected foreign key. Found through the
    model's reverse relations, hidden ones included, so that the policy layer names none of the apps
    above it (docs/decisions.md). Empty when nothing does and the version may still be changed."""
    used = []
    for rel in PolicyVersion._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if getattr(rel, "on_delete", None) is not models.PROTECT:
            continue
        model = rel.related_model
        if model._default_manager.filter(**{rel.field.name: version.pk}).exists():  # type: ignore[union-attr]
            used.append(str(model._meta.verbose_name))  # type: ignore[union-attr]
    return used
