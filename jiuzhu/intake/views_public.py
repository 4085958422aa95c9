"""Public pages (no login): the online application form and the status lookup. Both are rate-limited
per client address; the lookup answers a wrong number and a wrong pair with the same words."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.choices import choices
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.vocab import AidProgram
from jiuzhu.regions.codes import Level
from jiuzhu.regions.models import Region

from . import selectors, services
from .throttle import TOO_MANY, client_key, limited, public_rate


class OnlineForm(forms.Form):
    name = forms.CharField(label=_("申请人姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=20)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    township_code = forms.ChoiceField(label=_("所在乡镇（街道）"), choices=())
    village_code = forms.ChoiceField(label=_("所在村(居)"), choices=())
    programs = forms.MultipleChoiceField(
        label=_("申请项目（不清楚可不选，工作人员会根据核对结果告知可申请的项目）"),
        choices=choices(AidProgram),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    statement = forms.CharField(
        label=_("申请事由（家庭困难情况）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, data: object = None, *, township: str = "") -> None:
        super().__init__(data)  # type: ignore[arg-type]
        # The villages of the chosen township only (the page is reached with ?township=…): no script.
        self.fields["township_code"].choices = [(township, _township_name(township))]  # type: ignore[attr-defined]
        villages = Region.objects.filter(parent_id=township, level=Level.VILLAGE).order_by("code")
        self.fields["village_code"].choices = [  # type: ignore[attr-defined]
            ("", "——请选择——"),
            *villages.values_list("code", "name"),
        ]


def _township_name(code: str) -> str:
    return Region.objects.filter(code=code, level=Level.TOWNSHIP).values_list("name", flat=True).first() or ""


def _townships() -> list[tuple[str, str]]:
    return list(Region.objects.filter(level=Level.TOWNSHIP).order_by("code").values_list("code", "name"))


class StatusForm(forms.Form):
    number = forms.CharField(label=_("申请编号"), max_length=40)
    query_code = forms.CharField(
        label=_("查询码（见网上申请确认页或受理通知书）"), max_length=8, min_length=8
    )
    id_last6 = forms.CharField(label=_("申请人身份证号码后六位"), max_length=6, min_length=6)


@ratelimit(group="intake.public.apply", key=client_key, rate=public_rate, method="POST", block=False)
def apply(request: HttpRequest) -> HttpResponse:
    township = str(request.POST.get("township_code") or request.GET.get("township") or "")[:12]
    if not _township_name(township):
        # First step: choose the township.
        return render(request, "intake/public_apply.html", {"townships": _townships(), "form": None})
    form = OnlineForm(request.POST or None, township=township)
    context = {"form": form, "township_name": _township_name(township)}
    if request.method == "POST":
        if limited(request):
            return render(request, "intake/public_apply.html", {**context, "too_many": TOO_MANY}, status=429)
        if form.is_valid():
            try:
                app = services.application_submit_online(
                    ctx=AuditContext.from_request(request), **form.cleaned_data
                )
            except ValidationFailed as exc:
                for key, text in exc.errors.items():
                    form.add_error(key if key in form.fields else None, text)
            else:
                return render(
                    request,
                    "intake/public_submitted.html",
                    {"number": app.number, "query_code": app.query_code},
                )
    return render(request, "intake/public_apply.html", context)


@ratelimit(group="intake.public.status", key=client_key, rate=public_rate, method="POST", block=False)
def status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST or None)
    answer = None
    not_found = False
    if request.method == "POST":
        if limited(request):
            return render(
                request, "intake/public_status.html", {"form": form, "too_many": TOO_MANY}, status=429
            )
        if form.is_valid():
            answer = selectors.application_status_public(
                number=form.cleaned_data["number"],
                query_code=form.cleaned_data["query_code"],
                id_last6=form.cleaned_data["id_last6"],
            )
            not_found = answer is None
    return render(
        request,
        "intake/public_status.html",
        {
            "form": form,
            "answer": answer,
            "not_found": not_found,
            "not_found_text": selectors.NOT_FOUND_PUBLIC,
        },
    )
