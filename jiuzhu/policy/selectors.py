"""Which policy is in force for a region on a date."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from jiuzhu.core.errors import NotFound
from jiuzhu.regions.codes import ancestor_codes

from .models import PolicyVersion


def policy_in_force(*, region_code: str, on: date) -> PolicyVersion:
    """The version of the nearest region up the tree (the region itself first) whose period covers ``on``."""
    chain = [region_code, *ancestor_codes(region_code)]
    candidates = list(
        PolicyVersion.objects.filter(region_id__in=chain, effective_from__lte=on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on)
        )
    )
    for code in chain:
        for version in sorted(candidates, key=lambda v: v.effective_from, reverse=True):
            if version.region_id == code:
                return version
    raise NotFound(f"区划 {region_code} 在 {on.isoformat()} 没有生效的政策参数，请管理员先在后台录入")
