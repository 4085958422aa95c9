"""Reads of the warnings (动态监测预警), scoped to the caller's jurisdiction (the warning's village).

Queues, by who is asking (``queue_kind_for``):

- ``township``: the township caseworker's — the warnings of its township still to verify or to close
  (status open or verified);
- ``escalated``: the county approver's — the warnings of its county escalated (督办) after passing their
  deadline and not yet closed;
- ``leads``: the village assistant's — the leads (主动发现线索) of its village not yet closed;
- ``all``: every warning of the jurisdiction, closed ones included (for everyone who may read them).

Filters: rule, purpose, status, light and village. The light follows the workflow's rule
(``jiuzhu.workflow.deadlines.light``): red past ``due_on``, yellow when no more working days are left than
the policy's ``overdue_warning_days``, green otherwise; a closed warning has none. The light filter is
the same rule as date ranges, so that it runs in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jiuzhu.accounts.roles import Role
from jiuzhu.benefits.life import LIVE
from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.errors import NotFound
from jiuzhu.core.masking import id_number_masked
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AidProgram
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import InvalidRegionCode, subtree_bounds
from jiuzhu.regions.scope import get_in_jurisdiction, in_jurisdiction, scoped
from jiuzhu.registry.choices import Relation
from jiuzhu.registry.models import Membership
from jiuzhu.workflow import deadlines

from .models import Warning, WarningEvidence
from .rules import RULES_BY_CODE

VIEW_PERM = "monitoring.view_warning"
CHANGE_PERM = "monitoring.change_warning"

QUEUE_KINDS = ("township", "escalated", "leads", "all")
QUEUE_LABELS = {
    "township": "本乡镇待办",
    "escalated": "超期督办",
    "leads": "本村线索",
    "all": "全部预警",
}
NOT_CLOSED = (Warning.Status.OPEN, Warning.Status.VERIFIED)
LIGHTS = (deadlines.RED, deadlines.YELLOW, deadlines.GREEN)


def queue_kind_for(user: Any) -> str:
    """The queue a user's role works from."""
    role = getattr(user, "role", "")
    if role == Role.TOWNSHIP_CASEWORKER:
        return "township"
    if role == Role.COUNTY_APPROVER:
        return "escalated"
    if role == Role.VILLAGE_ASSISTANT:
        return "leads"
    return "all"


def rule_name(code: str) -> str:
    rule = RULES_BY_CODE.get(code)
    return rule.name if rule is not None else code


def rule_choices() -> list[tuple[str, str]]:
    return [(code, rule.name) for code, rule in RULES_BY_CODE.items()]


def _warning_days(user: Any, today: date) -> int:
    """The policy's 临期 threshold in the caller's region (the platform's default where none is in force)."""
    code = getattr(user, "region_id", None)
    if code:
        try:
            return int(policy_in_force(region_code=code, on=today).overdue_warning_days)
        except NotFound:
            pass
    return int(PolicyVersion._meta.get_field("overdue_warning_days").get_default())


def _yellow_until(today: date, warning_days: int, cal: deadlines.WorkCalendar) -> date:
    """The first due date that is green: the (warning_days + 1)-th working day after today."""
    return cal.add_working_days(today, warning_days + 1).due


def light_of(warning: Any, today: date, warning_days: int, cal: deadlines.WorkCalendar) -> str:
    """The light of one warning; empty for a closed one."""
    if warning.status == Warning.Status.CLOSED:
        return ""
    return deadlines.light(warning.due_on, today, warning_days, cal)


# --- queues ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarningRow:
    id: int
    rule: str
    rule_name: str
    purpose: str
    purpose_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    person_name: str
    household_id: int
    household_number: str
    village_name: str
    raised_on: date
    due_on: date
    due_provisional: bool
    days_left: int | None
    light: str
    light_label: str
    escalated: bool
    evidence_count: int
    last_event_on: date | None
    version: int


