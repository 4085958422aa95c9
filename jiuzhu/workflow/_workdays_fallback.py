"""Weekends-only stand-in for ``jiuzhu.policy.workdays`` until the calendar lands on this branch;
the same interface. To be deleted once ``policy.workdays`` and ``policy.selectors.work_calendar`` exist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool


def _paused(d: date, paused: Sequence[tuple[date, date]]) -> bool:
    return any(first <= d <= last for first, last in paused)


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[date] = frozenset()
    work_days: frozenset[date] = frozenset()
    published_through: int = 9999

    def is_working_day(self, d: date) -> bool:
        if d in self.work_days:
            return True
        return d not in self.days_off and d.weekday() < 5

    def add_working_days(self, start: date, n: int, *, paused: Sequence[tuple[date, date]] = ()) -> Deadline:
        d, counted = start, 0
        while counted < n:
            d += _DAY
            if not _paused(d, paused) and self.is_working_day(d):
                counted += 1
        return Deadline(d, d.year > self.published_through)

    def add_natural_days(self, start: date, n: int, *, paused: Sequence[tuple[date, date]] = ()) -> Deadline:
        d, counted = start, 0
        while counted < n:
            d += _DAY
            if not _paused(d, paused):
                counted += 1
        return Deadline(d, False)

    def working_days_between(self, start: date, end: date) -> int:
        n, d = 0, start
        while d < end:
            d += _DAY
            n += self.is_working_day(d)
        return n


def work_calendar() -> WorkCalendar:
    return WorkCalendar()
