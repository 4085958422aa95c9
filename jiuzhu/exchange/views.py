from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.exports import spreadsheet_cell
from jiuzhu.core.vocab import AuditObject
from jiuzhu.core.web import is_htmx, web_view

from . import selectors
from .catalogue import FEEDS
from .models import FEED_CHOICES, ImportBatch
from .services import feed_import_enqueue, upload_limit_mb


class UploadForm(forms.Form):
    feed = forms.ChoiceField(label=_("数据来源"), choices=FEED_CHOICES)
    file = forms.FileField(label=format_lazy(_("文件（CSV、XLSX 或 JSON，不超过 {} MB）"), upload_limit_mb()))


@web_view("exchange.view_importbatch")
def batch_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm()
    page = Paginator(selectors.batches_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "exchange/batches.html", {"page": page, "form": form, "feeds": FEEDS.values()})


@web_view("exchange.add_importbatch")
def batch_upload(request: HttpRequest) -> HttpResponse:
    # A body Django cannot take apart never reaches here: core.middleware answers it with a 400.
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = feed_import_enqueue(
                ctx=AuditContext.from_request(request),
                feed_code=form.cleaned_data["feed"],
                file_name=upload.name,
                fh=upload.file,
            )
        except ValidationFailed as exc:
            form.add_error("file", exc.errors.get("file", exc.message))
        else:
            b = outcome.batch
            if outcome.already_imported:
                messages.info(request, f"该文件已于 {b.finished_at:%Y-%m-%d %H:%M} 导入，本次未作任何改动")
            elif b.status == ImportBatch.Status.DONE:
                messages.success(
                    request,
                    f"导入完成：新入库 {b.rows_loaded} 行，已存在 {b.rows_existing} 行，"
                    f"隔离 {b.rows_quarantined} 行",
                )
            elif b.in_progress:
                messages.info(request, "文件已收到，正在后台导入；本页会自动显示进度和结果")
            return redirect("batch_detail", pk=b.pk)
    page = Paginator(selectors.batches_list(user=request.user), 30).get_page(1)
    return render(request, "exchange/batches.html", {"page": page, "form": form, "feeds": FEEDS.values()})


@web_view("exchange.view_importbatch")
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, batch_id=pk)
    context = {"batch": batch, "feed": FEEDS[batch.feed]}
    if is_htmx(request):
        # The page polls its summary while the import runs, and reloads whole once it has ended.
        response = render(request, "exchange/_batch_summary.html", context)
        if not batch.in_progress:
            response["HX-Refresh"] = "true"
        return response
    page = Paginator(selectors.quarantine_rows(batch=batch), 50).get_page(request.GET.get("page"))
    return render(request, "exchange/batch_detail.html", {**context, "page": page})


@web_view("exchange.view_importbatch")
def quarantine_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = selectors.batch_get(user=request.user, batch_id=pk)
    feed = FEEDS[batch.feed]
    audit_record(
        ctx=AuditContext.from_request(request),
        action="export",
        object_type=AuditObject.IMPORT_BATCH,
        object_id=batch.pk,
        region_code=batch.region_id or "",
        detail={"quarantine": True},
    )
    columns = [c.name for c in feed.columns]

    def rows():  # type: ignore[no-untyped-def]
        buf = io.StringIO()
        writer = csv.writer(buf)
        buf.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
        writer.writerow(["行号", "原因", *[c.label for c in feed.columns]])
        for q in selectors.quarantine_rows(batch=batch).iterator():
            cells = [q.row_number, q.reasons, *[q.raw.get(c, "") for c in columns]]
            writer.writerow([spreadsheet_cell(cell) for cell in cells])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
        yield buf.getvalue()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quarantine-{batch.pk}.csv"'
    return response
