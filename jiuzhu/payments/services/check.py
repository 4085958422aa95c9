"""The pre-payment comparison (月比对, ``pre_payment_check``) of a generated payroll, as a ``PayrollJob``.

The monitoring rules that hold a payment (``Rule.holds_payment``: death, cancelled 户籍, prison, a vehicle,
property or business acquired, duplicates, absence …) run as of the payroll date through the monitoring
run (``jiuzhu.monitoring.services.runs.monitoring_run``, kind ``pre_payment``): the last day of the month,
or today when the month is still running (the first day when it has not begun). Every hit of such a rule
on a member of a line's household puts a ``PayrollHold`` on the line (one per line, rule and evidence key,
with the evidence and the warning it belongs to) and the line is held. The payroll then waits for the
townships (status ``holds``), or goes to the county for approval when nothing was held (``submitted``).

Checking again (new facts arrived) adds holds for new evidence only: a hold cleared by the township stays
cleared, a line stopped stays stopped.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AuditObject
from jiuzhu.monitoring.models import Warning
from jiuzhu.monitoring.rules import RULES
from jiuzhu.registry.models import Membership

from ..models import Payroll, PayrollHold, PayrollJob, PayrollLine
from .generate import GENERATE_PERM, job_beat, job_fail, job_finish, job_start, payroll_totals

Progress = Callable[[int, int], None]
_IN = 500


def holding_rules() -> set[str]:
    """The codes of the rules that stop a payment until verified."""
    return {r.code for r in RULES if r.holds_payment}


def check_date(month: date, today: date) -> date:
    """The payroll date the comparison runs as of: the month's last day, today while the month runs,
    its first day before it begins."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return min(max(today, month), last)


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(values), _IN):
        yield values[i : i + _IN]


def apply_hits(payroll: Payroll, hits: pa.Table, *, rules: Iterable[str] | None = None) -> dict[str, Any]:
    """Put the payroll's lines on hold for ``hits`` (the HITS columns plus ``warning_id``): each hit of a
    holding rule on a person who is a current member of a line's household (or whose hit names the
    household) holds every pending or held line of that household. Returns the counts."""
    holding = set(rules) if rules is not None else holding_rules()
    rows = _unsettled([r for r in hits.to_pylist() if r["rule"] in holding])
    by_person: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_person[int(r["person_id"])].append(r)
    # The households each hit touches: the person's current households and the one the hit names.
    households: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("household_id") is not None:
            households[int(r["household_id"])].append(r)
    for part in _chunks(sorted(by_person)):
        for person_id, household_id in Membership.objects.filter(
            person_id__in=part, end_date__isnull=True
        ).values_list("person_id", "household_id"):
            for r in by_person[person_id]:
                if r not in households[household_id]:
                    households[household_id].append(r)
    lines: dict[int, list[int]] = defaultdict(list)
    for part in _chunks(sorted(households)):
        for line_id, household_id in PayrollLine.objects.filter(
            payroll=payroll,
            household_id__in=part,
            status__in=[PayrollLine.Status.PENDING, PayrollLine.Status.HELD],
        ).values_list("id", "household_id"):
            lines[household_id].append(line_id)
    new = [
        PayrollHold(
            line_id=line_id,
            rule=r["rule"],
            evidence_key=r["evidence_key"],
            evidence=_evidence(r),
            warning_id=r.get("warning_id"),
        )
        for household_id, line_ids in lines.items()
        for line_id in line_ids
        for r in households[household_id]
    ]
    before = PayrollHold.objects.filter(line__payroll=payroll).count()
    with transaction.atomic():
        PayrollHold.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
        held = _hold_lines(payroll)
    added = PayrollHold.objects.filter(line__payroll=payroll).count() - before
    by_rule: dict[str, int] = defaultdict(int)
    for r in rows:
        by_rule[r["rule"]] += 1
    return {"hits": len(rows), "holds_added": added, "lines_held": held, "by_rule": dict(by_rule)}


