"""Working-day arithmetic (``jiuzhu.policy.workdays``). Every expected date is worked out by hand from
the State Council's published schedules (国办发明电〔2024〕12号 for 2025, 国办发明电〔2025〕7号 for
2026), written out below as literal dates; the 2027 New Year is a schedule typed in by hand, as an
administrator would once it is published."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.policy.workdays import Deadline, WorkCalendar


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


# 2025 国庆节、中秋节: 10-01 (Wed) to 10-08 (Wed) off; 09-28 (Sun) and 10-11 (Sat) worked.
# 2026 春节: 02-15 (Sun) to 02-23 (Mon) off; 02-14 (Sat) and 02-28 (Sat) worked.
OFF_2025 = _span(date(2025, 10, 1), date(2025, 10, 8))
WORK_2025 = {date(2025, 9, 28), date(2025, 10, 11)}
OFF_2026 = _span(date(2026, 2, 15), date(2026, 2, 23))
WORK_2026 = {date(2026, 2, 14), date(2026, 2, 28)}
# 2027 元旦 as typed in by hand: 01-01 (Fri) to 01-03 (Sun) off.
OFF_2027 = _span(date(2027, 1, 1), date(2027, 1, 3))

CAL = WorkCalendar(
    days_off=frozenset(OFF_2025 | OFF_2026),
    work_days=frozenset(WORK_2025 | WORK_2026),
    published_through=2026,
)
EMPTY = WorkCalendar(days_off=frozenset(), work_days=frozenset(), published_through=0)


def test_a_day_is_working_as_the_schedule_says() -> None:
    assert CAL.is_working_day(date(2025, 9, 28))  # a Sunday worked
    assert CAL.is_working_day(date(2025, 10, 11))  # a Saturday worked
    assert not CAL.is_working_day(date(2025, 10, 1))  # a Wednesday off
    assert not CAL.is_working_day(date(2025, 10, 12))  # an ordinary Sunday
    assert CAL.is_working_day(date(2025, 10, 9))  # an ordinary Thursday
    assert not EMPTY.is_working_day(date(2025, 10, 11))
    assert EMPTY.is_working_day(date(2025, 10, 1))


def test_across_national_day_with_adjusted_weekend_days() -> None:
    start = date(2025, 9, 26)  # Friday
    # 09-28 Sun (1), 09-29 (2), 09-30 (3), 10-01..08 off, 10-09 (4), 10-10 (5), 10-11 Sat (6), 10-13 (7)
    assert CAL.add_working_days(start, 1) == Deadline(date(2025, 9, 28), False)
    assert CAL.add_working_days(start, 3) == Deadline(date(2025, 9, 30), False)
    assert CAL.add_working_days(start, 4) == Deadline(date(2025, 10, 9), False)
    assert CAL.add_working_days(start, 5) == Deadline(date(2025, 10, 10), False)
    assert CAL.add_working_days(start, 6) == Deadline(date(2025, 10, 11), False)
    assert CAL.add_working_days(start, 7) == Deadline(date(2025, 10, 13), False)
    assert CAL.working_days_between(start, date(2025, 10, 13)) == 7
    assert CAL.working_days_between(start, date(2025, 10, 8)) == 3
    # The same on weekends alone: 09-29 (1) … 10-03 (5), 10-06 (6), 10-07 (7).
    assert EMPTY.add_working_days(start, 7) == Deadline(date(2025, 10, 7), True)


def test_across_spring_festival_2026() -> None:
    start = date(2026, 2, 12)  # Thursday
    # 02-13 (1), 02-14 Sat (2), 02-15..23 off, 02-24 (3), 02-25 (4), 02-26 (5), 02-27 (6), 02-28 Sat (7),
    # 03-02 Mon (8)
    assert CAL.add_working_days(start, 2) == Deadline(date(2026, 2, 14), False)
    assert CAL.add_working_days(start, 3) == Deadline(date(2026, 2, 24), False)
    assert CAL.add_working_days(start, 5) == Deadline(date(2026, 2, 26), False)
    assert CAL.add_working_days(start, 8) == Deadline(date(2026, 3, 2), False)
    assert CAL.working_days_between(start, date(2026, 3, 2)) == 8
    assert CAL.working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0
    # A 15-working-day limit from 02-10 (Tue): 02-11 (1), 02-12 (2), 02-13 (3), 02-14 (4), 02-24 (5)
    # … 02-28 (9), 03-02 (10) … 03-06 (14), 03-09 (15).
    assert CAL.add_working_days(date(2026, 2, 10), 15) == Deadline(date(2026, 3, 9), False)


def test_into_a_year_whose_schedule_is_not_entered_is_weekends_only_and_provisional() -> None:
    start = date(2026, 12, 24)  # Thursday
    # 12-25 (1), 12-28 (2), 12-29 (3), 12-30 (4), 12-31 (5), 2027-01-01 Fri (6), 01-04 (7), 01-05 (8),
    # 01-06 (9), 01-07 (10)
    assert CAL.add_working_days(start, 5) == Deadline(date(2026, 12, 31), False)
    assert CAL.add_working_days(start, 6) == Deadline(date(2027, 1, 1), True)
    assert CAL.add_working_days(start, 10) == Deadline(date(2027, 1, 7), True)
    # Days of 2027 typed in, the year not yet marked entered: still ignored.
    typed = WorkCalendar(CAL.days_off | OFF_2027, CAL.work_days, published_through=2026)
    assert not typed.is_working_day(date(2027, 1, 2))
    assert typed.is_working_day(date(2027, 1, 1))
    assert typed.add_working_days(start, 10) == Deadline(date(2027, 1, 7), True)
    assert typed.working_days_between(start, date(2027, 1, 7)) == 10


def test_the_same_deadline_once_the_next_year_is_entered_by_hand() -> None:
    entered = WorkCalendar(CAL.days_off | OFF_2027, CAL.work_days, published_through=2027)
    start = date(2026, 12, 24)
    # 12-25 (1) … 12-31 (5), 2027-01-01..03 off, 01-04 (6), 01-05 (7), 01-06 (8), 01-07 (9), 01-08 (10)
    assert entered.add_working_days(start, 6) == Deadline(date(2027, 1, 4), False)
    assert entered.add_working_days(start, 10) == Deadline(date(2027, 1, 8), False)
    assert entered.working_days_between(start, date(2027, 1, 8)) == 10
    assert not entered.is_working_day(date(2027, 1, 1))


def test_paused_days_do_not_count() -> None:
    start = date(2025, 9, 26)
    # 09-29 and 09-30 paused: 09-28 (1), 10-09 (2), 10-10 (3), 10-11 Sat (4), 10-13 (5)
    paused = [(date(2025, 9, 29), date(2025, 9, 30))]
    assert CAL.add_working_days(start, 5, paused=paused) == Deadline(date(2025, 10, 13), False)
    # A pause that began before the event: 09-27 and 09-28 paused: 09-29 (1), 09-30 (2), 10-09 (3),
    # 10-10 (4), 10-11 (5)
    before = [(date(2025, 9, 20), date(2025, 9, 28))]
    assert CAL.add_working_days(start, 5, paused=before) == Deadline(date(2025, 10, 11), False)
    # Two overlapping pauses, out of order, covering 10-09 to 10-13: 09-28 (1), 09-29 (2), 09-30 (3),
    # 10-14 (4), 10-15 (5)
    overlapping = [(date(2025, 10, 11), date(2025, 10, 13)), (date(2025, 10, 9), date(2025, 10, 12))]
    assert CAL.add_working_days(start, 5, paused=overlapping) == Deadline(date(2025, 10, 15), False)
    # Two adjacent pauses act as one: 10-09 to 10-10 and 10-11 to 10-11.
    adjacent = [(date(2025, 10, 9), date(2025, 10, 10)), (date(2025, 10, 11), date(2025, 10, 11))]
    assert CAL.add_working_days(start, 4, paused=adjacent) == Deadline(date(2025, 10, 13), False)
    with pytest.raises(ValueError):
        CAL.add_working_days(start, 1, paused=[(date(2025, 10, 2), date(2025, 10, 1))])


def test_zero_days_is_the_event_date() -> None:
    assert CAL.add_working_days(date(2025, 10, 1), 0) == Deadline(date(2025, 10, 1), False)
    assert CAL.add_natural_days(date(2025, 10, 1), 0) == Deadline(date(2025, 10, 1), False)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2025, 10, 1), -1)


def test_natural_days_ignore_holidays_but_not_pauses() -> None:
    # A 7-day public notice posted 09-30: 10-01 (1) … 10-07 (7), holidays counted.
    assert CAL.add_natural_days(date(2025, 9, 30), 7) == Deadline(date(2025, 10, 7), False)
    # Paused 10-01 to 10-03: 10-04 (1) … 10-10 (7).
    paused = [(date(2025, 10, 1), date(2025, 10, 3))]
    assert CAL.add_natural_days(date(2025, 9, 30), 7, paused=paused) == Deadline(date(2025, 10, 10), False)
    # Never provisional, even in an unknown year.
    assert EMPTY.add_natural_days(date(2030, 1, 1), 7) == Deadline(date(2030, 1, 8), False)


def test_working_days_between_an_empty_or_reversed_range_is_zero() -> None:
    d = date(2025, 10, 9)
    assert CAL.working_days_between(d, d) == 0
    assert CAL.working_days_between(d, d - timedelta(days=5)) == 0
    assert CAL.working_days_between(date(2025, 10, 10), date(2025, 10, 11)) == 1  # the Saturday worked


# --- properties ---------------------------------------------------------------------------------------

_days = st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 30))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Any calendar: holidays on any day, worked days on weekends, any year entered up to 2027."""
    off = draw(st.frozensets(_days, max_size=60))
    work = draw(st.frozensets(_days.filter(lambda d: d.weekday() >= 5), max_size=20))
    return WorkCalendar(off - work, work, draw(st.sampled_from([0, 2024, 2025, 2026, 2027])))


