"""Payroll generation (发放名册生成) for one county, one program and one month, as a ``PayrollJob``.

A line per entitlement paid that month: the live monthly-paid entitlements of the county and program
(``payment`` monthly, status active, started by the month, not past ``end_month`` / ``valid_until``; a
suspended entitlement gets no line). Each line records, per I4 (``PayrollLine.computation``), the months it
pays and why:

- ``current``: the month itself, at the amount in force in that month (an ``adjust`` event whose
  ``from_month`` is later than the month gives back the amount before it);
- ``prorated``: the first month paid by days from the day of the decision, when the policy's
  ``payroll_prorate_first_month`` is set and the decision fell in the start month;
- ``taper``: a month of the 渐退期 (``details["taper"]``, benefits.life);
- ``arrears``: months since ``start_month`` that no earlier payroll line of the entitlement covers (a late
  decision), at most ``payroll_arrears_months_max`` back, never a suspended month, and never a month before
  the county's first payroll of the program for an entitlement decided before it (those months were paid
  by the arrangements before the platform);
- ``carried``: a failed or returned line of an earlier payroll (I5), its whole gross amount, one per line
  and payroll (``carried_from``); a line stopped after a hold is not carried.

Deductions: each open ``OverpaymentRecovery`` of the program is deducted from the household's line (the
recovered entitlement's own line if it has one), at most ``payroll_recovery_ratio`` of the line's gross and
never more than what is outstanding, less what unpaid lines of other payrolls already deduct.

Set-based: the county's entitlements in one read, the few with events, recoveries or failed lines in a few
more, and the lines written in chunks through ``jiuzhu.batch`` (COPY into a stage merged on (payroll,
entitlement) on PostgreSQL, ``INSERT OR IGNORE`` on SQLite). Every chunk commits on its own and an
existing line is never written twice, so a generation killed midway is finished by running it again.
"""

from __future__ import annotations

import calendar
import io
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.batch.copytext import NULL, copy_text
from jiuzhu.batch.stage import stage_clear, stage_close, stage_copy, stage_merge, stage_open
from jiuzhu.batch.write import insert_sql
from jiuzhu.benefits.engine.review import add_months, month_of
from jiuzhu.benefits.models import (
    Decision,
    Entitlement,
    EntitlementEvent,
    OverpaymentRecovery,
    RecoveryCollection,
)
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AidProgram, AuditObject, CollectionSource, PaymentKind, RecoveryStatus
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import Level, level_of, subtree_bounds
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import in_jurisdiction
from jiuzhu.registry.models import Household, Person

from ..models import Payroll, PayrollJob, PayrollLine, collection_reference

GENERATE_PERM = "payments.add_payroll"
CHUNK = int(os.environ.get("JIUZHU_PAYROLL_CHUNK", "50000"))
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
Progress = Callable[[int, int], None]

# Programs paid in money every month (the others are one-off grants or no cash at all).
MONTHLY_PROGRAMS = tuple(p for p in AidProgram.codes() if p != AidProgram.TEMPORARY)


# --- jobs ----------------------------------------------------------------------------------------------


def job_start(ctx: AuditContext, payroll: Payroll, kind: str, *, params: dict[str, Any]) -> PayrollJob:
    """The job of ``kind`` on the payroll, started (in the caller's transaction, the payroll locked): a new
    one, or the last one resumed when it failed or lost its process (heartbeat stale). A job still
    running is a ``Conflict``."""
    job = PayrollJob.objects.filter(payroll=payroll, kind=kind).order_by("-id").first()
    now = timezone.now()
    if job is not None and job.status == PayrollJob.Status.RUNNING and not job.stalled:
        raise Conflict(
            f"{job.get_kind_display()}正在运行（{job.progress_done}/{job.progress_total}），请稍后刷新"
        )
    if job is not None and job.status in (PayrollJob.Status.RUNNING, PayrollJob.Status.FAILED):
        PayrollJob.objects.filter(pk=job.pk).update(
            status=PayrollJob.Status.RUNNING,
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            error="",
            finished_at=None,
        )
        job.refresh_from_db()
        action = "resume"
    else:
        job = PayrollJob.objects.create(
            payroll=payroll,
            kind=kind,
            status=PayrollJob.Status.RUNNING,
            heartbeat_at=now,
            params=params,
            created_by=ctx.user,
        )
        action = "start"
    audit_record(
        ctx=ctx,
        action="create" if action == "start" else "update",
        object_type=AuditObject.PAYROLL_JOB,
        object_id=job.pk,
        region_code=payroll.region_id,
        detail={"payroll": payroll.pk, "kind": kind, "job": action, "attempts": job.attempts, **params},
    )
    return job


