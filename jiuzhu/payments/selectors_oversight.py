"""Reads of fund supervision (阳光资金监管): a household's whole assistance chain (一户一条救助链), a person's
payment history, the anomaly reports of a month, the totals by region, program and month, and the
township's monthly bulletin (月通报).

Everything is scoped to the caller's jurisdiction: a household, a person or a township outside it is
``NotFound``; lists and reports hold only the payroll lines, warnings and holds whose region lies in it.
Read-only: nothing here writes (the auditor role reads it all).
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent, OverpaymentRecovery
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AidProgram, EntitlementStatus
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.intake.models import Application
from jiuzhu.monitoring.models import Warning
from jiuzhu.monitoring.rules import RULES_BY_CODE
from jiuzhu.regions.codes import InvalidRegionCode, Level, level_of
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import get_in_jurisdiction, jurisdiction_bounds, scoped
from jiuzhu.registry.models import Household, Membership, Person
from jiuzhu.registry.selectors import household_get
from jiuzhu.workflow.models import Case

from .models import Payroll, PayrollHold, PayrollLine

# Who reads what: a household's chain and a person's payments need the right to read entitlements; the
# reports and the bulletin the right to read decisions (the township's staff, the county, the auditor).
CHAIN_PERM = "benefits.view_entitlement"
REPORT_PERM = "benefits.view_decision"

# A line whose money went, or goes, to the payee: the rest (held, stopped, failed, returned) did not pay.
PAYING = (PayrollLine.Status.PENDING, PayrollLine.Status.PAID)
# The feeds that report a death (公安死亡、火化 信息), beside the registry's own death date.
DEATH_FEEDS = ("police_death",)
# A report lists at most this many rows of one kind (the count says how many there are in all).
REPORT_ROWS = 1000
CENT = Decimal("0.01")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str, *, field_name: str = "month") -> date:
    """'2026-11' → date(2026, 11, 1); anything else a 422 naming the field."""
    m = _MONTH.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise ValidationFailed({field_name: "月份格式应为 YYYY-MM，如 2026-11"})
    return date(int(m.group(1)), int(m.group(2)), 1)


def money(value: Any) -> Decimal:
    """A sum as yuan and fen (SQLite's sums lose the scale)."""
    return Decimal(value or 0).quantize(CENT)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def program_label(code: str) -> str:
    return AidProgram.label_of(code) if code in AidProgram.codes() else code


def rule_label(code: str) -> str:
    rule = RULES_BY_CODE.get(code)
    return rule.name if rule else code


# --- 一户一条救助链 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainItem:
    """One thing that happened to the household, in time order. ``on`` is the day; ``at`` the moment where
    the record has one. Items of one day come in the order of the procedure (``rank``)."""

    on: date
    rank: int
    at: datetime | None
    kind: str  # application | case | decision | entitlement | event | payment | warning | hold | recovery
    kind_label: str
    title: str
    detail: str = ""
    amount: Decimal | None = None
    status: str = ""
    ref: str = ""  # the record's number, for the reader
    link: str = ""
    object_id: int = 0

    @property
    def sort_key(self) -> tuple[date, int, time, str, int]:
        return (self.on, self.rank, (self.at.time() if self.at else time.min), self.kind, self.object_id)


@dataclass
class HouseholdChain:
    household: Household
    items: list[ChainItem]
    entitlements: list[Entitlement]
    lines: list[PayrollLine]
    warnings: list[Warning]
    paid_total: Decimal
    due_total: Decimal  # pending lines: approved or in preparation, not yet paid
    unpaid_total: Decimal  # failed, returned, stopped


def _day(value: datetime) -> date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _changes_text(changes: dict[str, Any]) -> str:
    parts = []
    for key, value in changes.items():
        if key == "computation":
            continue
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key}：{value[0]} → {value[1]}")
        else:
            parts.append(f"{key}：{value}")
    return "；".join(parts)


