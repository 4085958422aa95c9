"""The pages and the API of 一门受理: the queue and the application page within the jurisdiction, the
public form (pending in the township's queue, rate-limited) and the status lookup (the same answer for a
wrong number and a wrong pair, nothing but the status, the step and the deadline)."""

from __future__ import annotations

import base64
import re

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from jiuzhu.audit.services import AuditContext
from jiuzhu.intake import services
from jiuzhu.intake.models import Application
from jiuzhu.workflow.models import Case

from ..conftest import EAST_TOWN, EAST_VILLAGE
from .conftest import PDF, PNG, png

pytestmark = pytest.mark.django_db


def _online(family, client: Client | None = None):
    body = {
        "name": "王大山",
        "id_number": family.head.id_number,
        "phone": "13800001234",
        "township_code": EAST_TOWN,
        "village_code": EAST_VILLAGE,
        "statement": "老伴生病",
        "programs": ["dibao"],
    }
    return (client or Client()).post("/apply/", body)


def test_the_public_form_lands_pending_in_the_townships_queue(
    family, caseworker, other_caseworker, client_for
) -> None:
    first = Client().get("/apply/")
    assert first.status_code == 200 and "东镇" in first.content.decode()
    step2 = Client().get("/apply/", {"township": EAST_TOWN}).content.decode()
    assert "东一村" in step2 and "西一村" not in step2
    response = _online(family)
    assert response.status_code == 200
    app = Application.objects.get()
    assert app.number in response.content.decode()
    assert (app.channel, app.status, app.township_id) == ("online", "submitted", EAST_TOWN)
    queue = client_for(caseworker).get("/intake/", {"status": "submitted"}).content.decode()
    assert app.number in queue and "网上申请" in queue
    assert app.number not in client_for(other_caseworker).get("/intake/").content.decode()


@override_settings(JIUZHU_PUBLIC_RATE="2/m")
def test_public_form_and_lookup_are_rate_limited(family) -> None:
    client = Client()
    assert [_online(family, client).status_code for _ in range(2)] == [200, 200]
    third = _online(family, client)
    assert third.status_code == 429 and "操作过于频繁，请稍后再试" in third.content.decode()
    assert Application.objects.count() == 2
    for _ in range(2):
        client.post("/apply/status/", {"number": "x", "query_code": "ABCDEFGH", "id_last6": "123456"})
    again = {"number": "x", "query_code": "ABCDEFGH", "id_last6": "123456"}
    assert client.post("/apply/status/", again).status_code == 429
    caches["ratelimit"].clear()
    api = [
        client.post(
            "/api/intake/public/status",
            {"number": "x", "query_code": "ABCDEFGH", "id_last6": "123456"},
            content_type="application/json",
        )
        for _ in range(3)
    ]
    assert [r.status_code for r in api] == [404, 404, 429]
    assert api[2].json() == {"detail": "操作过于频繁，请稍后再试"}


def _ready_and_accepted(caseworker, family):
    ctx = AuditContext(user=caseworker)
    app = services.application_start(ctx=ctx, id_number=family.head.id_number, channel="window")
    app = services.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
    app = services.application_record_papers(
        ctx=ctx, application_id=app.pk, version=app.version, commitment=png(), authorisation=png()
    )
    return services.application_accept(
        ctx=ctx, application_id=app.pk, version=app.version, programs=["dibao"]
    )


def _lookup(number: str, last6: str, code: str) -> tuple[int, str]:
    response = Client().post("/apply/status/", {"number": number, "query_code": code, "id_last6": last6})
    text = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", response.content.decode()
    )
    return response.status_code, text.replace(number, "<n>").replace(last6, "<d>").replace(code, "<c>")


def test_status_lookup_answers_alike_for_a_wrong_number_and_a_wrong_pair(caseworker, family, dibao) -> None:
    app = _ready_and_accepted(caseworker, family)
    last6 = family.head.id_number[-6:]
    code = app.query_code
    wrong_number = _lookup("SQ-980101001-2026-99999", last6, code)
    wrong_pair = _lookup(app.number, "000000" if last6 != "000000" else "111111", code)
    assert wrong_number == wrong_pair
    assert "未找到与所填信息相符的申请" in wrong_pair[1]
    status, text = _lookup(app.number, last6, code)
    case = Case.objects.get()
    assert status == 200 and "已受理" in text and "家庭经济状况核对" in text
    assert f"{case.due_on:%Y-%m-%d}" in text
    assert "王大山" not in text and family.head.id_number not in text and family.number not in text
    api_client = Client()
    wrong = api_client.post(
        "/api/intake/public/status",
        {"number": app.number, "query_code": code, "id_last6": "00000X"},
        content_type="application/json",
    )
    missing = api_client.post(
        "/api/intake/public/status",
        {"number": "nothing", "query_code": code, "id_last6": last6},
        content_type="application/json",
    )
    assert wrong.status_code == missing.status_code == 404 and wrong.json() == missing.json()
    found = api_client.post(
        "/api/intake/public/status",
        {"number": app.number, "query_code": code, "id_last6": last6},
        content_type="application/json",
    )
    assert found.json() == {
        "status": "accepted",
        "status_label": "已受理",
        "cases": [
            {
                "program_label": "低保",
                "step": "家庭经济状况核对",
                "due_on": f"{case.due_on:%Y-%m-%d}",
                "due_provisional": case.due_provisional,
                "closed": False,
            }
        ],
    }