def job_beat(job: PayrollJob, done: int, total: int) -> None:
    """Heartbeat and progress (its own statement, outside any long transaction)."""
    job.progress_done, job.progress_total = done, total
    PayrollJob.objects.filter(pk=job.pk).update(
        progress_done=done, progress_total=total, heartbeat_at=timezone.now()
    )


def job_finish(ctx: AuditContext, job: PayrollJob, result: dict[str, Any]) -> None:
    PayrollJob.objects.filter(pk=job.pk).update(
        status=PayrollJob.Status.DONE,
        result=result,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        progress_done=F("progress_total"),
    )
    audit_record(
        ctx=ctx,
        action="update",
        object_type=AuditObject.PAYROLL_JOB,
        object_id=job.pk,
        region_code=job.payroll.region_id,
        detail={"payroll": job.payroll_id, "kind": job.kind, "job": "done", **result},
    )


def job_fail(job: PayrollJob, error: BaseException) -> None:
    """A failed job keeps its error (in Chinese where the platform raised it) and may be retried."""
    message = getattr(error, "message", "") or f"{type(error).__name__}: {error}"
    PayrollJob.objects.filter(pk=job.pk).update(
        status=PayrollJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


# --- what is paid -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollSettings:
    """The payroll's numbers of policy (the county's policy in force on the month's first day)."""

    policy_version_id: int
    prorate_first_month: bool
    arrears_months_max: int
    recovery_ratio: Decimal

    @classmethod
    def of(cls, policy: PolicyVersion) -> PayrollSettings:
        return cls(
            policy_version_id=policy.pk,
            prorate_first_month=bool(policy.payroll_prorate_first_month),
            arrears_months_max=int(policy.payroll_arrears_months_max),
            recovery_ratio=Decimal(policy.payroll_recovery_ratio),
        )


@dataclass(slots=True)
class Ent:
    """One entitlement as the generation reads it."""

    id: int
    household_id: int
    person_id: int | None
    region_id: str
    status: str
    start_month: date
    end_month: date | None
    valid_until: date | None
    amount: Decimal
    decision_id: int
    document_no: str
    decision_policy_id: int
    decided_on: date
    details: dict[str, Any]
    bank_name: str
    bank_account: str
    payee_id: int
    holder_name: str
    id_number: str
    paid_last_month: bool


@dataclass
class History:
    """What changes an entitlement's months: adjust events (from_month, old amount) in order, suspended
    ranges [from, to), and the months earlier lines covered."""

    adjusts: list[tuple[date, Decimal]] = field(default_factory=list)
    suspended: list[tuple[date, date | None]] = field(default_factory=list)
    covered: set[date] = field(default_factory=set)


@dataclass
class Line:
    ent: Ent
    months: list[dict[str, Any]]
    base: Decimal
    arrears: Decimal
    carried_from: int | None = None
    deductions: list[dict[str, Any]] = field(default_factory=list)
    # Only the month itself, at the entitlement's amount: written by the fast path.
    simple: bool = False

    @property
    def gross(self) -> Decimal:
        return self.base + self.arrears

    @property
    def deduction(self) -> Decimal:
        return sum((Decimal(d["amount"]) for d in self.deductions), ZERO)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _json(value: Any) -> Any:
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str | bytes) else value


def _month_key(m: date) -> str:
    return f"{m:%Y-%m}"


def _months(first: date, last: date) -> Iterable[date]:
    m = first
    while m <= last:
        yield m
        m = add_months(m, 1)


def amount_in_force(ent: Ent, history: History | None, month: date) -> Decimal:
    """The monthly amount of ``month``: the amount now, taken back through every adjustment that took
    effect after ``month`` (latest first)."""
    amount = ent.amount
    if history:
        for from_month, old in reversed(history.adjusts):
            if from_month > month:
                amount = old
    return amount


def _suspended(history: History | None, month: date) -> bool:
    if not history:
        return False
    return any(start <= month and (end is None or month < end) for start, end in history.suspended)


def prorated(amount: Decimal, day: date) -> Decimal:
    """The month's amount from ``day`` to the month's end, by days (rounded half up to the fen)."""
    days = calendar.monthrange(day.year, day.month)[1]
    return (amount * (days - day.day + 1) / days).quantize(CENT, rounding=ROUND_HALF_UP)


