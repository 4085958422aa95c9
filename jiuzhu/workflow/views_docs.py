"""Pages generated from the live configuration: the flowchart of a program, the handbook (规程手册) and
the responsibility list (责任清单) with every workflow step of each role. Read-only; any signed-in user,
for their own region or, with ``?region=``, a region within their jurisdiction."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram, CasePurpose
from jiuzhu.core.web import web_view

from .handbook import (
    definition_in_force,
    docs_region,
    handbook_build,
    policy_or_none,
    procedure,
    region_name,
    responsibilities_build,
)


@web_view()
def flowchart(request: HttpRequest, program: str) -> HttpResponse:
    if program not in AidProgram.codes():
        raise NotFound("没有这个救助项目")
    region_code = docs_region(user=request.user, requested=request.GET.get("region"))
    on = timezone.localdate()
    # ?purpose=review: the program's periodic review (定期复核) instead of its application procedure.
    purpose = (
        CasePurpose.REVIEW if request.GET.get("purpose") == CasePurpose.REVIEW else CasePurpose.APPLICATION
    )
    definition = definition_in_force(program=program, region_code=region_code, purpose=purpose)
    chart = None
    if definition is not None:
        chart = procedure(definition, policy=policy_or_none(region_code=region_code, on=on))
    return render(
        request,
        "workflow/flowchart.html",
        {
            "program": program,
            "program_label": AidProgram.label_of(program),
            "region_code": region_code,
            "region_name": region_name(region_code),
            "chart": chart,
            "purpose": purpose,
        },
    )


@web_view()
def handbook(request: HttpRequest) -> HttpResponse:
    region_code = docs_region(user=request.user, requested=request.GET.get("region"))
    book = handbook_build(region_code=region_code, on=timezone.localdate())
    return render(request, "workflow/handbook.html", {"book": book})


@web_view()
def responsibilities(request: HttpRequest) -> HttpResponse:
    region_code = docs_region(user=request.user, requested=request.GET.get("region"))
    rows = responsibilities_build(region_code=region_code, on=timezone.localdate())
    return render(
        request,
        "workflow/responsibilities.html",
        {"rows": rows, "region_code": region_code, "region_name": region_name(region_code)},
    )
