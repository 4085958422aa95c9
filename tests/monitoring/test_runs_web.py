"""The run history and run pages, the API, and who sees which runs: a county's users (its townships
read-only) see its runs; a neighbouring county's get 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.monitoring.models import JobStatus, MonitoringRun, Warning
from jiuzhu.regions.models import Region
from tests.conftest import COUNTY, EAST_TOWN
from tests.factories import new_entitlement, new_household, new_policy
from tests.monitoring.test_extract import feed

NEIGHBOUR = "980102000000"
NEIGHBOUR_TOWN = "980102001000"


@pytest.fixture
def runs(tree: dict[str, Region]) -> dict[str, MonitoringRun]:
    ours = MonitoringRun.objects.create(
        as_of=date(2026, 11, 15),
        region=tree[COUNTY],
        status=JobStatus.DONE,
        rule_versions={"death": 1},
        counts={"death": {"hits": 3, "new_evidence": 2, "new_warnings": 1}},
        timings={"extract": 0.5, "evaluate": 0.25, "write": 0.125},
        persons=42,
    )
    theirs = MonitoringRun.objects.create(
        as_of=date(2026, 11, 15), region=tree[NEIGHBOUR], status=JobStatus.DONE
    )
    return {"ours": ours, "theirs": theirs}


@pytest.mark.django_db
def test_a_township_sees_its_county_runs_read_only(runs: Any, make_user: Any, client_for: Any) -> None:
    client = client_for(make_user("township_caseworker", EAST_TOWN))
    page = client.get("/monitoring/runs/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f"/monitoring/runs/{runs['ours'].pk}/" in body
    assert f"/monitoring/runs/{runs['theirs'].pk}/" not in body
    assert "开始运行" not in body  # no start form for a township
    detail = client.get(f"/monitoring/runs/{runs['ours'].pk}/").content.decode()
    assert "死亡、火化" in detail and "42" in detail
    assert client.get(f"/monitoring/runs/{runs['theirs'].pk}/").status_code == 404
    assert (
        client.post("/monitoring/runs/start/", {"county": COUNTY, "as_of": "2026-11-15"}).status_code == 403
    )


@pytest.mark.django_db
def test_the_neighbouring_county_gets_404(runs: Any, make_user: Any, client_for: Any) -> None:
    client = client_for(make_user("county_approver", NEIGHBOUR))
    assert client.get(f"/monitoring/runs/{runs['ours'].pk}/").status_code == 404
    assert client.get(f"/api/monitoring/runs/{runs['ours'].pk}").status_code == 404
    listed = client.get("/api/monitoring/runs").json()
    assert [r["id"] for r in listed["items"]] == [runs["theirs"].pk]


@pytest.mark.django_db
def test_a_county_approver_starts_a_run_from_the_page(tree: Any, make_user: Any, client_for: Any) -> None:
    new_policy(dibao_standard_rural=Decimal("520"))
    household = new_household()
    new_entitlement(household, program="dibao")
    feed("police_death", household.head.id_number, date(2026, 10, 1), kind="death", source="death")
    client = client_for(make_user("county_approver", COUNTY))
    assert "开始运行" in client.get("/monitoring/runs/").content.decode()
    response = client.post(
        "/monitoring/runs/start/", {"county": COUNTY, "as_of": "2026-11-15", "kind": "monitor"}
    )
    assert response.status_code == 302
    run = MonitoringRun.objects.get()  # the test settings run tasks at once
    assert (run.status, run.region_id, run.counts["death"]["new_warnings"]) == ("done", COUNTY, 1)
    assert Warning.objects.get().person_id == household.head_id
    # A county outside the jurisdiction is not offered.
    refused = client.post(
        "/monitoring/runs/start/", {"county": NEIGHBOUR, "as_of": "2026-11-15", "kind": "monitor"}
    )
    assert refused.status_code == 200 and MonitoringRun.objects.count() == 1


@pytest.mark.django_db
def test_api_list_detail_start(runs: Any, make_user: Any, client_for: Any) -> None:
    new_policy(dibao_standard_rural=Decimal("520"))
    client = client_for(make_user("county_approver", COUNTY))
    listed = client.get("/api/monitoring/runs").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == runs["ours"].pk
    detail = client.get(f"/api/monitoring/runs/{runs['ours'].pk}").json()
    assert detail["rules"] == [
        {
            "code": "death",
            "name": "死亡、火化",
            "version": 1,
            "purpose": "warning",
            "hits": 3,
            "new_evidence": 2,
            "new_warnings": 1,
        }
    ]
    assert detail["timings"] == {"extract": 0.5, "evaluate": 0.25, "write": 0.125}
    assert detail["county"] == COUNTY and detail["stalled"] is False
    started = client.post(
        "/api/monitoring/runs", {"county": COUNTY, "as_of": "2026-11-15"}, content_type="application/json"
    )
    assert started.status_code == 202
    assert MonitoringRun.objects.filter(region_id=COUNTY).count() == 2
    bad = client.post(
        "/api/monitoring/runs", {"county": COUNTY, "as_of": "1900-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert client.get("/api/monitoring/runs", {"kind": "nonsense"}).status_code == 422
    caseworker = client_for(make_user("township_caseworker", EAST_TOWN))
    refused = caseworker.post(
        "/api/monitoring/runs", {"county": COUNTY, "as_of": "2026-11-15"}, content_type="application/json"
    )
    assert refused.status_code == 403


@pytest.mark.django_db
def test_the_run_page_follows_a_running_run(tree: Any, make_user: Any, client_for: Any) -> None:
    from django.utils import timezone

    running = MonitoringRun.objects.create(
        as_of=date(2026, 11, 15),
        region=tree[COUNTY],
        status=JobStatus.RUNNING,
        heartbeat_at=timezone.now(),
        progress_done=2,
        progress_total=5,
    )
    client = client_for(make_user("county_approver", COUNTY))
    page = client.get(f"/monitoring/runs/{running.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "2/5" in page
    partial = client.get(f"/monitoring/runs/{running.pk}/", headers={"HX-Request": "true"})
    assert "HX-Refresh" not in partial and 'value="40"' in partial.content.decode()
    MonitoringRun.objects.filter(pk=running.pk).update(status=JobStatus.DONE)
    done = client.get(f"/monitoring/runs/{running.pk}/", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    # A run whose process stopped says so, and stops polling.
    MonitoringRun.objects.filter(pk=running.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    stalled = client.get(f"/monitoring/runs/{running.pk}/").content.decode()
    assert "已中断" in stalled and "hx-trigger" not in stalled
