"""Pages of 一门受理: the township's queue, a new application (window or proxy), the application with
its verification, papers, 一次性告知, close-relative declaration, acceptance and refusal; the
close-relative register and the cooperation requests. The public pages are in ``views_public``."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.benefits.programs.facts import FACTS
from jiuzhu.core.choices import choices
from jiuzhu.core.errors import Conflict, NotFound, ServiceError, ValidationFailed
from jiuzhu.core.vocab import AidProgram, ApplicationChannel, ApplicationStatus, AuditObject
from jiuzhu.core.web import web_view
from jiuzhu.workflow.notices import notices_for

from . import selectors, services

PER_PAGE = 20


class StartForm(forms.Form):
    id_number = forms.CharField(label=_("申请人身份证号码"), max_length=20)
    channel = forms.ChoiceField(
        label=_("申请渠道"),
        choices=[(c.value, c.label) for c in (ApplicationChannel.WINDOW, ApplicationChannel.PROXY)],
    )
    programs = forms.MultipleChoiceField(
        label=_("申请项目（可不选，由核对结果提出建议）"),
        choices=choices(AidProgram),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    statement = forms.CharField(label=_("申请事由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    mandate = forms.FileField(label=_("委托书（帮办代办时必传）"), required=False)
    remote = forms.BooleanField(label=_("异地申办（户籍不在本县）"), required=False)
    residence_proof = forms.FileField(label=_("居住证或居住证明（异地申办时必传）"), required=False)
    residence_permit_no = forms.CharField(label=_("居住证号码"), required=False, max_length=40)


def _version(request: HttpRequest) -> int:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


def _errors(exc: ServiceError) -> str:
    return "；".join(exc.errors.values()) or exc.message


@web_view("intake.view_application")
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    status = status if status in ApplicationStatus.codes() else ""
    channel = channel if channel in ApplicationChannel.codes() else ""
    q = request.GET.get("q", "").strip()[:40]
    rows = selectors.applications_list(user=request.user, status=status, channel=channel, q=q)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/queue.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "q": q,
            "statuses": ApplicationStatus.labels(),
            "channels": ApplicationChannel.labels(),
        },
    )


@web_view("intake.add_application")
def start(request: HttpRequest) -> HttpResponse:
    form = StartForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            app = services.application_start(
                ctx=AuditContext.from_request(request),
                id_number=data["id_number"],
                channel=data["channel"],
                statement=data["statement"],
                programs=data["programs"],
                phone=data["phone"],
                mandate=data["mandate"],
                remote=data["remote"],
                residence_proof=data["residence_proof"],
                residence_permit_no=data["residence_permit_no"],
            )
        except NotFound as exc:
            form.add_error("id_number", exc.message)
        except ValidationFailed as exc:
            for key, text in exc.errors.items():
                form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, f"已登记申请 {app.number}")
            return redirect("intake_detail", pk=app.pk)
    return render(request, "intake/start.html", {"form": form})


@web_view("intake.view_application")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.application_get(user=request.user, application_id=pk)
    audit_view(request, object_type=AuditObject.APPLICATION, object_id=app.pk, region_code=app.township_id)
    proposed = {p["program"]: p for p in app.proposed}
    chosen = set(app.programs) | set(proposed)
    members = selectors.application_members(app)
    program_rows = [
        {
            "code": code,
            "label": label,
            "checked": code in chosen,
            "proposed": proposed.get(code),
            "asked": code in app.programs,
            "facts": [
                {"fact": f, "name": f"details.{code}.{f.code}", "choices": f.choices or members}
                for f in FACTS.get(code, ())
            ],
        }
        for code, label in choices(AidProgram)
    ]
    cooperation = list(app.cooperation.select_related("to_region"))
    return render(
        request,
        "intake/detail.html",
        {
            "app": app,
            "open": app.status in services.OPEN_STATUSES,
            "program_rows": program_rows,
            "notices": notices_for(user=request.user, application_no=app.number),
            "cooperation": cooperation,
            "today": timezone.localdate(),
            "can_change": request.user.has_perm("intake.change_application"),
        },
    )


def _action(
    request: HttpRequest, pk: int, run: Callable[[AuditContext, int], Any], done: str
) -> HttpResponse:
    try:
        run(AuditContext.from_request(request), _version(request))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return redirect("intake_detail", pk=pk)


def _gate(request: HttpRequest, pk: int) -> None:
    """The application must be in the caller's jurisdiction before anything is read from the form."""
    selectors.application_get(user=request.user, application_id=pk)


