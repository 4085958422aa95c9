"""The closed loop of a warning (services.warnings): verify → outcome (assist / adjust / stop / dismiss) →
closed, each with its version and its audit line; what each outcome starts (an application, a review case,
a termination with its notice); who may do what; and the escalation of warnings past their deadline."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.intake.models import Application
from jiuzhu.monitoring.models import Warning
from jiuzhu.monitoring.services.warnings import warning_close, warning_verify, warnings_escalate
from jiuzhu.workflow.models import Case, Notice

from ..conftest import COUNTY, EAST_TOWN, EAST_VILLAGE, WEST_VILLAGE
from ..factories import (
    add_member,
    new_household,
    new_life_entitlement,
    new_policy,
    new_warning,
    workflow_definitions,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(tree: dict[str, Any]) -> None:
    new_policy()
    workflow_definitions()


def _ctx(user: Any) -> AuditContext:
    return AuditContext(user=user)


def _verified(w: Warning, user: Any, text: str = "入户核实属实") -> Warning:
    return warning_verify(ctx=_ctx(user), warning_id=w.pk, version=w.version, verification=text)


def _lines(w: Warning) -> list[dict[str, Any]]:
    return [
        e.detail
        for e in AuditEvent.objects.filter(object_type="warning", object_id=str(w.pk)).order_by("seq")
    ]


# --- verify --------------------------------------------------------------------------------------------


def test_verify_records_the_finding_with_the_version_and_an_audit_line(world, caseworker) -> None:
    w = new_warning()
    done = _verified(w, caseworker, "  公安死亡信息属实，已入户核实  ")
    assert (done.status, done.version, done.verification) == ("verified", 2, "公安死亡信息属实，已入户核实")
    assert done.verified_by == caseworker and done.verified_at is not None
    assert [line["change"] for line in _lines(w)] == ["verify"]
    # Corrected while verified: the version moves on again.
    again = warning_verify(ctx=_ctx(caseworker), warning_id=w.pk, version=2, verification="更正：火化证明")
    assert (again.status, again.version, again.verification) == ("verified", 3, "更正：火化证明")


def test_verify_refuses_an_empty_finding_a_stale_version_and_other_townships(
    world, caseworker, other_caseworker
) -> None:
    w = new_warning()
    with pytest.raises(ValidationFailed) as empty:
        warning_verify(ctx=_ctx(caseworker), warning_id=w.pk, version=1, verification="   ")
    assert "verification" in empty.value.errors
    with pytest.raises(NotFound):
        warning_verify(ctx=_ctx(other_caseworker), warning_id=w.pk, version=1, verification="属实")
    _verified(w, caseworker)
    with pytest.raises(Conflict):  # the form read version 1; the warning is at 2 now
        warning_verify(ctx=_ctx(caseworker), warning_id=w.pk, version=1, verification="属实")
    w.refresh_from_db()
    assert (w.version, w.verification) == (2, "入户核实属实")


def test_two_handlers_with_the_same_version_one_wins(world, caseworker, make_user) -> None:
    w = new_warning()
    colleague = make_user("township_caseworker", EAST_TOWN)
    _verified(w, caseworker)
    warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=2, outcome="dismiss", reason="系同名人员")
    with pytest.raises(Conflict):
        warning_close(ctx=_ctx(colleague), warning_id=w.pk, version=2, outcome="dismiss", reason="误报")
    w.refresh_from_db()
    assert (w.status, w.outcome_reason, w.closed_by, w.version) == ("closed", "系同名人员", caseworker, 3)


# --- dismiss ----------------------------------------------------------------------------------------------


def test_dismiss_needs_a_reason_and_a_verification_first(world, caseworker) -> None:
    w = new_warning()
    with pytest.raises(Conflict):  # not verified yet
        warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=1, outcome="dismiss", reason="误报")
    w = _verified(w, caseworker)
    with pytest.raises(ValidationFailed) as no_reason:
        warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="dismiss", reason=" ")
    assert "reason" in no_reason.value.errors
    with pytest.raises(ValidationFailed) as bad:
        warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="forget", reason="x")
    assert "outcome" in bad.value.errors
    closed = warning_close(
        ctx=_ctx(caseworker),
        warning_id=w.pk,
        version=w.version,
        outcome="dismiss",
        reason="系同名人员，已核对",
    ).warning
    assert (closed.status, closed.outcome, closed.outcome_reason, closed.outcome_ref) == (
        "closed",
        "dismiss",
        "系同名人员，已核对",
        "",
    )
    assert closed.closed_by == caseworker and closed.closed_at is not None
    assert [(line["change"], line.get("outcome")) for line in _lines(w)] == [
        ("verify", None),
        ("close", "dismiss"),
    ]
    with pytest.raises(Conflict):  # closed: nothing more
        warning_verify(ctx=_ctx(caseworker), warning_id=w.pk, version=closed.version, verification="再核")


# --- assist -----------------------------------------------------------------------------------------------


def test_assist_opens_an_application_for_the_program_from_the_subjects_id_number(world, caseworker) -> None:
    household = new_household(head__name="线索户主")
    w = _verified(new_warning(household, rule="medical_oop_lead", purpose="lead"), caseworker)
    with pytest.raises(ValidationFailed) as no_program:
        warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="assist")
    assert "program" in no_program.value.errors
    closed = warning_close(
        ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="assist", program="dibao"
    )
    app = Application.objects.get()
    assert closed.application == app
    assert (app.household, app.applicant, app.programs, app.channel, app.status) == (
        household,
        household.head,
        ["dibao"],
        "window",
        "submitted",
    )
    assert "入户核实属实" in app.statement
    assert closed.warning.outcome_ref == f"application:{app.number}"


# --- adjust -----------------------------------------------------------------------------------------------


def test_adjust_opens_a_review_case_for_the_live_entitlement(world, caseworker) -> None:
    e = new_life_entitlement()
    w = _verified(new_warning(e.household, rule="vehicle_acquired"), caseworker)
    closed = warning_close(
        ctx=_ctx(caseworker),
        warning_id=w.pk,
        version=w.version,
        outcome="adjust",
        reason="购车一辆，需重新核对财产",
    )
    case = Case.objects.get()
    assert closed.case == case
    assert (case.purpose, case.entitlement_id, case.program, case.household_id) == (
        "review",
        e.pk,
        "dibao",
        e.household_id,
    )
    assert case.details["warning"] == w.pk and case.details["warning_rule"] == "vehicle_acquired"
    assert closed.warning.outcome_ref == f"case:{case.number}"
    e.refresh_from_db()
    assert e.status == "active"  # the county decides the review


def test_adjust_asks_which_entitlement_when_the_household_holds_several(world, caseworker) -> None:
    e = new_life_entitlement()
    other = new_life_entitlement(household=e.household, program="near_dibao", amount="0", ages=(45,))
    w = _verified(new_warning(e.household, rule="income_up"), caseworker)
    with pytest.raises(ValidationFailed) as which:
        warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="adjust")
    assert "entitlement_id" in which.value.errors
    with pytest.raises(ValidationFailed):  # not this household's
        warning_close(
            ctx=_ctx(caseworker),
            warning_id=w.pk,
            version=w.version,
            outcome="adjust",
            entitlement_id=new_life_entitlement().pk,
        )
    done = warning_close(
        ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="adjust", entitlement_id=other.pk
    )
    assert done.case.entitlement_id == other.pk


def test_an_outcome_whose_service_refuses_leaves_the_warning_verified(world, caseworker) -> None:
    e = new_life_entitlement()
    first = _verified(new_warning(e.household, rule="vehicle_acquired"), caseworker)
    warning_close(ctx=_ctx(caseworker), warning_id=first.pk, version=first.version, outcome="adjust")
    second = _verified(new_warning(e.household, rule="property_acquired"), caseworker)
    with pytest.raises(Conflict):  # the review case is already open
        warning_close(ctx=_ctx(caseworker), warning_id=second.pk, version=second.version, outcome="adjust")
    second.refresh_from_db()
    assert (second.status, second.version, second.outcome) == ("verified", 2, "")
    assert Case.objects.count() == 1


# --- stop -------------------------------------------------------------------------------------------------


def test_stop_by_the_county_terminates_at_once_with_the_notice(world, caseworker, make_user) -> None:
    approver = make_user("county_approver", COUNTY)
    e = new_life_entitlement()
    w = _verified(new_warning(e.household), caseworker)
    with pytest.raises(ValidationFailed) as no_reason:
        warning_close(ctx=_ctx(approver), warning_id=w.pk, version=w.version, outcome="stop")
    assert "reason" in no_reason.value.errors
    closed = warning_close(
        ctx=_ctx(approver),
        warning_id=w.pk,
        version=w.version,
        outcome="stop",
        reason="户主已死亡\n公安死亡信息、火化证明",
        end_month=date(2026, 5, 17),
    )
    e.refresh_from_db()
    assert (e.status, e.end_month) == ("ended", date(2026, 5, 1))
    notice = Notice.objects.get(household=e.household, kind="termination")
    assert (
        closed.notice == notice
        and "1．户主已死亡" in notice.body
        and "2．公安死亡信息、火化证明" in notice.body
    )
    assert closed.warning.outcome_ref == f"entitlement:{e.pk};notice:{notice.pk}"
    assert not Case.objects.exists()


def test_stop_by_the_caseworker_proposes_the_termination_to_the_county(world, caseworker) -> None:
    e = new_life_entitlement()
    w = _verified(new_warning(e.household), caseworker)
    closed = warning_close(
        ctx=_ctx(caseworker),
        warning_id=w.pk,
        version=w.version,
        outcome="stop",
        reason="户主已死亡",
        end_month=date(2026, 5, 1),
    )
    case = closed.case
    assert (case.purpose, case.entitlement_id) == ("review", e.pk)
    assert case.details["proposed_outcome"] == "stopped"
    assert case.details["proposed_reasons"] == ["户主已死亡"]
    assert case.details["proposed_end_month"] == "2026-05-01"
    e.refresh_from_db()
    assert e.status == "active" and not Notice.objects.filter(kind="termination").exists()
    assert closed.warning.outcome_ref == f"case:{case.number}"


def test_stop_without_a_live_entitlement_is_refused(world, caseworker) -> None:
    w = _verified(new_warning(), caseworker)
    with pytest.raises(ValidationFailed) as none:
        warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="stop", reason="死亡")
    assert "entitlement_id" in none.value.errors


def test_a_program_without_a_review_flow_is_refused_in_words(world, caseworker) -> None:
    e = new_life_entitlement(program="temporary", ages=(45,))
    w = _verified(new_warning(e.household), caseworker)
    with pytest.raises(ValidationFailed) as no_flow:
        warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="adjust")
    assert "临时救助没有复核流程" in no_flow.value.errors["entitlement_id"]


# --- who ----------------------------------------------------------------------------------------------------


def test_the_village_assistant_verifies_the_leads_of_the_village_only(world, make_user, caseworker) -> None:
    assistant = make_user("village_assistant", EAST_VILLAGE)
    household = new_household()
    lead = new_warning(household, rule="disability_lead", purpose="lead")
    warning = new_warning(household, rule="vehicle_acquired", person=add_member(household, "spouse"))
    elsewhere = new_warning(new_household(region=make_user("village_assistant", WEST_VILLAGE).region))
    done = _verified(lead, assistant, "入户走访：重度残疾，家中无劳动力")
    assert done.status == "verified" and done.verified_by == assistant
    with pytest.raises(PermissionDenied):
        _verified(warning, assistant)
    with pytest.raises(NotFound):
        _verified(elsewhere, assistant)
    with pytest.raises(PermissionDenied):
        warning_close(
            ctx=_ctx(assistant), warning_id=lead.pk, version=done.version, outcome="assist", program="dibao"
        )
    # The township takes it from there.
    closed = warning_close(
        ctx=_ctx(caseworker), warning_id=lead.pk, version=done.version, outcome="assist", program="dibao"
    )
    assert closed.warning.status == "closed"


def test_roles_without_the_right_to_handle_are_refused(world, make_user) -> None:
    w = new_warning()
    for role, region in (("township_reviewer", EAST_TOWN), ("auditor", COUNTY)):
        with pytest.raises(PermissionDenied):
            _verified(w, make_user(role, region))
    w.refresh_from_db()
    assert (w.status, w.version) == ("open", 1)


# --- escalation ---------------------------------------------------------------------------------------------


def test_warnings_past_their_deadline_are_escalated_once(world) -> None:
    today = date(2026, 3, 10)
    late = new_warning(raised_on=date(2026, 2, 20), due_on=date(2026, 3, 9))
    due_today = new_warning(due_on=today)
    verified_late = new_warning(due_on=date(2026, 3, 1), status="verified")
    closed_late = new_warning(due_on=date(2026, 3, 1), status="closed", outcome="dismiss")
    ctx = AuditContext.system()
    assert warnings_escalate(ctx=ctx, today=today) == 2
    assert warnings_escalate(ctx=ctx, today=today) == 0  # once
    escalated = set(Warning.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True))
    assert escalated == {late.pk, verified_late.pk}
    for w in (late, due_today, closed_late):
        old = w.version
        w.refresh_from_db()
        assert w.version == old  # not a change by a person: a form read before still holds
    assert [line["change"] for line in _lines(late)] == ["escalate"]
    # A day later the one due today is late too.
    assert warnings_escalate(ctx=ctx, today=today + timedelta(days=1)) == 1


def test_the_command_and_the_task_escalate(world) -> None:
    from jiuzhu.monitoring.tasks import warnings_escalate_tick

    new_warning(due_on=TODAY - timedelta(days=1))
    out = StringIO()
    call_command("warnings_escalate", stdout=out)
    assert "新升级督办预警 1 条" in out.getvalue()
    new_warning(household=new_household(), due_on=TODAY - timedelta(days=2))
    result = warnings_escalate_tick.enqueue()
    assert result.return_value == {"escalated": 1}
    assert Warning.objects.filter(escalated_at__isnull=True).count() == 0


def test_entitlements_are_untouched_by_a_dismissal(world, caseworker) -> None:
    e = new_life_entitlement()
    w = _verified(new_warning(e.household), caseworker)
    warning_close(ctx=_ctx(caseworker), warning_id=w.pk, version=w.version, outcome="dismiss", reason="误报")
    assert Entitlement.objects.get(pk=e.pk).version == e.version
    assert not Case.objects.exists() and not Application.objects.exists()
