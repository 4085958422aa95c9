"""Two people acting on one case at once: one wins, the other gets the conflict message and changes
nothing. On PostgreSQL the two moves run in two threads, each on its own connection; on SQLite (whose
writers are serialised) the loser is the one holding the version read before the winner's move."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict
from jiuzhu.workflow.models import Case, CaseEvent
from jiuzhu.workflow.services import case_act, case_claim, cases_scan

from ..factories import new_case

CONFLICT = "该案件已被他人办理（或已变化），请刷新后重试"


def _moves(case: Case, reviewer: Any, caseworker: Any) -> list[tuple[Any, str, str]]:
    return [(reviewer, "investigation", "请补充调查"), (caseworker, "withdrawn", "申请人撤回")]


@pytest.mark.django_db
def test_a_stale_version_gets_the_conflict(policy, dibao, reviewer, caseworker) -> None:
    case = new_case(state="review")
    first, second = _moves(case, reviewer, caseworker)
    case_act(ctx=AuditContext(user=first[0]), case_id=case.pk, version=1, target=first[1], reason=first[2])
    with pytest.raises(Conflict) as exc:
        case_act(
            ctx=AuditContext(user=second[0]), case_id=case.pk, version=1, target=second[1], reason=second[2]
        )
    assert exc.value.message == CONFLICT
    case.refresh_from_db()
    assert (case.state, case.version, case.status) == ("investigation", 2, "open")
    assert CaseEvent.objects.filter(case=case).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
def test_two_people_at_once_one_wins(tree, make_user) -> None:
    from ..factories import new_policy, workflow_definitions

    new_policy()
    workflow_definitions()
    reviewer = make_user("township_reviewer")
    caseworker = make_user("township_caseworker")
    case = new_case(state="review")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(user: Any, target: str, reason: str) -> None:
        try:
            barrier.wait()
            case_act(ctx=AuditContext(user=user), case_id=case.pk, version=1, target=target, reason=reason)
            results.append("won")
        except Conflict as exc:
            results.append(exc.message)
        finally:
            from django.db import connections

            connections.close_all()

    threads = [threading.Thread(target=act, args=m) for m in _moves(case, reviewer, caseworker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(["won", CONFLICT])
    case.refresh_from_db()
    assert case.version == 2 and case.state in ("investigation", "withdrawn")
    assert CaseEvent.objects.filter(case=case).count() == 2


@pytest.mark.django_db
def test_a_claim_holds_until_it_expires(policy, dibao, caseworker, make_user) -> None:
    other = make_user("township_caseworker")
    case = new_case(state="investigation")
    assert case_claim(ctx=AuditContext(user=caseworker), case_id=case.pk) is True
    assert case_claim(ctx=AuditContext(user=other), case_id=case.pk) is False
    assert case_claim(ctx=AuditContext(user=caseworker), case_id=case.pk, minutes=60) is True  # renew
    from datetime import timedelta

    from django.utils import timezone

    Case.objects.filter(pk=case.pk).update(claimed_until=timezone.now() - timedelta(minutes=1))
    assert case_claim(ctx=AuditContext(user=other), case_id=case.pk) is True
    assert Case.objects.get(pk=case.pk).claimed_by_id == other.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
def test_two_scanners_never_mark_one_case_twice(tree) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ..factories import new_policy, workflow_definitions

    new_policy()
    workflow_definitions()
    today = timezone.localdate()
    cases = [new_case(state="investigation", step_due_on=today - timedelta(days=1)) for _ in range(5)]
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def scan() -> None:
        try:
            barrier.wait()
            counts.append(cases_scan(ctx=AuditContext.system(), today=today).overdue)
        finally:
            from django.db import connections

            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 5
    for case in cases:
        assert CaseEvent.objects.filter(case=case, action="overdue").count() == 1