def _month_entry(ent: Ent, history: History | None, m: date, settings: PayrollSettings, kind: str) -> dict:
    amount = amount_in_force(ent, history, m)
    decided = month_of(ent.decided_on)
    if settings.prorate_first_month and m == ent.start_month and decided == m and ent.decided_on.day > 1:
        amount, kind = prorated(amount, ent.decided_on), "prorated"
    taper = (ent.details or {}).get("taper")
    if kind == "current" and taper and m >= month_of(date.fromisoformat(taper["found_work_on"])):
        kind = "taper"
    return {"month": _month_key(m), "kind": kind, "amount": f"{amount:.2f}"}


def due_this_month(ent: Ent, month: date) -> bool:
    return (
        ent.status == "active"
        or (ent.status == "ended" and ent.end_month is not None and ent.end_month >= month)
    ) and (
        ent.start_month <= month
        and (ent.end_month is None or ent.end_month >= month)
        and (ent.valid_until is None or ent.valid_until >= month)
    )


def line_months(
    ent: Ent, history: History | None, *, month: date, first_payroll: date, settings: PayrollSettings
) -> list[dict[str, Any]]:
    """The months an entitlement due in ``month`` is paid for in that month's payroll: the arrears first
    (oldest first), then the month itself."""
    out: list[dict[str, Any]] = []
    if not ent.paid_last_month:
        earliest = max(ent.start_month, add_months(month, -settings.arrears_months_max))
        if month_of(ent.decided_on) < first_payroll:
            earliest = max(earliest, first_payroll)
        covered = history.covered if history else set()
        for m in _months(earliest, add_months(month, -1)):
            if m in covered or _suspended(history, m):
                continue
            if ent.valid_until is not None and m > ent.valid_until:
                continue
            out.append(_month_entry(ent, history, m, settings, "arrears"))
    out.append(_month_entry(ent, history, month, settings, "current"))
    return out


def _split(months: Sequence[dict[str, Any]], month: date) -> tuple[Decimal, Decimal]:
    key = _month_key(month)
    base = sum((Decimal(m["amount"]) for m in months if m["month"] == key and m["kind"] != "carried"), ZERO)
    total = sum((Decimal(m["amount"]) for m in months), ZERO)
    return base, total - base


@dataclass
class RecoveryDue:
    id: int
    household_id: int
    entitlement_id: int
    outstanding: Decimal


def apply_deductions(lines: Sequence[Line], recoveries: Sequence[RecoveryDue], ratio: Decimal) -> None:
    """Each recovery deducted from its household's line: the recovered entitlement's own line, else the
    household's line of the lowest entitlement id (a household's own entitlement before a person's);
    a line gives at most ``ratio`` of its gross in all, recoveries in the order they were opened."""
    by_household: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_household[line.ent.household_id].append(line)
    for group in by_household.values():
        group.sort(key=lambda ln: (ln.ent.person_id is not None, ln.ent.id))
    for rec in sorted(recoveries, key=lambda r: r.id):
        members = by_household.get(rec.household_id)
        if not members or rec.outstanding <= 0:
            continue
        line = next((ln for ln in members if ln.ent.id == rec.entitlement_id), members[0])
        room = (line.gross * ratio).quantize(CENT, rounding=ROUND_DOWN) - line.deduction
        take = min(room, rec.outstanding)
        if take > 0:
            line.deductions.append({"recovery": rec.id, "amount": f"{take:.2f}"})


# --- reads -------------------------------------------------------------------------------------------------


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _t(model: Any) -> str:
    return _qn(model._meta.db_table)


def _c(model: Any, name: str) -> str:
    return _qn(model._meta.get_field(name).column)


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return cur.fetchall()


def _ent_sql(where: str) -> str:
    E, D, H, P = Entitlement, Decision, Household, Person
    e = lambda n: f"e.{_c(E, n)}"  # noqa: E731
    return (
        f"SELECT {e('id')}, {e('household')}, {e('person')}, {e('region')}, {e('status')}, "
        f"{e('start_month')}, {e('end_month')}, {e('valid_until')}, {e('amount')}, {e('decision')}, "
        f"d.{_c(D, 'document_no')}, d.{_c(D, 'policy_version')}, d.{_c(D, 'decided_on')}, {e('details')}, "
        f"h.{_c(H, 'bank_name')}, h.{_c(H, 'bank_account')}, "
        f"COALESCE(p.{_c(P, 'id')}, hp.{_c(P, 'id')}), COALESCE(p.{_c(P, 'name')}, hp.{_c(P, 'name')}), "
        f"COALESCE(p.{_c(P, 'id_number')}, hp.{_c(P, 'id_number')}), "
        f"CASE WHEN EXISTS (SELECT 1 FROM {_t(PayrollLine)} pl WHERE pl.{_c(PayrollLine, 'payroll')} = %s "
        f"AND pl.{_c(PayrollLine, 'entitlement')} = {e('id')}) THEN 1 ELSE 0 END "
        f"FROM {_t(E)} e JOIN {_t(D)} d ON d.{_c(D, 'id')} = {e('decision')} "
        f"JOIN {_t(H)} h ON h.{_c(H, 'id')} = {e('household')} "
        f"LEFT JOIN {_t(P)} p ON p.{_c(P, 'id')} = {e('person')} "
        f"LEFT JOIN {_t(P)} hp ON hp.{_c(P, 'id')} = h.{_c(H, 'head')} "
        f"WHERE {where} ORDER BY {e('region')}, {e('id')}"
    )


