"""REST endpoints of bank files and return files (银行代发与回盘对账): the payrolls ready for the bank, a
payroll's bank files and returns, exporting a bank file, downloading it, importing a return file, and a
return file with its unmatched rows. County level (the payroll is the county's: elsewhere is 404)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.masking import id_number_for, id_number_masked
from jiuzhu.core.permissions import require_perm

from . import selectors_bank
from .models import BankReturn, Payroll, PayrollJob
from .services import bank

router = Router(tags=["银行代发与回盘对账"])


class BankPayrollOut(Schema):
    id: int
    region_id: str
    program: str
    month: date
    status: str
    lines_count: int
    total_amount: Decimal
    held_count: int
    paid_count: int
    failed_count: int
    version: int


class BankJobOut(Schema):
    id: int
    kind: str
    status: str
    stalled: bool
    progress_done: int
    progress_total: int
    attempts: int
    error: str
    params: dict[str, Any]
    result: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None


class BankReturnSummaryOut(Schema):
    id: int
    payroll_id: int
    file_name: str
    sha256: str
    rows: int
    paid: int
    failed: int
    returned: int
    unmatched: int
    imported_at: datetime


class UnmatchedRowOut(Schema):
    row: int
    account: str
    id_number: str
    amount: str
    status: str
    reference: str
    message: str
    reasons: str


class BankReturnOut(BankReturnSummaryOut):
    already_imported: bool = False
    unmatched_rows: list[UnmatchedRowOut]
    recoveries: list[dict[str, Any]] = Field(description="抵扣追缴的登记情况（明细、追缴记录、金额、说明）")


class BankViewOut(Schema):
    payroll: BankPayrollOut
    exports: list[BankJobOut]
    reconciles: list[BankJobOut]
    returns: list[BankReturnSummaryOut]


class ExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "xlsx"] = Field(default="csv", description="文件格式")
    encoding: Literal["utf-8-sig", "gb18030"] = Field(
        default="utf-8-sig", description="CSV 的编码：带 BOM 的 UTF-8，或 GB18030"
    )


def _payroll_out(p: Payroll) -> BankPayrollOut:
    return BankPayrollOut.model_validate(p)


def _job_out(j: PayrollJob) -> BankJobOut:
    return BankJobOut.model_validate(j)


def _summary(b: BankReturn) -> dict[str, Any]:
    return {
        "id": b.pk,
        "payroll_id": b.payroll_id,
        "file_name": b.file_name,
        "sha256": b.sha256,
        "rows": b.rows,
        "paid": b.paid,
        "failed": b.failed,
        "returned": b.returned,
        "unmatched": len(b.errors),
        "imported_at": b.imported_at,
    }


def _return_out(request: HttpRequest, b: BankReturn, *, already: bool = False) -> BankReturnOut:
    user = request.user
    full = user.has_perm("registry.view_full_id_number")
    rows = [
        UnmatchedRowOut(
            row=int(r.get("row", 0)),
            account=str(r.get("account", "")) if full else id_number_masked(str(r.get("account", ""))),
            id_number=id_number_for(user, str(r.get("id_number", ""))),
            amount=str(r.get("amount", "")),
            status=str(r.get("status", "")),
            reference=str(r.get("reference", "")),
            message=str(r.get("message", "")),
            reasons=str(r.get("reasons", "")),
        )
        for r in b.errors
    ]
    job = selectors_bank.bank_return_job(b)
    return BankReturnOut(
        **_summary(b),
        already_imported=already,
        unmatched_rows=rows,
        recoveries=(job.result.get("recoveries") or []) if job else [],
    )


@router.get(
    "/payrolls",
    response=list[BankPayrollOut],
    summary="辖区内已审批、已导出或已对账的发放名册（最多 500 个）",
)
def payrolls(request: HttpRequest) -> list[BankPayrollOut]:
    return [_payroll_out(p) for p in selectors_bank.payrolls_for_bank(user=request.user)[:500]]


@router.get("/payrolls/{payroll_id}", response=BankViewOut, summary="名册的银行文件、对账作业与回盘文件")
def payroll_bank(request: HttpRequest, payroll_id: int) -> BankViewOut:
    view = selectors_bank.bank_view(user=request.user, payroll_id=payroll_id)
    return BankViewOut(
        payroll=_payroll_out(view.payroll),
        exports=[_job_out(j) for j in view.exports],
        reconciles=[_job_out(j) for j in view.reconciles],
        returns=[BankReturnSummaryOut(**_summary(b)) for b in view.returns],
    )


@router.post(
    "/payrolls/{payroll_id}/exports",
    response={201: BankJobOut},
    summary="导出银行代发文件（县级，名册须已审批）",
    description=(
        "待发放明细按账号合并为一行，末尾为合计行与校验行（明细行的 SHA-256，见 docs/bank-files.md）。"
        "返回完成的导出作业，result 中有文件名、大小、文件摘要、校验值、账户数、明细条数与合计金额；"
        "用 GET .../exports/{job_id}/file 下载。已导入回盘的名册不能再导出。"
    ),
)
def export(request: HttpRequest, payroll_id: int, payload: ExportIn) -> Status[BankJobOut]:
    job = bank.bank_file_export(
        ctx=AuditContext.from_request(request),
        payroll_id=payroll_id,
        fmt=payload.format,
        encoding=payload.encoding,
    )
    return Status(201, _job_out(job))


@router.get(
    "/payrolls/{payroll_id}/exports/{job_id}/file",
    response={200: None},
    summary="下载银行代发文件（县级，记入审计日志）",
    openapi_extra={
        "responses": {
            200: {
                "description": "银行代发文件",
                "content": {
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def download(request: HttpRequest, payroll_id: int, job_id: int) -> FileResponse:
    found = bank.bank_file_open(ctx=AuditContext.from_request(request), payroll_id=payroll_id, job_id=job_id)
    return FileResponse(
        found.path.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )


@router.post(
    "/payrolls/{payroll_id}/returns",
    response={201: BankReturnOut, 200: BankReturnOut},
    summary="导入银行回盘文件（CSV/XLSX，县级）",
    description=(
        "列：账号、身份证号码、金额、状态（成功/失败/退回）、银行流水号、说明、到账日期（可省略）。"
        "返回 201 和回盘记录（含无法匹配的行及原因）；"
        "同一文件再次导入返回原记录（200，already_imported 为 true），不作任何改动。"
    ),
)
def return_import(request: HttpRequest, payroll_id: int, file: File[UploadedFile]) -> Status[BankReturnOut]:
    require_perm(request.user, bank.IMPORT_PERM)
    bank.payroll_for_bank(user=request.user, payroll_id=payroll_id)  # 404 elsewhere, before the file
    assert file.file is not None
    bank.check_upload_size(file.file)
    outcome = bank.bank_return_import(
        ctx=AuditContext.from_request(request),
        payroll_id=payroll_id,
        file_name=file.name or "upload.csv",
        fh=file.file,
    )
    code = 200 if outcome.already_imported else 201
    return Status(code, _return_out(request, outcome.bank_return, already=outcome.already_imported))


@router.get("/returns/{return_id}", response=BankReturnOut, summary="银行回盘：计数、无法匹配的行与抵扣追缴")
def return_detail(request: HttpRequest, return_id: int) -> BankReturnOut:
    b = selectors_bank.bank_return_get(user=request.user, return_id=return_id)
    return _return_out(request, b)