@dataclass(frozen=True)
class WarningPage:
    kind: str
    rows: list[WarningRow]
    page: int
    per_page: int
    total: int
    counts: dict[str, int] = field(default_factory=dict)  # per light, of the filtered open warnings

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def warnings_queryset(*, user: Any, kind: str) -> QuerySet[Warning]:
    """The warnings of ``kind``'s queue in the caller's jurisdiction."""
    require_perm(user, VIEW_PERM)
    qs = scoped(Warning.objects.all(), user, "region__code")
    if kind == "township":
        return qs.filter(status__in=NOT_CLOSED)
    if kind == "escalated":
        return qs.filter(status__in=NOT_CLOSED, escalated_at__isnull=False)
    if kind == "leads":
        return qs.filter(status__in=NOT_CLOSED, purpose=Warning.Purpose.LEAD)
    if kind == "all":
        return qs
    raise NotFound("没有这个预警队列")


def _light_filter(qs: QuerySet[Warning], light: str, today: date, green_from: date) -> QuerySet[Warning]:
    qs = qs.filter(status__in=NOT_CLOSED)
    if light == deadlines.RED:
        return qs.filter(due_on__lt=today)
    if light == deadlines.YELLOW:
        return qs.filter(due_on__gte=today, due_on__lt=green_from)
    return qs.filter(due_on__gte=green_from)


_COLUMNS = (
    "id",
    "rule",
    "purpose",
    "severity",
    "status",
    "outcome",
    "raised_on",
    "due_on",
    "due_provisional",
    "escalated_at",
    "evidence_count",
    "last_event_on",
    "version",
    "household_id",
    "person__name",
    "household__number",
    "region__name",
)


def queue(
    *,
    user: Any,
    kind: str | None = None,
    rule: str | None = None,
    purpose: str | None = None,
    status: str | None = None,
    light: str | None = None,
    village: str | None = None,
    page: int = 1,
    per_page: int = 50,
    today: date | None = None,
) -> WarningPage:
    """One page of a warning queue, the most urgent first (due date, then id), with the count per light
    of the filtered warnings not yet closed. A fixed number of queries whatever the page size."""
    today = today or timezone.localdate()
    kind = kind or queue_kind_for(user)
    qs = warnings_queryset(user=user, kind=kind)
    if rule:
        qs = qs.filter(rule=rule)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if status:
        qs = qs.filter(status=status)
    if village:
        try:
            low, high = subtree_bounds(village)
        except InvalidRegionCode:
            qs = qs.none()
        else:
            qs = qs.filter(region__code__range=(low, high)) if in_jurisdiction(user, village) else qs.none()
    cal = deadlines.work_calendar()
    warning_days = _warning_days(user, today)
    green_from = _yellow_until(today, warning_days, cal)
    counts = {lamp: _light_filter(qs, lamp, today, green_from).count() for lamp in LIGHTS}
    if light:
        qs = _light_filter(qs, light, today, green_from)
    per_page = max(1, min(per_page, 200))
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    page_ids = qs.order_by("due_on", "id").values("pk")[(page - 1) * per_page : page * per_page]
    values = list(Warning.objects.filter(pk__in=page_ids).order_by("due_on", "id").values(*_COLUMNS))
    rows = []
    for w in values:
        open_ = w["status"] != Warning.Status.CLOSED
        lamp = deadlines.light(w["due_on"], today, warning_days, cal) if open_ else ""
        rows.append(
            WarningRow(
                id=w["id"],
                rule=w["rule"],
                rule_name=rule_name(w["rule"]),
                purpose=w["purpose"],
                purpose_label=Warning.Purpose(w["purpose"]).label,
                severity=w["severity"],
                severity_label=Warning.Severity(w["severity"]).label,
                status=w["status"],
                status_label=Warning.Status(w["status"]).label,
                outcome=w["outcome"],
                outcome_label=Warning.Outcome(w["outcome"]).label if w["outcome"] else "",
                person_name=w["person__name"],
                household_id=w["household_id"],
                household_number=w["household__number"],
                village_name=w["region__name"],
                raised_on=w["raised_on"],
                due_on=w["due_on"],
                due_provisional=w["due_provisional"],
                days_left=deadlines.working_days_left(w["due_on"], today, cal) if open_ else None,
                light=lamp,
                light_label=deadlines.LIGHT_LABELS[lamp] if open_ else "已办结",
                escalated=w["escalated_at"] is not None,
                evidence_count=w["evidence_count"],
                last_event_on=w["last_event_on"],
                version=w["version"],
            )
        )
    return WarningPage(kind=kind, rows=rows, page=page, per_page=per_page, total=total, counts=counts)


