"""Pages of monitoring runs: the history with counts per rule (county users start a run there) and a
run's page, which follows its progress while it runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.web import is_htmx, web_view
from jiuzhu.regions.codes import Level, subtree_bounds
from jiuzhu.regions.models import Region

from .models import JobStatus, MonitoringRun
from .selectors_runs import run_get, run_rule_counts, runs_list
from .services.runs import can_start_runs, monitoring_run_enqueue, run_stale


def _counties(user: Any) -> list[Region]:
    qs = Region.objects.filter(level=Level.COUNTY).order_by("code")
    if getattr(user, "region_id", None):
        qs = qs.filter(code__range=subtree_bounds(user.region_id))
    elif not getattr(user, "is_superuser", False):
        return []
    return list(qs)


class RunStartForm(forms.Form):
    county = forms.ChoiceField(label="县（市、区）")
    as_of = forms.DateField(label="比对日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类型", choices=MonitoringRun.Kind.choices)

    def __init__(self, *args: Any, counties: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["county"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.code, r.name) for r in counties]
        self.fields["as_of"].initial = timezone.localdate()


def _status_label(run: MonitoringRun) -> str:
    return "已中断（再次运行即续跑）" if run_stale(run) else run.get_status_display()


def _page(request: HttpRequest, form: RunStartForm | None) -> HttpResponse:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    kind = kind if kind in MonitoringRun.Kind.values else ""
    status = status if status in JobStatus.values else ""
    page = Paginator(runs_list(user=request.user, kind=kind, status=status), 30).get_page(
        request.GET.get("page")
    )
    rows = [(run, _status_label(run), run_rule_counts(run)) for run in page]
    return render(
        request,
        "monitoring/runs.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "kind": kind,
            "status": status,
            "kinds": MonitoringRun.Kind.choices,
            "statuses": JobStatus.choices,
        },
    )


@web_view()
def run_list(request: HttpRequest) -> HttpResponse:
    form = None
    if can_start_runs(request.user):
        form = RunStartForm(counties=_counties(request.user))
    return _page(request, form)


@web_view()
def run_start(request: HttpRequest) -> HttpResponse:
    if not can_start_runs(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有县级用户可以启动监测")
    if request.method != "POST":
        return redirect("monitoring_runs:list")
    form = RunStartForm(request.POST, counties=_counties(request.user))
    if form.is_valid():
        county = Region.objects.get(code=form.cleaned_data["county"])
        try:
            monitoring_run_enqueue(
                ctx=AuditContext.from_request(request),
                as_of=form.cleaned_data["as_of"],
                county=county,
                kind=form.cleaned_data["kind"],
            )
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已开始对{county.name}运行监测，完成后在下表中查看结果")
            return redirect("monitoring_runs:list")
    return _page(request, form)


@web_view()
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_get(user=request.user, run_id=pk)
    context = {
        "run": run,
        "status_label": _status_label(run),
        "counts": run_rule_counts(run),
        "in_progress": run.status == JobStatus.RUNNING and not run_stale(run),
        "percent": int(100 * run.progress_done / run.progress_total) if run.progress_total else 0,
    }
    if is_htmx(request):
        response = render(request, "monitoring/runs_summary.html", context)
        if not context["in_progress"]:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "monitoring/runs_detail.html", context)
