"""The policy version a migrated entitlement is recorded under: the one in force for its region at its
start month (as ``policy.selectors.policy_in_force`` chooses: the nearest region up the tree whose period
covers the month). All versions are read once; an import asks for thousands of (region, month) pairs."""

from __future__ import annotations

from datetime import date

from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.codes import ancestor_codes


class Policies:
    def __init__(self) -> None:
        self.versions = list(PolicyVersion.objects.order_by("-effective_from"))
        self._cache: dict[tuple[str, date], tuple[PolicyVersion | None, str]] = {}

    def at(self, region: str, on: date) -> tuple[PolicyVersion | None, str]:
        """(the version, a note) — the note says when the month lies before every version of the region's
        chain and the earliest one is used instead; None when the region has no version at all."""
        key = (region, on)
        if key not in self._cache:
            self._cache[key] = self._find(region, on)
        return self._cache[key]

    def _find(self, region: str, on: date) -> tuple[PolicyVersion | None, str]:
        chain = [region, *ancestor_codes(region)]
        for code in chain:
            for v in self.versions:  # newest first
                if (
                    v.region_id == code
                    and v.effective_from <= on
                    and (v.effective_to is None or v.effective_to >= on)
                ):
                    return v, ""
        for code in chain:
            mine = [v for v in self.versions if v.region_id == code]
            if mine:
                earliest = mine[-1]
                since = f"{earliest.effective_from:%Y-%m-%d}"
                note = f"起始年月早于本地区最早的政策版本，按 {since} 起施行的版本记录"
                return earliest, note
        return None, ""


def valid_months(policy: PolicyVersion, program: str) -> int | None:
    """The fixed validity of a program's entitlement in months (低保边缘, 刚性支出), else None."""
    if program == "near_dibao":
        return int(policy.near_dibao_valid_months)
    if program == "rigid_expense":
        return int(policy.rigid_expense_valid_months)
    return None
