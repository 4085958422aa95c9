"""The background worker's share of the audit: a checkpoint of the chain's head every few minutes.

django-tasks has no periodic schedule, so the task schedules its own next run (``run_after``) before
doing its work (a run in progress is no longer waiting, so it queues exactly one successor); ``jiuzhu
migrate`` and ``jiuzhu check-audit`` queue one when none is waiting, so the cycle starts on a new
installation (``jiuzhu demo`` and ``jiuzhu serve`` users migrate first) and a daily check restarts it
after anything broke it. Backends that cannot defer a task (the immediate backend of the tests) get
no schedule."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

logger = logging.getLogger(__name__)


def _waiting() -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(audit_checkpoint_tick.get_backend(), DatabaseBackend):
        return False
    path = audit_checkpoint_tick.module_path
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=path).exists()


def audit_checkpoint_schedule() -> bool:
    """Queue the next checkpoint run unless one is waiting. True when one was queued."""
    if not audit_checkpoint_tick.get_backend().supports_defer or _waiting():
        return False
    run_after = timezone.now() + timedelta(seconds=settings.AUDIT_CHECKPOINT_INTERVAL)
    audit_checkpoint_tick.using(run_after=run_after).enqueue()
    return True


@task()
def audit_checkpoint_tick() -> int:
    """Check the lines written since the last checkpoint and append the head to the checkpoint log."""
    audit_checkpoint_schedule()  # first, so that a failure below does not end the cycle
    from .services import audit_checkpoint_write

    report, _ = audit_checkpoint_write(by="worker", incremental=True)
    if not report.ok:
        logger.error("审计链在序号 %s 处断开：%s", report.first_broken_seq, report.reason)
    return report.head_seq
