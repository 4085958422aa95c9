"""The demo: a synthetic county and one user per role, each bound to the node their role works at."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from jiuzhu.accounts.models import User
from jiuzhu.accounts.roles import Role
from jiuzhu.accounts.services import user_assign_role, user_create
from jiuzhu.audit.services import AuditContext
from jiuzhu.regions.models import Region

# The fictional county the synthetic generator builds (province 99 does not exist in GB/T 2260).
SYNTH_COUNTY_CODE = "990101000000"


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