def _unsettled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hits whose fact has not been settled already: a fact the township verified and cleared on an
    earlier hold, or whose warning it closed as dismissed, does not hold the payment again each month."""
    keys = sorted({r["evidence_key"] for r in rows})
    cleared: set[tuple[str, str]] = set()
    for part in _chunks(keys):
        cleared |= set(
            PayrollHold.objects.filter(evidence_key__in=part, status=PayrollHold.Status.CLEARED).values_list(
                "rule", "evidence_key"
            )
        )
    warning_ids = sorted({int(r["warning_id"]) for r in rows if r.get("warning_id") is not None})
    dismissed: set[int] = set()
    for part in _chunks(warning_ids):
        dismissed |= set(
            Warning.objects.filter(
                pk__in=part, status=Warning.Status.CLOSED, outcome=Warning.Outcome.DISMISS
            ).values_list("pk", flat=True)
        )
    return [
        r
        for r in rows
        if (r["rule"], r["evidence_key"]) not in cleared
        and (r.get("warning_id") is None or int(r["warning_id"]) not in dismissed)
    ]


def _evidence(hit: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(hit.get("evidence") or "{}")
    except ValueError:
        data = {"证据": hit.get("evidence")}
    if not isinstance(data, dict):
        data = {"证据": data}
    event = hit.get("event_date")
    return {
        **data,
        "_person_id": hit.get("person_id"),
        "_event_date": event.isoformat() if isinstance(event, date) else event,
    }


def _hold_lines(payroll: Payroll) -> int:
    """Every pending line of the payroll with an open hold becomes held (one statement)."""
    L, H = PayrollLine, PayrollHold
    qn = connection.ops.quote_name
    lt, ht = qn(L._meta.db_table), qn(H._meta.db_table)
    sql = (
        f"UPDATE {lt} SET {qn('status')} = %s WHERE {qn(L._meta.get_field('payroll').column)} = %s "
        f"AND {qn('status')} = %s AND EXISTS (SELECT 1 FROM {ht} h "
        f"WHERE h.{qn(H._meta.get_field('line').column)} = {lt}.{qn('id')} AND h.{qn('status')} = %s)"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [L.Status.HELD, payroll.pk, L.Status.PENDING, H.Status.HELD])
        return int(cur.rowcount)


def open_holds(payroll: Payroll) -> int:
    return PayrollHold.objects.filter(line__payroll=payroll, status=PayrollHold.Status.HELD).count()


def payroll_check(
    *, ctx: AuditContext, payroll_id: int, progress: Progress | None = None, engine: str = "duckdb"
) -> Payroll:
    """Run the pre-payment comparison of a generated payroll (resumable: running it again after a
    failure or a lost process finishes it; holds are never doubled)."""
    from jiuzhu.payments.selectors import payroll_get

    require_perm(ctx.user, GENERATE_PERM)
    payroll = payroll_get(user=ctx.user, payroll_id=payroll_id, county_only=True)
    with transaction.atomic():
        payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
        if not PayrollJob.objects.filter(
            payroll=payroll, kind=PayrollJob.Kind.GENERATE, status=PayrollJob.Status.DONE
        ).exists():
            raise Conflict("名册尚未生成完毕，请先完成生成再比对")
        if payroll.status not in (Payroll.Status.DRAFT, Payroll.Status.CHECKING, Payroll.Status.HOLDS):
            raise Conflict(f"名册已{payroll.get_status_display()}，不能再比对")
        as_of = check_date(payroll.month, timezone.localdate())
        job = job_start(ctx, payroll, PayrollJob.Kind.CHECK, params={"as_of": as_of.isoformat()})
        Payroll.objects.filter(pk=payroll.pk).update(status=Payroll.Status.CHECKING)
    try:
        result = _run(ctx, payroll, job, as_of=as_of, progress=progress, engine=engine)
        with transaction.atomic():
            status = Payroll.Status.HOLDS if open_holds(payroll) else Payroll.Status.SUBMITTED
            totals = payroll_totals(payroll)
            update: dict[str, Any] = {"status": status}
            if status == Payroll.Status.SUBMITTED:
                update |= {"submitted_by": ctx.user, "submitted_at": timezone.now()}
            Payroll.objects.filter(pk=payroll.pk).update(**update)
            job_finish(ctx, job, {**result, "held": totals["held_count"], "status": status})
            audit_record(
                ctx=ctx,
                action="update",
                object_type=AuditObject.PAYROLL,
                object_id=payroll.pk,
                region_code=payroll.region_id,
                detail={"check": result, "status": status},
            )
    except Exception as exc:
        job_fail(job, exc)
        raise
    payroll.refresh_from_db()
    return payroll


def _run(
    ctx: AuditContext,
    payroll: Payroll,
    job: PayrollJob,
    *,
    as_of: date,
    progress: Progress | None,
    engine: str,
) -> dict[str, Any]:
    from jiuzhu.monitoring.services.runs import monitoring_run

    rules = [r for r in RULES if r.holds_payment]
    job_beat(job, 0, len(rules) + 3)

    def step(done: int, total: int, *_: Any) -> None:
        job_beat(job, done, total + 1)
        if progress:
            progress(done, total + 1)

    run = monitoring_run(
        ctx=ctx,
        as_of=as_of,
        county=payroll.region,
        kind="pre_payment",
        engine=engine,
        rules=rules,
        progress=step,
    )
    Payroll.objects.filter(pk=payroll.pk).update(check_run=run.run)
    counts = apply_hits(payroll, run.hits, rules=[r.code for r in rules])
    return {**counts, "run": run.run.pk, "as_of": as_of.isoformat()}
