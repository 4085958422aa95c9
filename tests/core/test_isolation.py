"""Jurisdiction isolation: every page and every API operation, called by a caseworker of the
neighbouring township, must refuse (403/404) anything that belongs to 东镇, and list pages must not
leak it. New URL patterns or API operations fail this test until they are listed here."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jiuzhu.accounts.models import ApiToken
from jiuzhu.api import api

from ..conftest import EAST_VILLAGE
from ..factories import add_member, new_household, new_import_batch, new_user

pytestmark = pytest.mark.django_db

# Pages without an object in the path: reachable, but must show nothing of 东镇.
UNSCOPED_PAGES = {
    "",
    "households/",
    "households/new/",
    "persons/new/",
    "accounts/login/",
    "accounts/logout/",
    "accounts/responsibilities/",
    "accounts/profile/",
    "audit/",
    "api/docs",
    "verification/",
    "exchange/",
    "exchange/upload/",
    "api/openapi.json",
}

# A valid body for each API write, so that refusals come from jurisdiction, not from validation.
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/registry/households"): {
        "head_person_id": "{person}",
        "region": EAST_VILLAGE,
        "address": "x",
    },
    ("patch", "/api/registry/households/{household_id}"): {"version": 1, "address": "改"},
    ("post", "/api/registry/households/{household_id}/members"): {
        "person_id": "{person}",
        "relation": "child",
    },
    ("post", "/api/registry/households/{household_id}/members/{person_id}/leave"): {"reason": "迁出"},
    ("post", "/api/registry/persons"): {
        "id_number": "11010519491231002X",
        "name": "某人",
        "hukou_region": EAST_VILLAGE,
        "residence_region": EAST_VILLAGE,
    },
    ("patch", "/api/registry/persons/{person_id}"): {"version": 1, "name": "改名"},
    ("post", "/api/registry/persons/{person_id}/categories"): {"category": "dibao"},
    ("post", "/api/verification/authorisations"): {
        "person_id": "{person}",
        "signed_on": "2026-01-01",
        "reference": "x",
    },
    ("post", "/api/verification/reports"): {"id_number": "{head_id_number}"},
}
# Required query parameters of reads, so that refusals come from jurisdiction.
API_QUERIES: dict[str, dict[str, str]] = {
    "/api/verification/households": {"id_number": "{head_id_number}"},
}
# API reads without an object in the path (lists): must not leak.
API_UNSCOPED_READS = {
    "/api/registry/households",
    "/api/regions/",
    "/api/accounts/me",
    "/api/accounts/responsibilities",
}


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            out.append((prefix + str(p.pattern), p))
    return out


@pytest.fixture
def east(tree):
    household = new_household(head__name="东镇户主甲")
    member = add_member(household, "child", name="东镇成员乙")
    return household, member


@pytest.fixture
def east_report(east, tree):
    from datetime import date
    from decimal import Decimal

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.policy.services import policy_version_create
    from jiuzhu.verification.models import Authorisation
    from jiuzhu.verification.services import report_create

    household, member = east
    owner = new_user(role="township_caseworker", region=household.region.parent)
    policy_version_create(
        ctx=AuditContext.system(),
        region=tree["980101000000"],
        effective_from=date(2020, 1, 1),
        document_no="x",
        dibao_standard_urban=Decimal("700"),
        dibao_standard_rural=Decimal("520"),
    )
    for p in (household.head, member):
        Authorisation.objects.create(person=p, signed_on=date(2020, 1, 1), reference="r", recorded_by=owner)
    return report_create(ctx=AuditContext(user=owner), id_number=household.head.id_number)


def _fill(route: str, ids: dict[str, int | str]) -> str:
    route = route.lstrip("^").rstrip("$")
    for name, value in ids.items():
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value), route)
    return route


def test_every_web_page_refuses_or_hides_other_townships(
    east, east_report, other_caseworker, client_for
) -> None:
    household, member = east
    batch = new_import_batch(region=household.region.parent)
    token = ApiToken.objects.create(user=household_user(east), name="t", key_hash="h" * 64, prefix="p")
    client = client_for(other_caseworker)
    ids = {"pk": household.pk, "person_id": member.pk}
    checked = 0
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")):
            continue
        if "token" in route:
            ids_here = {"pk": token.pk}
        elif route.startswith("verification/reports/"):
            ids_here = {"pk": east_report.pk}
        elif route.startswith("exchange/batches/"):
            ids_here = {"pk": batch.pk}
        elif route.startswith("persons/"):
            ids_here = {"pk": member.pk}
        else:
            ids_here = ids
        path = "/" + _fill(route, ids_here)
        if "<" in path:
            pytest.fail(f"unfilled parameter in {route}")
        # POSTing to logout would end the session the rest of the walk needs.
        for method in ("get",) if route == "accounts/logout/" else ("get", "post"):
            response = getattr(client, method)(path)
            body = response.content.decode()
            if route in UNSCOPED_PAGES:
                assert response.status_code in (200, 302, 403, 405), (method, path, response.status_code)
                assert "东镇户主甲" not in body and household.number not in body, (method, path)
            elif "token" in route:
                # Revoking someone else's token is a no-op on the caller's own tokens.
                token.refresh_from_db()
                assert token.revoked_at is None
            else:
                # 405 to a GET of a POST-only route says nothing about the object; the POST must refuse.
                allowed = (403, 404, 405) if method == "get" else (403, 404)
                assert response.status_code in allowed, (method, path, response.status_code)
            checked += 1
    assert checked >= 20


def household_user(east: Any) -> Any:
    from ..factories import new_user

    return new_user(role="township_caseworker", region=east[0].region.parent)


def test_every_api_operation_refuses_or_hides_other_townships(
    east, east_report, other_caseworker, client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiuzhu.exchange.models import ImportBatch

    household, member = east
    batch = new_import_batch(region=household.region.parent)
    client = client_for(other_caseworker)
    schema = api.get_openapi_schema()
    ids = {
        "household_id": household.pk,
        "person_id": member.pk,
        "code": EAST_VILLAGE,
        "report_id": east_report.pk,
        "batch_id": batch.pk,
    }
    fill = {'"{person}"': str(member.pk), "{head_id_number}": household.head.id_number}
    operations = 0
    for path_template, methods in schema["paths"].items():
        path = path_template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", str(value))
        for method in methods:
            operations += 1
            body = API_BODIES.get((method, path_template))
            if (method, path_template) == ("post", "/api/exchange/batches"):
                upload = SimpleUploadedFile("w.csv", b"id_number,month,amount\n", "text/csv")
                response = client.post(path, {"feed": "hrss_wage", "file": upload})
            elif method in ("post", "patch", "put"):
                assert body is not None, f"add a valid body for {method.upper()} {path_template}"
                text_body = json.dumps(body)
                for marker, value in fill.items():
                    text_body = text_body.replace(marker, value)
                response = getattr(client, method)(
                    path, json.loads(text_body), content_type="application/json"
                )
            else:
                query = {k: fill.get(v, v) for k, v in API_QUERIES.get(path_template, {}).items()}
                response = client.get(path, query)
            text = response.content.decode()
            if method == "get" and path_template in API_UNSCOPED_READS:
                assert response.status_code == 200, (path, response.status_code)
                assert "东镇户主甲" not in text and household.number not in text
            elif (method, path_template) == ("post", "/api/registry/persons"):
                # Creating is allowed, but never inside someone else's jurisdiction.
                assert response.status_code == 422 and "辖区" in text
            elif (method, path_template) == ("post", "/api/registry/households"):
                assert response.status_code in (403, 404, 422), text
            else:
                assert response.status_code in (403, 404), (method, path, response.status_code, text)
    assert operations >= 10
    assert ImportBatch.objects.count() == 1
    household.refresh_from_db()
    member.refresh_from_db()
    assert (household.version, household.address, member.name) == (1, "幸福村1组1号", "东镇成员乙")


def test_admin_is_closed_to_non_staff(other_caseworker, client_for, east) -> None:
    client = client_for(other_caseworker)
    for route, _ in _walk(get_resolver().url_patterns):
        if not route.startswith("admin/") or "<" in route or "(?P" in route or route == "admin/login/":
            continue
        response = client.get("/" + route.lstrip("^").rstrip("$"))
        assert response.status_code in (302, 403, 404), route


def test_county_admin_sees_only_their_county(make_user, client_for, tree) -> None:
    from ..factories import new_user

    neighbour_admin = new_user(role="admin", region=tree["980102000000"], is_staff=True)
    own = make_user("township_caseworker")
    client = client_for(neighbour_admin)
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    assert own.username not in listing.content.decode()
    assert client.get(f"/admin/accounts/user/{own.pk}/change/").status_code in (302, 404)
    regions = client.get("/admin/regions/region/").content.decode()
    assert "980102001001" in regions and "980101001001" not in regions
