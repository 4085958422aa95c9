"""Feed files for the synthetic county, and the demo's verification data built on them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.exchange.models import FeedRecord, QuarantinedRow
from jiuzhu.exchange.services import feed_import_path
from jiuzhu.synth import COUNTY_CODE, synth_county
from jiuzhu.synth.feeds import synth_feeds
from jiuzhu.verification.models import NeedModel, VerificationReport

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 15)


@pytest.fixture
def county(db: None):
    return synth_county(households=400, seed=3, progress=False, as_of=date(2026, 1, 1))


def test_feed_files_are_deterministic_and_carry_bad_rows(county, tmp_path: Path) -> None:
    first = synth_feeds(folder=tmp_path / "a", seed=5, as_of=AS_OF)
    second = synth_feeds(folder=tmp_path / "b", seed=5, as_of=AS_OF)
    assert set(first) >= {"police_hukou", "hrss_wage", "hrss_pension", "bank", "real_estate", "medical_bill"}
    for feed, (path, _) in first.items():
        assert path.read_bytes() == second[feed][0].read_bytes(), feed
    assert all(first[f][1] > 0 for f in ("police_hukou", "hrss_wage", "hrss_pension", "bank"))
    for feed, (path, _) in first.items():
        feed_import_path(ctx=AuditContext.system(), feed_code=feed, path=path, region_code=COUNTY_CODE)
    assert FeedRecord.objects.filter(feed="hrss_wage").count() > 1000
    reasons = " ".join(QuarantinedRow.objects.values_list("reasons", flat=True))
    for expected in ("校验位", "重复"):
        assert expected in reasons


def test_demo_verification_data(county, tmp_path: Path) -> None:
    layout = Layout(county.county_code, list(county.township_codes), list(county.village_codes))
    demo_users_ensure(
        demo_accounts(
            county_code=layout.county_code,
            township_codes=layout.township_codes,
            village_codes=layout.village_codes,
        ),
        password="x-demo-password",
    )
    data = demo_verification_data(
        layout=layout, seed=1, as_of=AS_OF, folder=tmp_path, sample=40, log=lambda _: None
    )
    assert data.feed_rows > 0 and data.quarantined > 0
    assert data.reports == VerificationReport.objects.count() >= 30
    assert NeedModel.objects.get(active=True).version == data.need_model == 1