def household_chain(*, user: Any, household_id: int) -> HouseholdChain:
    """Applications, cases, decisions, entitlements and their events, payroll lines, warnings and holds
    (and the recoveries of overpayments), of a household in the caller's jurisdiction, in time order."""
    require_perm(user, CHAIN_PERM)
    household = household_get(user=user, household_id=household_id)
    items: list[ChainItem] = []

    for a in Application.objects.filter(household=household).order_by("submitted_at", "id"):
        programs = "、".join(program_label(p) for p in a.programs) or "未指定项目（由核对结果建议）"
        items.append(
            ChainItem(
                on=_day(a.submitted_at),
                rank=0,
                at=_local(a.submitted_at),
                kind="application",
                kind_label="申请",
                title=f"申请 {programs}",
                detail=f"渠道：{a.get_channel_display()}；申请人：{a.name}",
                status=a.get_status_display(),
                ref=a.number,
                link=f"/intake/{a.pk}/",
                object_id=a.pk,
            )
        )
    for c in Case.objects.filter(household=household).order_by("opened_at", "id"):
        items.append(
            ChainItem(
                on=_day(c.opened_at),
                rank=1,
                at=_local(c.opened_at),
                kind="case",
                kind_label="立案",
                title=f"{program_label(c.program)} {c.get_purpose_display()}",
                detail=f"当前环节：{c.state}",
                status=c.get_status_display(),
                ref=c.number,
                link=f"/workflow/cases/{c.pk}/",
                object_id=c.pk,
            )
        )
        if c.closed_at is not None:
            items.append(
                ChainItem(
                    on=_day(c.closed_at),
                    rank=3,
                    at=_local(c.closed_at),
                    kind="case",
                    kind_label="办结",
                    title=f"{program_label(c.program)} 案件办结",
                    status=c.get_outcome_display() if c.outcome else "",
                    ref=c.number,
                    link=f"/workflow/cases/{c.pk}/",
                    object_id=c.pk,
                )
            )
    for d in Decision.objects.filter(household=household).select_related("policy_version"):
        items.append(
            ChainItem(
                on=d.decided_on,
                rank=2,
                at=None,
                kind="decision",
                kind_label="救助决定",
                title=f"{program_label(d.program)} {d.get_outcome_display()}",
                detail=f"文号：{d.document_no or '—'}；政策参数版本：{d.policy_version.document_no}",
                amount=d.amount,
                ref=d.case_number,
                object_id=d.pk,
            )
        )
    entitlements = list(
        Entitlement.objects.filter(household=household)
        .select_related("person", "decision")
        .order_by("start_month", "id")
    )
    events = EntitlementEvent.objects.filter(entitlement__household=household).order_by("at", "id")
    by_entitlement = {e.pk: e for e in entitlements}
    for e in entitlements:
        who = f"（{e.person.name}）" if e.person else ""
        items.append(
            ChainItem(
                on=e.start_month,
                rank=4,
                at=None,
                kind="entitlement",
                kind_label="在保",
                title=f"{program_label(e.program)}{who} 自 {e.start_month:%Y-%m} 起",
                detail=f"发放方式：{e.get_payment_display()}；决定：{e.decision.case_number}",
                amount=e.amount,
                status=e.get_status_display(),
                ref=f"在保记录 {e.pk}",
                object_id=e.pk,
            )
        )
    for ev in events:
        ent = by_entitlement[ev.entitlement_id]
        items.append(
            ChainItem(
                on=_day(ev.at),
                rank=5,
                at=_local(ev.at),
                kind="event",
                kind_label="在保变更",
                title=f"{program_label(ent.program)} {ev.kind}",
                detail="；".join(x for x in (_changes_text(ev.changes or {}), ev.reason) if x),
                ref=f"在保记录 {ent.pk}",
                object_id=ev.pk,
            )
        )
    lines = list(
        PayrollLine.objects.filter(household=household)
        .select_related("payroll", "person")
        .order_by("payroll__month", "id")
    )
    for line in lines:
        items.append(
            ChainItem(
                on=line.payroll.month,
                rank=6,
                at=None,
                kind="payment",
                kind_label="发放",
                title=(
                    f"{line.payroll.month:%Y-%m} {program_label(line.payroll.program)}"
                    f" 发放给 {line.holder_name}"
                ),
                detail=_line_detail(line),
                amount=line.amount,
                status=line.get_status_display(),
                ref=f"名册 {line.payroll_id}",
                object_id=line.pk,
            )
        )
    warnings = list(
        Warning.objects.filter(household=household).select_related("person").order_by("raised_on")
    )
    for w in warnings:
        items.append(
            ChainItem(
                on=w.raised_on,
                rank=7,
                at=None,
                kind="warning",
                kind_label=w.get_purpose_display(),
                title=f"{rule_label(w.rule)}（{w.person.name}）",
                detail=_warning_detail(w),
                status=w.get_status_display(),
                ref=f"预警 {w.pk}",
                object_id=w.pk,
            )
        )
    holds = PayrollHold.objects.filter(line__household=household).select_related("line__payroll")
    for h in holds.order_by("id"):
        decided = _local(h.decided_at)
        items.append(
            ChainItem(
                on=decided.date() if decided else h.line.payroll.month,
                rank=8,
                at=decided,
                kind="hold",
                kind_label="暂停发放",
                title=f"{h.line.payroll.month:%Y-%m} 发放前比对：{rule_label(h.rule)}",
                detail=h.reason,
                amount=h.line.amount,
                status=h.get_status_display(),
                ref=f"名册 {h.line.payroll_id}",
                object_id=h.pk,
            )
        )
    for r in OverpaymentRecovery.objects.filter(household=household).order_by("created_at", "id"):
        items.append(
            ChainItem(
                on=_day(r.created_at),
                rank=9,
                at=_local(r.created_at),
                kind="recovery",
                kind_label="追缴",
                title=f"追缴 {r.from_month:%Y-%m} 至 {r.through_month:%Y-%m} 多发的资金",
                detail=f"已追回 {r.amount_collected} 元",
                amount=r.amount_due,
                status=r.get_status_display(),
                link=f"/benefits/recoveries/{r.pk}/",
                object_id=r.pk,
            )
        )
    items.sort(key=lambda i: i.sort_key)
    return HouseholdChain(
        household=household,
        items=items,
        entitlements=entitlements,
        lines=lines,
        warnings=warnings,
        paid_total=money(sum(x.amount for x in lines if x.status == PayrollLine.Status.PAID)),
        due_total=money(sum(x.amount for x in lines if x.status == PayrollLine.Status.PENDING)),
        unpaid_total=money(
            sum(
                x.amount
                for x in lines
                if x.status
                in (PayrollLine.Status.FAILED, PayrollLine.Status.RETURNED, PayrollLine.Status.STOPPED)
            )
        ),
    )


