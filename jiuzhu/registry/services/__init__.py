"""Every write to the registry. Each function is one transaction that also records the change in
the household file's history and appends an audit line."""

from .categories import category_tag, category_untag
from .households import household_change_head, household_create, household_update, member_join, member_leave
from .persons import person_create, person_update

__all__ = [
    "category_tag",
    "category_untag",
    "household_change_head",
    "household_create",
    "household_update",
    "member_join",
    "member_leave",
    "person_create",
    "person_update",
]
