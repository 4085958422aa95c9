"""Writes to the region tree: the division-code import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q

from .codes import InvalidRegionCode, level_of, parent_candidates, validate_code
from .models import Region, UrbanRural


@dataclass
class RegionImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    urban_rural_code: str = ""


def _read_rows(text: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(text)
    if reader.fieldnames is None:
        return
    # Accept the Chinese headers of the published list as well as the English ones.
    aliases = {
        "统计用区划代码": "code",
        "区划代码": "code",
        "名称": "name",
        "城乡分类代码": "urban_rural_code",
    }
    reader.fieldnames = [aliases.get(h.strip(), h.strip()) for h in reader.fieldnames]
    for i, row in enumerate(reader, start=2):
        yield i, {k: (v or "").strip() for k, v in row.items() if k}


def _urban_rural(code: str) -> str:
    # 城乡分类代码: 1xx 城镇, 2xx 乡村.
    return UrbanRural.URBAN if code.startswith("1") else UrbanRural.RURAL


def region_import_csv(*, source: Path | str | io.TextIOBase, batch_size: int = 5000) -> RegionImportResult:
    """Import a division-code CSV (columns: code, name, urban_rural_code). Idempotent: a re-import
    changes nothing; a changed name is updated. Parents must precede children or exist already;
    a row whose parent is unknown is reported, not guessed."""
    result = RegionImportResult()
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            rows = list(_read_rows(fh))
    else:
        rows = list(_read_rows(source))

    parsed: dict[str, RegionRow] = {}
    for line, row in rows:
        code, name = row.get("code", ""), row.get("name", "")
        try:
            validate_code(code)
        except InvalidRegionCode as exc:
            result.errors.append(f"第{line}行：{exc}")
            continue
        if not name:
            result.errors.append(f"第{line}行：名称不能为空")
            continue
        urc = row.get("urban_rural_code", "")
        if urc and not (len(urc) == 3 and urc.isdigit()):
            result.errors.append(f"第{line}行：城乡分类代码应为3位数字：{urc}")
            continue
        if code in parsed:
            result.errors.append(f"第{line}行：区划代码重复：{code}")
            continue
        parsed[code] = RegionRow(code=code, name=name, urban_rural_code=urc)

    existing = {
        r.code: r for batch in _batches(sorted(parsed)) for r in Region.objects.filter(code__in=batch)
    }
    # Parents already in the database but not in the file, fetched in batches rather than row by row.
    wanted = sorted({c for code in parsed for c in parent_candidates(code)} - set(parsed))
    in_db = {
        c
        for batch in _batches(wanted)
        for c in Region.objects.filter(code__in=batch).values_list("code", flat=True)
    }
    known_codes = set(existing) | set(parsed) | in_db
    to_create: list[Region] = []
    to_update: list[Region] = []
    # Sorting by code puts every parent before its children.
    for code in sorted(parsed):
        entry = parsed[code]
        parent_code = next((c for c in parent_candidates(code) if c in known_codes), None)
        if parent_code is None and level_of(code) > 1:
            result.errors.append(f"区划 {code}（{entry.name}）找不到上级区划")
            continue
        urban = _urban_rural(entry.urban_rural_code) if entry.urban_rural_code else None
        current = existing.get(code)
        if current is None:
            to_create.append(
                Region(
                    code=code,
                    name=entry.name,
                    level=int(level_of(code)),
                    parent_id=parent_code,
                    urban_rural=urban or UrbanRural.RURAL,
                    urban_rural_code=entry.urban_rural_code,
                )
            )
        elif (current.name, current.parent_id, current.urban_rural_code) != (
            entry.name,
            parent_code,
            entry.urban_rural_code,
        ):
            current.name, current.parent_id, current.urban_rural_code = (
                entry.name,
                parent_code,
                entry.urban_rural_code,
            )
            if urban:
                current.urban_rural = urban
            to_update.append(current)
        else:
            result.unchanged += 1

    with transaction.atomic():
        Region.objects.bulk_create(to_create, batch_size=batch_size)
        Region.objects.bulk_update(
            to_update, ["name", "parent", "urban_rural_code", "urban_rural"], batch_size=batch_size
        )
        _propagate_urban_rural(to_create)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _batches(codes: list[str], size: int = 5000) -> Iterator[list[str]]:
    # SQLite limits the number of parameters in one statement; a national code list has 700k rows.
    for i in range(0, len(codes), size):
        yield codes[i : i + size]


def _propagate_urban_rural(created: list[Region]) -> None:
    """A township or county is urban when most of its children are (街道 vs 乡): one aggregate query and
    one bulk update per level, whatever the number of parents."""
    for level in (4, 3, 2, 1):
        parents = sorted({r.parent_id for r in created if r.level == level + 1 and r.parent_id})
        counts = [
            row
            for batch in _batches(parents)
            for row in Region.objects.filter(parent_id__in=batch)
            .values("parent_id")
            .annotate(total=Count("code"), urban=Count("code", filter=Q(urban_rural=UrbanRural.URBAN)))
        ]
        changed = [
            Region(
                code=row["parent_id"],
                urban_rural=UrbanRural.URBAN if row["urban"] * 2 > row["total"] else UrbanRural.RURAL,
            )
            for row in counts
        ]
        Region.objects.bulk_update(changed, ["urban_rural"], batch_size=5000)
