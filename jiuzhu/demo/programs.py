"""The demo data of the programs beyond 低保 (特困, 低保边缘, 刚性支出, 临时救助, the disability subsidies,
the children's programs) and of the life of an entitlement, built after the 低保 procedure's demo.

Each program's demo is a module ``demo/program_<name>.py`` with ``build(*, layout, log)`` (idempotent:
it returns at once when its data exists) and ``delete(bounds)`` (removes its rows of the county before
the procedure's rows are removed by ``procedure_delete``); ``MODULES`` lists them in the order they run.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from . import program_life, program_margins, program_migrate, program_tekun
from .build import Layout

MODULES: list[ModuleType] = []
MODULES.append(program_tekun)
MODULES.append(program_margins)
MODULES.append(program_migrate)


def demo_programs(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    for module in MODULES:
        module.build(layout=layout, log=log)


def programs_delete(bounds: tuple[str, str]) -> None:
    for module in reversed(MODULES):
        module.delete(bounds)


# The programs' demo modules, in the order they run (each imports the procedure's helpers when it runs:
# the procedure imports this module).
from . import program_integrity  # noqa: E402

MODULES.append(program_integrity)

# The life of an entitlement runs after every program's demo: keep it the last one.
MODULES.append(program_life)
