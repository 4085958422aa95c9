"""The background worker's share of monitoring: the daily escalation (督办) of warnings past their deadline.
Like the workflow's scan (``jiuzhu.workflow.tasks``), the task queues its own next run before doing its
work; ``warnings_escalate_schedule`` starts the cycle where the backend can defer tasks (the immediate
backend of the tests cannot)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task

ESCALATE_INTERVAL = timedelta(hours=6)


def _waiting() -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(warnings_escalate_tick.get_backend(), DatabaseBackend):
        return False
    path = warnings_escalate_tick.module_path
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=path).exists()


def warnings_escalate_schedule() -> bool:
    """Queue the next escalation scan unless one is waiting. True when one was queued."""
    if not warnings_escalate_tick.get_backend().supports_defer or _waiting():
        return False
    warnings_escalate_tick.using(run_after=timezone.now() + ESCALATE_INTERVAL).enqueue()
    return True


@task()
def warnings_escalate_tick() -> dict[str, int]:
    """Escalate the warnings past their deadline; returns how many."""
    warnings_escalate_schedule()  # first, so that a failure below does not end the cycle
    from .services.warnings import warnings_escalate_scheduled

    return {"escalated": warnings_escalate_scheduled(channel="worker")}
