from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.web import web_view

from .selectors import audit_anchor_summary, audit_anchors_visible, audit_events_for


@web_view("audit.view_auditevent")
def audit_log(request: HttpRequest) -> HttpResponse:
    events = audit_events_for(
        user=request.user,
        object_type=request.GET.get("type", "")[:50],
        object_id=request.GET.get("id", "")[:64],
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "anchors": audit_anchors_visible(request.user)})


@web_view("audit.view_auditevent")
def audit_checkpoints(request: HttpRequest) -> HttpResponse:
    """The chain's anchors, laid out to be printed and kept on paper by the auditor."""
    if not audit_anchors_visible(request.user):
        raise PermissionDenied("检查点页面显示全平台的审计链，仅限县级及以上的督查与管理员查看")
    return render(request, "audit/checkpoints.html", {"s": audit_anchor_summary()})
