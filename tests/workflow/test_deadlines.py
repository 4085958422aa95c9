"""Deadlines on the working-day calendar, with hand-counted dates (March 2025: the 3rd is a Monday)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from jiuzhu.workflow import deadlines

CAL = deadlines.WorkCalendar(days_off=frozenset(), work_days=frozenset(), published_through=2025)
POLICY = SimpleNamespace(review_days=5, case_limit_days=15, case_limit_extended_days=25, public_notice_days=7)
MON = date(2025, 3, 3)


def _step(**kw):
    base = {"limit_setting": "", "limit_days": None, "limit_kind": "working"}
    return SimpleNamespace(**(base | kw))


def test_step_limits_from_the_policy_or_the_step() -> None:
    assert deadlines.step_limit(_step(limit_setting="review_days"), POLICY) == 5
    assert deadlines.step_limit(_step(limit_days=3), POLICY) == 3
    assert deadlines.step_limit(_step(), POLICY) is None
    assert deadlines.step_deadline(_step(), POLICY, MON, CAL) is None


def test_working_and_natural_days() -> None:
    # Tue 4, Wed 5, Thu 6, Fri 7, Mon 10.
    assert deadlines.step_deadline(_step(limit_setting="review_days"), POLICY, MON, CAL).due == date(
        2025, 3, 10
    )
    notice = _step(limit_setting="public_notice_days", limit_kind="natural")
    assert deadlines.step_deadline(notice, POLICY, MON, CAL).due == date(2025, 3, 10)
    # A holiday on Wednesday the 5th pushes the fifth working day to Tuesday the 11th.
    holiday = deadlines.WorkCalendar(
        days_off=frozenset({date(2025, 3, 5)}), work_days=frozenset(), published_through=2025
    )
    assert deadlines.step_deadline(_step(limit_days=5), POLICY, MON, holiday).due == date(2025, 3, 11)
    # The natural-day notice ignores it.
    assert deadlines.step_deadline(notice, POLICY, MON, holiday).due == date(2025, 3, 10)


def test_the_whole_case_limit_extended_and_paused() -> None:
    # 15 working days from Monday 3 March: 4–7 (4), 10–14 (9), 17–21 (14), 24 (15).
    due = deadlines.case_deadline(accepted_on=MON, policy=POLICY, extended=False, paused=[], cal=CAL)
    assert (due.due, due.provisional) == (date(2025, 3, 24), False)
    # 25: 25–28 (19), 31 (20), 1–4 April (24), 7 April (25).
    extended = deadlines.case_deadline(accepted_on=MON, policy=POLICY, extended=True, paused=[], cal=CAL)
    assert extended.due == date(2025, 4, 7)
    # Paused 10–14 March (five working days): the 15th working day moves a week, to 31 March.
    paused = [(date(2025, 3, 10), date(2025, 3, 14))]
    assert deadlines.case_deadline(
        accepted_on=MON, policy=POLICY, extended=False, paused=paused, cal=CAL
    ).due == date(2025, 3, 31)


def test_a_deadline_past_the_published_schedule_is_provisional() -> None:
    cal = deadlines.WorkCalendar(days_off=frozenset(), work_days=frozenset(), published_through=2024)
    # From Friday 20 December 2024, ten working days: 23–27 (5), 30, 31 (7), 1–3 January 2025 (10).
    due = deadlines.step_deadline(_step(limit_days=10), POLICY, date(2024, 12, 20), cal)
    assert (due.due, due.provisional) == (date(2025, 1, 3), True)


def test_lights() -> None:
    assert deadlines.light(date(2025, 3, 2), MON, 3, CAL) == "red"
    assert deadlines.light(MON, MON, 3, CAL) == "yellow"  # due today: no working day left
    assert deadlines.light(date(2025, 3, 6), MON, 3, CAL) == "yellow"  # Tue, Wed, Thu: 3 left
    assert deadlines.light(date(2025, 3, 7), MON, 3, CAL) == "green"  # 4 left
    assert deadlines.light(None, MON, 3, CAL) == "green"
    assert deadlines.working_days_left(date(2025, 2, 28), MON, CAL) == -1  # Friday: one working day late
    assert deadlines.working_days_left(date(2025, 3, 10), MON, CAL) == 5
