"""Synthetic region tree and population (§4 ``synth``): the demo county and the benchmarks' data.

The package is imported while Django loads its apps, so the ORM-bound modules are imported only
when a function is called.
"""

from __future__ import annotations

from datetime import date

from .codes import COUNTY_CODE
from .result import SynthError, SynthResult

__all__ = ["COUNTY_CODE", "SynthError", "SynthResult", "delete_population", "synth_county"]


def synth_county(
    *,
    households: int,
    seed: int,
    reset: bool = False,
    progress: bool = True,
    as_of: date | None = None,
) -> SynthResult:
    """Generate the fictional county 安和县 (990101000000) with ``households`` households.

    The same seed (and reference date, 1 January of this year by default) gives the same people,
    ID numbers and households. Raises ``SynthError`` if the county exists and ``reset`` is false.
    """
    from .county import synth_county as run

    return run(households=households, seed=seed, reset=reset, progress=progress, as_of=as_of)


def delete_population() -> None:
    """Delete every registry row of the synthetic province; the region tree stays."""
    from .county import delete_population as run

    run()
