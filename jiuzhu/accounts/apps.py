from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "jiuzhu.accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles)


def _sync_roles(sender: Any, **kwargs: Any) -> None:
    # Permissions are created app by app after migrating; seed role groups once the last app is done.
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender is not with_models[-1]:
        return
    from .services import roles_sync

    roles_sync()
