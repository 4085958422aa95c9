"""The demo data of the programs beyond 低保 (特困, 低保边缘, 刚性支出, 临时救助, the disability subsidies,
the children's programs) and of the life of an entitlement, built after the 低保 procedure's demo.

Each program's demo is a module ``demo/program_<name>.py`` with ``build(*, layout, log)`` (idempotent:
it returns at once when its data exists) and ``delete(bounds)`` (removes its rows of the county before
the procedure's rows are removed by ``procedure_delete``); ``MODULES`` lists them in the order they run.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from . import (
    monitoring,
    program_disability,
    program_integrity,
    program_life,
    program_margins,
    program_migrate,
    program_tekun,
    program_temporary,
)
from .build import Layout

# In the order they run; the life of an entitlement (reviews, changes) comes after every program's.
MODULES: list[ModuleType] = [
    program_tekun,
    program_disability,
    program_margins,
    program_temporary,
    program_migrate,
    program_integrity,
    program_life,
    monitoring,  # after the life of entitlements: the month's warnings and payroll
]


def demo_programs(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    for module in MODULES:
        module.build(layout=layout, log=log)


def programs_delete(bounds: tuple[str, str]) -> None:
    for module in reversed(MODULES):
        module.delete(bounds)
