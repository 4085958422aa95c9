from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.audit.keys import fingerprint, key_create, key_path, key_rotate, keyring


class Command(BaseCommand):
    help = (
        "审计链密钥：--create 新建密钥文件，--rotate 启用新密钥（旧密钥保留以校验旧记录）；"
        "不带参数时列出密钥编号与指纹"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--create", action="store_true", help="新建密钥文件（已存在时拒绝）")
        group.add_argument("--rotate", action="store_true", help="追加一个新密钥并启用")

    def handle(self, *args: Any, create: bool, rotate: bool, **options: Any) -> None:
        try:
            ring = key_create() if create else key_rotate() if rotate else keyring()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"密钥文件：{key_path()}")
        for key_id, key in ring.keys.items():
            mark = "（当前）" if key_id == ring.current_id else ""
            self.stdout.write(f"  {key_id}  指纹 {fingerprint(key)}{mark}")
