"""The 特困 case page's own form: the six-item self-care assessment (posted here, shown on the case
page by ``views_case``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.web import web_view

from . import forms as f
from .selectors import case_get
from .services import tekun
from .views_case import VIEW_PERM, _post


@require_POST
@web_view(VIEW_PERM)
def selfcare(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    form = f.SelfCareForm(request.POST, assessors=tekun.selfcare_candidates(case))

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        assert isinstance(form, f.SelfCareForm)
        return tekun.selfcare_assess(ctx=ctx, case_id=pk, **form.service_values())

    return _post(request, pk, "selfcare", form, run, "已登记生活自理能力评估")
