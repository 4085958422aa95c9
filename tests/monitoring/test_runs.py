"""Monitoring runs (I2): evidence once per fact, warnings opened or joined, dispatch with a deadline in
working days, counts per rule, the hits returned with their warning, resuming an interrupted run."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.monitoring.models import JobStatus, MonitoringRun, Warning, WarningEvidence
from jiuzhu.monitoring.rules import DEATH, DUPLICATE_PERSON, VEHICLE
from jiuzhu.monitoring.services.runs import monitoring_run
from jiuzhu.regions.models import Region
from tests.conftest import COUNTY, EAST_TOWN
from tests.factories import add_member, new_entitlement, new_household, new_policy
from tests.monitoring.test_extract import feed

# Three rules whose tables, hits and warnings are worked out by hand below.
RULES = (DEATH, VEHICLE, DUPLICATE_PERSON)

AS_OF = date(2026, 11, 15)  # a Sunday: five working days later is Friday 20 November
CTX = AuditContext.system()


@pytest.fixture
def world(tree: dict[str, Region]) -> dict[str, Any]:
    new_policy(dibao_standard_rural=Decimal("520"))
    h1 = new_household()
    a = h1.head
    b = add_member(h1, "spouse")
    new_entitlement(h1, program="dibao")
    outsider = new_household().head  # no entitlement: the death rule looks at assisted people only
    feed("police_death", a.id_number, date(2026, 10, 1), kind="death", source="death")
    feed("police_death", outsider.id_number, date(2026, 10, 1), kind="death", source="death")
    feed(
        "vehicle",
        b.id_number,
        date(2026, 10, 5),
        "80000",
        kind="car",
        vehicle_type="car",
        event="buy",
        plate="皖A1",
    )
    # A vehicle bought before the 12-month look-back: no warning.
    feed(
        "vehicle",
        b.id_number,
        date(2025, 11, 15),
        "9000",
        kind="car",
        vehicle_type="car",
        event="buy",
        plate="皖A0",
    )
    return {"h1": h1, "a": a, "b": b, "county": Region.objects.get(code=COUNTY)}


@pytest.mark.django_db
def test_first_run_opens_one_warning_per_rule_and_person(world: dict[str, Any]) -> None:
    result = monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    run = result.run
    assert run.status == JobStatus.DONE and run.phase == "done"
    assert run.counts["death"] == {"hits": 1, "new_evidence": 1, "new_warnings": 1}
    assert run.counts["vehicle_acquired"] == {"hits": 1, "new_evidence": 1, "new_warnings": 1}
    assert run.counts["duplicate_household"] == {"hits": 0, "new_evidence": 0, "new_warnings": 0}
    assert run.rule_versions == {"death": 1, "vehicle_acquired": 1, "duplicate_household": 1}
    assert run.persons == 3 and run.feed_rows == 4
    assert set(run.timings) == {"extract", "evaluate", "write"}
    assert run.progress_done == run.progress_total == len(RULES) + 2
    death = Warning.objects.get(rule="death")
    assert (death.person_id, death.household_id) == (world["a"].pk, world["h1"].pk)
    assert (death.region_id, death.township_id) == ("980101001001", EAST_TOWN)
    assert (death.raised_on, death.due_on) == (AS_OF, date(2026, 11, 20))
    assert (death.severity, death.purpose, death.status, death.first_run_id) == (
        "high",
        "warning",
        "open",
        run.pk,
    )
    assert (death.evidence_count, death.last_event_on) == (1, date(2026, 10, 1))
    car = Warning.objects.get(rule="vehicle_acquired")
    assert car.person_id == world["b"].pk
    assert car.due_on == date(2026, 11, 27)  # ten working days after Sunday 15 November
    evidence = WarningEvidence.objects.get(warning=car)
    assert evidence.evidence["号牌"] == "皖A1" and evidence.run_id == run.pk
    hits = result.hits.to_pylist()
    assert sorted((h["rule"], h["warning_id"]) for h in hits) == sorted(
        [("death", death.pk), ("vehicle_acquired", car.pk)]
    )
    assert result.hits.schema.field("warning_id").type == "int64"


@pytest.mark.django_db
def test_running_again_adds_nothing_and_returns_the_same_warnings(world: dict[str, Any]) -> None:
    first = monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    second = monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    assert second.run.pk != first.run.pk
    assert second.run.counts["death"] == {"hits": 1, "new_evidence": 0, "new_warnings": 0}
    assert Warning.objects.count() == 2 and WarningEvidence.objects.count() == 2
    assert sorted(first.hits.column("warning_id").to_pylist()) == sorted(
        second.hits.column("warning_id").to_pylist()
    )


@pytest.mark.django_db
def test_new_evidence_joins_the_open_warning(world: dict[str, Any]) -> None:
    monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    feed("police_death", world["a"].id_number, date(2026, 10, 3), kind="cremation", source="cremation")
    result = monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    assert result.run.counts["death"] == {"hits": 2, "new_evidence": 1, "new_warnings": 0}
    death = Warning.objects.get(rule="death")
    assert (death.evidence_count, death.last_event_on) == (2, date(2026, 10, 3))
    assert {h["warning_id"] for h in result.hits.to_pylist() if h["rule"] == "death"} == {death.pk}


@pytest.mark.django_db
def test_new_evidence_after_a_closed_warning_opens_another(world: dict[str, Any]) -> None:
    monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    old = Warning.objects.get(rule="death")
    Warning.objects.filter(pk=old.pk).update(status="closed", outcome="dismiss")
    feed("police_death", world["a"].id_number, date(2026, 10, 3), kind="cremation", source="cremation")
    result = monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    assert result.run.counts["death"] == {"hits": 2, "new_evidence": 1, "new_warnings": 1}
    new = Warning.objects.get(rule="death", status="open")
    assert new.pk != old.pk and new.evidence_count == 1
    # The old fact stays with the closed warning; the hits say so.
    by_key = {h["event_date"]: h["warning_id"] for h in result.hits.to_pylist() if h["rule"] == "death"}
    assert by_key == {date(2026, 10, 1): old.pk, date(2026, 10, 3): new.pk}


@pytest.mark.django_db
def test_pre_payment_run_and_a_run_of_every_county(world: dict[str, Any]) -> None:
    result = monitoring_run(ctx=CTX, rules=RULES, as_of=date(2026, 11, 30), kind="pre_payment")
    assert result.run.kind == "pre_payment" and result.run.region is None
    # Raised today at the latest, never on a future run date.
    assert Warning.objects.get(rule="death").raised_on == min(date(2026, 11, 30), timezone.localdate())


@pytest.mark.django_db
def test_a_stale_running_run_is_resumed_a_fresh_one_refused(world: dict[str, Any]) -> None:
    stuck = MonitoringRun.objects.create(
        as_of=AS_OF, region=world["county"], status=JobStatus.RUNNING, heartbeat_at=timezone.now()
    )
    with pytest.raises(Conflict):
        monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    MonitoringRun.objects.filter(pk=stuck.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    result = monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    assert result.run.pk == stuck.pk and result.run.attempts == 2 and result.run.status == JobStatus.DONE
    assert Warning.objects.count() == 2


@pytest.mark.django_db
def test_who_may_start_a_run(world: dict[str, Any], make_user: Any) -> None:
    caseworker = make_user("township_caseworker", EAST_TOWN)
    with pytest.raises(PermissionDenied):
        monitoring_run(ctx=AuditContext(user=caseworker), rules=RULES, as_of=AS_OF, county=world["county"])
    approver = make_user("county_approver", COUNTY)
    result = monitoring_run(ctx=AuditContext(user=approver), rules=RULES, as_of=AS_OF, county=world["county"])
    assert result.run.created_by_id == approver.pk
    neighbour = Region.objects.get(code="980102000000")
    with pytest.raises(ValidationFailed):
        monitoring_run(ctx=AuditContext(user=approver), rules=RULES, as_of=AS_OF, county=neighbour)
    with pytest.raises(ValidationFailed):
        monitoring_run(ctx=AuditContext(user=approver), rules=RULES, as_of=AS_OF, county=None)
    with pytest.raises(ValidationFailed):
        monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=Region.objects.get(code=EAST_TOWN))
    with pytest.raises(ValidationFailed):
        monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"], engine="oracle")


@pytest.mark.django_db
def test_progress_is_reported_per_step(world: dict[str, Any]) -> None:
    seen: list[tuple[int, int, str]] = []
    monitoring_run(
        rules=RULES,
        ctx=CTX,
        as_of=AS_OF,
        county=world["county"],
        progress=lambda d, t, w: seen.append((d, t, w)),
    )
    total = len(RULES) + 2  # the extract, each rule, the write
    assert [d for d, _, _ in seen] == list(range(1, total + 1))
    assert {t for _, t, _ in seen} == {total}
    assert seen[0][2] == "读取数据" and seen[1][2] == "死亡、火化" and seen[-1][2] == "完成"
    pairs: list[tuple[int, int]] = []
    monitoring_run(
        ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"], progress=lambda d, t: pairs.append((d, t))
    )
    assert pairs[-1] == (total, total)


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_resumed(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from jiuzhu.monitoring.services import runs

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(runs, "extract_tables", broken)
    with pytest.raises(RuntimeError):
        monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    failed = MonitoringRun.objects.get()
    assert (failed.status, failed.error) == (JobStatus.FAILED, "数据库连接中断")
    monkeypatch.undo()
    result = monitoring_run(ctx=CTX, rules=RULES, as_of=AS_OF, county=world["county"])
    assert (result.run.pk, result.run.attempts, result.run.status, result.run.error) == (
        failed.pk,
        2,
        JobStatus.DONE,
        "",
    )
