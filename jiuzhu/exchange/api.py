"""REST endpoints for departmental data: upload a file, read a batch and its quarantine."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm

from . import selectors
from .models import ImportBatch
from .services import feed_import_enqueue

router = Router(tags=["部门数据交换"])
MAX_PAGE = 1_000_000  # of 100 rows: more than any file holds, and an offset every database can take


class BatchOut(Schema):
    id: int
    feed: str
    file_name: str
    encoding: str  # the encoding a CSV was read in (UTF-8 or GB18030); empty for XLSX and JSON
    status: str
    stalled: bool  # running, but its process has stopped: uploading the same file again resumes it
    rows_done: int
    rows_total: int
    rows_loaded: int
    rows_existing: int
    rows_quarantined: int
    error: str
    already_imported: bool = False
    started_at: datetime
    finished_at: datetime | None


class QuarantineOut(Schema):
    row_number: int
    reasons: str
    raw: dict[str, str]


class QuarantinePage(Schema):
    items: list[QuarantineOut]
    page: int
    total: int


def _out(batch: ImportBatch, already: bool = False) -> BatchOut:
    return BatchOut.model_validate(batch).model_copy(update={"already_imported": already})


@router.post(
    "/batches",
    response={201: BatchOut, 200: BatchOut, 202: BatchOut},
    summary="导入部门数据文件（CSV/XLSX/JSON）",
    description=(
        "文件校验表头后进入后台队列，返回 202 和批次（status 为 queued 或 running），"
        "用 GET /batches/{id} 查看进度（rows_done）和结果；已结束（done 或 failed）时返回 201。"
        "同一文件在本辖区再次上传返回原批次（200，already_imported 为 true），不作改动；"
        "其他辖区导入过的同一文件在本辖区照常导入，生成本辖区自己的批次。"
        "CSV 可为 UTF-8 或 GBK/GB18030 编码（encoding 给出识别结果）；只有表头的文件不予导入（422）。"
        "导入进程中途停止的批次 stalled 为 true，再次上传同一文件即重新排队并接着导入。"
    ),
)
def batch_create(request: HttpRequest, feed: Form[str], file: File[UploadedFile]) -> Status[BatchOut]:
    require_perm(request.user, "exchange.add_importbatch")
    assert file.file is not None  # an upload always has its stream
    outcome = feed_import_enqueue(
        ctx=AuditContext.from_request(request), feed_code=feed, file_name=file.name or "upload", fh=file.file
    )
    batch = outcome.batch
    code = 200 if outcome.already_imported else 202 if batch.in_progress else 201
    return Status(code, _out(batch, outcome.already_imported))


@router.get("/batches/{batch_id}", response=BatchOut, summary="导入批次的状态与计数")
def batch_detail(request: HttpRequest, batch_id: int) -> BatchOut:
    require_perm(request.user, "exchange.view_importbatch")
    return _out(selectors.batch_get(user=request.user, batch_id=batch_id))


@router.get(
    "/batches/{batch_id}/quarantine", response=QuarantinePage, summary="隔离行（行号、原因、原始内容）"
)
def batch_quarantine(request: HttpRequest, batch_id: int, page: int = 1) -> QuarantinePage:
    require_perm(request.user, "exchange.view_importbatch")
    if not 1 <= page <= MAX_PAGE:  # refused, not corrected, as the registry's search does
        raise ValidationFailed({"page": f"页码超出范围：请填写 1 到 {MAX_PAGE} 之间的页码"})
    batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    rows = selectors.quarantine_rows(batch=batch)
    items = [
        QuarantineOut(row_number=q.row_number, reasons=q.reasons, raw={k: str(v) for k, v in q.raw.items()})
        for q in rows[(page - 1) * 100 : page * 100]
    ]
    return QuarantinePage(items=items, page=page, total=batch.rows_quarantined)
