"""Jurisdiction scoping: the one place that turns a user into a region-code range.

Every selector that returns registry data passes its queryset through ``scoped``; every fetch of one
object by id goes through ``get_in_jurisdiction`` (the single gate: unknown and outside-the-subtree
are the same ``NotFound`` with the same message). A user with no region sees nothing; only a
superuser without a region sees everything.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.regions.codes import is_within, subtree_bounds
from jiuzhu.regions.refusals import refusal_note

M = TypeVar("M", bound=Model)


def jurisdiction_bounds(user: Any) -> tuple[str, str] | None:
    """(low, high) codes of the user's subtree; None for an unrestricted superuser."""
    region_id = getattr(user, "region_id", None)
    if region_id:
        return subtree_bounds(region_id)
    if getattr(user, "is_superuser", False):
        return None
    return ("", "")  # an empty range: matches nothing


def scoped(qs: QuerySet[M], user: Any, field: str) -> QuerySet[M]:
    bounds = jurisdiction_bounds(user)
    if bounds is None:
        return qs
    if bounds == ("", ""):
        return qs.none()
    return qs.filter(**{f"{field}__range": bounds})


def in_jurisdiction(user: Any, code: str | None) -> bool:
    bounds = jurisdiction_bounds(user)
    if bounds is None:
        return True
    if not code or bounds == ("", ""):
        return False
    return is_within(code, user.region_id)


def require_jurisdiction(user: Any, code: str | None) -> None:
    """For an object already read by other means (raw SQL): outside the subtree is ``NotFound``."""
    if not in_jurisdiction(user, code):
        raise NotFound()  # one answer for "no such object" and "not yours"


def get_in_jurisdiction(queryset: QuerySet[M], *, user: Any, pk: Any, region_field: str) -> M:
    """The one jurisdiction gate for a fetch by id: the object whose ``region_field`` (the lookup of a
    region code, e.g. ``region__code``, ``residence_region__code``, ``region_code``) lies in the
    caller's subtree, or
    ``NotFound`` with one message whether it does not exist or lies elsewhere. The scope is part of
    the query, so nothing of an object outside the subtree is read. Pass ``select_for_update()``,
    ``select_related()`` … on the queryset."""
    obj = scoped(queryset, user, region_field).filter(pk=pk).first()
    if obj is None:
        # Announced so that the audit log records the refused attempt (the audit app sits above).
        refusal_note(queryset, user=user, pk=pk)
        raise NotFound()  # one answer for "no such object" and "not yours"
    return obj
