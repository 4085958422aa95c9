"""The background worker's share of the workflow: the daily scan of open cases (overdue, escalation,
provisional deadlines) and of entitlements whose validity has passed (``benefits.services_margins``).
Like the audit checkpoint (``jiuzhu.audit.tasks``), the task queues its own next run before doing its
work; ``workflow_scan_schedule`` starts the cycle where the backend can defer
tasks (the immediate backend of the tests cannot)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task

SCAN_INTERVAL = timedelta(hours=6)


def _waiting() -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(workflow_scan_tick.get_backend(), DatabaseBackend):
        return False
    path = workflow_scan_tick.module_path
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=path).exists()


def workflow_scan_schedule() -> bool:
    """Queue the next scan unless one is waiting. True when one was queued."""
    if not workflow_scan_tick.get_backend().supports_defer or _waiting():
        return False
    workflow_scan_tick.using(run_after=timezone.now() + SCAN_INTERVAL).enqueue()
    return True


@task()
def workflow_scan_tick() -> dict[str, int]:
    """Scan the open cases; returns the counts of the scan."""
    workflow_scan_schedule()  # first, so that a failure below does not end the cycle
    from jiuzhu.audit.services import AuditContext

    from .services import cases_scan

    result = cases_scan(ctx=AuditContext.system(channel="worker"))
    from .services.temporary import prior_aid_scan

    late = prior_aid_scan(ctx=AuditContext.system(channel="worker"))
    from .services.expiry import entitlements_expire_notify

    expired = entitlements_expire_notify(ctx=AuditContext.system(channel="worker"))
    from .services.reviews import reviews_open_scheduled

    reviews = reviews_open_scheduled(channel="worker")
    return {
        "overdue": result.overdue,
        "escalated": result.escalated,
        "recomputed": result.recomputed,
        "prior_aid_overdue": late,
        "expired": expired,
        "reviews_opened": len(reviews.opened),
    }
