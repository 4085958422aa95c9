"""The case page (/workflow/cases/<pk>/): where the case stands, what each step recorded, what the
current step still needs, and only the forms and buttons the user may use at this step. Each step's
form posts to its own address; a refusal shows the page again with the form as it was filled in and
the reason in Chinese (a stale version: the conflict message, nothing lost but the chosen files)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.benefits.models import Decision
from jiuzhu.core.errors import NotFound, ServiceError, ValidationFailed
from jiuzhu.core.masking import id_number_for
from jiuzhu.core.vocab import AidProgram, AuditObject, CaseStatus, SpotCheck, TransitionAction
from jiuzhu.core.web import web_view
from jiuzhu.regions.codes import subtree_bounds

from . import forms as f
from .models import Case, HomeInvestigation, Objection, PublicNotice
from .selectors import (
    actor_refusals,
    case_checker,
    case_get,
    case_history,
    case_missing_evidence,
    case_new_reports,
    case_policy,
    case_step,
    case_transitions,
)
from .services import reviews, steps, tekun
from .services.cases import case_act, case_attach_report

VIEW_PERM = "workflow.view_case"
FLOWCHART = "workflow/_flowchart.html"

# Moves that a step's own form makes (closing the notice, deciding an objection, deciding the case):
# they are not offered as bare buttons, so that none is taken without what it records.
OWN_MOVES = {
    "public_notice": {"confirmation", "township_confirmation", "reinvestigation", "county_special"},
    "confirmation": {"confirmed", "refused"},
    "township_confirmation": {"confirmed", "refused"},
    "county_special": {"confirmation"},
    "review_decision": {"maintained", "adjusted", "suspended", "stopped"},
}


def _flowchart() -> str | None:
    try:
        get_template(FLOWCHART)
    except TemplateDoesNotExist:
        return None
    return FLOWCHART


@dataclass
class Forms:
    """The forms shown on the page, by name; a bound form (after a refusal) replaces its blank one."""

    shown: dict[str, Any] = field(default_factory=dict)


def _investigators(case: Case, *, county: bool) -> list[tuple[int, str]]:
    area = steps.county_of(case.region_id) if county else steps.township_of(case.region_id)
    users = User.objects.filter(is_active=True).exclude(region__isnull=True)
    users = users.filter(region_id=area) if county else users.filter(region__code__range=subtree_bounds(area))
    return [
        (u.pk, f"{u.get_full_name() or u.username}（{u.role_label}）")
        for u in users.order_by("region_id", "username")[:200]
    ]


def _report_choices(case: Case) -> list[tuple[int, str]]:
    """The household's reports made since the case entered its step (a case verified again)."""
    return [
        (r.pk, f"{timezone.localtime(r.created_at):%Y-%m-%d %H:%M} 核对报告（截至 {r.as_of:%Y-%m-%d}）")
        for r in case_new_reports(case)
    ]


def _blank_forms(
    request: HttpRequest, case: Case, may_act: bool, open_notice: PublicNotice | None
) -> dict[str, Any]:
    """The forms of the current step, for a user who may act in it."""
    if not may_act or case.status != CaseStatus.OPEN:
        return {}
    v = {"version": case.version}
    state = case.state
    out: dict[str, Any] = {}
    if state == "verification":
        reports = _report_choices(case)
        if reports:
            out["attach_report"] = f.AttachReportForm(initial=v, reports=reports)
    elif state in steps.INVESTIGATION_STEPS:
        out["investigation"] = f.InvestigationForm(
            initial=v, investigators=_investigators(case, county=False)
        )
        if case.program == AidProgram.TEKUN:
            out["selfcare"] = f.SelfCareForm(initial=v, assessors=tekun.selfcare_candidates(case))
    elif state == "community_review":
        out["community_review"] = f.CommunityReviewForm(initial={**v, "abstained": 0})
    elif state == "review":
        out["review_opinion"] = f.OpinionForm(initial=v)
    elif state == "public_notice":
        if open_notice is None:
            policy = case_policy(case, timezone.localdate())
            if not (case.minor_case and not policy.public_notice_minors):
                out["notice_start"] = f.NoticeForm(initial=v)
        else:
            out["objection"] = f.ObjectionForm(initial=v)
            if open_notice.ends_on < timezone.localdate():
                out["notice_close"] = f.NoticeForm(initial=v)
    elif state in steps.CONFIRM_STEPS:
        if state in steps.COUNTY_VISIT_STEPS and case.close_relative:
            out["county_visit"] = f.InvestigationForm(
                initial=v, investigators=_investigators(case, county=True)
            )
        if case.spot_check == SpotCheck.SELECTED:
            out["spot_check"] = f.SpotCheckForm(initial=v)
        out["confirmation"] = f.ConfirmationForm(initial=v)
    elif state == "county_special":
        from .forms_temporary import SpecialApprovalForm

        out["special_approval"] = SpecialApprovalForm(initial=v)
    if state == "review" and case.program == AidProgram.TEMPORARY:
        from .forms_temporary import AmountProposeForm

        out["temporary_amount"] = AmountProposeForm(initial=v)
    elif state == "review_decision":
        out["review_decision"] = f.ReviewDecisionForm(initial=v)
    return out


