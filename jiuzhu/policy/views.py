"""The working-day calendar page: public information, readable by every signed-in user."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from jiuzhu.core.choices import label
from jiuzhu.core.vocab import CalendarSource
from jiuzhu.core.web import web_view

from .selectors import calendar_year_view

WEEKDAYS = [
    pgettext_lazy("星期", "一"),
    pgettext_lazy("星期", "二"),
    pgettext_lazy("星期", "三"),
    pgettext_lazy("星期", "四"),
    pgettext_lazy("星期", "五"),
    pgettext_lazy("星期", "六"),
    pgettext_lazy("星期", "日"),
]


@web_view()
def calendar(request: HttpRequest, year: int | None = None) -> HttpResponse:
    shown = calendar_year_view(year if year is not None else timezone.localdate().year)
    source = label(shown.entered.source, CalendarSource) if shown.entered else ""
    return render(request, "policy/calendar.html", {"cal": shown, "source": source, "weekdays": WEEKDAYS})
