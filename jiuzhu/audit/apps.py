from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiuzhu.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login/logout are audited)
