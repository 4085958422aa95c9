from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.synth import SynthError, synth_county


class Command(BaseCommand):
    help = "生成合成县（虚拟省安和县，区划代码 990101000000）及其人口，用于演示和性能测试"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=20000, help="户数（默认 20000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：相同种子生成相同数据（默认 1）")
        parser.add_argument("--reset", action="store_true", help="合成县已存在时删除其人口后重新生成")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["households"] < 1:
            raise CommandError("--households 必须是正整数")
        try:
            result = synth_county(
                households=o["households"], seed=o["seed"], reset=o["reset"], progress=not o["no_progress"]
            )
        except SynthError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成合成县（{result.county_code}）：{len(result.township_codes)} 个乡镇（街道），"
                f"{len(result.village_codes)} 个村（社区），户数 {result.households:,}，"
                f"人数 {result.persons:,}，用时 {result.seconds:.1f} 秒"
            )
        )