def _line_detail(line: PayrollLine) -> str:
    parts = [f"月保障金额 {line.base_amount}"]
    if line.arrears_amount:
        parts.append(f"补发 {line.arrears_amount}")
    if line.deduction_amount:
        parts.append(f"抵扣追缴 {line.deduction_amount}")
    months = (line.computation or {}).get("months") or []
    if months:
        parts.append("所含月份：" + "、".join(f"{m.get('month')}（{m.get('kind')}）" for m in months))
    if line.carried_from_id:
        parts.append("含上期未成功发放的资金")
    if line.bank_message:
        parts.append(f"银行：{line.bank_message}")
    return "；".join(parts)


def _warning_detail(w: Warning) -> str:
    parts = [f"办理期限 {w.due_on:%Y-%m-%d}"]
    if w.escalated_at:
        parts.append("已升级督办")
    if w.outcome:
        parts.append(f"处理结果：{w.get_outcome_display()}")
    if w.outcome_reason:
        parts.append(w.outcome_reason)
    return "；".join(parts)


# --- a person's payments -------------------------------------------------------------------------------


@dataclass
class PersonPayments:
    person: Person
    lines: list[PayrollLine]
    paid_total: Decimal
    months: int  # distinct months with a paid line


def person_get_for_oversight(*, user: Any, person_id: int) -> Person:
    """The person, if they live in the caller's jurisdiction or belong to a household there; else 404."""
    here = scoped(
        Membership.objects.filter(person_id=person_id, end_date__isnull=True), user, "household__region__code"
    )
    if here.exists():
        return Person.objects.get(pk=person_id)
    return get_in_jurisdiction(
        Person.objects.all(), user=user, pk=person_id, region_field="residence_region__code"
    )


