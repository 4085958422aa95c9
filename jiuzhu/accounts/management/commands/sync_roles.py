from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiuzhu.accounts.services import roles_sync


class Command(BaseCommand):
    help = "按默认责任清单创建角色组；--reset 将各角色权限恢复为默认"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true")

    def handle(self, *args: Any, reset: bool, **options: Any) -> None:
        for problem in roles_sync(reset=reset):
            self.stderr.write(problem)
        self.stdout.write("角色组已同步")
