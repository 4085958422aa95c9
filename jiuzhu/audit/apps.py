from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _schedule_checkpoints(*, using: str = "default", **kwargs: Any) -> None:
    """After `jiuzhu migrate`: queue the worker's checkpoint run if none waits. A partial migrate (to an
    earlier migration) may leave the task table or the new audit column absent: then nothing is done."""
    from django_tasks_db.models import DBTaskResult

    from .models import AuditEvent
    from .tasks import audit_checkpoint_schedule

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if DBTaskResult._meta.db_table not in tables or AuditEvent._meta.db_table not in tables:
        return
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, AuditEvent._meta.db_table)
    if "key_id" in {c.name for c in columns}:
        audit_checkpoint_schedule()


class AuditConfig(AppConfig):
    name = "jiuzhu.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (sign-ins, lockouts and refused access are audited)

        # Every `jiuzhu migrate` (installation, upgrade) makes sure the worker's checkpoint cycle runs.
        post_migrate.connect(_schedule_checkpoints, sender=self)
