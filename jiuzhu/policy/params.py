"""The policy parameters as the means engine sees them: plain, immutable values, built either from a
live ``PolicyVersion`` or from the snapshot stored in a report."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class PolicyParams:
    version_id: int | None
    region: str
    effective_from: date
    document_no: str
    dibao_standard_urban: Decimal
    dibao_standard_rural: Decimal
    tekun_multiplier: Decimal
    near_dibao_multiplier: Decimal
    minimum_wage_monthly: Decimal
    near_dibao_capped_by_minimum_wage: bool
    disposable_income_prev_year: Decimal
    rigid_expense_ratio: Decimal
    reference_months: int
    rigid_expense_months: int
    employment_cost_base: str
    employment_cost_rate: Decimal
    financial_assets_months: Decimal
    residential_units_max: int
    nonresidential_units_max: int
    vehicles_max: int
    business_registrations_max: int
    exempt_vehicle_types: tuple[str, ...]
    excluded_income: tuple[str, ...]
    deductible_expenses: tuple[str, ...]
    source_precedence: dict[str, list[str]]
    elderly_age: int
    minor_age: int
    no_labour_disability: dict[str, int]
    large_medical_expense: Decimal
    large_deposit_change: Decimal
    married_child_family: str = "separate"  # reports stored before the setting had it so

    def dibao_standard(self, *, urban: bool) -> Decimal:
        return self.dibao_standard_urban if urban else self.dibao_standard_rural

    @classmethod
    def from_snapshot(cls, snap: dict[str, Any]) -> PolicyParams:
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = "id" if f.name == "version_id" else f.name
            raw = snap.get(key)
            if raw is None and f.default is not MISSING:
                values[f.name] = f.default
                continue
            if f.type == "Decimal":
                values[f.name] = Decimal(str(raw))
            elif f.type == "date":
                values[f.name] = date.fromisoformat(str(raw))
            elif f.type == "tuple[str, ...]":
                values[f.name] = tuple(raw or ())
            elif f.type == "int":
                values[f.name] = int(raw or 0)
            elif f.type == "dict[str, list[str]]":
                values[f.name] = {k: list(v) for k, v in (raw or {}).items()}
            elif f.type == "dict[str, int]":
                values[f.name] = {k: int(v) for k, v in (raw or {}).items()}
            else:
                values[f.name] = raw
        return cls(**values)

    def to_snapshot(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            key = "id" if f.name == "version_id" else f.name
            if isinstance(value, Decimal):
                out[key] = str(value)
            elif isinstance(value, date):
                out[key] = value.isoformat()
            elif isinstance(value, tuple):
                out[key] = list(value)
            else:
                out[key] = value
        return out
