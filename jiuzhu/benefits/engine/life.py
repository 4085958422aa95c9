"""Dates in the life of an entitlement (rules §1.11): when its next review falls, when a review case
opens, and the last month of a 渐退期.

- The review interval is the policy's months of the review class; an urban household of class C is
  reviewed every ``c_urban_months`` where the region sets it (咸阳: quarterly in town, every six months
  in the country), else like any C household.
- ``next_review_after`` adds the interval to the day of the decision or review, keeping the day of the
  month, or the month's last day where the target month is shorter (31 August + 6 → 29 February 2028).
- A review case opens ``days_before`` natural days before the review date, or any day after it.
- 渐退期: the allowance is paid for the month in which the member found work and ``taper_months``
  more; the last month paid is returned (the first day of that month, as ``Entitlement.valid_until``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from jiuzhu.core.vocab import ReviewClass

from .review import add_months


def review_interval(
    *, review_class: ReviewClass | str, months: Mapping[str, int], urban: bool, c_urban_months: int = 0
) -> int:
    """The months between two reviews of a household of ``review_class``."""
    code = str(review_class)
    if code not in months:
        raise ValueError(f"政策未设置{ReviewClass.label_of(code)}的复核间隔")
    interval = months[code]
    if code == ReviewClass.C and urban and c_urban_months:
        interval = c_urban_months
    if interval < 1:
        raise ValueError(f"{ReviewClass.label_of(code)}的复核间隔须至少 1 个月，现为 {interval}")
    return interval


def next_review_after(
    *,
    on: date,
    review_class: ReviewClass | str,
    months: Mapping[str, int],
    urban: bool,
    c_urban_months: int = 0,
) -> date:
    """The date of the review after one made (or a decision taken) ``on``."""
    interval = review_interval(
        review_class=review_class, months=months, urban=urban, c_urban_months=c_urban_months
    )
    return add_months(on, interval)


def review_opens_on(*, next_review_on: date, days_before: int) -> date:
    """The first day a review case may be opened for a review due ``next_review_on``."""
    return next_review_on - timedelta(days=days_before)


def review_due(*, next_review_on: date, today: date, days_before: int) -> bool:
    """Whether the review case should be open by ``today``."""
    return today >= review_opens_on(next_review_on=next_review_on, days_before=days_before)


def taper_last_month(*, found_work_on: date, taper_months: int) -> date:
    """The last month paid in the 渐退期 of a member who found work on ``found_work_on``."""
    if taper_months < 0:
        raise ValueError("渐退期月数不能为负数")
    return add_months(found_work_on.replace(day=1), taper_months)
