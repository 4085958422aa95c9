"""The household's entitlements (在保记录) with their decisions and history; linked from the household
file (the registry sits below benefits and does not import it: docs/decisions.md). The page shows the
life of each entitlement — its next review, a 渐退期, a suspension, its end — and, to whoever may change
entitlements, the forms of 调整、暂停、恢复、终止 and 渐退 (they post to the workflow, which issues the
notices). The recomputation pages list a raised standard's 提标重算 for the county's approval."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AuditObject, EntitlementStatus, PaymentKind
from jiuzhu.core.web import web_view
from jiuzhu.registry.models import Membership
from jiuzhu.registry.selectors import household_get

from . import forms as bf
from . import recompute, selectors
from .integrity import may_waive
from .life import EVENT_LABELS
from .selectors_integrity import integrity_for_household


@web_view("benefits.view_entitlement")
def household(request: HttpRequest, pk: int) -> HttpResponse:
    h = household_get(user=request.user, household_id=pk)
    entitlements = selectors.entitlements_for_household(user=request.user, household_id=pk)
    audit_view(
        request, object_type=AuditObject.HOUSEHOLD, object_id=h.pk, region_code=h.region_id, benefits=True
    )
    may_change = request.user.has_perm("benefits.change_entitlement")
    members = [
        (m.person_id, m.person.name)
        for m in Membership.objects.filter(household=h, end_date__isnull=True).select_related("person")
    ]
    rows: list[dict[str, Any]] = []
    for e in entitlements:
        live = e.status in (EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED)
        v = {"version": e.version}
        actions: dict[str, Any] = {}
        if may_change and live:
            if e.payment == PaymentKind.MONTHLY:
                actions["adjust"] = bf.AdjustForm(initial=v, auto_id=f"id_a{e.pk}_%s")
            if e.status == EntitlementStatus.ACTIVE:
                actions["suspend"] = bf.MonthReasonForm(initial=v, auto_id=f"id_s{e.pk}_%s")
                if not (e.details or {}).get("taper"):
                    actions["taper"] = bf.TaperForm(initial=v, members=members, auto_id=f"id_t{e.pk}_%s")
            else:
                actions["resume"] = bf.MonthReasonForm(initial=v, auto_id=f"id_r{e.pk}_%s")
            actions["terminate"] = bf.TerminateForm(initial=v, auto_id=f"id_x{e.pk}_%s")
        rows.append(
            {
                "e": e,
                "taper": (e.details or {}).get("taper"),
                "suspended": (e.details or {}).get("suspended"),
                "events": [(EVENT_LABELS.get(ev.kind, ev.kind), ev) for ev in e.events.all()],
                "actions": actions,
                "reviews": list(e.cases.filter(purpose="review").order_by("-accepted_on", "-id")[:5]),
            }
        )
    context: dict[str, Any] = {"household": h, "entitlements": entitlements, "rows": rows}
    if request.user.has_perm("benefits.view_dishonestyrecord"):
        context |= {
            "integrity": integrity_for_household(user=request.user, household_id=pk),
            "may_waive": may_waive(request.user),
            "today": timezone.localdate(),
        }
    context["children"] = selectors.children_for_household(user=request.user, household_id=pk)
    return render(request, "benefits/household.html", context)


# --- 提标重算 ---------------------------------------------------------------------------------------


@web_view("benefits.view_standardrecomputation")
def recomputations(request: HttpRequest) -> HttpResponse:
    raises = selectors.standard_raises(user=request.user)
    form = None
    if request.user.has_perm("benefits.add_standardrecomputation") and raises:
        form = bf.RecomputationForm(
            versions=[
                (
                    v.pk,
                    f"{v.document_no}（{v.effective_from:%Y-%m-%d} 起，城市 {v.dibao_standard_urban}、"
                    f"农村 {v.dibao_standard_rural} 元）",
                )
                for v in raises
            ]
        )
    return render(
        request,
        "benefits/recomputations.html",
        {"items": selectors.recomputations_list(user=request.user), "form": form},
    )


@require_POST
@web_view("benefits.view_standardrecomputation")
def recomputation_create(request: HttpRequest) -> HttpResponse:
    raises = selectors.standard_raises(user=request.user)
    form = bf.RecomputationForm(request.POST, versions=[(v.pk, v.document_no) for v in raises])
    if not form.is_valid():
        messages.error(request, "请选择提高标准的政策参数版本")
        return redirect("benefits_recomputations")
    try:
        rec = recompute.recomputation_create(ctx=AuditContext.from_request(request), **form.cleaned_data)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, "；".join(str(v) for v in exc.errors.values()) or exc.message)
        return redirect("benefits_recomputations")
    messages.success(request, "已生成提标重算清单，待县级审批")
    return redirect("benefits_recomputation", pk=rec.pk)


@web_view("benefits.view_standardrecomputation")
def recomputation(request: HttpRequest, pk: int) -> HttpResponse:
    rec = selectors.recomputation_get(user=request.user, recomputation_id=pk)
    audit_view(
        request, object_type=AuditObject.STANDARD_RECOMPUTATION, object_id=rec.pk, region_code=rec.region_id
    )
    return render(
        request,
        "benefits/recomputation.html",
        {
            "rec": rec,
            "rows": selectors.recomputation_rows(rec),
            "may_decide": request.user.has_perm("benefits.change_standardrecomputation"),
        },
    )


def _decide(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    selectors.recomputation_get(user=request.user, recomputation_id=pk)
    try:
        run(ctx=AuditContext.from_request(request), recomputation_id=pk)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message or "；".join(str(v) for v in exc.errors.values()))
        return redirect("benefits_recomputation", pk=pk)
    messages.success(request, done)
    return redirect("benefits_recomputation", pk=pk)


@require_POST
@web_view("benefits.view_standardrecomputation")
def recomputation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, recompute.recomputation_approve, "清单已审批")


@require_POST
@web_view("benefits.view_standardrecomputation")
def recomputation_apply(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, recompute.recomputation_apply, "清单已执行，各户金额已调整")