def _ent(row: tuple[Any, ...]) -> Ent:
    return Ent(
        id=int(row[0]),
        household_id=int(row[1]),
        person_id=int(row[2]) if row[2] is not None else None,
        region_id=str(row[3]),
        status=str(row[4]),
        start_month=_date(row[5]),  # type: ignore[arg-type]
        end_month=_date(row[6]),
        valid_until=_date(row[7]),
        amount=_dec(row[8]),
        decision_id=int(row[9]),
        document_no=str(row[10] or ""),
        decision_policy_id=int(row[11]),
        decided_on=_date(row[12]),  # type: ignore[arg-type]
        details={} if row[13] in (None, "{}", {}) else (_json(row[13]) or {}),
        bank_name=str(row[14] or ""),
        bank_account=str(row[15] or ""),
        payee_id=int(row[16]),
        holder_name=str(row[17] or ""),
        id_number=str(row[18] or ""),
        paid_last_month=bool(row[19]),
    )


def read_entitlements(*, county: str, program: str, month: date, previous_payroll: int | None) -> list[Ent]:
    """The county's entitlements of the program that may be due in ``month``."""
    low, high = subtree_bounds(county)
    E = Entitlement
    where = (
        f"e.{_c(E, 'region')} BETWEEN %s AND %s AND e.{_c(E, 'program')} = %s "
        f"AND e.{_c(E, 'payment')} = %s AND e.{_c(E, 'start_month')} <= %s "
        f"AND (e.{_c(E, 'status')} = 'active' OR (e.{_c(E, 'status')} = 'ended' "
        f"AND e.{_c(E, 'end_month')} >= %s)) "
        f"AND (e.{_c(E, 'valid_until')} IS NULL OR e.{_c(E, 'valid_until')} >= %s)"
    )
    params = [previous_payroll or 0, low, high, program, PaymentKind.MONTHLY.value, month, month, month]
    return [e for e in map(_ent, _payable(_rows(_ent_sql(where), params))) if due_this_month(e, month)]