def person_payments(*, user: Any, person_id: int) -> PersonPayments:
    """Every payroll line of the caller's jurisdiction paid to the person, or paid for an entitlement of
    theirs (a person's program paid to a guardian), oldest month first."""
    require_perm(user, CHAIN_PERM)
    person = person_get_for_oversight(user=user, person_id=person_id)
    lines = list(
        scoped(
            PayrollLine.objects.filter(Q(person_id=person.pk) | Q(entitlement__person_id=person.pk)),
            user,
            "region__code",
        )
        .select_related("payroll", "household")
        .order_by("payroll__month", "payroll__program", "id")
    )
    paid = [x for x in lines if x.status == PayrollLine.Status.PAID]
    return PersonPayments(
        person=person,
        lines=lines,
        paid_total=money(sum(x.amount for x in paid)),
        months=len({x.payroll.month for x in paid}),
    )


# --- anomalies -----------------------------------------------------------------------------------------


ANOMALY_KINDS = {
    "after_death": "死亡后仍发放",
    "shared_account": "同一账号当月在不同家庭领取",
    "amount_mismatch": "发放金额与在保记录或救助决定不符",
    "no_entitlement": "无有效在保记录仍发放",
}


@dataclass(frozen=True)
class Anomaly:
    kind: str
    line: PayrollLine
    reason: str

    @property
    def kind_label(self) -> str:
        return ANOMALY_KINDS[self.kind]


@dataclass
class AnomalyReport:
    month: date
    kind: str
    rows: list[Anomaly]
    counts: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)


def _month_lines(user: Any, month: date) -> QuerySet[PayrollLine]:
    return scoped(PayrollLine.objects.filter(payroll__month=month), user, "region__code")


def _with_line_relations(qs: QuerySet[PayrollLine]) -> QuerySet[PayrollLine]:
    return qs.select_related(
        "payroll", "household", "person", "entitlement", "entitlement__person", "township"
    )


def _after_death(user: Any, month: date) -> Iterable[Anomaly]:
    """A paying line of the month whose payee, or the person whose entitlement it is, died before the
    month began (by the registry's death date or a death feed)."""
    dead_feed = FeedRecord.objects.filter(feed__in=DEATH_FEEDS, date__lt=month)
    qs = (
        _month_lines(user, month)
        .filter(status__in=PAYING)
        .filter(
            Q(person__death_date__lt=month)
            | Q(entitlement__person__death_date__lt=month)
            | Exists(dead_feed.filter(id_number=OuterRef("person__id_number")))
            | Exists(dead_feed.filter(id_number=OuterRef("entitlement__person__id_number")))
        )
    )
    for line in _with_line_relations(qs).order_by("township", "id"):
        dead = [p for p in (line.person, line.entitlement.person) if p is not None]
        when = [p.death_date for p in dead if p.death_date and p.death_date < month]
        if when:
            reason = f"{dead[0].name} 已于 {min(when):%Y-%m-%d} 死亡（户籍登记）"
        else:
            reason = "公安、殡葬部门数据显示领款人或救助对象已于本月之前死亡"
        yield Anomaly("after_death", line, reason)


def _shared_accounts(user: Any, month: date) -> Iterable[Anomaly]:
    """Paying lines of the month whose bank account receives payments for more than one household (across
    payrolls and programs). Accounts are compared over every line of the month; the lines listed are the
    caller's, with the number of households elsewhere that share the account (nothing else of them)."""
    shared = (
        PayrollLine.objects.filter(payroll__month=month, status__in=PAYING)
        .exclude(bank_account="")
        .values("bank_account")
        .annotate(households=Count("household", distinct=True))
        .filter(households__gt=1)
    )
    accounts = {row["bank_account"]: row["households"] for row in shared}
    if not accounts:
        return
    qs = _month_lines(user, month).filter(status__in=PAYING, bank_account__in=list(accounts))
    mine: dict[str, set[int]] = defaultdict(set)
    rows = list(_with_line_relations(qs).order_by("bank_account", "household", "id"))
    for line in rows:
        mine[line.bank_account].add(line.household_id)
    for line in rows:
        total = accounts[line.bank_account]
        elsewhere = total - len(mine[line.bank_account])
        reason = f"该账号本月在 {total} 户家庭的发放中出现"
        if elsewhere:
            reason += f"（其中 {elsewhere} 户不在您的辖区）"
        yield Anomaly("shared_account", line, reason)


