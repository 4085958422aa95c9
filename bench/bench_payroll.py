"""Payroll (发放名册) for a county of 1M entitlements, with its bank file, on PostgreSQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench_mon
    uv run python -m bench.bench_payroll

Data: ``bench/monitoring_data.py`` (shared with ``bench_monitoring``): the synthetic county with one
entitlement per household, 低保 for nine households in ten (900k) and 特困 for the head of the others
(100k). The county's payrolls of earlier bench runs are deleted first.

The figure (bar: 1M entitlements and the bank file ≤ 15 s): ``payroll_generate`` for the month, for 低保 and
for 特困, then ``bank_file_export`` (CSV) of both — the payrolls are marked approved in between without the
pre-payment check and the township's holds (that is ``bench_monitoring``'s figure; here every line is paid).

The baseline, in the same run, is the per-entitlement ORM program: for each entitlement of a sample
(``--baseline``), read it with its household, payee and history, work out the line and save it with
``PayrollLine.objects.create``; then write the bank file by iterating the lines through the ORM with
``csv.writer`` (summing the lines of one account in a dict). Rolled back, extrapolated per entitlement.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import time
from datetime import date
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")
os.environ.setdefault("JIUZHU_VAR_DIR", "/tmp/jiuzhu-bench-payroll-var")

import django

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.monitoring_data import SYNTH_COUNTY_CODE, Cpu, ensure_data, load, log  # noqa: E402
from jiuzhu.audit.services import AuditContext  # noqa: E402
from jiuzhu.benefits.models import Entitlement, EntitlementEvent  # noqa: E402
from jiuzhu.payments.models import Payroll, PayrollLine  # noqa: E402
from jiuzhu.regions.models import Region  # noqa: E402

PROGRAMS = ("dibao", "tekun")


def clear_payrolls() -> None:
    """The county's payrolls of earlier runs (holds, jobs, lines, bank returns first)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM payments_payrollhold")
        cursor.execute("DELETE FROM payments_bankreturn")
        cursor.execute("DELETE FROM payments_payrolljob")
        cursor.execute(
            "UPDATE payments_payrollline SET carried_from_id = NULL WHERE carried_from_id IS NOT NULL"
        )
        cursor.execute("DELETE FROM payments_payrollline")
        cursor.execute("DELETE FROM payments_payroll")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE payments_payrollline")


def generate_month(*, ctx: AuditContext, county: Region, program: str, month: date) -> tuple[Payroll, float]:
    from jiuzhu.payments.services.generate import payroll_generate

    t = time.perf_counter()
    payroll = payroll_generate(ctx=ctx, county_code=county.code, program=program, month=month)
    return payroll, time.perf_counter() - t


def run_check(*, ctx: AuditContext, payroll: Payroll) -> tuple[str, float]:
    from jiuzhu.payments.services.check import payroll_check

    t = time.perf_counter()
    done = payroll_check(ctx=ctx, payroll_id=payroll.pk)
    seconds = time.perf_counter() - t
    return f"status {done.status}, {done.held_count:,} lines held of {done.lines_count:,}", seconds


def export(*, ctx: AuditContext, payroll: Payroll) -> tuple[Any, float]:
    from jiuzhu.payments.services.bank import bank_file_export

    Payroll.objects.filter(pk=payroll.pk).update(status=Payroll.Status.APPROVED, approved_by=ctx.user)
    t = time.perf_counter()
    job = bank_file_export(ctx=ctx, payroll_id=payroll.pk, fmt="csv")
    return job, time.perf_counter() - t


# --- baseline ---------------------------------------------------------------------------------------


def _baseline_line(ent: Entitlement, payroll: Payroll, month: date) -> PayrollLine:
    """The line of one entitlement, worked out object by object."""
    household = ent.household
    payee = ent.person or household.head
    assert payee is not None
    amount = ent.amount
    for event in EntitlementEvent.objects.filter(entitlement=ent, kind="adjust").order_by("at"):
        start = event.changes.get("from_month")
        if start and date.fromisoformat(start) > month and isinstance(event.changes.get("amount"), list):
            amount = Decimal(event.changes["amount"][0])
            break
    earlier = PayrollLine.objects.filter(entitlement=ent).exclude(payroll=payroll).exists()
    computation = {
        "months": [{"month": f"{month:%Y-%m}", "kind": "current", "amount": str(amount)}],
        "deductions": [],
        "entitlement_amount": str(ent.amount),
        "decision": ent.decision_id,
        "document_no": ent.decision.document_no,
        "policy_version": ent.decision.policy_version_id,
        "earlier_lines": earlier,
    }
    return PayrollLine.objects.create(
        payroll=payroll,
        entitlement=ent,
        household=household,
        person=payee,
        region_id=ent.region_id,
        township_id=ent.region_id[:9] + "000",
        decision_id_ref=ent.decision_id,
        policy_version_id_ref=ent.decision.policy_version_id,
        base_amount=amount,
        amount=amount,
        computation=computation,
        bank_name=household.bank_name,
        bank_account=household.bank_account,
        holder_name=payee.name,
        id_number=payee.id_number,
    )


