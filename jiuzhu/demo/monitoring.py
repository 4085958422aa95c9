"""The demo's monitoring (动态监测) and payroll (发放) data, built last by the demo users via the services:

- departmental facts about households of the first township that are in assistance, imported as the
  departments send them: a member died, a car bought, a large medical bill, a business registered, a flat
  bought, a member in prison; and, for the village assistant, a large bill of a low-income family outside
  assistance (a lead);
- a monitoring run of the county (the county approver), which raises the warnings;
- the month's 低保 payroll: generated, checked before payment (月比对), which holds the deceased member's
  household and the car owner's; the township caseworker confirms the first hold (the line is stopped) and
  clears the second after the visit; the county approves; the bank file is exported; the bank's return
  fails two lines;
- the township caseworker's warnings, verified and closed in each of the four outcomes (纳入救助: an
  application for 临时救助; 调整待遇: a review case; 停止救助: a review case proposing 停保; 排除), one left
  verified, one left open and escalated after its deadline (督办), the rest open in the queue.

Running it again changes nothing (built once per county).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import EntitlementStatus
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Membership, Person

from .build import Layout

FILE_PREFIX = "演示-动态监测-"


def _ctx(user: User) -> AuditContext:
    return AuditContext(user=user, channel="cli")


def _users() -> dict[str, User]:
    names = ["approver", "caseworker", "caseworker2", "reviewer", "village"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    from jiuzhu.monitoring.models import MonitoringRun

    county = Region.objects.get(code=layout.county_code)
    if MonitoringRun.objects.filter(region=county).exists():
        log("  动态监测：监测批次已存在，沿用现有数据")
        return
    missing = _missing()
    if missing:
        log(f"  动态监测：{'、'.join(missing)} 尚未就绪，跳过监测与发放演示数据")
        return
    users = _users()
    today = timezone.localdate()
    town1 = Region.objects.get(code=layout.township_codes[0])
    homes = _assisted_households(town1)
    if len(homes) < 2:
        log("  动态监测：第一乡镇在保家庭不足，未生成监测演示数据")
        return
    facts = _facts(homes, town1, users, today)
    feeds = _import(facts, county)
    log(f"  动态监测：导入部门数据 {feeds} 个来源（死亡、购车、大额医疗、经营、购房、服刑）")

    from jiuzhu.monitoring.services.runs import monitoring_run

    result = monitoring_run(ctx=_ctx(users["approver"]), as_of=today, county=county)
    log(f"  动态监测：县级监测批次 {result.run.pk}，命中 {result.hits.num_rows} 条")

    payroll_text = _payroll(county, homes, users, today, log)
    warnings_text = _warnings(homes, users, today)
    log(f"  发放名册：{payroll_text}")
    log(f"  预警处置：{warnings_text}")


def _missing() -> list[str]:
    import importlib

    needed = [
        "jiuzhu.monitoring.services.runs",
        "jiuzhu.monitoring.services.warnings",
        "jiuzhu.payments.services.generate",
        "jiuzhu.payments.services.check",
        "jiuzhu.payments.services.holds",
        "jiuzhu.payments.services.bank",
    ]
    out = []
    for name in needed:
        try:
            importlib.import_module(name)
        except ImportError:
            out.append(name.rsplit(".", 1)[1])
    return out


# --- facts ------------------------------------------------------------------------------------------


def _assisted_households(town: Region) -> list[tuple[Household, Person, Entitlement]]:
    """The first township's households paid 低保 monthly, each with its head and its entitlement, in a
    stable order."""
    live = (
        Entitlement.objects.filter(
            region__code__range=town.bounds(),
            program="dibao",
            payment="monthly",
            status=EntitlementStatus.ACTIVE,
            person__isnull=True,
        )
        .select_related("household__head")
        .order_by("id")
    )
    out: list[tuple[Household, Person, Entitlement]] = []
    seen: set[int] = set()
    for e in live:
        if e.household_id in seen or e.household.head is None:
            continue
        seen.add(e.household_id)
        out.append((e.household, e.household.head, e))
    return out


def _other_member(household: Household, head: Person) -> Person:
    m = (
        Membership.objects.filter(household=household, end_date__isnull=True)
        .exclude(person=head)
        .select_related("person")
        .order_by("id")
        .first()
    )
    return m.person if m is not None else head


def _outside_person(town: Region) -> Person | None:
    """A member of a household of the first township not in any program (for the village's lead)."""
    covered = Entitlement.objects.filter(status=EntitlementStatus.ACTIVE).values("household_id")
    m = (
        Membership.objects.filter(
            household__region__code__range=town.bounds(), end_date__isnull=True, relation="head"
        )
        .exclude(household_id__in=covered)
        .select_related("person")
        .order_by("household_id")
        .first()
    )
    return m.person if m is not None else None


def _facts(
    homes: list[tuple[Household, Person, Entitlement]], town: Region, users: dict[str, User], today: date
) -> dict[str, list[dict[str, str]]]:
    """Each event about the assisted households in order: the first two (death, car) hold the payroll."""
    recent = today - timedelta(days=20)
    earlier = today - timedelta(days=75)
    facts: dict[str, list[dict[str, str]]] = {}

    def add(feed: str, **row: str) -> None:
        facts.setdefault(feed, []).append(row)

    kinds = ["death", "car", "medical", "business", "property", "prison"]
    for i, (household, head, _) in enumerate(homes[: len(kinds)]):
        kind = kinds[i]
        if kind == "death":
            died = _other_member(household, head)
            add("police_death", id_number=died.id_number, death_date=recent.isoformat(), source="cremation")
        elif kind == "car":
            add(
                "vehicle",
                id_number=head.id_number,
                plate=f"云Z{household.pk % 100000:05d}",
                vehicle_type="car",
                event="buy",
                event_date=earlier.isoformat(),
                value="68000",
            )
        elif kind == "medical":
            add(
                "medical_bill",
                id_number=head.id_number,
                settled_on=recent.isoformat(),
                bill_no=f"YBDEMO{household.pk:08d}",
                total="32600.00",
                out_of_pocket="12850.00",
            )
        elif kind == "business":
            add(
                "business",
                id_number=head.id_number,
                reg_no=f"92990101MADEMO{household.pk:04d}",
                kind="individual",
                status="active",
                registered_on=earlier.isoformat(),
                capital="30000",
            )
        elif kind == "property":
            add(
                "real_estate",
                id_number=head.id_number,
                unit_no=f"FCDEMO{household.pk:08d}",
                use="residential",
                area="96",
                event="buy",
                event_date=earlier.isoformat(),
                value="420000",
            )
        elif kind == "prison":
            add(
                "justice",
                id_number=_other_member(household, head).id_number,
                kind="prison",
                start_date=earlier.isoformat(),
                end_date=(today + timedelta(days=700)).isoformat(),
            )
    outside = _outside_person(town)
    if outside is not None:
        add(
            "medical_bill",
            id_number=outside.id_number,
            settled_on=recent.isoformat(),
            bill_no=f"YBDEMOL{outside.pk:08d}",
            total="48000.00",
            out_of_pocket="21500.00",
        )
    return facts


def _import(facts: dict[str, list[dict[str, str]]], county: Region) -> int:
    """The departments' files, imported by the exchange as the demo's other feeds are (system channel)."""
    from jiuzhu.exchange.services import feed_import

    for feed, rows in facts.items():
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        feed_import(
            ctx=AuditContext.system(),
            feed_code=feed,
            file_name=f"{FILE_PREFIX}{feed}.csv",
            fh=io.BytesIO(out.getvalue().encode("utf-8")),
            region_code=county.code,
        )
    return len(facts)


# --- payroll ----------------------------------------------------------------------------------------


def _payroll(
    county: Region,
    homes: list[tuple[Household, Person, Entitlement]],
    users: dict[str, User],
    today: date,
    log: Callable[[str], None],
) -> str:
    from jiuzhu.payments.models import PayrollHold, PayrollLine
    from jiuzhu.payments.services.bank import bank_file_export, bank_file_open, bank_return_import
    from jiuzhu.payments.services.check import payroll_check
    from jiuzhu.payments.services.generate import payroll_generate
    from jiuzhu.payments.services.holds import hold_clear, hold_confirm, payroll_approve, payroll_submit

    approver = users["approver"]
    month = today.replace(day=1)
    _bank_accounts(county)
    payroll = payroll_generate(ctx=_ctx(approver), county_code=county.code, program="dibao", month=month)
    payroll = payroll_check(ctx=_ctx(approver), payroll_id=payroll.pk)
    dead_home, car_home = homes[0][0].pk, homes[1][0].pk
    held = PayrollHold.objects.filter(line__payroll=payroll, status="held").select_related("line")
    decided = {"confirmed": 0, "cleared": 0}
    for hold in held.order_by("id"):
        township = hold.line.township_id
        worker = (
            users["caseworker"] if township == homes[0][0].region_id[:9] + "000" else users["caseworker2"]
        )
        if hold.line.household_id == dead_home:
            hold_confirm(
                ctx=_ctx(worker),
                hold_id=hold.pk,
                reason="入户核实：该户成员已于本月死亡并火化，停发本月救助金，待县级停保",
            )
            decided["confirmed"] += 1
        else:
            reason = (
                "入户核实：所购车辆为家庭经营用车且已登记转让，保障继续，转入待遇调整复核"
                if hold.line.household_id == car_home
                else "核实无异常，恢复发放"
            )
            hold_clear(ctx=_ctx(worker), hold_id=hold.pk, reason=reason)
            decided["cleared"] += 1
    payroll.refresh_from_db()
    if payroll.status == "holds":
        payroll = payroll_submit(ctx=_ctx(approver), payroll_id=payroll.pk)
    payroll = payroll_approve(ctx=_ctx(approver), payroll_id=payroll.pk)
    job = bank_file_export(ctx=_ctx(approver), payroll_id=payroll.pk, fmt="csv")
    failed = _bank_return(payroll, job, approver, today, bank_file_open, bank_return_import)
    payroll.refresh_from_db()
    lines = PayrollLine.objects.filter(payroll=payroll)
    return (
        f"{month:%Y-%m} 低保 {payroll.lines_count} 条，"
        f"月比对暂停 {decided['confirmed'] + decided['cleared']} 条"
        f"（停发 {decided['confirmed']}，核实后恢复 {decided['cleared']}），已审批、导出银行文件，"
        f"回盘失败 {failed} 条；已到账 {lines.filter(status='paid').count()} 条"
    )


def _bank_accounts(county: Region) -> None:
    """Demo data only: households paid monthly that were registered without a bank account (the migrated
    ones) get one, as the township records it before the first payroll."""
    paid = Entitlement.objects.filter(
        region__code__range=county.bounds(), status=EntitlementStatus.ACTIVE, payment="monthly"
    ).values("household_id")
    for household in Household.objects.filter(pk__in=paid, bank_account=""):
        Household.objects.filter(pk=household.pk).update(
            bank_name="安和农商银行", bank_account=f"62309901{household.pk:011d}"
        )


def _bank_return(
    payroll: Any, job: Any, user: User, today: date, bank_file_open: Any, bank_return_import: Any
) -> int:
    """The bank's return file: one row per account of the bank file (the lines sharing an account summed),
    every one paid except two (a closed account, a name that does not match)."""
    from decimal import Decimal

    from jiuzhu.payments.bankfiles import return_csv
    from jiuzhu.payments.models import PayrollLine

    bank_file_open(ctx=_ctx(user), payroll_id=payroll.pk, job_id=job.pk)  # downloaded (and audited)
    accounts: dict[str, list[Any]] = {}
    exported = PayrollLine.objects.filter(payroll=payroll, status="pending").exclude(bank_account="")
    for line in exported.order_by("bank_account", "id"):
        row = accounts.setdefault(line.bank_account, [line.bank_account, line.id_number, Decimal(0)])
        row[2] += line.amount
    failures = ["账户已销户", "户名与账号不符"]
    rows: list[list[Any]] = []
    for k, (account, number, amount) in enumerate(accounts.values()):
        status, message = "成功", ""
        if failures and k % 3 == 1:
            status, message = "失败", failures.pop(0)
        rows.append([account, number, f"{amount:.2f}", status, f"YH{today:%Y%m%d}{k:06d}", message, ""])
    bank_return_import(
        ctx=_ctx(user),
        payroll_id=payroll.pk,
        file_name=f"{FILE_PREFIX}回盘.csv",
        fh=io.BytesIO(return_csv(rows)),
    )
    return 2 - len(failures)


# --- warnings ---------------------------------------------------------------------------------------


def _warnings(homes: list[tuple[Household, Person, Entitlement]], users: dict[str, User], today: date) -> str:
    from jiuzhu.monitoring.models import Warning
    from jiuzhu.monitoring.services.warnings import warning_close, warning_verify, warnings_escalate

    worker = users["caseworker"]
    ctx = _ctx(worker)

    def warning_of(household: Household, rule: str) -> Warning | None:
        return (
            Warning.objects.filter(household=household, rule=rule, status__in=["open", "verified"])
            .order_by("id")
            .first()
        )

    def verify(w: Warning, text: str) -> Warning:
        return warning_verify(ctx=ctx, warning_id=w.pk, version=w.version, verification=text)

    done: list[str] = []
    stop = {"reason": "保障对象家庭成员死亡\n家庭人口减少"}
    dismiss = {"reason": "身份证被冒用登记，户主本人未从事经营"}
    plan: list[tuple[int, str, str, str, dict[str, str]]] = [
        # (home, rule, what the visit found, outcome, its arguments)
        (0, "death", "公安火化信息属实，家属提供死亡证明", "stop", stop),
        (1, "vehicle_acquired", "入户核实：购置家用轿车一辆，价值6.8万元", "adjust", {}),
        (
            2,
            "medical_expense",
            "住院治疗，个人自付1.29万元，家庭难以承担",
            "assist",
            {"program": "temporary"},
        ),
        (3, "business_registered", "经核实为他人冒用身份证登记，已申请撤销", "dismiss", dismiss),
        (4, "property_acquired", "", "", {}),  # left open; escalated after its deadline
        (5, "detained", "司法所确认在押服刑，刑期至后年", "", {}),  # verified, outcome pending
    ]
    for index, rule, finding, outcome, extra in plan:
        if index >= len(homes):
            continue
        w = warning_of(homes[index][0], rule)
        if w is None:
            continue
        try:
            if finding:
                w = verify(w, finding)
            if outcome:
                warning_close(
                    ctx=ctx,
                    warning_id=w.pk,
                    version=w.version,
                    outcome=outcome,
                    reason=extra.get("reason", ""),
                    program=extra.get("program"),
                )
                done.append(outcome)
        except ServiceError as exc:
            done.append(f"{rule}：{exc.message}")
        if rule == "property_acquired":
            # Demo data only: its deadline moved into the past, so the scan escalates it (督办).
            with transaction.atomic():
                Warning.objects.filter(pk=w.pk).update(due_on=today - timedelta(days=3))
    escalated = warnings_escalate(ctx=AuditContext.system(channel="cli"), today=today)
    open_left = Warning.objects.filter(status__in=["open", "verified"]).count()
    return f"已办结 {len(done)} 条（{'、'.join(done)}），督办 {escalated} 条，待处置 {open_left} 条"


def delete(bounds: tuple[str, str]) -> None:
    """Remove the county's monitoring and payroll rows (before the procedure's rows go)."""
    from jiuzhu.exchange.models import FeedRecord, ImportBatch
    from jiuzhu.monitoring.models import MonitoringRun, Warning, WarningEvidence
    from jiuzhu.payments.models import BankReturn, Payroll, PayrollHold, PayrollJob, PayrollLine

    payrolls = Payroll.objects.filter(region__code__range=bounds)
    PayrollHold.objects.filter(line__payroll__in=payrolls).delete()
    BankReturn.objects.filter(payroll__in=payrolls).delete()
    PayrollJob.objects.filter(payroll__in=payrolls).delete()
    lines = PayrollLine.objects.filter(payroll__in=payrolls)
    lines.update(carried_from=None)
    lines.delete()
    payrolls.delete()
    warnings = Warning.objects.filter(region__code__range=bounds)
    WarningEvidence.objects.filter(warning__in=warnings).delete()
    warnings.delete()
    MonitoringRun.objects.filter(region__code__range=bounds).delete()
    batches = ImportBatch.objects.filter(file_name__startswith=FILE_PREFIX)
    FeedRecord.objects.filter(batch__in=batches).delete()
    batches.delete()
