"""The rule catalogue as the rules page shows it: each rule with its feeds, thresholds (the values in
force for the reader's county today), dispatch and source. Rules are public policy, the same for every
reader; only the threshold values depend on where the reader works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiuzhu.accounts.roles import Role
from jiuzhu.batch.rules.compiler import rule_sql
from jiuzhu.batch.rules.model import Rule
from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram, VehicleType
from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force

from .rules import RULES

PURPOSES = {
    "warning": _("预警（在保对象）"),
    "lead": _("主动发现（应保尽保）"),
    "review": _("复核（应退尽退）"),
}
POPULATIONS = {"assisted": _("在保对象"), "outside": _("未在保人员"), "all": _("全部人员")}
SEVERITIES = {"high": _("高"), "medium": _("中"), "low": _("低")}
OUTCOMES = {"stop": _("停发"), "adjust": _("调整（复核）"), "assist": _("纳入救助")}
DUPLICATE_SOURCE = _("在保记录（跨户、跨县、跨项目、发放账户比对）")


@dataclass(frozen=True)
class Threshold:
    name: str
    label: str
    value: str  # as in force for the reader's county, "" where no policy is recorded


@dataclass(frozen=True)
class RuleRow:
    code: str
    version: int
    name: str
    purpose: str
    purpose_label: str
    population_label: str
    feeds: list[str]
    thresholds: list[Threshold]
    severity: str
    severity_label: str
    role_label: str
    deadline_days: int
    action: str
    outcome_label: str
    holds_payment: bool
    sources: str
    incompatible: list[str]
    sql: str


@dataclass(frozen=True)
class RuleCatalogue:
    rows: list[RuleRow]
    region_code: str  # the region whose policy gave the values ("" when none)
    policy: PolicyVersion | None


def _setting_value(version: PolicyVersion | None, name: str) -> str:
    if version is None:
        return ""
    value: Any = getattr(version, name)
    if isinstance(value, list):
        return "、".join(VehicleType.label_of(v) for v in value) or "—"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _feed_labels(rule: Rule) -> list[str]:
    if rule.kind == "duplicate":
        return [str(DUPLICATE_SOURCE)]
    return [f"{FEEDS[c].department}·{FEEDS[c].name}" for c in filter(None, (rule.feed, *rule.feeds))]


def rule_catalogue(*, user: Any, on: date) -> RuleCatalogue:
    """Every rule, with the settings it reads valued from the policy in force on ``on`` for the user's
    jurisdiction (nearest up the tree); a user with no jurisdiction, or one with no policy yet, sees the
    thresholds named without values."""
    region = getattr(user, "region_id", None) or ""
    version: PolicyVersion | None = None
    if region:
        try:
            version = policy_in_force(region_code=region, on=on)
        except NotFound:
            version = None
    fields = {f.name: f for f in PolicyVersion._meta.get_fields()}
    rows = []
    for rule in RULES:
        thresholds = [
            Threshold(
                name=s,
                label=str(getattr(fields[s], "verbose_name", s)),
                value=_setting_value(version, s),
            )
            for s in rule.settings
        ]
        rows.append(
            RuleRow(
                code=rule.code,
                version=rule.version,
                name=rule.name,
                purpose=rule.purpose,
                purpose_label=str(PURPOSES[rule.purpose]),
                population_label=str(POPULATIONS[rule.population]),
                feeds=_feed_labels(rule),
                thresholds=thresholds,
                severity=rule.severity,
                severity_label=str(SEVERITIES[rule.severity]),
                role_label=str(Role(rule.role).label),
                deadline_days=rule.deadline_days,
                action=rule.action,
                outcome_label=str(OUTCOMES.get(rule.outcome, rule.outcome)),
                holds_payment=rule.holds_payment,
                sources=rule.sources,
                incompatible=[
                    f"{AidProgram.label_of(a)} + {AidProgram.label_of(b)}" for a, b in rule.programs
                ],
                sql=rule_sql(rule, "duckdb", on),
            )
        )
    return RuleCatalogue(rows=rows, region_code=region if version else "", policy=version)
