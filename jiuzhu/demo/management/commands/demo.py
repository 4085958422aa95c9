from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from jiuzhu.audit.services import audit_checkpoint_write
from jiuzhu.demo.build import (
    SYNTH_COUNTY_CODE,
    Layout,
    demo_accounts,
    demo_users_ensure,
    demo_verification_data,
    layout_from_db,
)
from jiuzhu.demo.procedure import demo_procedure, procedure_accounts, procedure_delete
from jiuzhu.demo.programs import demo_programs
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.regions.models import Region


class Command(BaseCommand):
    help = "演示：迁移数据库、生成合成县（约2万户）、为每个角色创建演示用户并启动服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--reset", action="store_true", help="删除演示案件和申请，重新生成合成县后再准备演示数据"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        from jiuzhu.synth import synth_county

        call_command("migrate", interactive=False, verbosity=0)
        exists = Region.objects.filter(code=SYNTH_COUNTY_CODE).exists()
        if exists and not o["reset"]:
            layout = layout_from_db(SYNTH_COUNTY_CODE)
            self.stdout.write("合成县已存在，沿用现有数据（重新生成：jiuzhu demo --reset）")
        else:
            if exists:
                deleted = procedure_delete(SYNTH_COUNTY_CODE)
                self.stdout.write(f"已删除演示案件 {deleted} 件及其申请、决定和文书")
            self.stdout.write(f"正在生成合成县：{o['households']} 户 ……")
            result = synth_county(households=o["households"], seed=o["seed"], reset=exists)
            layout = Layout(result.county_code, list(result.township_codes), list(result.village_codes))
        accounts = demo_accounts(
            county_code=layout.county_code,
            township_codes=layout.township_codes,
            village_codes=layout.village_codes,
        )
        accounts += procedure_accounts(layout)
        password = demo_users_ensure(accounts)
        if not FeedRecord.objects.filter(id_number__startswith=layout.county_code[:6]).exists():
            self.stdout.write("正在生成部门数据、核对报告并拟合需求度模型 ……")
            demo_verification_data(
                layout=layout,
                seed=o["seed"],
                as_of=timezone.localdate(),
                folder=settings.VAR_DIR / "feeds",
                log=self.stdout.write,
            )
        self.stdout.write("正在办理低保演示案件（受理、调查、审核、公示、确认） ……")
        demo_procedure(layout=layout, log=self.stdout.write)
        self.stdout.write("正在办理其他救助项目的演示案件 ……")
        demo_programs(layout=layout, log=self.stdout.write)
        # The auditor's checkpoint page starts with the chain's head anchored outside the database.
        report, checkpoint = audit_checkpoint_write(by="demo")
        if checkpoint:
            self.stdout.write(f"审计链完整（{report.checked} 条），检查点已写入（序号 {checkpoint.seq}）")
        self.stdout.write(f"\n演示用户（密码均为：{password}）")
        for a in accounts:
            self.stdout.write(
                f"  {a.username:<12} {a.role.label:<10} 辖区：{a.region.name}（{a.region.code}）"
            )
        if not o["no_serve"]:
            self.stdout.write(f"\n请在浏览器打开 http://{o['addrport']}/ 登录")
            call_command("serve", o["addrport"])