def _timeline(events: list[EntitlementEvent]) -> tuple[list[tuple[date, str, str]], list[tuple[date, str]]]:
    """(amount changes as (from_month, old, new)), (status changes as (from_month, new status))."""
    amounts, statuses = [], []
    for ev in events:
        ch = ev.changes or {}
        start = ch.get("from_month")
        if not start:
            continue
        try:
            start_day = date.fromisoformat(str(start)[:10])
        except ValueError:
            continue
        if isinstance(ch.get("amount"), list) and len(ch["amount"]) == 2:
            amounts.append((start_day, str(ch["amount"][0]), str(ch["amount"][1])))
        if isinstance(ch.get("status"), list) and len(ch["status"]) == 2:
            statuses.append((start_day, str(ch["status"][1])))
    return sorted(amounts), sorted(statuses)


def amount_in_force(entitlement: Entitlement, events: list[EntitlementEvent], month: date) -> Decimal:
    """The monthly amount the entitlement paid for ``month``: its amount now, unless an adjustment from a
    later month changed it (then the amount before the earliest such adjustment)."""
    amounts, _ = _timeline(events)
    later = [a for a in amounts if a[0] > month]
    return Decimal(later[0][1]) if later else entitlement.amount


def status_in_force(entitlement: Entitlement, events: list[EntitlementEvent], month: date) -> str:
    """Whether the entitlement was in payment for ``month``: not begun, ended, suspended or active."""
    if entitlement.start_month > month:
        return "not_started"
    if entitlement.end_month is not None and entitlement.end_month < month:
        return EntitlementStatus.ENDED
    _, statuses = _timeline(events)
    current = EntitlementStatus.ACTIVE.value
    for start, status in statuses:
        if start <= month:
            current = status
    if entitlement.status == EntitlementStatus.ENDED and entitlement.end_month is None:
        return EntitlementStatus.ENDED
    return current


def _events_of(entitlement_ids: Iterable[int]) -> dict[int, list[EntitlementEvent]]:
    out: dict[int, list[EntitlementEvent]] = defaultdict(list)
    for ev in EntitlementEvent.objects.filter(entitlement_id__in=list(entitlement_ids)).order_by("at", "id"):
        out[ev.entitlement_id].append(ev)
    return out


def _has_history() -> Exists:
    """The entitlement has an event that changed its amount or its status from a month."""
    return Exists(
        EntitlementEvent.objects.filter(entitlement_id=OuterRef("entitlement_id")).filter(
            Q(changes__has_key="amount") | Q(changes__has_key="status")
        )
    )


def _amount_mismatch(user: Any, month: date) -> Iterable[Anomaly]:
    """A paying line whose monthly amount is not the entitlement's amount in force for the month, whose
    decision is not the entitlement's, or whose paid amount is not base + arrears − deductions. A first
    month prorated or a 渐退 month (recorded as such in the line's computation) is compared with what the
    computation says instead."""
    from django.db.models import F

    qs = _month_lines(user, month).filter(status__in=PAYING)
    qs = qs.filter(
        ~Q(base_amount=F("entitlement__amount"))
        | ~Q(decision_id_ref=F("entitlement__decision_id"))
        | Q(decision_id_ref__isnull=True)
        | ~Q(amount=F("base_amount") + F("arrears_amount") - F("deduction_amount"))
        | _has_history()
    )
    rows = list(_with_line_relations(qs).order_by("township", "id"))
    events = _events_of({x.entitlement_id for x in rows})
    key = f"{month:%Y-%m}"
    for line in rows:
        e = line.entitlement
        reasons = []
        expected = amount_in_force(e, events.get(e.pk, []), month)
        own = [m for m in (line.computation or {}).get("months", []) if m.get("month") == key]
        special = own and own[0].get("kind") in ("prorated", "taper")
        if special:
            try:
                expected = Decimal(str(own[0].get("amount")))
            except ArithmeticError:
                reasons.append("计算过程中的本月金额无法识别")
        if line.base_amount != expected:
            reasons.append(f"月保障金额 {line.base_amount} 元，在保记录当月应为 {expected} 元")
        if line.decision_id_ref != e.decision_id:
            reasons.append("所依据的救助决定与在保记录不一致")
        if line.amount != line.base_amount + line.arrears_amount - line.deduction_amount:
            reasons.append(
                f"实发 {line.amount} 元 ≠ 月保障 {line.base_amount} + 补发 {line.arrears_amount}"
                f" − 抵扣 {line.deduction_amount}"
            )
        if reasons:
            yield Anomaly("amount_mismatch", line, "；".join(reasons))