def test_the_application_page_walks_the_steps(caseworker, family, dibao, client_for) -> None:
    client = client_for(caseworker)
    response = client.post(
        "/intake/new/", {"id_number": family.head.id_number, "channel": "window", "statement": "困难"}
    )
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/{app.pk}/"
    assert client.post(f"/intake/{app.pk}/verify/", {"version": "1"}).status_code == 302
    page = client.get(f"/intake/{app.pk}/").content.decode()
    assert "查看核对报告" in page and 'value="dibao" checked' in page
    client.post(f"/intake/{app.pk}/materials/", {"version": "2", "items": "户口簿复印件\n残疾证复印件"})
    page = client.get(f"/intake/{app.pk}/").content.decode()
    assert "一次性告知书" in page
    bad = client.post(
        f"/intake/{app.pk}/papers/",
        {"version": "3", "commitment": png_named("x.png", b"GIF89a" + b"\x00" * 20)},
        follow=True,
    )
    assert "诚信承诺书：文件格式不受支持" in bad.content.decode()
    app.refresh_from_db()
    assert not app.commitment and app.version == 3
    client.post(
        f"/intake/{app.pk}/papers/",
        {"version": "3", "commitment": png_named("c.png", PNG), "authorisation": png_named("a.pdf", PDF)},
    )
    paper = client.get(f"/intake/{app.pk}/papers/commitment/")
    assert paper.status_code == 200 and b"".join(paper.streaming_content).startswith(b"\x89PNG")
    accepted = client.post(f"/intake/{app.pk}/accept/", {"version": "4", "programs": ["dibao"]}, follow=True)
    text = accepted.content.decode()
    case = Case.objects.get()
    assert f"/workflow/cases/{case.pk}/" in text and "受理通知书" in text


def png_named(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, "image/png")


def test_pages_and_api_of_another_township_are_404(caseworker, other_caseworker, family, client_for) -> None:
    app = services.application_start(
        ctx=AuditContext(user=caseworker), id_number=family.head.id_number, channel="window"
    )
    other = client_for(other_caseworker)
    for path in (
        f"/intake/{app.pk}/",
        f"/intake/{app.pk}/papers/mandate/",
        f"/api/intake/applications/{app.pk}",
    ):
        assert other.get(path).status_code == 404, path
    for path in ("verify", "materials", "papers", "relative", "accept", "refuse"):
        assert other.post(f"/intake/{app.pk}/{path}/", {"version": "1", "reason": "x"}).status_code == 404, (
            path
        )
    app.refresh_from_db()
    assert app.version == 1 and app.status == "submitted"
    assert other.get("/api/intake/applications").json() == []


def test_close_relative_register_page(caseworker, family, client_for, make_user) -> None:
    app = services.application_start(
        ctx=AuditContext(user=caseworker), id_number=family.head.id_number, channel="window"
    )
    client = client_for(caseworker)
    client.post(
        f"/intake/{app.pk}/relative/",
        {"version": "1", "official_name": "王村长", "position": "村委会主任", "relation": "兄弟"},
    )
    listing = client.get("/intake/close-relatives/").content.decode()
    assert app.number in listing and "王村长" in listing
    county = (
        client_for(make_user("county_approver", "980101000000"))
        .get("/intake/close-relatives/")
        .content.decode()
    )
    assert app.number in county


def test_the_api_walks_the_steps(caseworker, family, dibao, client_for) -> None:
    client = client_for(caseworker)

    def post(path: str, body: dict) -> dict:
        response = client.post(f"/api/intake{path}", body, content_type="application/json")
        assert response.status_code == 200, response.content.decode()
        return response.json()

    app = post("/applications", {"id_number": family.head.id_number, "channel": "window"})
    app = post(f"/applications/{app['id']}/verify", {"version": app["version"]})
    assert "dibao" in [p["program"] for p in app["proposed"]]
    b64 = base64.b64encode(PNG).decode()
    bad = client.post(
        f"/api/intake/applications/{app['id']}/papers",
        {"version": app["version"], "commitment": base64.b64encode(b"hello").decode()},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "文件格式不受支持" in bad.json()["errors"]["commitment"]
    app = post(
        f"/applications/{app['id']}/papers",
        {"version": app["version"], "commitment": b64, "authorisation": b64},
    )
    assert app["has_commitment"] and app["has_authorisation"]
    app = post(f"/applications/{app['id']}/accept", {"version": app["version"], "programs": ["dibao"]})
    assert app["status"] == "accepted" and len(app["cases"]) == 1
    assert [n["kind"] for n in app["notices"]] == ["acceptance"]
    stale = client.post(
        f"/api/intake/applications/{app['id']}/refuse",
        {"version": 1, "reason": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
