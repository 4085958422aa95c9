from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "jiuzhu.benefits"
    verbose_name = "救助决定与在保"
