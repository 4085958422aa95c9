"""Working days on the national calendar (工作日历): statutory time limits are counted in working days,
the public notice in natural days (rules §1).

A working day is a Monday to Friday that is not a statutory holiday (休), or a Saturday or Sunday that
the State Council's schedule makes a working day (调休 班). The schedule of a year is published each
November for the next year, so the calendar knows it only up to ``published_through``: a day of a
later year is counted on weekends alone, and a deadline that reaches such a day is provisional, to be
recomputed once the schedule is entered. The table entries of a later year are ignored until its
schedule is marked as entered, so a half-typed year never gives a deadline that looks final.

Pure: the standard library only. The database side (``policy.selectors.work_calendar``) builds the
``WorkCalendar`` from the holiday table.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # True when any day counted lies after the last year whose schedule is entered


def _weekdays_through(d: date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) through ``d``."""
    o = d.toordinal()
    return 5 * (o // 7) + min(o % 7, 5)


def _merged(paused: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    """The paused intervals (first, last; inclusive), sorted and merged; an interval whose last day is
    before its first is refused."""
    out: list[tuple[date, date]] = []
    for first, last in sorted(paused):
        if last < first:
            raise ValueError(f"暂停区间的结束日期早于开始日期：{first.isoformat()} 至 {last.isoformat()}")
        if out and first <= out[-1][1] + _DAY:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


class _Days:
    """Walks the days after ``start`` one by one, jumping over paused intervals."""

    def __init__(self, start: date, paused: Sequence[tuple[date, date]]) -> None:
        self.day = start
        self.paused = [p for p in _merged(paused) if p[1] > start]
        self.i = 0

    def next(self) -> date:
        self.day += _DAY
        while self.i < len(self.paused) and self.paused[self.i][1] < self.day:
            self.i += 1
        if self.i < len(self.paused) and self.paused[self.i][0] <= self.day:
            self.day = self.paused[self.i][1] + _DAY
            self.i += 1
        return self.day


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[date]  # statutory holidays (休): not working days even on a weekday
    work_days: frozenset[date]  # adjusted working days (调休 班): weekend dates that are working days
    published_through: int  # last year whose official schedule has been entered (0 if none)

    @cached_property
    def _weekday_off(self) -> list[date]:
        """Holidays that fall on a Monday to Friday, in years whose schedule is entered, sorted."""
        return sorted(
            d for d in self.days_off - self.work_days if d.weekday() < 5 and d.year <= self.published_through
        )

    @cached_property
    def _weekend_work(self) -> list[date]:
        """Saturdays and Sundays worked, in years whose schedule is entered, sorted."""
        return sorted(d for d in self.work_days if d.weekday() >= 5 and d.year <= self.published_through)

    def is_working_day(self, d: date) -> bool:
        if d.year <= self.published_through:
            if d in self.work_days:
                return True
            if d in self.days_off:
                return False
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int, *, paused: Sequence[tuple[date, date]] = ()) -> Deadline:
        """The ``n``-th working day after the event date ``start`` (day 1 is the first working day after
        it), not counting the days inside any paused interval (first, last; inclusive)."""
        if n < 0:
            raise ValueError("工作日数不能为负数")
        if n == 0:
            return Deadline(start, False)
        days = _Days(start, paused)
        counted = 0
        while True:
            d = days.next()
            if self.is_working_day(d):
                counted += 1
                if counted == n:
                    return Deadline(d, d.year > self.published_through)

    def add_natural_days(self, start: date, n: int, *, paused: Sequence[tuple[date, date]] = ()) -> Deadline:
        """The ``n``-th calendar day after ``start``, not counting paused days (the public notice runs
        in natural days, whatever the holidays). Never provisional."""
        if n < 0:
            raise ValueError("自然日数不能为负数")
        days = _Days(start, paused)
        d = start
        for _ in range(n):
            d = days.next()
        return Deadline(d, False)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; 0 when ``end <= start``. In constant time plus
        two binary searches, for queue pages that show "working days left" on many cases."""
        if end <= start:
            return 0
        weekdays = _weekdays_through(end) - _weekdays_through(start)
        off = bisect.bisect_right(self._weekday_off, end) - bisect.bisect_right(self._weekday_off, start)
        extra = bisect.bisect_right(self._weekend_work, end) - bisect.bisect_right(self._weekend_work, start)
        return weekdays - off + extra
