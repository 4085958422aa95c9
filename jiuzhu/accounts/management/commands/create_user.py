from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.accounts.roles import Role
from jiuzhu.accounts.services import user_create
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "创建用户并绑定角色与辖区"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", required=True, help="辖区区划代码（12位）")
        parser.add_argument("--password", help="不填则生成不可用密码，需由管理员重置")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            user = user_create(
                ctx=AuditContext.system(),
                username=o["username"],
                password=o["password"],
                role=o["role"],
                region_code=o["region"],
                full_name=o["name"],
            )
        except ValidationFailed as exc:
            raise CommandError("；".join(f"{k}: {v}" for k, v in exc.errors.items())) from None
        self.stdout.write(f"已创建用户 {user.username}（{user.role_label}，辖区 {user.region_id}）")
