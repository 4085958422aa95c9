"""The scanner: marks overdue cases once, escalates those overdue by more than the limit once, and
recomputes provisional deadlines; running it twice is running it once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.workflow.models import Case, CaseEvent
from jiuzhu.workflow.services import case_act, cases_scan

from ..factories import new_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_scan_marks_and_escalates_once(policy, dibao, reviewer) -> None:
    late = new_case(state="review", step_due_on=TODAY - timedelta(days=1))
    very_late = new_case(state="review", step_due_on=TODAY - timedelta(days=30))  # 20+ working days
    on_time = new_case(state="review", step_due_on=TODAY + timedelta(days=1))
    closed = new_case(state="confirmed", step_due_on=TODAY - timedelta(days=30))
    first = cases_scan(ctx=AuditContext.system())
    assert (first.overdue, first.escalated) == (2, 1)
    again = cases_scan(ctx=AuditContext.system())
    assert (again.overdue, again.escalated) == (0, 0)
    for case, overdue, escalated in ((late, True, False), (very_late, True, True), (on_time, False, False)):
        case.refresh_from_db()
        assert (case.overdue, case.escalated_at is not None) == (overdue, escalated), case.number
        assert CaseEvent.objects.filter(case=case, action="overdue").count() == int(overdue)
        assert CaseEvent.objects.filter(case=case, action="escalate").count() == int(escalated)
    closed.refresh_from_db()
    assert closed.overdue is False
    # Moving on clears the mark; overdue again in the next step is marked again.
    late.refresh_from_db()
    moved = case_act(
        ctx=AuditContext(user=reviewer),
        case_id=late.pk,
        version=late.version,
        target="investigation",
        reason="补充调查",
    )
    assert moved.overdue is False


def test_scan_recomputes_provisional_deadlines_once(policy, dibao) -> None:
    case = new_case(state="investigation", accepted_on=TODAY - timedelta(days=2))
    right = (case.step_due_on, case.due_on)
    Case.objects.filter(pk=case.pk).update(step_due_on=date(2099, 1, 1), step_due_provisional=True)
    assert cases_scan(ctx=AuditContext.system()).recomputed == 1
    case.refresh_from_db()
    assert (case.step_due_on, case.due_on) == right
    assert cases_scan(ctx=AuditContext.system()).recomputed == 0


def test_the_command(policy, dibao, capsys) -> None:
    new_case(state="review", step_due_on=TODAY - timedelta(days=1))
    call_command("workflow_scan")
    assert "新标记超期 1 件" in capsys.readouterr().out
    call_command("workflow_sync")
    assert "dibao：最低生活保障审核确认 v1" in capsys.readouterr().out


def test_the_whole_case_limit_is_marked_once_escalated_and_listed(
    policy, dibao, reviewer, client_for
) -> None:
    """A case inside its step's limit but past the whole case's (``due_on``): marked once, escalated at
    once (督办), listed in the overdue queue with the marker; a move clears the escalation, and the next
    scan escalates it again in the new step while the whole-case mark stays one event."""
    fixed = {"step_due_provisional": False, "due_provisional": False}  # the scanner leaves them alone
    case = new_case(  # accepted 60 days ago: 15 working days have long passed
        state="review",
        accepted_on=TODAY - timedelta(days=60),
        entered_on=TODAY,
        step_due_on=TODAY + timedelta(days=5),
        **fixed,
    )
    on_time = new_case(
        state="review", step_due_on=TODAY + timedelta(days=5), due_on=TODAY + timedelta(days=5), **fixed
    )
    first = cases_scan(ctx=AuditContext.system())
    assert (first.overdue, first.case_overdue, first.escalated) == (0, 1, 1)
    again = cases_scan(ctx=AuditContext.system())
    assert (again.overdue, again.case_overdue, again.escalated) == (0, 0, 0)
    case.refresh_from_db()
    assert case.case_overdue and case.escalated_at is not None and not case.overdue
    assert CaseEvent.objects.filter(case=case, action="case_overdue").count() == 1
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1
    on_time.refresh_from_db()
    assert not on_time.case_overdue and on_time.escalated_at is None

    from jiuzhu.workflow.selectors import queue

    rows = queue(user=reviewer, kind="overdue").rows
    assert [(r.number, r.escalated) for r in rows] == [(case.number, True)]
    body = client_for(reviewer).get("/workflow/overdue/").content.decode()
    assert case.number in body and "督办" in body and on_time.number not in body

    moved = case_act(
        ctx=AuditContext(user=reviewer),
        case_id=case.pk,
        version=case.version,
        target="investigation",
        reason="补充",
    )
    assert moved.escalated_at is None and moved.case_overdue  # still past the whole-case limit
    third = cases_scan(ctx=AuditContext.system())
    assert (third.case_overdue, third.escalated) == (0, 1)
    assert CaseEvent.objects.filter(case=case, action="case_overdue").count() == 1
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 2