def _no_entitlement(user: Any, month: date) -> Iterable[Anomaly]:
    """A paying line for a month in which its entitlement was not in payment: not yet begun, ended or
    suspended (by the entitlement's history), or not a monthly payment at all."""
    qs = _month_lines(user, month).filter(status__in=PAYING)
    qs = qs.filter(
        Q(entitlement__start_month__gt=month)
        | Q(entitlement__end_month__lt=month)
        | ~Q(entitlement__status=EntitlementStatus.ACTIVE)
        | ~Q(entitlement__payment="monthly")
        | _has_history()
    )
    rows = list(_with_line_relations(qs).order_by("township", "id"))
    events = _events_of({x.entitlement_id for x in rows})
    for line in rows:
        e = line.entitlement
        status = status_in_force(e, events.get(e.pk, []), month)
        if status == "not_started":
            yield Anomaly("no_entitlement", line, f"在保记录自 {e.start_month:%Y-%m} 起，本月尚未开始")
        elif status == EntitlementStatus.ENDED:
            end = f"（终止月份 {e.end_month:%Y-%m}）" if e.end_month else ""
            yield Anomaly("no_entitlement", line, f"在保记录已停保{end}")
        elif status != EntitlementStatus.ACTIVE:
            yield Anomaly("no_entitlement", line, f"在保记录本月状态为{EntitlementStatus.label_of(status)}")
        elif e.payment != "monthly":
            yield Anomaly(
                "no_entitlement", line, f"在保记录的发放方式为{e.get_payment_display()}，不应按月发放"
            )


_FINDERS = {
    "after_death": _after_death,
    "shared_account": _shared_accounts,
    "amount_mismatch": _amount_mismatch,
    "no_entitlement": _no_entitlement,
}


def anomaly_report(*, user: Any, month: date, kind: str = "") -> AnomalyReport:
    """The anomalies of the payroll lines of ``month`` in the caller's jurisdiction, by kind (all kinds
    when ``kind`` is empty): counts and amounts of every kind, and up to ``REPORT_ROWS`` rows of each."""
    require_perm(user, REPORT_PERM)
    if kind and kind not in ANOMALY_KINDS:
        raise ValidationFailed({"kind": "异常类型无效"})
    report = AnomalyReport(month=month, kind=kind, rows=[])
    for code, finder in _FINDERS.items():
        if kind and code != kind:
            continue
        found = list(finder(user, month))
        report.counts[code] = len(found)
        report.amounts[code] = money(sum(a.line.amount for a in found))
        report.rows += found[:REPORT_ROWS]
    return report


# --- totals --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TotalRow:
    month: date
    program: str
    township_code: str
    township_name: str
    lines: int
    amount: Decimal
    paid_count: int
    paid_amount: Decimal
    held_count: int
    stopped_count: int
    failed_count: int

    @property
    def program_label(self) -> str:
        return program_label(self.program)


@dataclass
class Totals:
    rows: list[TotalRow]
    lines: int
    amount: Decimal
    paid_amount: Decimal
    by_program: dict[str, Decimal]
    by_month: dict[date, Decimal]