def baseline(
    *, ctx: AuditContext, county: Region, month: date, sample: int, seed: int
) -> tuple[float, float]:
    """Seconds per entitlement for the ORM lines and for the ORM bank file, on ``sample`` entitlements of
    低保 (rolled back)."""
    ids = list(
        Entitlement.objects.filter(
            region__code__startswith=county.code[:6], program="dibao", status="active"
        ).values_list("id", flat=True)
    )
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(np.array(ids), size=min(sample, len(ids)), replace=False).tolist())

    class Rollback(Exception):
        pass

    lines_s = file_s = 0.0
    try:
        with transaction.atomic():
            payroll = Payroll.objects.create(
                region=county, program="dibao", month=date(1999, 1, 1), created_by=ctx.user
            )
            t = time.perf_counter()
            for pk in chosen:
                ent = Entitlement.objects.select_related("household__head", "person", "decision").get(pk=pk)
                _baseline_line(ent, payroll, month)
            lines_s = time.perf_counter() - t
            t = time.perf_counter()
            per_account: dict[str, list[Any]] = {}
            for line in PayrollLine.objects.filter(payroll=payroll).order_by("id").iterator(chunk_size=2000):
                row = per_account.setdefault(
                    line.bank_account, [line.bank_account, line.holder_name, line.id_number, Decimal(0)]
                )
                row[3] += line.amount
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["账号", "户名", "身份证号码", "金额", "备注"])
            digest = hashlib.sha256()
            total = Decimal(0)
            for acct, name, number, amount in per_account.values():
                cells = [acct, name, number, f"{amount:.2f}", f"低保 {month:%Y-%m}"]
                writer.writerow(cells)
                digest.update(",".join(cells).encode())
                total += amount
            writer.writerow(["合计", len(per_account), "", f"{total:.2f}", ""])
            writer.writerow(["校验", digest.hexdigest(), "", "", ""])
            with open(os.devnull, "w", encoding="utf-8-sig") as fh:
                fh.write(out.getvalue())
            file_s = time.perf_counter() - t
            raise Rollback
    except Rollback:
        pass
    return lines_s / len(chosen), file_s / len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description="发放名册与银行文件基准")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 28))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--baseline", type=int, default=2000, help="ORM 基线的样本在保记录数")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("请设置 DATABASE_URL 指向 PostgreSQL")
    users = ensure_data(households=args.households, as_of=args.as_of, seed=args.seed)
    ctx = AuditContext(user=users["approver"], channel="cli")
    county = Region.objects.get(code=SYNTH_COUNTY_CODE)
    month = args.as_of.replace(day=1)
    clear_payrolls()
    print(f"entitlements: {Entitlement.objects.filter(status='active').count():,} active; {load()}")

    total_gen = total_exp = 0.0
    lines = 0
    amount = Decimal(0)
    for program in PROGRAMS:
        with Cpu() as cpu:
            payroll, s_gen = generate_month(ctx=ctx, county=county, program=program, month=month)
        print(
            f"payroll_generate {program} {month:%Y-%m}: {s_gen:.1f} s, {payroll.lines_count:,} lines, "
            f"{payroll.total_amount:,} 元"
        )
        print(f"  {cpu}")
        with Cpu() as cpu:
            job, s_exp = export(ctx=ctx, payroll=payroll)
        result = getattr(job, "result", {}) or {}
        print(f"bank_file_export {program} (CSV): {s_exp:.1f} s, {result}")
        print(f"  {cpu}")
        total_gen += s_gen
        total_exp += s_exp
        lines += payroll.lines_count
        amount += payroll.total_amount
    total = total_gen + total_exp
    print(
        f"total for {lines:,} lines ({amount:,} 元): generate {total_gen:.1f} s "
        f"+ bank files {total_exp:.1f} s "
        f"= {total:.1f} s (bar ≤ 15 s for 1M) ({load()})"
    )
    log("baseline …")
    per_line, per_file = baseline(ctx=ctx, county=county, month=month, sample=args.baseline, seed=args.seed)
    projected = (per_line + per_file) * lines
    print(
        f"baseline per-entitlement ORM on {args.baseline:,} entitlements (rolled back): lines "
        f"{per_line * 1000:.2f} ms + bank file {per_file * 1000:.3f} ms per entitlement → "
        f"{projected:,.0f} s projected for {lines:,} ({load()})"
    )
    print(f"ratio: {projected / total:.0f}×")


if __name__ == "__main__":
    main()
