from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "jiuzhu.policy"
    verbose_name = "政策参数"
