from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "jiuzhu.workflow"
    verbose_name = "审核确认流程"

    def ready(self) -> None:
        # Connects the 调整告知书 of a 提标重算 (``benefits.recompute.recomputation_adjusted``).
        from .services import reviews  # noqa: F401