def payment_totals(*, user: Any, month_from: date, month_to: date, program: str = "") -> Totals:
    """The payroll lines of the caller's jurisdiction from ``month_from`` to ``month_to``, summed by month,
    program and township: lines and amount (all lines), paid, held, stopped, failed or returned."""
    require_perm(user, REPORT_PERM)
    if month_to < month_from:
        raise ValidationFailed({"month_to": "截止月份不能早于起始月份"})
    if program and program not in AidProgram.codes():
        raise ValidationFailed({"program": "救助项目无效"})
    qs = scoped(
        PayrollLine.objects.filter(payroll__month__range=(month_from, month_to)), user, "region__code"
    )
    if program:
        qs = qs.filter(payroll__program=program)
    S = PayrollLine.Status
    grouped = (
        qs.values("payroll__month", "payroll__program", "township_id", "township__name")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            paid_n=Count("id", filter=Q(status=S.PAID)),
            paid=Sum("amount", filter=Q(status=S.PAID)),
            held=Count("id", filter=Q(status=S.HELD)),
            stopped=Count("id", filter=Q(status=S.STOPPED)),
            failed=Count("id", filter=Q(status__in=(S.FAILED, S.RETURNED))),
        )
        .order_by("payroll__month", "payroll__program", "township_id")
    )
    rows = [
        TotalRow(
            month=g["payroll__month"],
            program=g["payroll__program"],
            township_code=g["township_id"],
            township_name=g["township__name"],
            lines=g["n"],
            amount=money(g["total"]),
            paid_count=g["paid_n"],
            paid_amount=money(g["paid"]),
            held_count=g["held"],
            stopped_count=g["stopped"],
            failed_count=g["failed"],
        )
        for g in grouped
    ]
    by_program: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[date, Decimal] = defaultdict(Decimal)
    for r in rows:
        by_program[r.program] += r.amount
        by_month[r.month] += r.amount
    return Totals(
        rows=rows,
        lines=sum(r.lines for r in rows),
        amount=money(sum(r.amount for r in rows)),
        paid_amount=money(sum(r.paid_amount for r in rows)),
        by_program=dict(by_program),
        by_month=dict(sorted(by_month.items())),
    )


# --- 月通报 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleFinding:
    rule: str
    label: str
    warnings: int  # raised in the month
    leads: int
    holds: int  # put on the month's payroll lines
    held_amount: Decimal
    cleared: int
    confirmed: int
    open_holds: int


@dataclass
class Bulletin:
    township: Region
    month: date
    as_of: date  # overdue is judged on this day: the month's last day, or today within the month
    payroll_lines: int
    payroll_amount: Decimal
    held: int
    stopped: int
    paid: int
    failed: int
    findings: list[RuleFinding]
    outcomes: dict[str, int]  # warnings closed in the month by outcome
    holds: list[PayrollHold]
    warnings_closed: list[Warning]
    overdue: list[Warning]

    @property
    def outcome_rows(self) -> list[tuple[str, int]]:
        labels = dict(Warning.Outcome.choices)
        return [(labels.get(k, k), v) for k, v in self.outcomes.items()]


def bulletin_township(*, user: Any, code: str = "") -> Region:
    """The township the bulletin is for: ``code``, in the caller's jurisdiction (else 404); empty: the
    caller's own township (a township user), else a 422 asking for one."""
    code = code.strip()
    if not code:
        region_code = getattr(user, "region_id", None) or ""
        if region_code and level_of(region_code) == Level.TOWNSHIP:
            code = region_code
        else:
            raise ValidationFailed({"township": "请选择乡镇（街道）"})
    try:
        township_level = level_of(code) == Level.TOWNSHIP
    except InvalidRegionCode:
        township_level = False
    if not township_level:
        raise ValidationFailed({"township": "请填写乡镇（街道）的 12 位区划代码"})
    return get_in_jurisdiction(Region.objects.all(), user=user, pk=code, region_field="code")


def townships_for(user: Any) -> list[Region]:
    """The townships of the caller's jurisdiction (the bulletin's choice)."""
    qs = Region.objects.filter(level=Level.TOWNSHIP)
    return list(scoped(qs, user, "code").order_by("code")[:500])


