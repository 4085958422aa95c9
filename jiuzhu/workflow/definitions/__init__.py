"""The national workflow definitions, by program (``workflow_sync`` writes them as rows)."""

from __future__ import annotations

from .dibao import DIBAO
from .spec import DefinitionSpec

NATIONAL: dict[str, DefinitionSpec] = {DIBAO.program: DIBAO}

__all__ = ["NATIONAL"]
