from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.policy.calendar_services import calendar_seed, package_years


class Command(BaseCommand):
    help = "从 chinese-calendar 软件包录入工作日历（法定节假日与调休上班日）；重复执行不产生变化"

    def add_arguments(self, parser: CommandParser) -> None:
        first, last = package_years()
        parser.add_argument(
            "--from", dest="first_year", type=int, default=first, help=f"起始年度（默认 {first}）"
        )
        parser.add_argument("--to", dest="last_year", type=int, default=last, help=f"结束年度（默认 {last}）")
        parser.add_argument(
            "--overwrite", action="store_true", help="也覆盖已由 CSV 导入或手工录入的年度（默认跳过）"
        )

    def handle(self, *args: Any, first_year: int, last_year: int, overwrite: bool, **options: Any) -> None:
        try:
            outcome = calendar_seed(
                ctx=AuditContext.system(), first_year=first_year, last_year=last_year, overwrite=overwrite
            )
        except ValidationFailed as exc:
            raise CommandError("；".join(exc.errors.values())) from None
        for year in outcome.years:
            if year.skipped:
                self.stdout.write(f"{year.year} 年：{year.skipped}")
            elif year.touched:
                self.stdout.write(
                    f"{year.year} 年：新增 {year.added} 天，修改 {year.changed} 天，删除 {year.removed} 天"
                )
        changed = sum(1 for y in outcome.years if y.touched)
        self.stdout.write(
            self.style.SUCCESS(f"工作日历：{first_year}—{last_year} 年，{changed} 个年度有变化")
        )
