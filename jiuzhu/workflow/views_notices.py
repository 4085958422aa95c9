"""The printable page of a notice (文书)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from jiuzhu.core.web import web_view

from .notices import notice_get


@web_view("workflow.view_notice")
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    n = notice_get(user=request.user, notice_id=pk)
    # The body was rendered with its facts escaped (``notices.notice_render``): it is shown as stored.
    paragraphs = [mark_safe(line) for line in n.body.split("\n") if line.strip()]
    return render(request, "workflow/notice.html", {"notice": n, "paragraphs": paragraphs})
