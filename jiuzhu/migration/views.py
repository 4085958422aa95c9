from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import AuditObject
from jiuzhu.core.web import is_htmx, web_view

from . import exports, selectors
from .layouts import COLUMNS, LAYOUTS
from .models import MigrationBatch
from .services import MAX_UPLOAD, migration_import_enqueue

LAYOUT_CHOICES = [("", "自动识别"), *[(code, layout.name) for code, layout in LAYOUTS.items()]]


class UploadForm(forms.Form):
    layout = forms.ChoiceField(label="列格式", choices=LAYOUT_CHOICES, required=False)
    file = forms.FileField(label=f"文件（CSV 或 XLSX，不超过 {MAX_UPLOAD // (1024 * 1024)} MB）")


def _list(request: HttpRequest, form: UploadForm) -> HttpResponse:
    page = Paginator(selectors.batches_list(user=request.user).order_by("-id"), 30).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "form": form, "columns": COLUMNS, "layouts": LAYOUTS.values()}
    return render(request, "migration/batches.html", context)


@web_view("migration.view_migrationbatch")
def batch_list(request: HttpRequest) -> HttpResponse:
    return _list(request, UploadForm())


@web_view("migration.add_migrationbatch")
def batch_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = migration_import_enqueue(
                ctx=AuditContext.from_request(request),
                file_name=upload.name,
                fh=upload.file,
                layout=form.cleaned_data["layout"] or None,
            )
        except ValidationFailed as exc:
            form.add_error("file", next(iter(exc.errors.values()), exc.message))
        else:
            b = outcome.batch
            if outcome.already_imported:
                messages.info(request, f"该文件已于 {b.finished_at:%Y-%m-%d %H:%M} 导入，本次未作任何改动")
            elif b.status == MigrationBatch.Status.DONE:
                messages.success(
                    request,
                    f"导入完成：新建家庭 {b.households_created} 户、人员 {b.persons_created} 人、"
                    f"在保记录 {b.entitlements_created} 条，隔离 {b.rows_quarantined} 行",
                )
            elif b.in_progress:
                messages.info(request, "文件已收到，正在后台导入；本页会自动显示进度和结果")
            return redirect("migration_batch", pk=b.pk)
    return _list(request, form)


@web_view("migration.view_migrationbatch")
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, batch_id=pk)
    context = {"batch": batch}
    if is_htmx(request):
        response = render(request, "migration/_summary.html", context)
        if not batch.in_progress:
            response["HX-Refresh"] = "true"
        return response
    page = Paginator(selectors.quarantine_rows(batch=batch), 50).get_page(request.GET.get("page"))
    return render(request, "migration/batch_detail.html", {**context, "page": page})


def _exported(request: HttpRequest, batch: MigrationBatch, what: str) -> None:
    audit_record(
        ctx=AuditContext.from_request(request),
        action="export",
        object_type=AuditObject.MIGRATION_BATCH,
        object_id=batch.pk,
        region_code=batch.region_id,
        detail={"export": what},
    )


@web_view("migration.view_migrationbatch")
def quarantine_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = selectors.batch_get(user=request.user, batch_id=pk)
    _exported(request, batch, "quarantine.csv")
    response = StreamingHttpResponse(
        exports.csv_chunks(exports.quarantine_table(batch)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="migration-quarantine-{batch.pk}.csv"'
    return response


@web_view("migration.view_migrationbatch")
def quarantine_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, batch_id=pk)
    _exported(request, batch, "quarantine.xlsx")
    response = HttpResponse(
        exports.xlsx_bytes(exports.quarantine_table(batch), "隔离行"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="migration-quarantine-{batch.pk}.xlsx"'
    return response


@web_view("migration.view_migrationbatch")
def differences(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, batch_id=pk)
    rows = selectors.differences(batch=batch)
    counts = {
        "differs": sum(1 for d in rows if d.status == "differs"),
        "unknown": sum(1 for d in rows if d.status == "unknown"),
    }
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "migration/differences.html", {"batch": batch, "page": page, "counts": counts})


@web_view("migration.view_migrationbatch")
def differences_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = selectors.batch_get(user=request.user, batch_id=pk)
    _exported(request, batch, "differences.csv")
    table = exports.difference_table(selectors.differences(batch=batch))
    response = StreamingHttpResponse(exports.csv_chunks(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="migration-differences-{batch.pk}.csv"'
    return response


@web_view("migration.view_migrationbatch")
def template_csv(request: HttpRequest) -> HttpResponse:
    """The empty template: the header row in Chinese."""
    body = "\ufeff" + ",".join(c.label for c in COLUMNS) + "\r\n"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="migration-template.csv"'
    return response
