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
