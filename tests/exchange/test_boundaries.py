"""The exchange at its edges: batches owned by a jurisdiction, bad page numbers and bodies answered in
Chinese, and exports that a spreadsheet cannot execute."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from jiuzhu.core.exports import spreadsheet_cell
from jiuzhu.exchange.models import ImportBatch

from ..conftest import COUNTY
from ..factories import make_id_number

pytestmark = pytest.mark.django_db
OTHER_COUNTY = "980102000000"  # 邻县


def _wages(*rows: str) -> bytes:
    return ("id_number,month,employer,amount\n" + "".join(r + "\n" for r in rows)).encode()


def test_another_county_uploading_the_same_file_gets_its_own_batch(make_user, client_for) -> None:
    content = _wages(f"{make_id_number(1)},2026-01,甲,100", f"{make_id_number(2)[:17]}0,2026-01,甲,100")
    ours = client_for(make_user("verification_officer", COUNTY))
    first = ours.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", content)}
    )
    assert first.status_code == 201, first.content
    theirs = client_for(make_user("verification_officer", OTHER_COUNTY))
    second = theirs.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", content)}
    )
    # Imported for the other county, not "already imported" with this county's batch.
    assert second.status_code == 201, second.content
    body = second.json()
    assert body["already_imported"] is False and body["id"] != first.json()["id"]
    assert (body["rows_total"], body["rows_quarantined"]) == (2, 1)
    batches = dict(ImportBatch.objects.values_list("pk", "region_id"))
    assert batches == {first.json()["id"]: COUNTY, body["id"]: OTHER_COUNTY}
    # Each county sees its own batch only; a repeat within a county is "already imported" there.
    assert theirs.get(f"/api/exchange/batches/{first.json()['id']}").status_code == 404
    again = theirs.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("x.csv", content)}
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["already_imported"]
    web = theirs.post(
        reverse("batch_upload"), {"feed": "hrss_wage", "file": SimpleUploadedFile("y.csv", content)}
    )
    assert web["Location"] == reverse("batch_detail", args=[body["id"]])


def test_import_feed_requires_a_region(tree, tmp_path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes(_wages(f"{make_id_number(1)},2026-01,甲,100"))
    with pytest.raises(CommandError, match="请用 --region 指定批次所属辖区"):
        call_command("import_feed", "hrss_wage", str(path), "--no-progress")
    assert not ImportBatch.objects.exists()
    out = io.StringIO()
    call_command("import_feed", "hrss_wage", str(path), "--no-progress", "--region", COUNTY, stdout=out)
    assert ImportBatch.objects.get().region_id == COUNTY


def test_an_upload_without_a_jurisdiction_is_refused(tree) -> None:
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.core.errors import ValidationFailed
    from jiuzhu.exchange.services import feed_import

    with pytest.raises(ValidationFailed) as caught:
        feed_import(
            ctx=AuditContext.system(),
            feed_code="hrss_wage",
            file_name="w.csv",
            fh=io.BytesIO(_wages(f"{make_id_number(1)},2026-01,甲,100")),
        )
    assert caught.value.errors["region"].startswith("未指定批次所属辖区")
    assert caught.value.message == caught.value.errors["region"]
    assert not ImportBatch.objects.exists()


HUGE = str(2**63 + 5)


OUT_OF_RANGE = "页码超出范围：请填写 1 到 1000000 之间的页码"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (HUGE, OUT_OF_RANGE),
        ("99999999999999999999999999999", OUT_OF_RANGE),
        ("1000001", OUT_OF_RANGE),
        ("0", OUT_OF_RANGE),
        ("-1", OUT_OF_RANGE),
        ("x", "应为整数"),
    ],
)
def test_page_numbers_past_any_page_are_answered_without_a_server_error(
    make_user, client_for, page, message
) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    content = _wages(f"{make_id_number(2)[:17]}0,2026-01,甲,100")
    batch_id = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", content)}
    ).json()["id"]
    assert client.get(reverse("batch_list"), {"page": page}).status_code == 200
    assert client.get(reverse("batch_detail", args=[batch_id]), {"page": page}).status_code == 200
    # The API refuses a page outside 1…1000000 (and a page that is not a number) like the registry's
    # search: 422 with the field's message, never a silently corrected page.
    api = client.get(f"/api/exchange/batches/{batch_id}/quarantine", {"page": page})
    assert api.status_code == 422
    assert api.json() == {"detail": "提交的信息有误，请按提示修改", "errors": {"page": message}}
    assert client.get(f"/api/exchange/batches/{batch_id}/quarantine", {"page": "1"}).json()["page"] == 1


def test_an_oversized_multipart_header_is_refused_in_chinese(make_user, client_for) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    boundary = "B0UNDARY"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="feed"\r\nX-Pad: {"a" * 20000}\r\n\r\n'
        f"hrss_wage\r\n--{boundary}--\r\n"
    ).encode()
    r = client.generic(
        "POST", reverse("batch_upload"), body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert r.status_code == 400
    assert "上传的内容格式有误" in r.content.decode()
    api = client.generic(
        "POST", "/api/exchange/batches", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert api.status_code == 400, api.content
    assert api.json()["detail"] == "上传的内容格式有误，无法读取，请重新选择文件后再提交"
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("甲公司", "甲公司"),
        ("3=3", "3=3"),
        (12, 12),
        ("", ""),
    ],
)
def test_spreadsheet_cells_that_would_run_as_formulas_are_escaped(value, written) -> None:
    assert spreadsheet_cell(value) == written


def test_the_quarantine_export_escapes_formulas(make_user, client_for) -> None:
    client = client_for(make_user("verification_officer", COUNTY))
    content = _wages('"=HYPERLINK(""http://evil"",""点此"")",2026-01,@SUM(1),-5')
    batch_id = client.post(
        "/api/exchange/batches", {"feed": "hrss_wage", "file": SimpleUploadedFile("w.csv", content)}
    ).json()["id"]
    text = b"".join(client.get(reverse("quarantine_csv", args=[batch_id])).streaming_content).decode(
        "utf-8-sig"
    )
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2:] == ['\'=HYPERLINK("http://evil","点此")', "2026-01", "'@SUM(1)", "'-5"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