@require_POST
@web_view("intake.change_application")
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request, pk)
    return _action(
        request,
        pk,
        lambda ctx, v: services.application_verify(ctx=ctx, application_id=pk, version=v),
        "已完成家庭经济状况核对，并列出可能符合的救助项目",
    )


@require_POST
@web_view("intake.change_application")
def materials(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request, pk)
    items = [line.strip() for line in request.POST.get("items", "").splitlines() if line.strip()]
    return _action(
        request,
        pk,
        lambda ctx, v: services.application_request_materials(
            ctx=ctx, application_id=pk, version=v, items=items
        ),
        "已出具一次性告知书",
    )


@require_POST
@web_view("intake.change_application")
def papers(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request, pk)
    return _action(
        request,
        pk,
        lambda ctx, v: services.application_record_papers(
            ctx=ctx,
            application_id=pk,
            version=v,
            commitment=request.FILES.get("commitment"),
            authorisation=request.FILES.get("authorisation"),
        ),
        "已上传签字材料",
    )


@require_POST
@web_view("intake.change_application")
def relative(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request, pk)
    return _action(
        request,
        pk,
        lambda ctx, v: services.application_declare_relative(
            ctx=ctx,
            application_id=pk,
            version=v,
            official_name=request.POST.get("official_name", ""),
            position=request.POST.get("position", ""),
            relation=request.POST.get("relation", ""),
        ),
        "已登记近亲属备案，本案须由县级民政部门入户核查",
    )


def _details(request: HttpRequest, programs: list[str]) -> dict[str, dict[str, str]]:
    """The program facts posted as ``details.<program>.<code>``, for the programs chosen only (the form
    shows every program's inputs)."""
    out: dict[str, dict[str, str]] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "details" and parts[1] in programs and value.strip():
            out.setdefault(parts[1], {})[parts[2]] = value
    return out


@require_POST
@web_view("intake.change_application")
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request, pk)
    return _action(
        request,
        pk,
        lambda ctx, v: services.application_accept(
            ctx=ctx,
            application_id=pk,
            version=v,
            programs=request.POST.getlist("programs"),
            identity_confirmed=request.POST.get("identity_confirmed") == "on",
            details=_details(request, request.POST.getlist("programs")),
        ),
        "已受理，并按所选项目分别立案、出具受理通知书",
    )


@require_POST
@web_view("intake.change_application")
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request, pk)
    return _action(
        request,
        pk,
        lambda ctx, v: services.application_refuse(
            ctx=ctx, application_id=pk, version=v, reason=request.POST.get("reason", "")
        ),
        "已作出不予受理决定并出具通知书",
    )


_FILES = {"mandate", "commitment", "authorisation", "residence_proof"}


@web_view("intake.view_application")
def paper(request: HttpRequest, pk: int, what: str) -> FileResponse:
    """A stored paper of the application (signature image or scan), within the jurisdiction."""
    app = selectors.application_get(user=request.user, application_id=pk)
    stored = getattr(app, what) if what in _FILES else None
    if not stored:
        raise NotFound("该材料尚未上传")
    audit_view(
        request,
        object_type=AuditObject.APPLICATION,
        object_id=app.pk,
        region_code=app.township_id,
        paper=what,
    )
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@web_view("intake.view_application")
def close_relatives(request: HttpRequest) -> HttpResponse:
    rows = selectors.applications_list(user=request.user, close_relative=True)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "intake/close_relatives.html", {"page": page})


@web_view("intake.view_cooperationrequest")
def cooperation(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = list(selectors.cooperation_list(user=request.user)[:200])
    for r in rows:
        r.overdue_now = selectors.is_overdue(r, today)  # type: ignore[attr-defined]
    can_answer = request.user.has_perm("intake.change_cooperationrequest")
    return render(
        request, "intake/cooperation.html", {"rows": rows, "today": today, "can_answer": can_answer}
    )


@require_POST
@web_view("intake.change_cooperationrequest")
def cooperation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cooperation_answer(
            ctx=AuditContext.from_request(request),
            request_id=pk,
            version=_version(request),
            answer=request.POST.get("answer", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "已答复协作核查请求")
    return redirect(reverse("intake_cooperation"))
