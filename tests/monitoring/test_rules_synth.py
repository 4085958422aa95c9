"""The synthetic feeds carry an event for every feed-based monitoring rule, so a run over the demo
county has something to find."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from jiuzhu.synth import synth_county
from jiuzhu.synth.feeds import synth_feeds

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 15)
WINDOW_START = "2025-11-16"  # the lookback window of a run on AS_OF: after 2025-11-15


def _rows(files: dict[str, tuple[Path, int]], feed: str) -> list[dict[str, str]]:
    with files[feed][0].open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_feed_rule_has_events(db: None, tmp_path: Path) -> None:
    synth_county(households=600, seed=3, progress=False, as_of=date(2026, 1, 1))
    files = synth_feeds(folder=tmp_path, seed=5, as_of=AS_OF)
    recent = lambda rows, col: [r for r in rows if WINDOW_START <= r[col] <= AS_OF.isoformat()]  # noqa: E731
    assert any(r["status"] == "cancelled" for r in _rows(files, "police_hukou"))
    assert _rows(files, "police_death")
    justice = _rows(files, "justice")
    assert any(r["end_date"] == "" and r["kind"] == "compulsory_rehab" for r in justice)
    assert any(
        r["event"] == "buy" and r["vehicle_type"] == "car"
        for r in recent(_rows(files, "vehicle"), "event_date")
    )
    assert any(r["event"] == "buy" for r in recent(_rows(files, "real_estate"), "event_date"))
    assert any(r["status"] == "active" for r in recent(_rows(files, "business"), "registered_on"))
    assert recent(_rows(files, "disability"), "issued_on")
    assert recent(_rows(files, "hrss_unemployment"), "registered_on")
    assert any(float(r["out_of_pocket"]) > 10000 for r in _rows(files, "medical_bill"))
    education = _rows(files, "education")
    assert {r["status"] for r in education} >= {"enrolled"} and len({r["status"] for r in education}) > 1
    residence = _rows(files, "residence")
    assert any(r["region"].startswith("440305") for r in residence)
    assert any(r["since"] <= "2026-05-14" and r["region"].startswith("440305") for r in residence)