# --- one warning -------------------------------------------------------------------------------------------


def warning_get(*, user: Any, warning_id: int) -> Warning:
    """One warning of the caller's jurisdiction (else 404)."""
    require_perm(user, VIEW_PERM)
    return get_in_jurisdiction(
        Warning.objects.select_related(
            "person", "household", "household__head", "region", "township", "verified_by", "closed_by"
        ),
        user=user,
        pk=warning_id,
        region_field="region__code",
    )


@dataclass(frozen=True)
class MemberLine:
    person_id: int
    name: str
    id_number_masked: str
    relation: str
    is_subject: bool


@dataclass(frozen=True)
class EntitlementLine:
    id: int
    program: str
    program_label: str
    person_name: str
    status: str
    status_label: str
    amount: Any
    start_month: date
    version: int


@dataclass(frozen=True)
class WarningDetail:
    warning: Warning
    rule_name: str
    action: str
    suggested_outcome: str
    holds_payment: bool
    evidence: list[WarningEvidence]
    members: list[MemberLine]
    entitlements: list[EntitlementLine]
    light: str
    light_label: str
    days_left: int | None
    chain_url: str


def chain_url(household_id: int) -> str:
    """The household's 一户一条救助链 page where it exists, else the household file."""
    try:
        return reverse("payments:chain", args=[household_id])
    except NoReverseMatch:
        return reverse("household_detail", args=[household_id])


def live_entitlements(household_id: int) -> list[Entitlement]:
    return list(
        Entitlement.objects.filter(household_id=household_id, status__in=LIVE)
        .select_related("person")
        .order_by("program", "id")
    )


def warning_detail(*, user: Any, warning_id: int, today: date | None = None) -> WarningDetail:
    """The warning page: the warning, its evidence in date order, the household's current members and
    its live entitlements, the light and the link to the household's assistance chain."""
    today = today or timezone.localdate()
    w = warning_get(user=user, warning_id=warning_id)
    rule = RULES_BY_CODE.get(w.rule)
    evidence = list(w.evidence.order_by("event_date", "id"))
    members = [
        MemberLine(
            person_id=m.person_id,
            name=m.person.name,
            id_number_masked=id_number_masked(m.person.id_number),
            relation=str(Relation(m.relation).label) if m.relation in Relation.values else m.relation,
            is_subject=m.person_id == w.person_id,
        )
        for m in Membership.objects.filter(household_id=w.household_id, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    ]
    entitlements = [
        EntitlementLine(
            id=e.pk,
            program=e.program,
            program_label=AidProgram.label_of(e.program),
            person_name=e.person.name if e.person is not None else "全户",
            status=e.status,
            status_label=e.get_status_display(),
            amount=e.amount,
            start_month=e.start_month,
            version=e.version,
        )
        for e in live_entitlements(w.household_id)
    ]
    cal = deadlines.work_calendar()
    lamp = light_of(w, today, _warning_days(user, today), cal)
    return WarningDetail(
        warning=w,
        rule_name=rule.name if rule else w.rule,
        action=rule.action if rule else "",
        suggested_outcome=(rule.outcome if rule else "") or "",
        holds_payment=bool(rule and rule.holds_payment),
        evidence=evidence,
        members=members,
        entitlements=entitlements,
        light=lamp,
        light_label=deadlines.LIGHT_LABELS[lamp] if lamp else "已办结",
        days_left=(
            deadlines.working_days_left(w.due_on, today, cal) if w.status != Warning.Status.CLOSED else None
        ),
        chain_url=chain_url(w.household_id),
    )


def escalation_candidates(today: date) -> QuerySet[Warning]:
    """Warnings not closed, past their deadline and not yet escalated (the escalation scan; unscoped)."""
    return Warning.objects.filter(
        Q(status__in=NOT_CLOSED), due_on__lt=today, escalated_at__isnull=True
    ).order_by("due_on", "id")


__all__ = [
    "QUEUE_KINDS",
    "QUEUE_LABELS",
    "EntitlementLine",
    "MemberLine",
    "WarningDetail",
    "WarningPage",
    "WarningRow",
    "chain_url",
    "escalation_candidates",
    "live_entitlements",
    "queue",
    "queue_kind_for",
    "rule_choices",
    "warning_detail",
    "warning_get",
    "warnings_queryset",
]