def _page(
    request: HttpRequest, case: Case, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    step = case_step(case)
    may_act = case.status == CaseStatus.OPEN and not actor_refusals(user, step, TransitionAction.FORWARD)
    notices = list(
        PublicNotice.objects.filter(case=case)
        .select_related("village")
        .prefetch_related(Prefetch("objections", queryset=Objection.objects.order_by("received_on", "id")))
        .order_by("round")
    )
    open_notice = next((n for n in reversed(notices) if n.closed_on is None), None)
    shown = _blank_forms(request, case, may_act, open_notice)
    if (  # the county's spot check where the township confirms
        case.status == CaseStatus.OPEN
        and case.state in steps.CONFIRM_STEPS
        and case.spot_check == SpotCheck.SELECTED
        and "spot_check" not in shown
        and steps.may_spot_check(user)
    ):
        shown["spot_check"] = f.SpotCheckForm(initial={"version": case.version})
    if (  # 特困: the county leads the self-care assessment
        case.status == CaseStatus.OPEN
        and case.program == AidProgram.TEKUN
        and case.state in tekun.ASSESS_STEPS
        and "selfcare" not in shown
        and steps.may_spot_check(user)
    ):
        shown["selfcare"] = f.SelfCareForm(
            initial={"version": case.version}, assessors=tekun.selfcare_candidates(case)
        )
    undecided = [o for n in notices for o in n.objections.all() if o.holds is None]
    if may_act and case.state == "public_notice":
        for o in undecided:
            shown[f"decide_{o.pk}"] = f.ObjectionDecideForm(initial={"version": case.version})
    for name, form in (bound or {}).items():
        shown[name] = form
    own = OWN_MOVES.get(case.state, set())
    # One checker for the transitions and what the step still needs: each kind of row read once.
    checker = case_checker(case) if case.status == CaseStatus.OPEN else None
    transitions = (
        [
            t
            for t in case_transitions(user=user, case=case, checker=checker)
            if t.target not in own and not actor_refusals(user, step, t.action)
        ]
        if case.status == CaseStatus.OPEN
        else []
    )
    decision = Decision.objects.select_related("policy_version").filter(case_number=case.number).first()
    entitlement = getattr(decision, "entitlement", None) if decision else None
    investigations = list(
        HomeInvestigation.objects.filter(case=case)
        .prefetch_related(Prefetch("investigators", queryset=User.objects.order_by("username")))
        .order_by("round")
    )
    audit_view(request, object_type=AuditObject.CASE, object_id=case.pk, region_code=case.region_id)
    return render(
        request,
        "workflow/case.html",
        {
            "case": case,
            "step": step,
            "program": AidProgram.label_of(case.program),
            "applicant_id_number": id_number_for(user, case.applicant.id_number),
            "history": case_history(case),
            "missing": case_missing_evidence(case, checker),
            "transitions": transitions,
            "act_version": case.version,
            "investigations": investigations,
            "reviews": list(case.community_reviews.order_by("held_on", "id")),
            "notices": notices,
            "open_notice": open_notice,
            "undecided": undecided,
            "opinions": list(case.opinions.order_by("recorded_at", "id")),
            "documents": list(case.notices.order_by("issued_on", "id")),
            "decision": decision,
            "entitlement": entitlement,
            "forms": shown,
            "may_act": may_act,
            "flowchart": _flowchart(),
            "today": timezone.localdate(),
            "prior_aid": _prior_aid(case),
            "tekun": tekun.tekun_panel(case),
        },
        status=status,
    )


def _prior_aid(case: Case) -> Any:
    """A 临时救助 case's 先行救助 (paid at once, completed by this case), for its banner."""
    if case.program != AidProgram.TEMPORARY:
        return None
    from .selectors_temporary import prior_aid_for_case

    return prior_aid_for_case(case_id=case.pk)


@web_view(VIEW_PERM)
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, case_get(user=request.user, case_id=pk))


def _post(
    request: HttpRequest,
    pk: int,
    name: str,
    form: f.StepForm,
    run: Callable[[AuditContext, f.StepForm], Any],
    done: str,
) -> HttpResponse:
    """Run a step's service with the form's values: back to the page with a message, or the page again
    with the form as filled in and the refusal on it."""
    case = case_get(user=request.user, case_id=pk)
    if form.is_valid():
        try:
            run(AuditContext.from_request(request), form)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.apply_errors(exc)
            return _page(
                request, case_get(user=request.user, case_id=pk), bound={name: form}, status=exc.status
            )
        messages.success(request, done)
        return redirect("workflow_case", pk=pk)
    return _page(request, case, bound={name: form}, status=422)


