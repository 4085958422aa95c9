"""What ``synth_county`` returns; free of Django imports so the package imports before apps load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class SynthError(Exception):
    """A refusal shown to the operator as is (Chinese)."""


@dataclass(frozen=True)
class SynthResult:
    county_code: str
    township_codes: list[str]
    village_codes: list[str]
    households: int
    persons: int  # living persons, each a current member of one household
    seconds: float
    seed: int = 0
    as_of: date | None = field(default=None)
