"""Reads of the region tree. Regions are reference data: any signed-in user may read names and
codes, but listings are scoped to the caller's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable

from .codes import ancestor_codes
from .models import Region


def region_ancestors(region: Region) -> list[Region]:
    """Root first, the region itself last; one query."""
    codes = ancestor_codes(region.code)
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    chain = [found[c] for c in reversed(codes) if c in found]
    return [*chain, region]


def region_full_name(region: Region, *, below: Region | None = None) -> str:
    """Names from below ``below`` down to ``region`` (the part a user inside ``below`` needs)."""
    chain = region_ancestors(region)
    if below is not None:
        chain = [r for r in chain if r.level > below.level]
    return "".join(r.name for r in chain)


def region_children(*, jurisdiction: Region, parent: Region | None = None) -> Iterable[Region]:
    parent = parent or jurisdiction
    if not jurisdiction.contains(parent.code):
        return Region.objects.none()
    return Region.objects.filter(parent=parent).order_by("code")


def region_search(*, jurisdiction: Region, query: str = "", limit: int = 50) -> list[Region]:
    qs = Region.objects.subtree(jurisdiction.code)
    if query:
        qs = qs.filter(code__startswith=query) if query.isdigit() else qs.filter(name__contains=query)
    return list(qs.order_by("code")[:limit])
