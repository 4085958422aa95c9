"""The pre-payment comparison: hits of holding rules put the lines of the person's household on hold with
the evidence; re-checking adds nothing twice; the payroll waits for the townships or goes to the county."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.batch.rules.schema import HITS
from jiuzhu.core.errors import Conflict
from jiuzhu.monitoring.models import MonitoringRun
from jiuzhu.payments.models import Payroll, PayrollHold, PayrollLine
from jiuzhu.payments.services import check as check_module
from jiuzhu.payments.services.check import apply_hits, check_date, holding_rules, payroll_check

from ..conftest import COUNTY, WEST_VILLAGE
from ..factories import add_member
from . import test_generate
from .test_generate import NOV, ent, generate, household

pytestmark = pytest.mark.django_db
county = test_generate.county
approver = test_generate.approver

_TYPES = {"VARCHAR": pa.string(), "INT": pa.int32(), "BIGINT": pa.int64(), "DATE": pa.date32()}


def hit(
    rule: str, person: Any, household_id: int, key: str, warning: int | None = None, **evidence: Any
) -> dict:
    return {
        "rule": rule,
        "version": 1,
        "purpose": "warning",
        "person_id": person.pk,
        "household_id": household_id,
        "region_code": "980101001001",
        "event_date": date(2026, 11, 3),
        "evidence_key": key,
        "evidence": json.dumps(evidence, ensure_ascii=False),
        "warning_id": warning,
    }


def hits_table(rows: list[dict[str, Any]]) -> pa.Table:
    schema = pa.schema([*((n, _TYPES[t]) for n, t in HITS.items()), ("warning_id", pa.int64())])
    return pa.Table.from_pylist(rows, schema=schema)


@dataclass
class Scene:
    payroll: Payroll
    dead: Any  # a household whose head died
    car: Any  # a household whose member bought a car (two lines: the household's and a person's)
    clean: Any
    member: Any


@pytest.fixture
def scene(county, approver) -> Scene:
    dead = household()
    car = household(WEST_VILLAGE, "6228480000000009")
    member = add_member(car)
    clean = household(account="6228480000000005")
    ent(dead, amount="520.00")
    ent(car, amount="300.00")
    ent(car, amount="200.00", program="dibao", person=member)
    ent(clean, amount="410.00")
    return Scene(generate(approver), dead, car, clean, member)


def test_holding_rules_are_those_that_stop_a_payment() -> None:
    assert {"death", "vehicle_acquired", "duplicate_household"} <= holding_rules()


def test_hits_hold_every_line_of_the_household_with_the_evidence(scene) -> None:
    p = scene.payroll
    hits = hits_table(
        [
            hit("death", scene.dead.head, scene.dead.pk, "k-death", 死亡日期="2026-11-03"),
            # A member's hit holds the household's line and the member's own.
            hit("vehicle_acquired", scene.member, scene.car.pk, "k-car", 号牌="测A12345"),
            hit("some_lead", scene.clean.head, scene.clean.pk, "k-lead"),  # not a holding rule
        ]
    )
    counts = apply_hits(p, hits, rules={"death", "vehicle_acquired"})
    assert (counts["holds_added"], counts["lines_held"]) == (3, 3)
    assert counts["by_rule"] == {"death": 1, "vehicle_acquired": 1}
    dead_line = PayrollLine.objects.get(payroll=p, household=scene.dead)
    assert dead_line.status == "held"
    hold = dead_line.holds.get()
    assert (hold.rule, hold.evidence_key, hold.status) == ("death", "k-death", "held")
    assert hold.evidence["死亡日期"] == "2026-11-03" and hold.evidence["_event_date"] == "2026-11-03"
    assert set(
        PayrollLine.objects.filter(payroll=p, household=scene.car).values_list("status", flat=True)
    ) == {"held"}
    assert PayrollLine.objects.get(payroll=p, household=scene.clean).status == "pending"
    # The same hits again: nothing new.
    again = apply_hits(p, hits, rules={"death", "vehicle_acquired"})
    assert (again["holds_added"], again["lines_held"]) == (0, 0)
    assert PayrollHold.objects.count() == 3


def test_a_hit_holds_the_person_s_household_and_the_household_it_names(scene) -> None:
    """The duplicate rule names the other household the person is entitled in: both are held."""
    apply_hits(
        scene.payroll,
        hits_table([hit("duplicate_household", scene.member, scene.clean.pk, "k-dup")]),
    )
    held = PayrollLine.objects.filter(payroll=scene.payroll, status="held")
    assert set(held.values_list("household_id", flat=True)) == {scene.car.pk, scene.clean.pk}
    assert PayrollLine.objects.get(payroll=scene.payroll, household=scene.dead).status == "pending"


def test_a_cleared_hold_is_not_raised_again_by_a_new_check(scene) -> None:
    p = scene.payroll
    hits = hits_table([hit("death", scene.dead.head, scene.dead.pk, "k-death")])
    apply_hits(p, hits, rules={"death"})
    PayrollHold.objects.update(status="cleared")
    PayrollLine.objects.filter(payroll=p).update(status="pending")
    apply_hits(p, hits, rules={"death"})
    assert PayrollLine.objects.get(payroll=p, household=scene.dead).status == "pending"
    # New evidence on the same person holds it again.
    apply_hits(p, hits_table([hit("death", scene.dead.head, scene.dead.pk, "k-death-2")]), rules={"death"})
    assert PayrollLine.objects.get(payroll=p, household=scene.dead).status == "held"


def test_stopped_lines_are_not_held(scene) -> None:
    p = scene.payroll
    PayrollLine.objects.filter(payroll=p, household=scene.dead).update(status="stopped")
    apply_hits(p, hits_table([hit("death", scene.dead.head, scene.dead.pk, "k")]), rules={"death"})
    assert not PayrollHold.objects.exists()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 20), date(2026, 11, 20)),
        (date(2026, 12, 3), date(2026, 11, 30)),
        (date(2026, 10, 25), date(2026, 11, 1)),
        (date(2024, 3, 5), date(2024, 2, 29)),
    ],
)
def test_the_check_date(today: date, expected: date) -> None:
    month = date(2024, 2, 1) if today.year == 2024 else NOV
    assert check_date(month, today) == expected


@dataclass
class FakeResult:
    run: MonitoringRun
    hits: pa.Table


def fake_run(rows: list[dict[str, Any]], calls: list[dict[str, Any]]) -> Any:
    def run(**kwargs: Any) -> FakeResult:
        calls.append(kwargs)
        monitoring = MonitoringRun.objects.create(
            kind="pre_payment", as_of=kwargs["as_of"], region=kwargs["county"], status="done"
        )
        if kwargs.get("progress"):
            kwargs["progress"](1, 2, "规则")
        return FakeResult(monitoring, hits_table(rows))

    return run


def _patch(monkeypatch: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import jiuzhu.monitoring.services as services

    calls: list[dict[str, Any]] = []
    module = type(check_module)("jiuzhu.monitoring.services.runs")
    module.monitoring_run = fake_run(rows, calls)  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "jiuzhu.monitoring.services.runs", module)
    monkeypatch.setattr(services, "runs", module, raising=False)
    return calls


def test_the_check_job_holds_lines_and_waits_for_the_townships(scene, approver, monkeypatch) -> None:
    calls = _patch(monkeypatch, [hit("death", scene.dead.head, scene.dead.pk, "k-death")])
    payroll = payroll_check(ctx=AuditContext(user=approver), payroll_id=scene.payroll.pk)
    assert payroll.status == "holds"
    assert (payroll.held_count, payroll.held_amount) == (1, Decimal("520.00"))
    assert (payroll.lines_count, payroll.total_amount) == (4, Decimal("1430.00"))
    assert payroll.check_run_id is not None
    (call,) = calls
    assert (call["kind"], call["county"].code) == ("pre_payment", COUNTY)
    assert {r.code for r in call["rules"]} == holding_rules()
    job = payroll.jobs.get(kind="check")
    assert job.status == "done" and job.result["holds_added"] == 1
    # Checking again adds nothing; the payroll still waits.
    payroll = payroll_check(ctx=AuditContext(user=approver), payroll_id=payroll.pk)
    assert PayrollHold.objects.count() == 1 and payroll.status == "holds"


def test_nothing_held_goes_to_the_county(scene, approver, monkeypatch) -> None:
    _patch(monkeypatch, [])
    payroll = payroll_check(ctx=AuditContext(user=approver), payroll_id=scene.payroll.pk)
    assert payroll.status == "submitted" and payroll.submitted_by == approver


def test_a_failed_check_keeps_its_error_and_is_retried(scene, approver, monkeypatch) -> None:
    import jiuzhu.monitoring.services as services

    module = type(check_module)("jiuzhu.monitoring.services.runs")

    def broken(**_: Any) -> Any:
        raise RuntimeError("部门数据读取失败")

    module.monitoring_run = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "jiuzhu.monitoring.services.runs", module)
    monkeypatch.setattr(services, "runs", module, raising=False)
    with pytest.raises(RuntimeError):
        payroll_check(ctx=AuditContext(user=approver), payroll_id=scene.payroll.pk)
    job = scene.payroll.jobs.get(kind="check")
    assert job.status == "failed" and "部门数据读取失败" in job.error
    _patch(monkeypatch, [])
    from jiuzhu.payments.services.holds import payroll_retry

    payroll = payroll_retry(ctx=AuditContext(user=approver), payroll_id=scene.payroll.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, payroll.status) == ("done", 2, "submitted")


def test_a_payroll_not_generated_is_not_checked(county, approver) -> None:
    from jiuzhu.payments.services.generate import payroll_open

    payroll = payroll_open(ctx=AuditContext(user=approver), county_code=COUNTY, program="dibao", month=NOV)
    with pytest.raises(Conflict):
        payroll_check(ctx=AuditContext(user=approver), payroll_id=payroll.pk)


def test_a_fact_settled_last_month_does_not_hold_next_month(scene, approver) -> None:
    from ..factories import new_warning

    p = scene.payroll
    car_hit = hit("vehicle_acquired", scene.car.head, scene.car.pk, "k-car")
    apply_hits(p, hits_table([car_hit]), rules={"vehicle_acquired"})
    PayrollHold.objects.update(status="cleared")  # verified: an exempt vehicle after all
    dismissed = new_warning(scene.dead, person=scene.dead.head, rule="death")
    type(dismissed).objects.filter(pk=dismissed.pk).update(status="closed", outcome="dismiss")
    december = generate(approver, date(2026, 12, 1))
    dead_hit = hit("death", scene.dead.head, scene.dead.pk, "k-dead", warning=dismissed.pk)
    counts = apply_hits(december, hits_table([car_hit, dead_hit]), rules={"vehicle_acquired", "death"})
    assert counts["holds_added"] == 0
    assert not PayrollLine.objects.filter(payroll=december, status="held").exists()
    # A new fact about the same person still holds the line.
    apply_hits(december, hits_table([hit("vehicle_acquired", scene.car.head, scene.car.pk, "k-car-2")]))
    assert PayrollLine.objects.filter(payroll=december, household=scene.car, status="held").exists()
