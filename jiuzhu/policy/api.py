"""REST endpoint of the working-day calendar (public information: any authenticated caller)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from jiuzhu.core.vocab import CalendarSource, DayKind

from .selectors import calendar_year_view

router = Router(tags=["工作日历"])


class HolidayDayOut(Schema):
    date: date
    kind: DayKind
    name: str


class CalendarYearOut(Schema):
    year: int
    published_through: int = Field(
        description="国务院办公厅节假日安排已录入至哪一年（0 表示尚未录入）；此后的日期按双休日推算"
    )
    provisional: bool = Field(description="该年度的安排尚未录入：按双休日推算的期限为暂定")
    source: CalendarSource | None = Field(description="该年度安排的来源；未录入时为空")
    days: list[HolidayDayOut] = Field(description="该年度的法定节假日（休）与调休上班日（班），按日期排列")


@router.get("/calendar/{year}", response=CalendarYearOut, summary="某一年度的工作日历（节假日与调休安排）")
def calendar_year(request: HttpRequest, year: int = Path(..., ge=1949, le=2200)) -> CalendarYearOut:
    view = calendar_year_view(year)
    return CalendarYearOut(
        year=view.year,
        published_through=view.published_through,
        provisional=view.provisional,
        source=CalendarSource(view.entered.source) if view.entered else None,
        days=[HolidayDayOut(date=h.date, kind=DayKind(h.kind), name=h.name) for h in view.days],
    )
