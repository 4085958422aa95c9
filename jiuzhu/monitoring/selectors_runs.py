"""Reads of monitoring runs. A run belongs to a county: its users and those above see it, and so do the
townships and villages of the county (read-only); a run of every county only an unrestricted user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.regions.codes import Level, level_of, subtree_bounds

from .models import MonitoringRun


def _county_scope(user: Any) -> tuple[str, str] | bool | None:
    """The range of county codes the user sees runs of; None for everything; False for nothing."""
    code = getattr(user, "region_id", None)
    if not code:
        return None if getattr(user, "is_superuser", False) else False
    if level_of(code) > Level.COUNTY:
        code = code[:6] + "000000"
    return subtree_bounds(code)


def runs_list(*, user: Any, kind: str = "", status: str = "") -> QuerySet[MonitoringRun]:
    qs = MonitoringRun.objects.select_related("region", "created_by").order_by("-id")
    scope = _county_scope(user)
    if scope is False:
        return qs.none()
    if scope is not None:
        assert isinstance(scope, tuple)
        qs = qs.filter(region__code__range=scope)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def run_get(*, user: Any, run_id: int) -> MonitoringRun:
    run = runs_list(user=user).filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return run


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    version: int
    purpose: str
    hits: int
    new_evidence: int
    new_warnings: int


def run_rule_counts(run: MonitoringRun) -> list[RuleCount]:
    """The counts per rule of a run, in the rule set's order, with the rules' names (a rule no longer in
    the set keeps its code as its name)."""
    from .rules import RULES_BY_CODE

    out = []
    for code, version in run.rule_versions.items():
        rule = RULES_BY_CODE.get(code)
        c = run.counts.get(code, {})
        out.append(
            RuleCount(
                code=code,
                name=rule.name if rule else code,
                version=int(version),
                purpose=rule.purpose if rule else "",
                hits=int(c.get("hits", 0)),
                new_evidence=int(c.get("new_evidence", 0)),
                new_warnings=int(c.get("new_warnings", 0)),
            )
        )
    return out
