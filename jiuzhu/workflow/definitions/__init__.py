"""The national workflow definitions (``workflow_sync`` writes them as rows): an application's
procedure by program (``NATIONAL``), and the periodic review of an entitlement by program
(``REVIEWS``)."""

from __future__ import annotations

from .children import CHILD_IN_DIFFICULTY, DE_FACTO_ORPHAN
from .dibao import DIBAO
from .disability import DISABILITY_CARE, DISABILITY_LIVING
from .near_dibao import NEAR_DIBAO
from .review import REVIEW_SPECS
from .rigid_expense import RIGID_EXPENSE
from .spec import DefinitionSpec
from .tekun import TEKUN
from .temporary import TEMPORARY

NATIONAL: dict[str, DefinitionSpec] = {
    DIBAO.program: DIBAO,
    DISABILITY_LIVING.program: DISABILITY_LIVING,
    DISABILITY_CARE.program: DISABILITY_CARE,
    CHILD_IN_DIFFICULTY.program: CHILD_IN_DIFFICULTY,
    DE_FACTO_ORPHAN.program: DE_FACTO_ORPHAN,
    TEKUN.program: TEKUN,
    NEAR_DIBAO.program: NEAR_DIBAO,
    RIGID_EXPENSE.program: RIGID_EXPENSE,
    TEMPORARY.program: TEMPORARY,
}

REVIEWS: dict[str, DefinitionSpec] = {
    **REVIEW_SPECS,
}


def all_specs() -> list[DefinitionSpec]:
    """Every national definition, applications first."""
    return [*NATIONAL.values(), *REVIEWS.values()]


__all__ = ["NATIONAL", "REVIEWS", "all_specs"]
