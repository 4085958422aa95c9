"""The bank pages and API end to end, as the county approver: the list, a payroll's bank page, export,
download (audited), a return file uploaded and its page (unmatched rows masked for whoever may not see full
numbers); and a township, the auditor and the neighbouring county kept out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.audit.models import AuditEvent
from jiuzhu.payments.models import BankReturn, PayrollJob

from . import bank_fixtures
from .bank_fixtures import ACCOUNT_A, ACCOUNT_B, Bank

pytestmark = pytest.mark.django_db
bank = bank_fixtures.bank
var_dir = bank_fixtures.var_dir
HEAD = "账号,身份证号码,金额,状态,银行流水号,说明,到账日期\r\n"


def _return_file(b: Bank, name: str = "回盘.csv") -> SimpleUploadedFile:
    body = (
        HEAD
        + f"{ACCOUNT_A},{b.a.id_number},850.00,成功,W1,,2026-11-20\r\n"
        + f"{ACCOUNT_B},,450.50,失败,W2,账户冻结,\r\n"
        + f"6222999999999999,{b.a.id_number},10.00,成功,W3,,\r\n"
    )
    return SimpleUploadedFile(name, body.encode("utf-8-sig"), "text/csv")


def test_the_pages_end_to_end(bank: Bank, client_for: Any) -> None:
    client = client_for(bank.approver)
    listing = client.get("/payments/bank/")
    assert listing.status_code == 200 and f"/payments/bank/{bank.payroll.pk}/" in listing.content.decode()
    page = client.get(f"/payments/bank/{bank.payroll.pk}/")
    assert page.status_code == 200 and "导出银行代发文件" in page.content.decode()
    response = client.post(f"/payments/bank/{bank.payroll.pk}/export/", {"fmt": "csv", "encoding": "gb18030"})
    assert response.status_code == 302
    job = PayrollJob.objects.get(kind="export")
    download = client.get(f"/payments/bank/{bank.payroll.pk}/files/{job.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=gb18030"
    data = b"".join(download.streaming_content).decode("gb18030")
    assert data.startswith("账号,户名,身份证号码,金额,备注\r\n") and "合计,2,,1300.50," in data
    assert AuditEvent.objects.filter(action="export", detail__download=job.result["file_name"]).count() == 1
    page = client.get(f"/payments/bank/{bank.payroll.pk}/").content.decode()
    assert job.result["checksum"][:10] in page and "导入银行回盘" in page
    response = client.post(f"/payments/bank/{bank.payroll.pk}/returns/", {"file": _return_file(bank)})
    returned = BankReturn.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/bank/returns/{returned.pk}/"
    text = client.get(f"/payments/bank/returns/{returned.pk}/").content.decode()
    assert "账号不在本名册导出的银行文件中" in text and "6222999999999999" in text
    assert bank.a.id_number in text  # the county approver sees full numbers
    again = client.post(
        f"/payments/bank/{bank.payroll.pk}/returns/", {"file": _return_file(bank)}, follow=True
    )
    assert "本次未作任何改动" in again.content.decode() and BankReturn.objects.count() == 1
    # exported and answered: no more exports
    assert "导出银行代发文件" not in client.get(f"/payments/bank/{bank.payroll.pk}/").content.decode()
    refused = client.post(
        f"/payments/bank/{bank.payroll.pk}/export/", {"fmt": "csv", "encoding": "utf-8-sig"}
    )
    assert refused.status_code == 409 and "已导入银行回盘" in refused.content.decode()
    template = client.get("/payments/bank/return-template.csv")
    assert template.content.decode("utf-8-sig") == HEAD


def test_page_errors_keep_the_form(bank: Bank, client_for: Any) -> None:
    client = client_for(bank.approver)
    response = client.post(f"/payments/bank/{bank.payroll.pk}/returns/", {"file": _return_file(bank)})
    assert response.status_code == 409 and "尚未导出银行文件" in response.content.decode()
    bad = SimpleUploadedFile("r.csv", "账号,金额\r\n1,2\r\n".encode(), "text/csv")
    client.post(f"/payments/bank/{bank.payroll.pk}/export/", {"fmt": "csv", "encoding": "utf-8-sig"})
    response = client.post(f"/payments/bank/{bank.payroll.pk}/returns/", {"file": bad})
    assert response.status_code == 422 and "文件缺少必需的列" in response.content.decode()
    response = client.post(f"/payments/bank/{bank.payroll.pk}/export/", {"fmt": "pdf"})
    assert response.status_code == 422


def test_the_auditor_reads_masked_and_cannot_export_or_download(
    bank: Bank, client_for: Any, make_user: Any
) -> None:
    approver = client_for(bank.approver)
    approver.post(f"/payments/bank/{bank.payroll.pk}/export/", {"fmt": "csv", "encoding": "utf-8-sig"})
    approver.post(f"/payments/bank/{bank.payroll.pk}/returns/", {"file": _return_file(bank)})
    job, returned = PayrollJob.objects.get(kind="export"), BankReturn.objects.get()
    auditor = client_for(make_user("auditor", "980101000000"))
    assert auditor.get(f"/payments/bank/{bank.payroll.pk}/").status_code == 200
    text = auditor.get(f"/payments/bank/returns/{returned.pk}/").content.decode()
    assert "账号不在本名册导出的银行文件中" in text
    assert bank.a.id_number not in text and "6222999999999999" not in text
    assert bank.a.id_number[:3] + "*" * 11 + bank.a.id_number[-4:] in text
    assert auditor.get(f"/payments/bank/{bank.payroll.pk}/files/{job.pk}/").status_code == 403
    assert auditor.post(f"/payments/bank/{bank.payroll.pk}/export/", {"fmt": "csv"}).status_code == 403
    api = auditor.get(f"/api/payments/bank/returns/{returned.pk}").json()
    assert api["unmatched_rows"][0]["id_number"] != bank.a.id_number
    assert api["unmatched_rows"][0]["account"] != "6222999999999999"


def test_others_are_kept_out(bank: Bank, client_for: Any, make_user: Any) -> None:
    approver = client_for(bank.approver)
    approver.post(f"/payments/bank/{bank.payroll.pk}/export/", {"fmt": "csv", "encoding": "utf-8-sig"})
    approver.post(f"/payments/bank/{bank.payroll.pk}/returns/", {"file": _return_file(bank)})
    job, returned = PayrollJob.objects.get(kind="export"), BankReturn.objects.get()
    p = bank.payroll.pk
    reads = [
        f"/payments/bank/{p}/",
        f"/payments/bank/{p}/files/{job.pk}/",
        f"/payments/bank/returns/{returned.pk}/",
        f"/api/payments/bank/payrolls/{p}",
        f"/api/payments/bank/payrolls/{p}/exports/{job.pk}/file",
        f"/api/payments/bank/returns/{returned.pk}",
    ]
    for user, refused in (
        # A township reads its county's payroll (its own lines only), never the bank file.
        (make_user("township_caseworker", "980101001000"), (403, 404)),
        (make_user("county_approver", "980102000000"), (404,)),
        (make_user("auditor", "980102000000"), (403, 404)),
    ):
        client = client_for(user)
        for path in reads:
            assert client.get(path).status_code in refused, (user.role, path)
        assert client.post(f"/payments/bank/{p}/export/", {"fmt": "csv"}).status_code in refused
        assert client.post(
            f"/payments/bank/{p}/returns/", {"file": _return_file(bank, "x.csv")}
        ).status_code in (refused)
        response = client.post(
            f"/api/payments/bank/payrolls/{p}/exports", {}, content_type="application/json"
        )
        assert response.status_code in refused
        upload = client.post(
            f"/api/payments/bank/payrolls/{p}/returns", {"file": _return_file(bank, "y.csv")}
        )
        assert upload.status_code in refused
        for path in ("/payments/bank/", "/api/payments/bank/payrolls"):
            response = client.get(path)
            assert response.status_code in (200, 403) and "测试县" not in response.content.decode()
    assert PayrollJob.objects.count() == 2 and BankReturn.objects.count() == 1


def test_the_api_end_to_end(bank: Bank, client_for: Any) -> None:
    client = client_for(bank.approver)
    p = bank.payroll.pk
    assert [x["id"] for x in client.get("/api/payments/bank/payrolls").json()] == [p]
    response = client.post(
        f"/api/payments/bank/payrolls/{p}/exports", {"format": "xlsx"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["kind"], job["status"], job["result"]["accounts"], job["result"]["total"]) == (
        "export",
        "done",
        2,
        "1300.50",
    )
    file = client.get(f"/api/payments/bank/payrolls/{p}/exports/{job['id']}/file")
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.post(
        f"/api/payments/bank/payrolls/{p}/exports", {"format": "pdf"}, content_type="application/json"
    )
    assert bad.status_code == 422
    first = client.post(f"/api/payments/bank/payrolls/{p}/returns", {"file": _return_file(bank)})
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["paid"], body["failed"], body["returned"], body["unmatched"]) == (1, 1, 0, 1)
    assert (
        body["unmatched_rows"][0]["row"] == 4 and body["unmatched_rows"][0]["account"] == "6222999999999999"
    )
    again = client.post(f"/api/payments/bank/payrolls/{p}/returns", {"file": _return_file(bank)})
    assert again.status_code == 200 and again.json()["already_imported"] is True
    view = client.get(f"/api/payments/bank/payrolls/{p}").json()
    assert view["payroll"]["status"] == "reconciled" and view["payroll"]["paid_count"] == 1
    assert [j["kind"] for j in view["exports"]] == ["export"] and len(view["returns"]) == 1
    assert json.loads(client.get(f"/api/payments/bank/returns/{body['id']}").content)["rows"] == 3
