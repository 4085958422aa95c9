"""``jiuzhu monitor`` and ``jiuzhu export-parquet``: a run from the command line, the SQL it would run,
and the rules over a Parquet export writing the hits to a file."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.monitoring.models import MonitoringRun, Warning
from jiuzhu.monitoring.rules import RULES
from jiuzhu.regions.models import Region
from tests.conftest import COUNTY
from tests.factories import new_entitlement, new_household, new_policy
from tests.monitoring.test_extract import feed


def _world() -> int:
    new_policy(dibao_standard_rural=Decimal("520"))
    household = new_household()
    new_entitlement(household, program="dibao")
    feed("police_death", household.head.id_number, date(2026, 10, 1), kind="death", source="death")
    return int(household.head_id)


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_monitor_runs_a_county_and_prints_counts_per_rule(tree: dict[str, Region]) -> None:
    head = _world()
    text = _call("monitor", "--as-of", "2026-11-15", "--county", COUNTY, "--no-progress")
    assert "死亡、火化：命中 1，新证据 1，新预警 1" in text
    run = MonitoringRun.objects.get()
    assert (run.region_id, run.as_of, run.status) == (COUNTY, date(2026, 11, 15), "done")
    assert Warning.objects.get().person_id == head
    again = _call("monitor", "--as-of", "2026-11-15", "--county", COUNTY, "--no-progress")
    assert "死亡、火化：命中 1，新证据 0，新预警 0" in again


@pytest.mark.django_db
def test_monitor_refuses_an_unknown_county_and_a_bad_date(tree: dict[str, Region]) -> None:
    with pytest.raises(CommandError, match="区划代码不存在"):
        _call("monitor", "--county", "980199000000", "--no-progress")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _call("monitor", "--as-of", "15/11/2026", "--no-progress")
    with pytest.raises(CommandError, match="县级区划"):
        _call("monitor", "--county", "980101001000", "--no-progress")


def test_emit_sql_prints_every_rule_for_the_engine() -> None:
    text = _call("monitor", "--emit-sql", "--engine", "spark", "--as-of", "2026-11-15")
    assert "-- death v1 死亡、火化" in text and "-- vehicle_acquired v1" in text
    assert text.count("UNION ALL") == len(RULES) - 1 and len(RULES) > 3


@pytest.mark.django_db
def test_export_then_rules_over_the_export(tree: dict[str, Region], tmp_path: Path) -> None:
    head = _world()
    export = tmp_path / "export"
    text = _call("export_parquet", str(export), "--as-of", "2026-11-15", "--county", COUNTY)
    assert "persons 1 行" in text and "feeds 1 行" in text
    out_csv = tmp_path / "hits.csv"
    printed = _call("monitor", "--input", str(export), "--output", str(out_csv))
    assert "死亡、火化：1" in printed
    hits = pacsv.read_csv(out_csv).to_pylist()
    assert [(h["rule"], h["person_id"]) for h in hits] == [("death", head)]
    out_parquet = tmp_path / "hits.parquet"
    _call("monitor", "--input", str(export), "--output", str(out_parquet))
    assert pq.read_table(out_parquet).column("person_id").to_pylist() == [head]
    # Nothing written to the database from an export.
    assert not MonitoringRun.objects.exists() and not Warning.objects.exists()
    with pytest.raises(CommandError, match=r"\.parquet 或 \.csv"):
        _call("monitor", "--input", str(export), "--output", str(tmp_path / "hits.txt"))
