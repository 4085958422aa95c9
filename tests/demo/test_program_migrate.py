"""The demo's 存量对象导入 on a small synthetic county: a few hundred households imported by the county
approver, the bad rows quarantined with their reasons, the migrated entitlements marked; running it
again changes nothing; deleting it removes the batch and the migrated entitlements."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.demo import program_migrate
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure
from jiuzhu.migration.models import MigrationBatch, MigrationRow
from jiuzhu.policy.services import policy_seed_default
from jiuzhu.regions.models import Region
from jiuzhu.synth import synth_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def layout(db: None) -> Layout:
    county = synth_county(households=60, seed=5, progress=False, as_of=date(2026, 1, 1))
    layout = Layout(county.county_code, list(county.township_codes), list(county.village_codes))
    demo_users_ensure(
        demo_accounts(
            county_code=layout.county_code,
            township_codes=layout.township_codes,
            village_codes=layout.village_codes,
        ),
        password="x-demo-password",
    )
    policy_seed_default(
        ctx=AuditContext.system(),
        region=Region.objects.get(code=layout.county_code),
        effective_from=date(timezone.localdate().year - 2, 1, 1),
    )
    return layout


def test_the_demo_file_is_imported_with_its_bad_rows_quarantined(layout: Layout) -> None:
    lines: list[str] = []
    program_migrate.build(layout=layout, log=lines.append)
    batch = MigrationBatch.objects.get()
    assert batch.status == "done" and batch.created_by.username == "approver" and batch.encoding == "GB18030"
    assert batch.households_created >= 280 and batch.entitlements_created >= 280
    reasons = list(MigrationRow.objects.filter(batch=batch).values_list("reasons", flat=True))
    assert len(reasons) == 12
    text = "\n".join(reasons)
    for expected in (
        "校验位",
        "金额不能为负",
        "临时救助",
        "护理等级",
        "月份格式错误",
        "与户主关系",
        "区划代码不存在",
        "村(居)一级",
        "不发放资金",
        "未满18周岁",
        "姓名不能包含数字",
        "没有户主本人的有效行",
    ):
        assert expected in text, expected
    migrated = Entitlement.objects.filter(source="migration")
    assert set(migrated.values_list("program", flat=True)) >= {"dibao", "tekun", "near_dibao"}
    assert not Decision.objects.exclude(source="migration").exists()
    assert "存量对象导入" in lines[0]
    # Running the demo again changes nothing.
    program_migrate.build(layout=layout, log=lines.append)
    assert MigrationBatch.objects.count() == 1 and migrated.count() == batch.entitlements_created
    # The county approver sees the batch and its difference report.
    client = Client()
    client.force_login(User.objects.get(username="approver"))
    assert client.get(f"/migration/batches/{batch.pk}/").status_code == 200
    report = client.get(f"/migration/batches/{batch.pk}/differences/").content.decode()
    assert "无法计算（缺少收入核对）" in report
    program_migrate.delete(Region.objects.get(code=layout.county_code).bounds())
    assert not MigrationBatch.objects.exists() and not migrated.exists()
