from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _schedule_checkpoints(**kwargs: Any) -> None:
    from .tasks import audit_checkpoint_schedule

    audit_checkpoint_schedule()


class AuditConfig(AppConfig):
    name = "jiuzhu.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (sign-ins, lockouts and refused access are audited)

        # Every `jiuzhu migrate` (installation, upgrade) makes sure the worker's checkpoint cycle runs.
        post_migrate.connect(_schedule_checkpoints, sender=self)
