from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jiuzhu.registry"
    verbose_name = "低收入人口数据库"
