"""Bank pages (银行代发与回盘): the payrolls ready for the bank, a payroll's bank page (export a file,
download it, import the bank's return file, the jobs with their progress), a return file's page with its
unmatched rows, and the template of a return file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.masking import id_number_for, id_number_masked
from jiuzhu.core.web import web_view

from . import bankfiles, selectors_bank
from .services import bank

VIEW = selectors_bank.VIEW_PERM


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label="文件格式", choices=list(bankfiles.FORMATS.items()), initial="csv")
    encoding = forms.ChoiceField(
        label="CSV 编码", choices=list(bankfiles.ENCODINGS.items()), initial="utf-8-sig", required=False
    )


class ReturnForm(forms.Form):
    file = forms.FileField(label=f"银行回盘文件（CSV 或 XLSX，不超过 {bank.MAX_UPLOAD // (1024 * 1024)} MB）")


def _error_text(exc: ServiceError) -> str:
    return "；".join(exc.errors.values()) or exc.message


@web_view(VIEW)
def bank_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors_bank.payrolls_for_bank(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "payments/bank_list.html", {"page": page})


def _page(
    request: HttpRequest,
    pk: int,
    *,
    export_form: ExportForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = selectors_bank.bank_view(user=request.user, payroll_id=pk)
    user = request.user
    context: dict[str, Any] = {
        "view": view,
        "payroll": view.payroll,
        "may_export": bank.may_export(user) and view.payroll.status in bank.EXPORTABLE and not view.returns,
        "may_download": bank.may_export(user),
        "may_import": bank.may_export(user)
        and user.has_perm(bank.IMPORT_PERM)
        and view.payroll.status in ("exported", "reconciled"),
        "export_form": export_form or ExportForm(),
        "return_form": return_form or ReturnForm(),
    }
    return render(request, "payments/bank_payroll.html", context, status=status)


@web_view(VIEW)
def bank_payroll(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@require_POST
@web_view(bank.EXPORT_PERM)
def bank_export(request: HttpRequest, pk: int) -> HttpResponse:
    selectors_bank.bank_view(user=request.user, payroll_id=pk)  # 404 elsewhere, first
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, pk, export_form=form, status=422)
    try:
        job = bank.bank_file_export(
            ctx=AuditContext.from_request(request),
            payroll_id=pk,
            fmt=form.cleaned_data["fmt"],
            encoding=form.cleaned_data["encoding"] or "utf-8-sig",
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        form.add_error(None, _error_text(exc))
        messages.error(request, _error_text(exc))
        return _page(request, pk, export_form=form, status=exc.status)
    r = job.result
    messages.success(
        request,
        f"已生成银行文件 {r['file_name']}：{r['accounts']} 个账户、{r['lines']} 条明细，合计 {r['total']} 元",
    )
    return redirect("payments_bank_payroll", pk=pk)


@web_view(bank.EXPORT_PERM)
def bank_download(request: HttpRequest, pk: int, job_id: int) -> FileResponse:
    found = bank.bank_file_open(ctx=AuditContext.from_request(request), payroll_id=pk, job_id=job_id)
    return FileResponse(
        found.path.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )


@require_POST
@web_view(bank.IMPORT_PERM)
def bank_return_upload(request: HttpRequest, pk: int) -> HttpResponse:
    selectors_bank.bank_view(user=request.user, payroll_id=pk)  # 404 elsewhere, first
    form = ReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, pk, return_form=form, status=422)
    upload = form.cleaned_data["file"]
    try:
        bank.check_upload_size(upload.file)
        outcome = bank.bank_return_import(
            ctx=AuditContext.from_request(request), payroll_id=pk, file_name=upload.name, fh=upload.file
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        form.add_error("file", _error_text(exc))
        return _page(request, pk, return_form=form, status=exc.status)
    b = outcome.bank_return
    if outcome.already_imported:
        messages.info(request, f"该文件已于 {b.imported_at:%Y-%m-%d %H:%M} 导入，本次未作任何改动")
    else:
        unmatched = len(b.errors)
        messages.success(
            request,
            f"回盘已导入：成功 {b.paid}、失败 {b.failed}、退回 {b.returned}"
            + (f"，另有 {unmatched} 行无法匹配，请逐行核对" if unmatched else ""),
        )
    return redirect("payments_bank_return", pk=b.pk)


@web_view(VIEW)
def bank_return(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors_bank.bank_return_get(user=request.user, return_id=pk)
    full = request.user.has_perm("registry.view_full_id_number")
    rows = [
        {
            **row,
            "id_number": id_number_for(request.user, str(row.get("id_number", ""))),
            "account": str(row.get("account", "")) if full else id_number_masked(str(row.get("account", ""))),
        }
        for row in b.errors
    ]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    job = selectors_bank.bank_return_job(b)
    notes = (job.result.get("recoveries") or []) if job else []
    return render(request, "payments/bank_return.html", {"b": b, "page": page, "job": job, "notes": notes})


@web_view(VIEW)
def bank_return_template(request: HttpRequest) -> HttpResponse:
    """The empty template of a return file: the header row in Chinese."""
    response = HttpResponse(bankfiles.return_csv([]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bank-return-template.csv"'
    return response
