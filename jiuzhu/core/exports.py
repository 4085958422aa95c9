"""What every CSV or XLSX file the platform exports goes through."""

from __future__ import annotations

from typing import Any

# A cell beginning with one of these is read by Excel, WPS and LibreOffice as a formula (tab and carriage
# return too, since they may be dropped in front of one).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would start a formula gets a leading
    apostrophe (shown as text, and visibly so); anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
