"""The fictional region tree: 虚拟省 / 安和市 / 安和县, its townships and villages.

The tree depends on the size only (not on the seed): regenerating
a population with another seed keeps every code, so users bound to a township stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import ProtectedError

from jiuzhu.regions.codes import level_of, subtree_bounds
from jiuzhu.regions.models import Region, UrbanRural

from . import names
from .codes import ADDRESS_CODE, CITY_CODE, COUNTY_CODE, PROVINCE_CODE

_TREE_SEED = 20240101  # fixed: the tree must not change with the population seed


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    parent: str | None
    urban_rural: str
    urban_rural_code: str = ""


@dataclass(frozen=True)
class Tree:
    regions: list[RegionSpec]
    townships: list[str]
    villages: list[RegionSpec]
    # Relative share of the county's households living in each village (same order as ``villages``).
    village_weights: np.ndarray


def township_count(households: int) -> int:
    return int(np.clip(10 + households // 100_000, 10, 20))


def build_tree(households: int) -> Tree:
    rng = np.random.default_rng(_TREE_SEED)
    n_town = township_count(households)
    n_street = max(2, n_town // 4)
    n_xiang = max(2, n_town // 4)
    n_zhen = n_town - n_street - n_xiang
    top = [
        RegionSpec(PROVINCE_CODE, names.PROVINCE_NAME, None, UrbanRural.URBAN),
        RegionSpec(CITY_CODE, names.CITY_NAME, PROVINCE_CODE, UrbanRural.URBAN),
        RegionSpec(COUNTY_CODE, names.COUNTY_NAME, CITY_CODE, UrbanRural.URBAN),
    ]
    # 统计用区划代码 convention: 街道 001-099, 镇 100-199, 乡 200-399; 居委会 001-199, 村委会 200-399.
    kinds = (
        [("street", 1 + i, names.STREETS[i]) for i in range(n_street)]
        + [("zhen", 101 + i, names.TOWNS[i]) for i in range(n_zhen)]
        + [("xiang", 201 + i, names.XIANG[i]) for i in range(n_xiang)]
    )
    townships: list[RegionSpec] = []
    villages: list[RegionSpec] = []
    weights: list[float] = []
    for kind, number, name in kinds:
        code = f"{ADDRESS_CODE}{number:03d}000"
        urban = kind == "street"
        townships.append(RegionSpec(code, name, COUNTY_CODE, UrbanRural.URBAN if urban else UrbanRural.RURAL))
        n_village = int(rng.integers(15, 26))
        if kind == "street":
            n_comm = n_village
        elif kind == "zhen":
            n_comm = int(rng.integers(2, 5))  # the town centre's 社区
        else:
            n_comm = 1
        comm_stems = rng.permutation(names.COMMUNITY_STEMS)[:n_comm]
        village_stems = rng.permutation(names.VILLAGE_STEMS)[: n_village - n_comm]
        for j, stem in enumerate(comm_stems):
            urc = "111" if kind == "street" else ("121" if kind == "zhen" else "210")
            ur = UrbanRural.URBAN if urc.startswith("1") else UrbanRural.RURAL
            villages.append(RegionSpec(f"{code[:9]}{1 + j:03d}", f"{stem}社区", code, ur, urc))
            # Urban communities are several times larger than villages.
            weights.append(float(rng.uniform(2.0, 4.0)) if ur == UrbanRural.URBAN else 1.2)
        for j, stem in enumerate(village_stems):
            villages.append(
                RegionSpec(f"{code[:9]}{200 + j:03d}", f"{stem}村", code, UrbanRural.RURAL, "220")
            )
            weights.append(float(rng.uniform(0.6, 1.4)))
    w = np.array(weights)
    return Tree(
        regions=top + townships + villages,
        townships=[t.code for t in townships],
        villages=villages,
        village_weights=w / w.sum(),
    )


def county_exists() -> bool:
    return Region.objects.filter(code=COUNTY_CODE).exists()


def _as_region(spec: RegionSpec) -> Region:
    return Region(
        code=spec.code,
        name=spec.name,
        level=int(level_of(spec.code)),
        parent_id=spec.parent,
        urban_rural=spec.urban_rural,
        urban_rural_code=spec.urban_rural_code,
    )


@transaction.atomic
def save_tree(tree: Tree) -> None:
    """Create the tree, or bring an existing synthetic tree to it.

    Existing codes are updated in place rather than deleted, because users (and later policy
    tables) point at them; codes no longer in the tree are removed when nothing refers to them.
    """
    low, high = subtree_bounds(PROVINCE_CODE)
    existing = set(Region.objects.filter(code__range=(low, high)).values_list("code", flat=True))
    wanted = [_as_region(s) for s in tree.regions]
    wanted_codes = {r.code for r in wanted}
    # Parents first so the FK holds at every step on databases that check it immediately.
    Region.objects.bulk_create([r for r in wanted if r.code not in existing], batch_size=500)
    Region.objects.bulk_update(
        [r for r in wanted if r.code in existing],
        ["name", "level", "parent", "urban_rural", "urban_rural_code"],
        batch_size=500,
    )
    for code in sorted(existing - wanted_codes, reverse=True):  # children sort after parents
        try:
            with transaction.atomic():
                Region.objects.filter(code=code).delete()
        except ProtectedError:
            pass  # still referenced (e.g. a user's jurisdiction): harmless, it is empty
