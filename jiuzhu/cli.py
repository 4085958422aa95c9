"""The ``jiuzhu`` command line.

``jiuzhu demo``, ``jiuzhu synth``, ``jiuzhu serve``, ``jiuzhu check-audit`` and every Django
management command (``jiuzhu migrate``, ``jiuzhu createsuperuser`` …). Dashes in a command name
are accepted for underscores. ``jiuzhu``, ``jiuzhu help`` and ``jiuzhu --help`` list the platform's
own commands first, one line each, then those of Django and the libraries.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections import defaultdict

HELP_WORDS = {"help", "--help", "-h"}


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def main_help() -> str:
    """The overview: the platform's commands with their one-line help, then the others by app."""
    from django.core.management import get_commands, load_command_class

    own: dict[str, str] = {}
    others: dict[str, list[str]] = defaultdict(list)
    for name, app in get_commands().items():
        if app.startswith("jiuzhu."):
            own[name] = app
        else:
            others["django" if app == "django.core" else app.rpartition(".")[-1]].append(name)
    width = max((len(n) for n in own), default=0) + 2
    lines = [
        "用法：jiuzhu <命令> [选项]",
        "      jiuzhu help <命令>    查看某个命令的全部选项",
        "",
        "本平台的命令：",
    ]
    for name in sorted(own):
        summary = _first_line(load_command_class(own[name], name).help)
        lines.append(f"  {name.replace('_', '-'):<{width}}{summary}")
    lines += ["", "其他命令（Django 及所用的库）："]
    for app in sorted(others):
        lines += textwrap.wrap(
            " ".join(sorted(others[app])), width=100, initial_indent=f"  [{app}] ", subsequent_indent="    "
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")
    for i in (1, 2) if len(argv) > 2 and argv[1] == "help" else (1,):
        if len(argv) > i and not argv[i].startswith("-"):
            argv[i] = argv[i].replace("-", "_")
    argv[0] = "jiuzhu"
    if len(argv) == 1 or (len(argv) == 2 and argv[1] in HELP_WORDS):
        import django

        try:
            django.setup()
        except Exception:
            pass  # settings not usable: Django's own help below says why
        else:
            sys.stdout.write(main_help())
            return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
