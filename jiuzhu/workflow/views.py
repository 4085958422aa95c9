"""Web pages of the workflow.

Queues: the caller's to-do list (the default page), the cases they acted on, and the overdue cases of
their jurisdiction, filterable by program, step and region, with the light of each case as a coloured
badge that also says what it means in words."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.choices import choices
from jiuzhu.core.vocab import AidProgram
from jiuzhu.core.web import web_view

from . import selectors
from .models import Step

# --- queues ------------------------------------------------------------------------------------------

LIGHT_CLASSES = {"red": "tag", "yellow": "tag warn", "green": "tag ok"}


def _step_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, name in (
        Step.objects.filter(definition__active=True).values_list("code", "name").order_by("position", "code")
    ):
        seen.setdefault(code, name)
    return [("", "全部环节"), *seen.items()]


class QueueFilter(forms.Form):
    program = forms.ChoiceField(label=_("救助项目"), required=False)
    step = forms.ChoiceField(label=_("环节"), required=False)
    region = forms.RegexField(label=_("区划代码"), regex=r"^\d{12}$", required=False, max_length=12)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["program"].choices = [("", _("全部项目")), *choices(AidProgram)]  # type: ignore[attr-defined]
        self.fields["step"].choices = _step_choices()  # type: ignore[attr-defined]


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 6 else 1


def _queue(request: HttpRequest, kind: str) -> HttpResponse:
    form = QueueFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.queue(
        user=request.user,
        kind=kind,
        program=filters.get("program") or None,
        step=filters.get("step") or None,
        region_code=filters.get("region") or None,
        page=_page_number(request.GET.get("page")),
    )
    query_string = urlencode({k: v for k, v in filters.items() if v})
    rows = [(row, LIGHT_CLASSES[row.light]) for row in page.rows]
    return render(
        request,
        "workflow/queue.html",
        {
            "kind": kind,
            "kind_label": selectors.QUEUE_LABELS[kind],
            "page": page,
            "rows": rows,
            "form": form,
            "query_string": query_string,
        },
    )


@web_view("workflow.view_case")
def queue_todo(request: HttpRequest) -> HttpResponse:
    return _queue(request, "todo")


@web_view("workflow.view_case")
def queue_done(request: HttpRequest) -> HttpResponse:
    return _queue(request, "done")


@web_view("workflow.view_case")
def queue_overdue(request: HttpRequest) -> HttpResponse:
    return _queue(request, "overdue")


@web_view("workflow.view_case")
def queue_reviews(request: HttpRequest) -> HttpResponse:
    """定期复核: the review cases open in the jurisdiction (``jiuzhu reviews-open`` opens them)."""
    return _queue(request, "reviews")
