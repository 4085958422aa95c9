"""Bad requests get the platform's own answer: a 4xx with a Chinese message that says what to do —
JSON (``{"detail": …}``) on the API, a page on the web — never a 500 or Django's English defaults."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jiuzhu.accounts.services import token_create
from jiuzhu.audit.services import AuditContext

from ..conftest import EAST_VILLAGE
from ..factories import make_id_number

pytestmark = pytest.mark.django_db

ELEVEN_MB = 11 * 1024 * 1024


def _bearer(user) -> Client:
    _, key = token_create(ctx=AuditContext.system(), user=user, name="测试")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _person(**overrides) -> dict:
    return {
        "id_number": make_id_number(777),
        "name": "赵六",
        "hukou_region": EAST_VILLAGE,
        "residence_region": EAST_VILLAGE,
        **overrides,
    }


def test_an_oversized_json_body_is_413_with_a_chinese_json_error(caseworker) -> None:
    body = json.dumps(_person(name="长" * 10)).encode() + b" " * ELEVEN_MB
    response = _bearer(caseworker).post("/api/registry/persons", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "10 MB" in detail and "过大" in detail


def test_an_oversized_form_on_the_web_is_a_chinese_413_page(caseworker, client_for) -> None:
    response = client_for(caseworker).post(
        "/accounts/login/", "username=" + "x" * ELEVEN_MB, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "提交的内容过大" in page and "Bad Request" not in page


def test_an_unreadable_multipart_upload_is_a_chinese_400(caseworker, client_for) -> None:
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="feed"\r\n'
        f"X-Padding: {'a' * 20000}\r\n\r\nhrss_pension\r\n--{boundary}--\r\n"
    ).encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    web = client_for(caseworker).post("/exchange/upload/", body, content_type=content_type)
    assert web.status_code == 400
    assert "上传的内容格式有误" in web.content.decode()
    api = _bearer(caseworker).post("/api/exchange/batches", body, content_type=content_type)
    assert api.status_code == 400
    assert "上传的内容格式有误" in api.json()["detail"]


def test_an_oversized_multipart_body_that_is_not_a_post_upload_is_413(caseworker) -> None:
    # Only a multipart POST is streamed to disk; any other method's body is read whole into memory.
    body = b"--XyZ\r\n" + b"x" * ELEVEN_MB
    response = _bearer(caseworker).patch(
        "/api/registry/households/1", body, content_type="multipart/form-data; boundary=XyZ"
    )
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "10 MB" in detail and "过大" in detail


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=XyZ", "application/x-www-form-urlencoded"]
)
def test_a_form_posted_to_a_json_operation_is_400_not_json(caseworker, content_type: str) -> None:
    body = b'--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xe8\xb5\xb5\r\n--XyZ--\r\n'
    response = _bearer(caseworker).post("/api/registry/persons", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"detail": "请求体不是有效的 JSON（须为 UTF-8 编码），请检查格式后重试"}


def test_a_query_with_too_many_fields_is_a_chinese_400(caseworker, client_for) -> None:
    query = "&".join(f"f{i}=1" for i in range(1001))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000
    api = _bearer(caseworker).get(f"/api/registry/households?{query}")
    assert api.status_code == 400
    assert api.json() == {"detail": "提交的字段或文件过多，请分批提交"}
    web = client_for(caseworker).get(f"/households/?{query}")
    assert web.status_code == 400
    assert "提交的字段或文件过多，请分批提交" in web.content.decode()


@pytest.mark.parametrize("body", [b'{"name": ', b"not json", b"\xff\xfe{}", b"[" * 100000])
def test_a_body_that_is_not_json_is_400_with_the_apis_chinese_error(caseworker, body: bytes) -> None:
    response = _bearer(caseworker).post("/api/registry/persons", body, content_type="application/json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail == "请求体不是有效的 JSON（须为 UTF-8 编码），请检查格式后重试"


@pytest.mark.parametrize("bad", ["\x00", "王\ud800五"])
def test_text_no_column_can_hold_is_refused_with_the_field(caseworker, bad: str) -> None:
    body = json.dumps(_person(name=bad))  # json escapes both as \u0000 / \ud800
    response = _bearer(caseworker).post("/api/registry/persons", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": "含有不允许的字符（空字符 NUL 或不成对的 Unicode 代理字符），请删除后重试"
    }


@pytest.mark.parametrize(
    "url", ["/api/registry/households?q=%00", "/api/regions/%00/children", "/api/regions/?q%00=1"]
)
def test_nul_in_the_address_or_query_is_a_chinese_400(caseworker, url: str) -> None:
    response = _bearer(caseworker).get(url)
    assert response.status_code == 400
    assert response.json() == {"detail": "网址或查询条件中含有空字符（NUL），请删除后重试"}


def test_nul_in_a_web_query_is_a_chinese_400_page(caseworker, client_for) -> None:
    response = client_for(caseworker).get("/households/?q=%00")
    assert response.status_code == 400
    assert "网址或查询条件中含有空字符" in response.content.decode()


def test_an_unauthenticated_write_is_401_like_a_read(tree) -> None:
    client = Client(enforce_csrf_checks=True)
    write = client.post("/api/registry/persons", json.dumps(_person()), content_type="application/json")
    read = client.get("/api/registry/households")
    assert (write.status_code, read.status_code) == (401, 401)
    assert write.json() == read.json() == {"detail": "请先登录或提供有效的接口令牌"}


def test_a_session_write_without_the_csrf_token_is_a_chinese_403(caseworker) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    response = client.post("/api/registry/persons", json.dumps(_person()), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"] and _chinese(response.json()["detail"])


def test_a_session_write_with_the_csrf_token_goes_through(caseworker) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    client.get("/households/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/registry/persons",
        json.dumps(_person()),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content


def test_other_bad_requests_get_a_chinese_page(db, client) -> None:
    # Django answers these itself (here an unknown Host header) with its 400 page.
    response = client.get("/accounts/login/", HTTP_HOST="unknown.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "提交的内容或访问的地址有误" in page and "Bad Request" not in page