def township_bulletin(*, user: Any, township: str = "", month: date) -> Bulletin:
    """月通报 of a township for a month: the month's payroll lines, what the comparison found by rule (the
    warnings raised in the month, the holds on the month's payroll lines), how each hold and warning was
    resolved, and the warnings overdue (past their deadline and not closed on the bulletin's day)."""
    require_perm(user, REPORT_PERM)
    region = bulletin_township(user=user, code=township)
    last = month_end(month)
    today = timezone.localdate()
    as_of = min(last, today) if month <= today else last
    S = PayrollLine.Status
    lines = PayrollLine.objects.filter(payroll__month=month, township_id=region.code)
    counts = lines.aggregate(
        n=Count("id"),
        total=Sum("amount"),
        held=Count("id", filter=Q(status=S.HELD)),
        stopped=Count("id", filter=Q(status=S.STOPPED)),
        paid=Count("id", filter=Q(status=S.PAID)),
        failed=Count("id", filter=Q(status__in=(S.FAILED, S.RETURNED))),
    )
    holds = list(
        PayrollHold.objects.filter(line__payroll__month=month, line__township_id=region.code)
        .select_related("line", "line__payroll", "line__household", "warning", "decided_by")
        .order_by("rule", "line__household__number", "id")
    )
    raised = Warning.objects.filter(township_id=region.code, raised_on__range=(month, last))
    by_rule_w = Counter(raised.filter(~Q(purpose=Warning.Purpose.LEAD)).values_list("rule", flat=True))
    by_rule_l = Counter(raised.filter(purpose=Warning.Purpose.LEAD).values_list("rule", flat=True))
    rules = sorted(set(by_rule_w) | set(by_rule_l) | {h.rule for h in holds})
    findings = []
    for code in rules:
        mine = [h for h in holds if h.rule == code]
        findings.append(
            RuleFinding(
                rule=code,
                label=rule_label(code),
                warnings=by_rule_w.get(code, 0),
                leads=by_rule_l.get(code, 0),
                holds=len(mine),
                held_amount=money(sum(h.line.amount for h in mine)),
                cleared=sum(1 for h in mine if h.status == PayrollHold.Status.CLEARED),
                confirmed=sum(1 for h in mine if h.status == PayrollHold.Status.CONFIRMED),
                open_holds=sum(1 for h in mine if h.status == PayrollHold.Status.HELD),
            )
        )
    start = timezone.make_aware(datetime.combine(month, time.min))
    end = timezone.make_aware(datetime.combine(last, time.max))
    closed = list(
        Warning.objects.filter(township_id=region.code, closed_at__range=(start, end))
        .select_related("person", "household", "closed_by")
        .order_by("closed_at", "id")
    )
    outcomes = Counter(w.outcome for w in closed)
    # Open on the bulletin's day and past the deadline: not closed then (closed later, or still open).
    judged = timezone.make_aware(datetime.combine(as_of, time.max))
    overdue = list(
        Warning.objects.filter(township_id=region.code, due_on__lt=as_of, raised_on__lte=as_of)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=judged))
        .select_related("person", "household")
        .order_by("due_on", "id")
    )
    shown: list[Any] = [*holds, *closed, *overdue]
    for obj in shown:
        setattr(obj, "rule_label", rule_label(obj.rule))  # noqa: B010 (the pages show the rule's name)
    return Bulletin(
        township=region,
        month=month,
        as_of=as_of,
        payroll_lines=counts["n"],
        payroll_amount=money(counts["total"]),
        held=counts["held"],
        stopped=counts["stopped"],
        paid=counts["paid"],
        failed=counts["failed"],
        findings=findings,
        outcomes={k: outcomes[k] for k in Warning.Outcome.values if outcomes.get(k)},
        holds=holds,
        warnings_closed=closed,
        overdue=overdue,
    )


def scope_label(user: Any) -> str:
    bounds = jurisdiction_bounds(user)
    if bounds is None:
        return "全部辖区"
    region = Region.objects.filter(pk=getattr(user, "region_id", None)).first()
    return region.name if region else "—"


def payroll_months(*, user: Any) -> list[date]:
    """The months that have a payroll in the caller's jurisdiction, newest first (the filters' choices)."""
    bounds = jurisdiction_bounds(user)
    qs = Payroll.objects.all()
    if bounds is not None:
        county = (getattr(user, "region_id", "") or "")[:6] + "000000"
        qs = qs.filter(Q(region__code__range=bounds) | Q(region_id=county))
    return list(qs.values_list("month", flat=True).distinct().order_by("-month")[:36])