@require_POST
@web_view(VIEW_PERM)
def investigation(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation(request, pk, county=False)


@require_POST
@web_view(VIEW_PERM)
def county_visit(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation(request, pk, county=True)


def _investigation(request: HttpRequest, pk: int, *, county: bool) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    form = f.InvestigationForm(request.POST, request.FILES, investigators=_investigators(case, county=county))

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return steps.investigation_record(ctx=ctx, case_id=pk, by_county=county, **form.values())

    return _post(request, pk, "county_visit" if county else "investigation", form, run, "已登记入户调查")


@require_POST
@web_view(VIEW_PERM)
def community_review(request: HttpRequest, pk: int) -> HttpResponse:
    form = f.CommunityReviewForm(request.POST, request.FILES)

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return steps.community_review_record(ctx=ctx, case_id=pk, **form.values())

    return _post(request, pk, "community_review", form, run, "已登记民主评议")


@require_POST
@web_view(VIEW_PERM)
def review_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    form = f.OpinionForm(request.POST)

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return steps.review_opinion(ctx=ctx, case_id=pk, **form.values())

    return _post(request, pk, "review_opinion", form, run, "已登记审核意见")


@require_POST
@web_view(VIEW_PERM)
def notice_start(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return steps.public_notice_start(ctx=ctx, case_id=pk, **form.values())

    return _post(request, pk, "notice_start", f.NoticeForm(request.POST), run, "公示已开始")


@require_POST
@web_view(VIEW_PERM)
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return steps.public_notice_close(ctx=ctx, case_id=pk, **form.values())

    return _post(request, pk, "notice_close", f.NoticeForm(request.POST), run, "公示已结束，案件已转入确认")


@require_POST
@web_view(VIEW_PERM)
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    notice = PublicNotice.objects.filter(case=case, closed_on__isnull=True).order_by("-round").first()

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        if notice is None:
            raise ValidationFailed({}, message="本案没有正在进行的公示")
        return steps.objection_record(ctx=ctx, notice_id=notice.pk, **form.values("version"))

    return _post(request, pk, "objection", f.ObjectionForm(request.POST), run, "已登记异议")


@require_POST
@web_view(VIEW_PERM)
def objection_decide(request: HttpRequest, pk: int, objection_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    if not Objection.objects.filter(pk=objection_id, notice__case=case).exists():
        raise NotFound()

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return steps.objection_decide(ctx=ctx, objection_id=objection_id, **form.values())

    form = f.ObjectionDecideForm(request.POST)
    return _post(request, pk, f"decide_{objection_id}", form, run, "已登记异议核实结论")


@require_POST
@web_view(VIEW_PERM)
def spot_check(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return steps.spot_check_record(ctx=ctx, case_id=pk, **form.values())

    return _post(request, pk, "spot_check", f.SpotCheckForm(request.POST), run, "已登记抽查结论")


@require_POST
@web_view(VIEW_PERM)
def attach_report(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    form = f.AttachReportForm(request.POST, reports=_report_choices(case))

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        return case_attach_report(ctx=ctx, case_id=pk, **form.values())

    return _post(request, pk, "attach_report", form, run, "已附入新的核对报告")


@require_POST
@web_view(VIEW_PERM)
def confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        assert isinstance(form, f.ConfirmationForm)
        return steps.confirmation_decide(
            ctx=ctx, case_id=pk, reasons=form.reason_lines(), **form.values("reasons")
        )

    return _post(request, pk, "confirmation", f.ConfirmationForm(request.POST), run, "已作出确认决定")


@require_POST
@web_view(VIEW_PERM)
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """A transition button. Moves that a step's form makes are refused here."""
    case = case_get(user=request.user, case_id=pk)

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        target = form.cleaned_data["target"]
        if target in OWN_MOVES.get(case.state, set()):
            raise ValidationFailed({}, message="请通过本环节的表单办理（结束公示、异议核实或确认决定）")
        return case_act(ctx=ctx, case_id=pk, **form.values())

    return _post(request, pk, "act", f.ActForm(request.POST), run, "案件已流转")


@require_POST
@web_view(VIEW_PERM)
def review_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """The county's decision on a periodic review (维持 / 调整 / 暂停发放 / 停保)."""

    def run(ctx: AuditContext, form: f.StepForm) -> Any:
        assert isinstance(form, f.ReviewDecisionForm)
        return reviews.review_decide(
            ctx=ctx, case_id=pk, reasons=form.reason_lines(), **form.values("reasons")
        )

    return _post(request, pk, "review_decision", f.ReviewDecisionForm(request.POST), run, "已作出复核决定")
