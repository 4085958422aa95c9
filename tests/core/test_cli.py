"""``jiuzhu`` with no command, ``jiuzhu help`` and ``jiuzhu --help`` show the platform's own commands
first, one line each with what it does, and only then those of Django and the libraries."""

from __future__ import annotations

import pytest

from jiuzhu.cli import main

# A few of the platform's commands and the start of their help line, written out here.
OWN = {
    "check-audit": "校验审计日志哈希链",
    "create-user": "创建用户并绑定角色与辖区",
    "demo": "演示：",
    "import-feed": "导入部门数据文件",
    "serve": "启动网页服务",
    "synth": "生成合成县",
}
LIBRARY_COMMANDS = ["changepassword", "migrate", "axes_reset", "remove_stale_contenttypes", "db_worker"]


@pytest.mark.parametrize("args", [[], ["help"], ["--help"], ["-h"]])
def test_the_overview_lists_the_platforms_commands_first(args: list[str], capsys) -> None:
    main(["jiuzhu", *args])
    out = capsys.readouterr().out
    lines = out.splitlines()
    # Where the library commands start (a platform command may contain a library command's name, as
    # migrate-import contains migrate: the words are compared, not substrings).
    first_library = min(out.index(line) for line in lines if set(line.split()) & set(LIBRARY_COMMANDS))
    for name, summary in OWN.items():
        line = next(line for line in lines if line.split()[:1] == [name])
        assert summary in line, line
        assert out.index(line) < first_library
    assert all(name in out for name in LIBRARY_COMMANDS)


def test_help_on_one_command_accepts_dashes(capsys) -> None:
    main(["jiuzhu", "help", "check-audit"])
    assert "usage: jiuzhu check_audit" in capsys.readouterr().out
