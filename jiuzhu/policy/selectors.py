"""Which policy is in force for a region on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from jiuzhu.batch.rawrows import RowLoader, fetch_together
from jiuzhu.core.errors import NotFound
from jiuzhu.regions.codes import ancestor_codes

from .models import PolicyVersion

_VERSION = RowLoader(PolicyVersion, "v")


def policy_in_force_query(*, region_code: str, on: date) -> tuple[str, list[Any]]:
    """The SQL of ``policy_in_force``, for a caller that sends it with other reads in one round trip.
    In SQL, because compiling the ORM form over the model's 32 columns cost more than the query itself
    (2.2 of 5.4 ms). See docs/decisions.md."""
    chain = [region_code, *ancestor_codes(region_code)]
    codes = ", ".join(["%s"] * len(chain))
    sql = (
        f"SELECT {_VERSION.columns} FROM {PolicyVersion._meta.db_table} v WHERE v.region_id IN ({codes})"
        " AND v.effective_from <= %s AND (v.effective_to IS NULL OR v.effective_to >= %s)"
    )
    return sql, [*chain, on, on]


def policy_in_force_from(rows: list[tuple[Any, ...]], *, region_code: str, on: date) -> PolicyVersion:
    """The version of the nearest region up the tree (the region itself first) whose period covers ``on``,
    among the rows of ``policy_in_force_query``."""
    candidates = sorted((_VERSION.load(row) for row in rows), key=lambda v: v.effective_from, reverse=True)
    for code in [region_code, *ancestor_codes(region_code)]:
        for version in candidates:
            if version.region_id == code:
                return version
    raise NotFound(f"区划 {region_code} 在 {on.isoformat()} 没有生效的政策参数，请管理员先在后台录入")


def policy_in_force(*, region_code: str, on: date) -> PolicyVersion:
    """The version of the nearest region up the tree (the region itself first) whose period covers ``on``."""
    [rows] = fetch_together([policy_in_force_query(region_code=region_code, on=on)])
    return policy_in_force_from(rows, region_code=region_code, on=on)
