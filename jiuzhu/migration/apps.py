from django.apps import AppConfig


class MigrationConfig(AppConfig):
    name = "jiuzhu.migration"
    label = "migration"
    verbose_name = "存量对象导入"
