"""REST endpoints for the migration of existing beneficiaries: upload a file, read a batch, its quarantine
and its difference report, and the layouts a file may come in."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm

from . import selectors
from .layouts import COLUMNS, LAYOUTS
from .models import MigrationBatch
from .services import migration_import_enqueue

router = Router(tags=["存量对象导入"])
MAX_PAGE = 1_000_000


class MigrationBatchOut(Schema):
    id: int
    file_name: str
    layout: str
    encoding: str
    region_id: str
    status: str
    stalled: bool
    rows_done: int
    rows_total: int
    rows_loaded: int
    rows_existing: int
    rows_quarantined: int
    households_created: int
    persons_created: int
    entitlements_created: int
    error: str
    already_imported: bool = False
    started_at: datetime
    finished_at: datetime | None


class MigrationQuarantineOut(Schema):
    row_number: int
    reasons: str
    raw: dict[str, str]


class MigrationQuarantinePage(Schema):
    items: list[MigrationQuarantineOut]
    page: int
    total: int


class MigrationDifferenceOut(Schema):
    entitlement_id: int
    household_number: str
    program: str
    person_id: int | None
    migrated: Decimal
    computed: Decimal | None
    status: str  # differs | unknown
    note: str


class ColumnOut(Schema):
    name: str
    label: str
    required: bool
    help: str


class LayoutOut(Schema):
    code: str
    name: str
    headers: dict[str, str]
    defaults: dict[str, str]


class LayoutsOut(Schema):
    columns: list[ColumnOut]
    layouts: list[LayoutOut]


def _out(batch: MigrationBatch, already: bool = False) -> MigrationBatchOut:
    return MigrationBatchOut.model_validate(batch).model_copy(update={"already_imported": already})


@router.post(
    "/batches",
    response={201: MigrationBatchOut, 200: MigrationBatchOut, 202: MigrationBatchOut},
    summary="导入存量对象文件（CSV/XLSX）",
    description=(
        "导入到调用者本人的辖区（县级或以上）。文件校验表头后进入后台队列，返回 202 和批次，"
        "用 GET /batches/{id} 查看进度和结果；已结束时返回 201。同一文件在本辖区再次上传返回原批次"
        "（200，already_imported 为 true）。layout 为列格式（见 GET /layouts），空则按表头自动识别。"
    ),
)
def batch_create(
    request: HttpRequest, file: File[UploadedFile], layout: Form[str] = ""
) -> Status[MigrationBatchOut]:
    require_perm(request.user, "migration.add_migrationbatch")
    assert file.file is not None
    outcome = migration_import_enqueue(
        ctx=AuditContext.from_request(request),
        file_name=file.name or "upload",
        fh=file.file,
        layout=layout or None,
    )
    batch = outcome.batch
    code = 200 if outcome.already_imported else 202 if batch.in_progress else 201
    return Status(code, _out(batch, outcome.already_imported))


@router.get("/batches/{batch_id}", response=MigrationBatchOut, summary="存量导入批次的状态与计数")
def batch_detail(request: HttpRequest, batch_id: int) -> MigrationBatchOut:
    require_perm(request.user, "migration.view_migrationbatch")
    return _out(selectors.batch_get(user=request.user, batch_id=batch_id))


@router.get(
    "/batches/{batch_id}/quarantine",
    response=MigrationQuarantinePage,
    summary="隔离行（行号、原因、原始内容）",
)
def batch_quarantine(request: HttpRequest, batch_id: int, page: int = 1) -> MigrationQuarantinePage:
    require_perm(request.user, "migration.view_migrationbatch")
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed({"page": f"页码超出范围：请填写 1 到 {MAX_PAGE} 之间的页码"})
    batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    rows = selectors.quarantine_rows(batch=batch)[(page - 1) * 100 : page * 100]
    items = [
        MigrationQuarantineOut(
            row_number=q.row_number, reasons=q.reasons, raw={k: str(v) for k, v in q.raw.items()}
        )
        for q in rows
    ]
    return MigrationQuarantinePage(items=items, page=page, total=batch.rows_quarantined)


@router.get(
    "/batches/{batch_id}/differences",
    response=list[MigrationDifferenceOut],
    summary="金额差异报告：导入金额与按现行政策计算不一致或无法计算的在保记录",
)
def batch_differences(request: HttpRequest, batch_id: int) -> list[MigrationDifferenceOut]:
    require_perm(request.user, "migration.view_migrationbatch")
    batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    return [
        MigrationDifferenceOut(
            entitlement_id=d.entitlement.pk,
            household_number=d.entitlement.household.number,
            program=d.entitlement.program,
            person_id=d.entitlement.person_id,
            migrated=d.migrated,
            computed=d.computed,
            status=d.status,
            note=d.note,
        )
        for d in selectors.differences(batch=batch)
    ]


@router.get("/layouts", response=LayoutsOut, summary="模板的列与可识别的导出格式")
def layouts(request: HttpRequest) -> LayoutsOut:
    # The template is no one's data: every logged-in user may read it.
    return LayoutsOut(
        columns=[ColumnOut(name=c.name, label=c.label, required=c.required, help=c.help) for c in COLUMNS],
        layouts=[
            LayoutOut(code=lo.code, name=lo.name, headers=lo.headers, defaults=lo.defaults)
            for lo in LAYOUTS.values()
        ],
    )
