from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "jiuzhu.workflow"
    verbose_name = "审核确认流程"
