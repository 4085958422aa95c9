"""The ``jiuzhu`` command line.

``jiuzhu demo``, ``jiuzhu synth``, ``jiuzhu serve``, ``jiuzhu check-audit`` and every Django
management command (``jiuzhu migrate``, ``jiuzhu createsuperuser`` …). Dashes in a command name
are accepted for underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "jiuzhu"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
