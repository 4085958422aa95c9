"""The demo: a synthetic county and one user per role, each bound to the node their role works at."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from jiuzhu.accounts.models import User
from jiuzhu.accounts.roles import Role
from jiuzhu.accounts.services import user_assign_role, user_create
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Membership
from jiuzhu.synth.codes import COUNTY_CODE

SYNTH_COUNTY_CODE = COUNTY_CODE  # the fictional county the generator builds (province 99)


@dataclass(frozen=True)
class Layout:
    county_code: str
    township_codes: list[str]
    village_codes: list[str]


def layout_from_db(county_code: str) -> Layout:
    """The shape of an already generated county, read back from the region tree."""
    townships = list(
        Region.objects.filter(parent_id=county_code).order_by("code").values_list("code", flat=True)
    )
    villages = list(
        Region.objects.filter(parent_id__in=townships).order_by("code").values_list("code", flat=True)
    )
    return Layout(county_code, townships, villages)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    region: Region


def demo_accounts(*, county_code: str, township_codes: list[str], village_codes: list[str]) -> list[DemoUser]:
    county = Region.objects.get(code=county_code)
    city = county.parent or county
    town1, town2 = Region.objects.get(code=township_codes[0]), Region.objects.get(code=township_codes[1])
    village = Region.objects.filter(parent=town1, code__in=village_codes).order_by("code").first()
    assert village is not None
    return [
        DemoUser("village", Role.VILLAGE_ASSISTANT, village),
        DemoUser("caseworker", Role.TOWNSHIP_CASEWORKER, town1),
        DemoUser("caseworker2", Role.TOWNSHIP_CASEWORKER, town2),
        DemoUser("reviewer", Role.TOWNSHIP_REVIEWER, town1),
        DemoUser("approver", Role.COUNTY_APPROVER, county),
        DemoUser("verifier", Role.VERIFICATION_OFFICER, county),
        DemoUser("liaison", Role.DEPARTMENT_LIAISON, county),
        DemoUser("charity", Role.CHARITY_WORKER, county),
        DemoUser("auditor", Role.AUDITOR, county),
        DemoUser("admin", Role.ADMIN, city),
    ]


def demo_users_ensure(accounts: list[DemoUser], *, password: str | None = None) -> str:
    """Create or reset the demo users; all get one fresh password, which is returned."""
    password = password or secrets.token_urlsafe(9)
    ctx = AuditContext.system()
    with transaction.atomic():
        for acct in accounts:
            user = User.objects.filter(username=acct.username).first()
            if user is None:
                user = user_create(
                    ctx=ctx,
                    username=acct.username,
                    password=password,
                    role=acct.role.value,
                    region_code=acct.region.code,
                    full_name=f"演示{acct.role.label}",
                )
            else:
                user.region = acct.region
                user.set_password(password)
                user.save()
                user_assign_role(user=user, role=acct.role.value)
            if acct.role is Role.ADMIN and not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
    return password


@dataclass(frozen=True)
class DemoData:
    feed_rows: int
    quarantined: int
    reports: int
    need_model: int | None


def demo_verification_data(
    *,
    layout: Layout,
    seed: int,
    as_of: date,
    folder: Path,
    sample: int = 120,
    log: Callable[[str], None] = print,
) -> DemoData:
    """Policy, departmental feeds for the demo users' two townships, and a first set of verification
    reports (with authorisations) so that the need-degree model can be fitted."""
    from jiuzhu.exchange.services import feed_import_path
    from jiuzhu.policy.services import policy_seed_default, policy_version_update
    from jiuzhu.synth.feeds import synth_feeds
    from jiuzhu.verification.assembly import ADULT_AGE
    from jiuzhu.verification.models import Authorisation
    from jiuzhu.verification.services import need_model_refit, report_create

    ctx = AuditContext.system()
    county = Region.objects.get(code=layout.county_code)
    policy = policy_seed_default(ctx=ctx, region=county, effective_from=date(as_of.year, 1, 1))
    if not policy.remote_application and not policy.reports.exists():
        # The demo county accepts 异地 applications (居住地申办), which the procedure's demo shows.
        policy_version_update(ctx=ctx, version=policy, remote_application=True)
    files = synth_feeds(folder=folder, seed=seed, as_of=as_of, regions=layout.township_codes[:2])
    # 公安's file arrives as most departmental systems on Chinese Windows export it: GB18030 (the batch
    # page shows the detected encoding).
    if "police_hukou" in files:
        hukou = files["police_hukou"][0]
        hukou.write_bytes(hukou.read_text(encoding="utf-8").encode("gb18030"))
    rows = bad = 0
    for feed, (path, _) in files.items():
        outcome = feed_import_path(ctx=ctx, feed_code=feed, path=path, region_code=county.code)
        rows += outcome.batch.rows_loaded
        bad += outcome.batch.rows_quarantined
    log(f"  部门数据：{len(files)} 个来源，入库 {rows:,} 行，隔离 {bad:,} 行（文件在 {folder}）")

    # Reports need every adult's authorisation; the demo records them for a sample of the second
    # township, whose caseworker then runs the checks, so that the need-degree model has history.
    worker = User.objects.get(username="caseworker2")
    households = list(
        Household.objects.filter(
            region__code__range=Region.objects.get(code=layout.township_codes[1]).bounds()
        )
        .order_by("id")
        .values_list("id", flat=True)[:sample]
    )
    members = Membership.objects.filter(household_id__in=households, end_date__isnull=True).select_related(
        "person"
    )
    Authorisation.objects.bulk_create(
        [
            Authorisation(
                person=m.person, signed_on=date(as_of.year, 1, 1), reference="演示授权书", recorded_by=worker
            )
            for m in members
            if m.person.age_on(as_of) >= ADULT_AGE
        ]
    )
    made = 0
    heads = Household.objects.filter(id__in=households).select_related("head")
    for household in heads:
        if household.head is None:
            continue
        try:
            report_create(
                ctx=AuditContext(user=worker, channel="cli"), id_number=household.head.id_number, as_of=as_of
            )
            made += 1
        except ServiceError:
            continue  # e.g. a household whose only adults are excluded members
    model = None
    try:
        model = need_model_refit(ctx=ctx).version
    except ServiceError as exc:
        log(f"  需求度模型未拟合：{exc.message}")
    log(f"  核对报告：{made} 份；需求度模型版本：{model or '—'}")
    return DemoData(rows, bad, made, model)
