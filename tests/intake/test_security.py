"""The public status lookup needs the random 查询码 (the number is sequential and the ID's last
characters half-public) and locks a number after repeated misses; the rate limit keys on the address
the trusted proxy saw, not on what the client wrote into X-Forwarded-For; application numbers come
from a locked counter, so two submissions at the same moment never take the same number."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client, RequestFactory, override_settings

from jiuzhu.audit.services import AuditContext
from jiuzhu.intake import selectors, services
from jiuzhu.intake.models import Application
from jiuzhu.workflow.models import Notice

from ..conftest import EAST_TOWN, EAST_VILLAGE
from .test_pages import _online, _ready_and_accepted

pytestmark = pytest.mark.django_db

NOT_FOUND = "未找到与所填信息相符的申请"


def _status(number: str, code: str, last6: str) -> tuple[int, dict]:
    response = Client().post(
        "/api/intake/public/status",
        {"number": number, "query_code": code, "id_last6": last6},
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_the_masked_id_and_the_day_of_birth_no_longer_open_the_status(caseworker, family, dibao) -> None:
    """What a neighbour knows (the sequential number, the masked ID's last 4, the birthday) is not enough."""
    app = _ready_and_accepted(caseworker, family)
    last6 = family.head.id_number[-6:]
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}", app.query_code)
    wrong_code = "AAAAAAAA" if app.query_code != "AAAAAAAA" else "BBBBBBBB"
    assert _status(app.number, wrong_code, last6)[0] == 404
    assert _status(app.number, "", last6)[0] == 404
    status, body = _status(app.number, app.query_code, last6)
    assert status == 200 and body["status"] == "accepted"


def test_the_query_code_is_on_the_confirmation_page_and_the_acceptance_notice(
    caseworker, family, dibao
) -> None:
    page = _online(family).content.decode()
    online = Application.objects.get()
    assert len(online.query_code) == 8 and online.query_code in page and "查询码" in page
    app = _ready_and_accepted(caseworker, family)
    notice = Notice.objects.get(kind="acceptance", application_no=app.number)
    assert f"查询码{app.query_code}" in notice.body
    assert online.query_code != app.query_code


def test_five_misses_lock_the_number_for_everyone_with_the_same_answer(caseworker, family, dibao) -> None:
    app = _ready_and_accepted(caseworker, family)
    last6 = family.head.id_number[-6:]
    unknown = _status("SQ-980101001-2026-99999", app.query_code, last6)
    for day in range(1, 6):
        miss = _status(
            app.number, app.query_code, f"{day:02d}{last6[2:]}" if last6[:2] != f"{day:02d}" else "XXXXXX"
        )
        assert miss == unknown
    # The sixth try, right this time, gets the same answer as any wrong input.
    assert _status(app.number, app.query_code, last6) == unknown
    assert unknown == (404, {"detail": selectors.NOT_FOUND_PUBLIC}) and NOT_FOUND in unknown[1]["detail"]
    # Another application is not locked.
    other = Application.objects.exclude(pk=app.pk).first()
    assert other is None or _status(other.number, other.query_code, other.id_number[-6:])[0] == 200


@override_settings(JIUZHU_PUBLIC_RATE="2/m", JIUZHU_TRUST_PROXY=True, JIUZHU_PROXY_HOPS=1)
def test_a_forged_forwarded_for_does_not_escape_the_rate_limit() -> None:
    """nginx appends the peer it saw; whatever the client put to the left changes nothing."""
    client = Client()
    body = {"number": "x", "query_code": "ABCDEFGH", "id_last6": "123456"}
    codes = [
        client.post("/apply/status/", body, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7").status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    other = client.post("/apply/status/", body, HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.8")
    assert other.status_code == 200


def test_the_client_address_is_read_from_the_right_after_the_trusted_hops() -> None:
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.1.1.1")
    request.META["REMOTE_ADDR"] = "10.2.2.2"
    with override_settings(JIUZHU_TRUST_PROXY=False):
        assert AuditContext.from_request(request).ip == "10.2.2.2"
    with override_settings(JIUZHU_TRUST_PROXY=True, JIUZHU_PROXY_HOPS=1):
        assert AuditContext.from_request(request).ip == "10.1.1.1"
    with override_settings(JIUZHU_TRUST_PROXY=True, JIUZHU_PROXY_HOPS=2):
        assert AuditContext.from_request(request).ip == "203.0.113.7"
    with override_settings(JIUZHU_TRUST_PROXY=True, JIUZHU_PROXY_HOPS=5):
        assert AuditContext.from_request(request).ip == "6.6.6.6"
    bare = RequestFactory().get("/")
    bare.META["REMOTE_ADDR"] = "10.2.2.2"
    with override_settings(JIUZHU_TRUST_PROXY=True):
        assert AuditContext.from_request(bare).ip == "10.2.2.2"


def _submit(family) -> Application:
    return services.application_submit_online(
        ctx=AuditContext.system("web"),
        id_number=family.head.id_number,
        name="王大山",
        phone="13800001234",
        township_code=EAST_TOWN,
        village_code=EAST_VILLAGE,
        programs=["dibao"],
    )


def test_numbers_continue_after_those_already_taken(family) -> None:
    first = _submit(family)
    second = _submit(family)
    assert (first.number[-5:], second.number[-5:]) == ("00001", "00002")


@pytest.mark.django_db(transaction=True)
def test_two_online_submissions_at_the_same_moment_both_get_a_number(family) -> None:
    """The first submission holds its transaction open while the second computes its number."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    first_done = threading.Event()
    numbers: list[str] = []
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                numbers.append(_submit(family).number)
                first_done.set()
                time.sleep(0.5)  # lets the second one reach the counter before this commits
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            first_done.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_done.wait()
            numbers.append(_submit(family).number)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(n[-5:] for n in numbers) == ["00001", "00002"]
    assert Application.objects.count() == 2