def _payable(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with someone to pay: a household entitlement of a household without a head has no payee
    until one is recorded (its months are then paid as arrears)."""
    return [r for r in rows if r[16] is not None]


def read_entitlements_by_id(ids: Sequence[int], *, previous_payroll: int | None) -> list[Ent]:
    out: list[Ent] = []
    for i in range(0, len(ids), 500):
        part = list(ids[i : i + 500])
        marks = ", ".join(["%s"] * len(part))
        sql = _ent_sql(f"e.{_c(Entitlement, 'id')} IN ({marks})")
        out += map(_ent, _payable(_rows(sql, [previous_payroll or 0, *part])))
    return out


def read_histories(
    *, county: str, program: str, month: date, settings: PayrollSettings, previous_payroll: int | None
) -> dict[int, History]:
    """Adjust, suspend and resume events of the county's entitlements of the program, and the months
    covered by earlier lines of those that were not paid last month (they may have arrears)."""
    low, high = subtree_bounds(county)
    E, V, L = Entitlement, EntitlementEvent, PayrollLine
    out: dict[int, History] = defaultdict(History)
    scope = f"e.{_c(E, 'region')} BETWEEN %s AND %s AND e.{_c(E, 'program')} = %s"
    sql = (
        f"SELECT v.{_c(V, 'entitlement')}, v.{_c(V, 'kind')}, v.{_c(V, 'changes')} FROM {_t(V)} v "
        f"JOIN {_t(E)} e ON e.{_c(E, 'id')} = v.{_c(V, 'entitlement')} "
        f"WHERE {scope} AND v.{_c(V, 'kind')} IN ('adjust', 'suspend', 'resume') "
        f"ORDER BY v.{_c(V, 'entitlement')}, v.{_c(V, 'at')}, v.{_c(V, 'id')}"
    )
    open_from: dict[int, date] = {}
    for ent_id, kind, changes in _rows(sql, [low, high, program]):
        data = _json(changes)
        start = _date(data.get("from_month"))
        if start is None:
            continue
        h = out[int(ent_id)]
        if kind == "adjust" and isinstance(data.get("amount"), list):
            h.adjusts.append((start, _dec(data["amount"][0])))
        elif kind == "suspend":
            open_from[int(ent_id)] = start
        elif kind == "resume" and int(ent_id) in open_from:
            h.suspended.append((open_from.pop(int(ent_id)), start))
    for ent_id, start in open_from.items():
        out[ent_id].suspended.append((start, None))
    P = Payroll
    since = add_months(month, -settings.arrears_months_max)
    sql = (
        f"SELECT l.{_c(L, 'entitlement')}, py.{_c(P, 'month')}, l.{_c(L, 'computation')} FROM {_t(L)} l "
        f"JOIN {_t(P)} py ON py.{_c(P, 'id')} = l.{_c(L, 'payroll')} "
        f"JOIN {_t(E)} e ON e.{_c(E, 'id')} = l.{_c(L, 'entitlement')} "
        f"WHERE py.{_c(P, 'region')} = %s AND py.{_c(P, 'program')} = %s "
        f"AND py.{_c(P, 'month')} < %s AND py.{_c(P, 'month')} >= %s "
        f"AND NOT EXISTS (SELECT 1 FROM {_t(L)} q WHERE q.{_c(L, 'payroll')} = %s "
        f"AND q.{_c(L, 'entitlement')} = l.{_c(L, 'entitlement')})"
    )
    for ent_id, pay_month, comp in _rows(sql, [county, program, month, since, previous_payroll or 0]):
        h = out[int(ent_id)]
        for m in _json(comp).get("months", []):
            if m.get("kind") != "carried":
                h.covered.add(date.fromisoformat(f"{m['month']}-01"))
        h.covered.add(_date(pay_month))  # type: ignore[arg-type]
    return out


def read_recoveries(*, county: str, program: str, exclude_payroll: int) -> list[RecoveryDue]:
    """Open recoveries of the program in the county, each less what unpaid lines of other payrolls
    already deduct for it (they are collected when the bank reports them paid)."""
    low, high = subtree_bounds(county)
    R, E, L = OverpaymentRecovery, Entitlement, PayrollLine
    sql = (
        f"SELECT r.{_c(R, 'id')}, r.{_c(R, 'household')}, r.{_c(R, 'entitlement')}, "
        f"r.{_c(R, 'amount_due')}, r.{_c(R, 'amount_collected')} FROM {_t(R)} r "
        f"JOIN {_t(E)} e ON e.{_c(E, 'id')} = r.{_c(R, 'entitlement')} "
        f"WHERE r.{_c(R, 'region')} BETWEEN %s AND %s AND e.{_c(E, 'program')} = %s "
        f"AND r.{_c(R, 'status')} IN (%s, %s) ORDER BY r.{_c(R, 'id')}"
    )
    status = [RecoveryStatus.OPEN.value, RecoveryStatus.PARTLY_COLLECTED.value]
    rows = _rows(sql, [low, high, program, *status])
    if not rows:
        return []
    sql = (
        f"SELECT l.{_c(L, 'computation')} FROM {_t(L)} l JOIN {_t(Payroll)} py "
        f"ON py.{_c(Payroll, 'id')} = l.{_c(L, 'payroll')} WHERE py.{_c(Payroll, 'region')} = %s "
        f"AND l.{_c(L, 'deduction_amount')} > 0 AND l.{_c(L, 'status')} IN ('pending', 'held') "
        f"AND l.{_c(L, 'payroll')} <> %s"
    )
    pending: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (comp,) in _rows(sql, [county, exclude_payroll]):
        for d in _json(comp).get("deductions", []):
            pending[int(d["recovery"])] += Decimal(d["amount"])
    return [
        RecoveryDue(
            id=int(r[0]),
            household_id=int(r[1]),
            entitlement_id=int(r[2]),
            outstanding=max(ZERO, _dec(r[3]) - _dec(r[4]) - pending[int(r[0])]),
        )
        for r in rows
    ]


def read_failed(*, county: str, program: str, month: date) -> dict[int, tuple[int, date, Decimal]]:
    """Per entitlement, its oldest failed or returned line of an earlier payroll not carried yet:
    (line id, its month, its gross amount)."""
    L, P = PayrollLine, Payroll
    sql = (
        f"SELECT l.{_c(L, 'id')}, l.{_c(L, 'entitlement')}, py.{_c(P, 'month')}, "
        f"l.{_c(L, 'amount')}, l.{_c(L, 'deduction_amount')}, py.{_c(P, 'id')} FROM {_t(L)} l "
        f"JOIN {_t(P)} py ON py.{_c(P, 'id')} = l.{_c(L, 'payroll')} "
        f"WHERE py.{_c(P, 'region')} = %s AND py.{_c(P, 'program')} = %s AND py.{_c(P, 'month')} < %s "
        f"AND l.{_c(L, 'status')} IN ('failed', 'returned') "
        f"AND NOT EXISTS (SELECT 1 FROM {_t(L)} c WHERE c.{_c(L, 'carried_from')} = l.{_c(L, 'id')} "
        f"AND c.{_c(L, 'status')} <> 'stopped') "
        f"ORDER BY py.{_c(P, 'month')}, l.{_c(L, 'id')}"
    )
    rows = _rows(sql, [county, program, month])
    # A deduction collected when the bank first reported the line paid stays collected: a line returned
    # afterwards carries what it paid out, not the recovered part as well.
    collected = set(
        RecoveryCollection.objects.filter(
            source=CollectionSource.PAYROLL,
            reference__in=[collection_reference(int(r[5]), int(r[0])) for r in rows],
        ).values_list("reference", flat=True)
    )
    out: dict[int, tuple[int, date, Decimal]] = {}
    for line_id, ent_id, pay_month, amount, deduction, payroll_id in rows:
        kept = collection_reference(int(payroll_id), int(line_id)) in collected
        gross = _dec(amount) + (Decimal(0) if kept else _dec(deduction))
        out.setdefault(int(ent_id), (int(line_id), _date(pay_month), gross))  # type: ignore[arg-type]
    return out


# --- the lines ----------------------------------------------------------------------------------------------


def compute_lines(
    *,
    payroll: Payroll,
    settings: PayrollSettings,
    first_payroll: date,
    previous_payroll: int | None,
) -> list[Line]:
    """Every line of the payroll, computed (nothing written)."""
    county, program, month = payroll.region_id, payroll.program, payroll.month
    ents = read_entitlements(county=county, program=program, month=month, previous_payroll=previous_payroll)
    histories = read_histories(
        county=county, program=program, month=month, settings=settings, previous_payroll=previous_payroll
    )
    failed = read_failed(county=county, program=program, month=month)
    lines: list[Line] = []
    seen: set[int] = set()
    key = _month_key(month)
    prorate_start = month if settings.prorate_first_month else None
    for ent in ents:
        seen.add(ent.id)
        history = histories.get(ent.id)
        if (
            ent.paid_last_month
            and history is None
            and ent.id not in failed
            and not ent.details.get("taper")
            and ent.start_month != prorate_start
        ):
            current = [{"month": key, "kind": "current", "amount": f"{ent.amount:.2f}"}]
            lines.append(Line(ent, current, ent.amount, ZERO, simple=True))
            continue
        months = line_months(ent, history, month=month, first_payroll=first_payroll, settings=settings)
        lines.append(Line(ent, months, ZERO, ZERO))
    # A failed payment of an entitlement that ended since is still owed; a suspended one waits.
    owed = [i for i in failed if i not in seen]
    extra = {
        e.id: e
        for e in read_entitlements_by_id(owed, previous_payroll=previous_payroll)
        if e.status != "suspended"
    }
    for ent_id in owed:
        if ent_id in extra:
            lines.append(Line(extra[ent_id], [], ZERO, ZERO))
    for line in lines:
        if line.simple:
            continue
        carried = failed.get(line.ent.id)
        if carried is not None:
            line_id, carried_month, gross = carried
            line.months.insert(
                0, {"month": _month_key(carried_month), "kind": "carried", "amount": f"{gross:.2f}"}
            )
            line.carried_from = line_id
        line.base, line.arrears = _split(line.months, month)
    recoveries = read_recoveries(county=county, program=program, exclude_payroll=payroll.pk)
    apply_deductions(lines, recoveries, settings.recovery_ratio)
    return lines


def computation_of(line: Line, settings: PayrollSettings) -> dict[str, Any]:
    out: dict[str, Any] = {
        "months": line.months,
        "deductions": line.deductions,
        "entitlement_amount": f"{line.ent.amount:.2f}",
        "decision": line.ent.decision_id,
        "document_no": line.ent.document_no,
        "policy_version": settings.policy_version_id,
    }
    if line.carried_from is not None:
        out["carried_from"] = line.carried_from
    return out


_FIELDS = (
    "payroll",
    "entitlement",
    "household",
    "person",
    "region",
    "township",
    "decision_id_ref",
    "policy_version_id_ref",
    "base_amount",
    "arrears_amount",
    "deduction_amount",
    "amount",
    "computation",
    "bank_name",
    "bank_account",
    "holder_name",
    "id_number",
    "status",
    "carried_from",
    "bank_reference",
    "bank_message",
)


def township_of(region_code: str) -> str:
    """The township (乡镇) of a region code at or below township level."""
    if level_of(region_code) == Level.VILLAGE:
        return region_code[:9] + "000"
    return region_code


def _computation_text(line: Line, settings: PayrollSettings, month_key: str) -> str:
    """The computation as JSON text; the common line (the month alone, nothing deducted) by template."""
    if line.simple and not line.deductions:
        e = line.ent
        amount = f"{e.amount:.2f}"
        doc = json.dumps(e.document_no, ensure_ascii=False)
        return (
            f'{{"months":[{{"month":"{month_key}","kind":"current","amount":"{amount}"}}],"deductions":[],'
            f'"entitlement_amount":"{amount}","decision":{e.decision_id},"document_no":{doc},'
            f'"policy_version":{settings.policy_version_id}}}'
        )
    return json.dumps(computation_of(line, settings), ensure_ascii=False, separators=(",", ":"))


def _values(payroll: Payroll, line: Line, settings: PayrollSettings) -> tuple[Any, ...]:
    e = line.ent
    deduction = line.deduction
    return (
        payroll.pk,
        e.id,
        e.household_id,
        e.payee_id,
        e.region_id,
        township_of(e.region_id),
        e.decision_id,
        e.decision_policy_id,
        line.base,
        line.arrears,
        deduction,
        line.gross - deduction,
        _computation_text(line, settings, _month_key(payroll.month)),
        e.bank_name[:100],
        e.bank_account[:32],
        e.holder_name[:50],
        e.id_number[:18],
        PayrollLine.Status.PENDING.value,
        line.carried_from,
        "",
        "",
    )


def _copy_line(r: tuple[Any, ...]) -> str:
    """One row of ``_values`` in COPY text format: text fields escaped, numbers as they are."""
    t = copy_text
    carried = NULL if r[18] is None else r[18]
    return (
        f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{t(r[4])}\t{t(r[5])}\t{r[6]}\t{r[7]}\t{r[8]}\t{r[9]}\t{r[10]}\t"
        f"{r[11]}\t{t(r[12])}\t{t(r[13])}\t{t(r[14])}\t{t(r[15])}\t{t(r[16])}\t{t(r[17])}\t{carried}\t"
        f"{t(r[19])}\t{t(r[20])}\n"
    )


def write_lines(payroll: Payroll, lines: Sequence[tuple[Any, ...]]) -> int:
    """One chunk of lines, in its own transaction; a line already there is left as it is. Returns how
    many were added."""
    if not lines:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            stage = stage_open(PayrollLine, list(_FIELDS), name="stage_payroll_lines")
            text = "".join(map(_copy_line, lines))
            stage_copy(stage, io.BytesIO(text.encode()))
            added = stage_merge(stage, key=["payroll", "entitlement"])
            stage_clear(stage)
            stage_close(stage)
            return added
        before = PayrollLine.objects.filter(payroll=payroll).count()
        with connection.cursor() as cur:
            cur.executemany(insert_sql(PayrollLine, list(_FIELDS), skip_existing=True), list(lines))
        return PayrollLine.objects.filter(payroll=payroll).count() - before


# --- the service ----------------------------------------------------------------------------------------


def _county(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None or level_of(code) != Level.COUNTY:
        raise ValidationFailed({"county": "请选择县（市、区）级区划"})
    return region


def payroll_open(*, ctx: AuditContext, county_code: str, program: str, month: date) -> Payroll:
    """The payroll of (county, program, month), created as a draft when it does not exist yet."""
    require_perm(ctx.user, GENERATE_PERM)
    errors: dict[str, str] = {}
    if program not in MONTHLY_PROGRAMS:
        errors["program"] = "该救助项目不按月发放，无需生成发放名册"
    if month is None:
        errors["month"] = "请选择发放月份"
    else:
        today = timezone.localdate()
        if month_of(month) > add_months(month_of(today), 1):
            errors["month"] = "只能生成本月或下月及以前月份的发放名册"
        elif month < date(2000, 1, 1):
            errors["month"] = "发放月份不能早于 2000 年"
    if errors:
        raise ValidationFailed(errors)
    region = _county(county_code) if in_jurisdiction(ctx.user, county_code) else None
    if region is None:
        raise NotFound()
    month = month_of(month)
    later = Payroll.objects.filter(region=region, program=program, month__gt=month)
    if later.exists() and not Payroll.objects.filter(region=region, program=program, month=month).exists():
        # The later payroll already paid this month as arrears (or will): a second payroll would pay it twice.
        raise ValidationFailed(
            {"month": "已生成更晚月份的发放名册，不能再生成较早月份；未发放的月份已在后续名册中补发"}
        )
    try:
        with transaction.atomic():
            payroll, created = Payroll.objects.get_or_create(
                region=region, program=program, month=month, defaults={"created_by": ctx.user}
            )
            if created:
                audit_record(
                    ctx=ctx,
                    action="create",
                    object_type=AuditObject.PAYROLL,
                    object_id=payroll.pk,
                    region_code=region.code,
                    detail={"program": program, "month": _month_key(month)},
                )
    except IntegrityError:
        payroll = Payroll.objects.get(region=region, program=program, month=month)
    return payroll


def _pause_for_tests(done: int) -> None:
    """A pause after the first chunk, for the kill-and-resume test (``JIUZHU_PAYROLL_PAUSE`` seconds)."""
    pause = float(os.environ.get("JIUZHU_PAYROLL_PAUSE", "0") or 0)
    if pause and done:
        print(f"PAYROLL-CHUNK {done}", flush=True)
        time.sleep(pause)


def payroll_generate(
    *,
    ctx: AuditContext,
    county_code: str,
    program: str,
    month: date,
    progress: Progress | None = None,
) -> Payroll:
    """Generate (or finish generating) the payroll of (county, program, month): a ``PayrollJob`` of kind
    generate, resumable. Generating a month again once done changes nothing."""
    payroll = payroll_open(ctx=ctx, county_code=county_code, program=program, month=month)
    with transaction.atomic():
        payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
        done = PayrollJob.objects.filter(
            payroll=payroll, kind=PayrollJob.Kind.GENERATE, status=PayrollJob.Status.DONE
        ).exists()
        if done:
            return payroll
        if payroll.status != Payroll.Status.DRAFT:
            raise Conflict(f"名册已{payroll.get_status_display()}，不能再生成")
        job = job_start(ctx, payroll, PayrollJob.Kind.GENERATE, params={"month": _month_key(payroll.month)})
    try:
        result = _generate(payroll, job, progress)
        with transaction.atomic():
            totals = payroll_totals(payroll)
            job_finish(
                ctx, job, {**result, "lines": totals["lines_count"], "total": str(totals["total_amount"])}
            )
    except Exception as exc:
        job_fail(job, exc)
        raise
    payroll.refresh_from_db()
    return payroll


def _generate(payroll: Payroll, job: PayrollJob, progress: Progress | None) -> dict[str, Any]:
    policy = policy_in_force(region_code=payroll.region_id, on=payroll.month)
    settings = PayrollSettings.of(policy)
    months = Payroll.objects.filter(region=payroll.region, program=payroll.program)
    first = min(months.values_list("month", flat=True))
    previous = months.filter(month=add_months(payroll.month, -1)).values_list("pk", flat=True).first()
    lines = compute_lines(payroll=payroll, settings=settings, first_payroll=first, previous_payroll=previous)
    total = len(lines)
    job_beat(job, 0, total)
    added = 0
    for start in range(0, total, CHUNK):
        chunk = [_values(payroll, line, settings) for line in lines[start : start + CHUNK]]
        added += write_lines(payroll, chunk)
        done = min(start + CHUNK, total)
        job_beat(job, done, total)
        if progress:
            progress(done, total)
        if done < total:
            _pause_for_tests(done)
    return {
        "added": added,
        "policy_version": settings.policy_version_id,
        "arrears_lines": sum(1 for ln in lines if ln.arrears > 0),
        "carried": sum(1 for ln in lines if ln.carried_from is not None),
        "deductions": str(sum((ln.deduction for ln in lines), ZERO)),
    }


def payroll_totals(payroll: Payroll) -> dict[str, Any]:
    """Count and sum the payroll's lines into it (pending and held count; held also apart)."""
    from django.db.models import Count, Q, Sum

    L = PayrollLine.Status
    agg = PayrollLine.objects.filter(payroll=payroll).aggregate(
        n=Count("id", filter=Q(status__in=[L.PENDING, L.HELD, L.PAID, L.FAILED, L.RETURNED])),
        total=Sum("amount", filter=Q(status__in=[L.PENDING, L.HELD, L.PAID, L.FAILED, L.RETURNED])),
        held=Count("id", filter=Q(status=L.HELD)),
        held_amount=Sum("amount", filter=Q(status=L.HELD)),
    )
    values = {
        "lines_count": agg["n"] or 0,
        "total_amount": agg["total"] or ZERO,
        "held_count": agg["held"] or 0,
        "held_amount": agg["held_amount"] or ZERO,
    }
    Payroll.objects.filter(pk=payroll.pk).update(**values, version=F("version") + 1)
    return values