_pauses = st.lists(st.tuples(_days, st.integers(0, 40)), max_size=3).map(
    lambda ps: [(d, d + timedelta(days=k)) for d, k in ps]
)


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), start=_days, n=st.integers(1, 80))
def test_deadline_properties(cal: WorkCalendar, start: date, n: int) -> None:
    deadline = cal.add_working_days(start, n)
    assert deadline.due > start
    assert cal.is_working_day(deadline.due)
    assert deadline.provisional == (deadline.due.year > cal.published_through)
    assert cal.working_days_between(start, deadline.due) == n
    assert cal.working_days_between(start, deadline.due - timedelta(days=1)) == n - 1
    assert cal.add_working_days(start, n + 1).due > deadline.due


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), start=_days, n=st.integers(1, 60), paused=_pauses)
def test_paused_deadline_properties(
    cal: WorkCalendar, start: date, n: int, paused: list[tuple[date, date]]
) -> None:
    plain = cal.add_working_days(start, n)
    held = cal.add_working_days(start, n, paused=paused)
    assert held.due >= plain.due
    assert cal.is_working_day(held.due)
    assert not any(first <= held.due <= last for first, last in paused)
    # The working days up to the deadline, less those inside a pause, are n.
    after = start + timedelta(days=1)
    in_pause = {d for first, last in paused for d in _span(max(first, after), last) if d <= held.due}
    counted = cal.working_days_between(start, held.due) - sum(1 for d in in_pause if cal.is_working_day(d))
    assert counted == n
    natural = cal.add_natural_days(start, n, paused=paused)
    assert not any(first <= natural.due <= last for first, last in paused)
    paused_days = {d for first, last in paused for d in _span(first, last) if start < d <= natural.due}
    assert (natural.due - start).days - len(paused_days) == n


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), start=_days, end=_days)
def test_working_days_between_counts_day_by_day(cal: WorkCalendar, start: date, end: date) -> None:
    days = (end - start).days
    expected = sum(1 for i in range(1, days + 1) if cal.is_working_day(start + timedelta(days=i)))
    assert cal.working_days_between(start, end) == expected


@settings(max_examples=100, deadline=None)
@given(cal=calendars(), start=_days, n=st.integers(0, 400))
def test_natural_days_without_pause_are_plain_addition(cal: WorkCalendar, start: date, n: int) -> None:
    assert cal.add_natural_days(start, n) == Deadline(start + timedelta(days=n), False)
