import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiuzhu.exchange.models import ImportBatch

from ..conftest import COUNTY
from ..factories import make_id_number

pytestmark = pytest.mark.django_db


def test_upload_quarantine_page_and_download(make_user, client_for) -> None:
    officer = make_user("verification_officer", COUNTY)
    client = client_for(officer)
    good, bad = make_id_number(1), make_id_number(2)[:17] + "0"
    content = f"身份证号码,月份,单位,应发工资（元）\n{good},2026-01,甲,100\n{bad},2026-01,甲,100\n".encode()
    r = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", content, "text/csv")},
    )
    assert r.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.rows_loaded, batch.rows_quarantined, batch.region_id) == (1, 1, COUNTY)
    detail = client.get(r["Location"]).content.decode()
    assert "校验位" in detail
    csv_text = b"".join(client.get(reverse("quarantine_csv", args=[batch.pk])).streaming_content).decode(
        "utf-8-sig"
    )
    assert csv_text.splitlines()[0].startswith("行号,原因,身份证号码")
    assert "校验位" in csv_text
    again = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("copy.csv", content, "text/csv")},
        follow=True,
    )
    assert "未作任何改动" in again.content.decode()
    assert ImportBatch.objects.count() == 1


def test_bad_file_is_reported_on_the_form(make_user, client_for) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    r = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("w.doc", b"x", "application/msword")},
    )
    assert r.status_code == 200
    assert "不支持的文件格式" in r.content.decode()


def test_caseworker_cannot_import(caseworker, client_for) -> None:
    assert client_for(caseworker).get(reverse("batch_list")).status_code == 403


def test_api_upload_then_batch_and_quarantine(make_user, client_for) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    good, bad = make_id_number(1), make_id_number(2)[:17] + "0"
    content = f"id_number,month,employer,amount\n{good},2026-01,甲,100\n{bad},2026-01,甲,100\n".encode()
    first = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", content)}
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["rows_loaded"], body["rows_quarantined"], body["already_imported"]) == (1, 1, False)
    again = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("x.csv", content)}
    )
    assert again.status_code == 200 and again.json()["already_imported"] is True
    q = client.get(f"/api/exchange/batches/{body['id']}/quarantine").json()
    assert q["total"] == 1 and q["items"][0]["row_number"] == 3 and "校验位" in q["items"][0]["reasons"]
    bad_feed = client.post(
        "/api/exchange/batches", {"feed": "nope", "file": SimpleUploadedFile("w.csv", content)}
    )
    assert bad_feed.status_code == 422 and "未知的数据来源" in bad_feed.json()["errors"]["feed"]


def test_oversized_upload_is_refused_with_its_reason(make_user, client_for, monkeypatch) -> None:
    from jiuzhu.exchange import services

    monkeypatch.setattr(services, "MAX_UPLOAD", 2 * 1024 * 1024)
    too_big = b"x" * (2 * 1024 * 1024 + 1)
    client = client_for(make_user("verification_officer", COUNTY))
    r = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", too_big, "text/csv")},
    )
    assert "文件超过 2 MB" in r.content.decode()
    api = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", too_big)}
    )
    assert api.status_code == 422 and "文件超过 2 MB" in api.json()["errors"]["file"]
    assert ImportBatch.objects.count() == 0


def test_gbk_upload_shows_its_encoding_and_a_header_only_file_is_refused(make_user, client_for) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    content = (
        f"身份证号码,月份,单位,应发工资（元）\n{make_id_number(1)},2023年10月,甲公司,３６１３．７１\n".encode(
            "gbk"
        )
    )
    r = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", content, "text/csv")},
    )
    assert r.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.rows_loaded, batch.encoding) == (1, "GB18030")
    page = client.get(r["Location"]).content.decode()
    assert "文件编码" in page and "GB18030" in page
    header_only = "身份证号码,月份,单位,应发工资（元）\n".encode("gbk")
    refused = client.post(
        reverse("batch_upload"),
        {"feed": "hrss_wage", "file": SimpleUploadedFile("h.csv", header_only, "text/csv")},
    )
    assert refused.status_code == 200
    assert "文件只有表头，没有数据行" in refused.content.decode()
    assert ImportBatch.objects.count() == 1
