from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "jiuzhu.verification"
    verbose_name = "一键核对"
