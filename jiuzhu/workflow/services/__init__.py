"""Writes of the workflow: definitions (national sync, regional patches) and cases."""

from __future__ import annotations

from .cases import (
    ScanResult,
    case_act,
    case_attach_report,
    case_claim,
    case_extend,
    case_note,
    case_open,
    cases_scan,
    spot_check_selected,
)
from .definitions import definition_patch, definition_spec, definition_sync

__all__ = [
    "ScanResult",
    "case_act",
    "case_attach_report",
    "case_claim",
    "case_extend",
    "case_note",
    "case_open",
    "cases_scan",
    "definition_patch",
    "definition_spec",
    "definition_sync",
    "spot_check_selected",
]
