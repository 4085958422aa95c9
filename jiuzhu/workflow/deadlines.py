"""Deadlines of a case, on the working-day calendar (``jiuzhu.policy.workdays``).

A step's limit is the PolicyVersion field its ``limit_setting`` names (read from the case's policy),
else its ``limit_days``; counted in working or natural days (``limit_kind``) from the day the case
entered the step. The whole case has ``case_limit_days`` working days (``case_limit_extended_days``
once extended) from the acceptance date, not counting the days the clock was paused (the intervals in
``Case.pauses``: from the day a pausing step is entered to the day before it is left). A deadline is
provisional when it reaches past the last year whose official schedule has been entered.

Lights on the queues: red when the step's due date has passed; yellow when no more working days are
left than the policy's ``overdue_warning_days``; green otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from jiuzhu.core.vocab import DeadlineKind
from jiuzhu.policy.selectors import work_calendar
from jiuzhu.policy.workdays import Deadline, WorkCalendar

__all__ = [
    "Deadline",
    "WorkCalendar",
    "case_deadline",
    "light",
    "pauses_of",
    "step_deadline",
    "step_limit",
    "work_calendar",
]

RED, YELLOW, GREEN = "red", "yellow", "green"
LIGHT_LABELS = {RED: "已超期", YELLOW: "临期", GREEN: "正常"}


def step_limit(step: Any, policy: Any) -> int | None:
    """The days a step may take under ``policy``; None for a step without a limit (end steps)."""
    if step.limit_setting:
        return int(getattr(policy, step.limit_setting))
    return int(step.limit_days) if step.limit_days else None


def step_deadline(step: Any, policy: Any, entered_on: date, cal: WorkCalendar) -> Deadline | None:
    days = step_limit(step, policy)
    if days is None:
        return None
    if step.limit_kind == DeadlineKind.NATURAL:
        return cal.add_natural_days(entered_on, days)
    return cal.add_working_days(entered_on, days)


def pauses_of(case: Any) -> list[tuple[date, date]]:
    """The closed pause intervals of a case as dates."""
    return [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in case.pauses or []]


def case_deadline(
    *, accepted_on: date, policy: Any, extended: bool, paused: Sequence[tuple[date, date]], cal: WorkCalendar
) -> Deadline:
    days = policy.case_limit_extended_days if extended else policy.case_limit_days
    return cal.add_working_days(accepted_on, int(days), paused=paused)


def working_days_left(due: date | None, today: date, cal: WorkCalendar) -> int | None:
    """Working days from today to the due date (negative: working days overdue)."""
    if due is None:
        return None
    if due >= today:
        return int(cal.working_days_between(today, due))
    return -int(cal.working_days_between(due, today))


def light(due: date | None, today: date, warning_days: int, cal: WorkCalendar) -> str:
    if due is None:
        return GREEN
    if due < today:
        return RED
    left = working_days_left(due, today, cal)
    return YELLOW if left is not None and left <= warning_days else GREEN
