"""The monitoring rules at province scale (DESIGN §5: a province's run ≤ 60 s on 16 cores).

    uv run python -m bench.bench_province --persons 10000000 --threads 16

Generates a synthetic province (default 10M persons in ~3.9M households across 100 counties, ~40M
departmental feed rows, the coverage and settings tables), vectorised with numpy and pyarrow, seeded and
deterministic, and writes it with ``parquet.write_tables``. Every rule of ``monitoring.rules.RULES`` has
hits: the event rates (deaths, cars and flats bought, businesses registered, large medical bills,
disability certificates, unemployment, wages, residence outside the county, school changes, custody,
duplicate coverage, shared bank accounts) are set so that each rule fires.

The figure is ``run_duckdb`` over the Parquet files on ``--threads`` threads (and ``run_spark`` on
``local[--threads]`` where PySpark and Java are there); the baseline in the same run is the same DuckDB
evaluation on one thread, so the ratio is the speed-up from cores. The time to read the four tables into
Arrow is printed beside it. Hits are printed per rule, and the engines' hit tables must be identical.
No Django: only ``jiuzhu.batch.rules`` and ``jiuzhu.monitoring.rules`` are imported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jiuzhu.batch.rules.compiler import settings_used
from jiuzhu.batch.rules.duck import run_duckdb
from jiuzhu.batch.rules.parquet import read_tables, table_paths, write_tables
from jiuzhu.batch.rules.schema import FIELD_NAMES, HITS_SCHEMA
from jiuzhu.monitoring.rules import RULES

BAR_SECONDS = 60.0
AS_OF = date(2026, 11, 30)
EPOCH = date(1970, 1, 1)
AS_OF_DAY = (AS_OF - EPOCH).days
COUNTIES = 100
TOWNSHIPS = 20  # per county
VILLAGES = 25  # per township

# The programs a person can be covered by, one bit each (persons.programs is the sorted list).
PROGRAMS = ("child_in_difficulty", "de_facto_orphan", "dibao", "disability_living", "near_dibao", "tekun")
BIT = {p: 1 << i for i, p in enumerate(PROGRAMS)}

SETTINGS = {
    "exempt_vehicle_types": "motorcycle,e_bike,disability_scooter",
    "monitor_absence_months": "6",
    "monitor_income_ratio": "1.000",
    "monitor_lead_income_ratio": "1.500",
    "monitor_lookback_months": "12",
    "monitor_medical_oop_assisted": "6000",
    "monitor_medical_oop_others": "10000",
}


def _s(values: Any) -> pa.Array:
    """Integers (or a pyarrow array) as text."""
    return pc.cast(pa.array(values) if not isinstance(values, pa.Array) else values, pa.string())


def _join(*parts: Any, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _pick(choices: tuple[str, ...], index: np.ndarray) -> pa.Array:
    return pa.array(choices, pa.string()).take(pa.array(index.astype(np.int32)))


def _date(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def _cents(cents: np.ndarray) -> pa.Array:
    """Integer cents as DECIMAL(14,2)."""
    return pa.Array.from_buffers(
        pa.decimal128(14, 2),
        len(cents),
        [None, pa.py_buffer(np.stack([cents, cents >> 63], axis=1).astype(np.int64).tobytes())],
    )


def _id_numbers(county: np.ndarray, birth: np.ndarray) -> pa.Array:
    """18-character resident ID numbers: county, birth date, a sequence within (county, birth date), and
    the ISO 7064 MOD 11-2 check character. Unique by construction."""
    n = len(county)
    order = np.lexsort((birth, county))
    key = county[order].astype(np.int64) * 100_000 + birth[order]
    starts = np.r_[True, key[1:] != key[:-1]]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    seq = np.empty(n, np.int64)
    seq[order] = np.arange(n) - run_start
    assert seq.max() < 1000, "too many people born on one day in one county"
    ymd = birth_ymd(birth)
    body = county.astype(np.int64) * 10**11 + ymd * 1000 + seq
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = np.zeros(n, np.int64)
    rest = body.copy()
    for w in reversed(weights):
        total += (rest % 10) * w
        rest //= 10
    check = _pick(tuple("10X98765432"), total % 11)
    return _join(_s(body), check)


def birth_ymd(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as YYYYMMDD integers."""
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    year = y.astype(np.int64) + 1970
    month = (m - y.astype("datetime64[M]")).astype(np.int64) + 1
    day = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
    return np.asarray(year * 10000 + month * 100 + day)


class Province:
    """The generated tables and what the feeds need to aim at people."""

    def __init__(self, persons: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = persons
        self.tables: dict[str, pa.Table] = {}

    # -- persons and coverage ------------------------------------------------------------------------
    def people(self) -> None:
        rng, n = self.rng, self.n
        sizes_p = np.array([0.25, 0.31, 0.21, 0.14, 0.06, 0.03])
        est = int(n / float((np.arange(1, 7) * sizes_p).sum()) * 1.02) + 10
        sizes = rng.choice(np.arange(1, 7), est, p=sizes_p)
        ends = np.cumsum(sizes)
        h = int(np.searchsorted(ends, n)) + 1
        sizes = sizes[:h]
        sizes[-1] -= int(ends[h - 1] - n)
        self.households = h
        hh = np.repeat(np.arange(h), sizes)  # household index of each person
        pos = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # position in the household
        # Households to villages; counties of the province (43 01..43 20, 5 counties each).
        county_idx = rng.integers(0, COUNTIES, h)
        township = rng.integers(0, TOWNSHIPS, h)
        village = rng.integers(0, VILLAGES, h)
        c = np.arange(COUNTIES)
        self.county_codes = 430000 + (c // 5 + 1) * 100 + (c % 5 + 1)
        county6 = self.county_codes[county_idx]
        region = county6.astype(np.int64) * 10**6 + (township + 1) * 1000 + (village + 1)
        urban = rng.random(h) < 0.4
        # Relations by position: head, spouse, child, child, parent, grandchild.
        rel_idx = np.minimum(pos, 5)
        relations = ("head", "spouse", "child", "child", "parent", "grandchild")
        head_age = rng.integers(22, 90, h)
        age_years = np.select(
            [rel_idx == 0, rel_idx == 1, rel_idx <= 3, rel_idx == 4],
            [
                head_age[hh],
                np.clip(head_age[hh] + rng.integers(-6, 7, n), 18, 95),
                np.clip(head_age[hh] - rng.integers(20, 36, n), 0, 70),
                np.clip(head_age[hh] + rng.integers(22, 32, n), 40, 100),
            ],
            np.clip(head_age[hh] - rng.integers(44, 60, n), 0, 30),
        )
        birth = AS_OF_DAY - age_years * 365 - rng.integers(0, 365, n)
        self.birth = birth
        self.person_county = county6[hh]
        self.id_number = _id_numbers(self.person_county, birth)
        dead = rng.random(n) < 0.001
        # Assistance: households are 低保 (6%), 低保边缘 (1.5%), or a single 特困 person (1% of the
        # households of one); persons add 残疾人两项补贴 and the children's programs.
        r = rng.random(h)
        hh_bits = np.where(r < 0.06, BIT["dibao"], np.where(r < 0.075, BIT["near_dibao"], 0))
        hh_bits = np.where((sizes == 1) & (rng.random(h) < 0.10), BIT["tekun"], hh_bits)
        bits = hh_bits[hh].astype(np.int64)
        disability = np.where(rng.random(n) < 0.06, rng.integers(1, 5, n), 0)
        bits |= np.where(
            (disability > 0) & (disability <= 2) & (rng.random(n) < 0.3), BIT["disability_living"], 0
        )
        child = age_years < 18
        bits |= np.where(child & (rng.random(n) < 0.004), BIT["de_facto_orphan"], 0)
        bits |= np.where(child & (rng.random(n) < 0.006), BIT["child_in_difficulty"], 0)
        # Incompatible pairs held by a few: 特困 beside 低保, 孤儿 beside 困境儿童.
        bits |= np.where((bits & BIT["dibao"] > 0) & (rng.random(n) < 0.002), BIT["tekun"], 0)
        bits |= np.where(
            (bits & BIT["de_facto_orphan"] > 0) & (rng.random(n) < 0.05), BIT["child_in_difficulty"], 0
        )
        self.bits = bits
        assisted = bits > 0
        self.assisted = assisted
        program_text = tuple(
            ",".join(p for p in PROGRAMS if m & BIT[p]) if m else "" for m in range(1 << len(PROGRAMS))
        )
        programs = _pick(program_text, bits)
        programs = pc.if_else(pc.equal(programs, ""), pa.nulls(n, pa.string()), programs)
        # Income: assisted households low, others a wide spread (a quarter under 1.5 × the standard).
        standard_hh = np.where(urban, 85000, 65000) + (county_idx % 7) * 2500  # cents
        income_hh = np.where(
            hh_bits > 0,
            rng.lognormal(np.log(40000), 0.5, h),
            rng.lognormal(np.log(180000), 0.8, h),
        ).astype(np.int64)
        income_hh = np.where(rng.random(h) < 0.05, 0, income_hh)
        account_hh = 6_217_000_000_000_000_000 + rng.permutation(h).astype(np.int64) * 97
        shared = (hh_bits > 0) & (rng.random(h) < 0.002)  # households paid into another one's account
        donors = np.flatnonzero(hh_bits > 0)
        account_hh = np.where(shared, account_hh[rng.choice(donors, h)], account_hh)
        self.account_hh = account_hh
        self.hh_of = hh
        self.region = region
        self.county_hh = county6
        self.relation_idx = rel_idx
        in_school = (age_years >= 6) & (age_years <= 22) & (rng.random(n) < 0.9)
        self.in_school = in_school
        employment = np.where(
            age_years < 16,
            0,
            np.where(age_years >= 60, 3, np.where(rng.random(n) < 0.8, 1, 2)),
        )
        members = sizes[hh]
        region_s = _s(region)
        self.tables["persons"] = pa.table(
            {
                "person_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
                "id_number": self.id_number,
                "birth_date": _date(birth),
                "death_date": pa.array(
                    (AS_OF_DAY - rng.integers(30, 3000, n)).astype(np.int32), pa.int32(), mask=~dead
                ).cast(pa.date32()),
                "household_id": pa.array(hh.astype(np.int64) + 1),
                "relation": _pick(relations, rel_idx),
                "region_code": region_s.take(pa.array(hh)),
                "township_code": _s(region // 1000).take(pa.array(hh)),
                "county_code": _s(county6).take(pa.array(hh)),
                "urban_rural": _pick(("rural", "urban"), urban.astype(np.int64)).take(pa.array(hh)),
                "residence_code": region_s.take(pa.array(hh)),
                "disability_grade": pa.array(disability.astype(np.int32), mask=disability == 0),
                "in_school": pa.array(in_school),
                "employment": _pick(("none", "employed", "unemployed", "retired"), employment),
                "members": pa.array(members.astype(np.int32)),
                "assisted": pa.array(assisted),
                "programs": programs,
                "bank_account": _s(account_hh).take(pa.array(hh)),
                "standard": _cents(standard_hh[hh]),
                "income_pc": _cents(income_hh[hh] // np.maximum(sizes[hh], 1)),
            }
        )
        self.members = members

    def coverage(self) -> None:
        rng = self.rng
        person_ids: list[np.ndarray] = []
        hh_ids: list[np.ndarray] = []
        counties: list[np.ndarray] = []
        programs: list[np.ndarray] = []
        accounts: list[np.ndarray] = []
        for i, program in enumerate(PROGRAMS):
            who = np.flatnonzero(self.bits & BIT[program])
            person_ids.append(who)
            hh_ids.append(self.hh_of[who])
            counties.append(self.person_county[who])
            programs.append(np.full(len(who), i))
            accounts.append(self.account_hh[self.hh_of[who]])
        assisted = np.flatnonzero(self.assisted)
        # The same person covered again in another household (0.05%) or another county (0.05%).
        for field in ("household", "county"):
            who = assisted[rng.random(len(assisted)) < 0.0005]
            other = rng.integers(0, self.households, len(who))
            person_ids.append(who)
            programs.append(np.full(len(who), PROGRAMS.index("dibao")))
            if field == "household":
                hh_ids.append(other)
                counties.append(self.person_county[who])
            else:
                hh_ids.append(self.hh_of[who])
                counties.append(
                    self.county_codes[
                        (np.searchsorted(self.county_codes, self.person_county[who]) + 1) % COUNTIES
                    ]
                )
            accounts.append(self.account_hh[other])
        pid = np.concatenate(person_ids)
        hid = np.concatenate(hh_ids)
        # Household programs share one entitlement per household; person programs one per person.
        prog = np.concatenate(programs)
        person_level = np.isin(
            prog,
            [
                PROGRAMS.index(p)
                for p in ("tekun", "disability_living", "de_facto_orphan", "child_in_difficulty")
            ],
        )
        ent = np.where(person_level, 10**9 + pid, hid * 8 + prog)
        extra = np.zeros(len(pid), bool)
        base = sum(len(a) for a in person_ids[: len(PROGRAMS)])
        extra[base:] = True
        ent = np.where(extra, 2 * 10**9 + np.arange(len(pid)), ent)
        amount = np.round(rng.uniform(200, 900, len(pid)) * 100).astype(np.int64)
        self.tables["coverage"] = pa.table(
            {
                "entitlement_id": pa.array(ent.astype(np.int64)),
                "person_id": pa.array(pid.astype(np.int64) + 1),
                "household_id": pa.array(hid.astype(np.int64) + 1),
                "program": _pick(PROGRAMS, prog),
                "region_code": _s(self.region[hid]),
                "county_code": _s(np.concatenate(counties)),
                "amount": _cents(amount),
                "bank_account": _s(np.concatenate(accounts)),
            }
        )

    def settings(self) -> None:
        columns: dict[str, pa.Array] = {"county_code": _s(self.county_codes)}
        for name in settings_used(RULES):
            value = SETTINGS[name]
            if name == "exempt_vehicle_types":
                columns[name] = pa.array([value] * COUNTIES, pa.string())
            else:
                columns[name] = pa.array([value] * COUNTIES, pa.string()).cast(pa.decimal128(18, 4))
        self.tables["settings"] = pa.table(columns)

    # -- feeds ---------------------------------------------------------------------------------------
    def feeds(self, rows: int) -> None:
        """About ``rows`` feed rows, in blocks per feed (an export is ordered by feed)."""
        scale = rows / 40_000_000 * (10_000_000 / self.n)  # rows per person relative to the default
        per_person = {
            "hrss_wage": 1.80,
            "hrss_contribution": 0.60,
            "tax": 0.15,
            "residence": 0.30,
            "education": 0.30,
            "police_hukou": 0.30,
            "medical_bill": 0.40,
            "vehicle": 0.05,
            "real_estate": 0.05,
            "business": 0.03,
            "hrss_unemployment": 0.02,
            "disability": 0.03,
            "justice": 0.003,
            "police_death": 0.008,
        }
        blocks = []
        for feed, rate in per_person.items():
            count = max(round(self.n * rate * scale), 10)
            blocks.append(self._feed(feed, count))
        self.tables["feeds"] = pa.concat_tables(blocks)

    def _who(self, count: int, *, weight: np.ndarray | None = None) -> np.ndarray:
        if weight is None:
            return self.rng.integers(0, self.n, count)
        p = weight / weight.sum()
        return self.rng.choice(self.n, count, p=p)

    def _feed(self, feed: str, count: int) -> pa.Table:
        rng, n = self.rng, count
        days_back = rng.integers(-20, 540, n)  # a few registered after the run date
        fields: dict[str, pa.Array] = {}
        amount: pa.Array | None = None
        kind: pa.Array = pa.nulls(n, pa.string())
        if feed == "hrss_wage":
            # Six months of wages for the employed, higher for a few assisted people.
            who = self._who(n, weight=np.where(self.assisted, 0.3, 1.0))
            days_back = rng.integers(0, 6, n) * 30 + 15
            median = np.where(self.assisted[who], 900.0, 4500.0)
            amount = _cents(np.round(rng.lognormal(np.log(median), 0.6) * 100).astype(np.int64))
            kind = pa.array(["wages"] * n)
            fields["employer"] = _join("91430100MA", _s(rng.integers(10**7, 10**8, n)))
        elif feed == "hrss_contribution":
            who = self._who(n)
            days_back = rng.integers(0, 6, n) * 30 + 10
            amount = _cents(rng.integers(20000, 90000, n))
            kind = pa.array(["contribution"] * n)
            fields["insurance"] = _pick(("pension", "medical", "unemployment"), rng.integers(0, 3, n))
        elif feed == "tax":
            who = self._who(n)
            days_back = rng.integers(0, 6, n) * 30 + 20
            amount = _cents(np.round(rng.lognormal(np.log(2500), 1.0, n) * 100).astype(np.int64))
            itype = rng.integers(0, 4, n)
            kind = _pick(("wages", "business", "property", "other"), itype)
            fields["income_type"] = kind
        elif feed == "residence":
            # One to three residence registrations; 10% of the newest outside the county.
            who = self._who(n)
            days_back = rng.integers(0, 1500, n)
            outside = rng.random(n) < 0.10
            other_county = self.county_codes[rng.integers(0, COUNTIES, n)]
            home = self.region[self.hh_of[who]]
            away = other_county.astype(np.int64) * 10**6 + 1001
            fields["region"] = _s(np.where(outside, away, home))
            kind = _pick(("temporary", "permit"), rng.integers(0, 2, n))
        elif feed == "education":
            # Pupils with two records: enrolment, then (recent) a status that may differ.
            pupils = np.flatnonzero(self.in_school)
            half = n // 2
            who1 = pupils[rng.integers(0, len(pupils), half)]
            who = np.concatenate([who1, who1, pupils[rng.integers(0, len(pupils), n - 2 * half)]])
            days_back = np.concatenate(
                [
                    rng.integers(400, 1500, half),
                    rng.integers(0, 500, half),
                    rng.integers(0, 500, n - 2 * half),
                ]
            )
            status = np.concatenate(
                [
                    np.zeros(half, np.int64),
                    rng.choice(4, half, p=[0.85, 0.05, 0.06, 0.04]),
                    np.zeros(n - 2 * half, np.int64),
                ]
            )
            kind = _pick(("enrolled", "dropped_out", "graduated", "transferred"), status)
            fields["level"] = _pick(
                ("primary", "junior", "senior", "vocational", "college"), rng.integers(0, 5, n)
            )
            fields["school"] = _join("学校", _s(rng.integers(1000, 9999, n)))
        elif feed == "police_hukou":
            who = self._who(n)
            cancelled = rng.random(n) < 0.02
            fields["status"] = _pick(("normal", "cancelled"), cancelled.astype(np.int64))
            fields["hukou_region"] = _s(self.region[self.hh_of[who]])
            kind = _s(self.hh_of[who] + 10**8)
        elif feed == "medical_bill":
            who = self._who(n)
            oop = np.round(rng.lognormal(np.log(1200), 1.1, n) * 100).astype(np.int64)
            amount = _cents(oop)
            total = oop * rng.uniform(1.3, 3.0, n)
            fields["total"] = _s(pa.array(np.round(total).astype(np.int64) // 100))
            fields["bill_no"] = _join("YB", _s(np.arange(n, dtype=np.int64) + 10**11))
            kind = _pick(("outpatient", "inpatient"), rng.integers(0, 2, n))
        elif feed == "vehicle":
            who = self._who(n)
            vtype = ("car", "truck", "motorcycle", "e_bike", "disability_scooter", "farm_machine")
            fields["vehicle_type"] = _pick(vtype, rng.choice(6, n, p=[0.55, 0.1, 0.15, 0.12, 0.03, 0.05]))
            fields["event"] = _pick(("buy", "sell", "transfer"), rng.choice(3, n, p=[0.6, 0.25, 0.15]))
            fields["plate"] = _join("湘A", _s(rng.integers(10000, 99999, n)))
            kind = fields["vehicle_type"]
            amount = _cents(np.round(rng.lognormal(np.log(80000), 0.7, n) * 100).astype(np.int64))
        elif feed == "real_estate":
            who = self._who(n)
            fields["event"] = _pick(("buy", "sell", "inherit"), rng.choice(3, n, p=[0.6, 0.3, 0.1]))
            fields["unit_no"] = _join("430100", _s(np.arange(n, dtype=np.int64) + 10**12))
            use = _pick(("residential", "commercial", "garage"), rng.choice(3, n, p=[0.8, 0.1, 0.1]))
            fields["use"] = use
            kind = use
            amount = _cents(np.round(rng.lognormal(np.log(600000), 0.6, n) * 100).astype(np.int64))
        elif feed == "business":
            who = self._who(n)
            fields["status"] = _pick(
                ("active", "cancelled", "revoked"), rng.choice(3, n, p=[0.75, 0.2, 0.05])
            )
            fields["reg_no"] = _join("92430100", _s(np.arange(n, dtype=np.int64) + 10**9))
            kind = _pick(("individual", "company", "cooperative"), rng.choice(3, n, p=[0.7, 0.2, 0.1]))
            amount = _cents(np.round(rng.lognormal(np.log(50000), 1.0, n) * 100).astype(np.int64))
        elif feed == "hrss_unemployment":
            # Working-age adults; heads of 低保边缘 households more often.
            weight = np.where(self.relation_idx == 0, 2.0, 1.0) * np.where(
                self.bits & BIT["near_dibao"], 5.0, 1.0
            )
            who = self._who(n, weight=weight)
            amount = _cents(rng.integers(150000, 220000, n))
            ended = rng.random(n) < 0.5
            end_days = AS_OF_DAY - days_back + rng.integers(90, 720, n)
            fields["ended_on"] = pc.if_else(pa.array(ended), _s(_date(end_days)), pa.nulls(n, pa.string()))
            kind = pa.array(["registered"] * n)
        elif feed == "disability":
            who = self._who(n)
            grade = rng.integers(1, 5, n)
            fields["grade"] = _s(grade)
            cat = _pick(
                ("visual", "hearing", "speech", "physical", "intellectual", "mental"), rng.integers(0, 6, n)
            )
            fields["category"] = cat
            kind = cat
        elif feed == "justice":
            # Custody: adults, guardians (heads and spouses) more often.
            weight = np.where(self.relation_idx <= 1, 3.0, 1.0) * (self.birth < AS_OF_DAY - 18 * 365)
            who = self._who(n, weight=weight)
            days_back = rng.integers(0, 2000, n)
            end = AS_OF_DAY - days_back + rng.integers(180, 3650, n)
            released = rng.random(n) < 0.15
            fields["end_date"] = pc.if_else(pa.array(released), pa.nulls(n, pa.string()), _s(_date(end)))
            kind = _pick(("prison", "drug_rehab"), rng.choice(2, n, p=[0.8, 0.2]))
        elif feed == "police_death":
            # Mostly the old; some parents of children.
            old = self.birth < AS_OF_DAY - 65 * 365
            weight = np.where(old, 20.0, 1.0) * np.where(self.relation_idx <= 1, 1.5, 1.0)
            who = self._who(n, weight=weight)
            kind = _pick(("death", "cremation"), rng.integers(0, 2, n))
        else:  # pragma: no cover - the feeds above are all there are
            raise AssertionError(feed)
        columns: dict[str, pa.Array] = {
            "feed": pa.array([feed] * n, pa.string()),
            "id_number": self.id_number.take(pa.array(who)),
            "date": _date(AS_OF_DAY - days_back),
            "amount": amount if amount is not None else pa.nulls(n, pa.decimal128(14, 2)),
            "kind": kind,
            "row_key": _join(feed + ":", _s(np.arange(n, dtype=np.int64) + 1)),
        }
        for name in FIELD_NAMES:
            columns[name] = fields.get(name, pa.nulls(n, pa.string()))
        return pa.table(columns)


def generate(persons: int, feed_rows: int, seed: int) -> dict[str, pa.Table]:
    province = Province(persons, seed)
    province.people()
    province.coverage()
    province.settings()
    province.feeds(feed_rows)
    return province.tables


def _timed(label: str, fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    print(f"{label}: {seconds:.1f} s", flush=True)
    return value, seconds


def _sorted(hits: pa.Table) -> pa.Table:
    hits = hits.cast(HITS_SCHEMA)
    keys = [("rule", "ascending"), ("evidence_key", "ascending"), ("person_id", "ascending")]
    return hits.take(pc.sort_indices(hits, sort_keys=keys))


def _per_rule(hits: pa.Table) -> dict[str, int]:
    counts = dict.fromkeys((r.code for r in RULES), 0)
    for row in hits.group_by("rule").aggregate([("person_id", "count")]).to_pylist():
        counts[row["rule"]] = row["person_id_count"]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--feed-rows", type=int, default=None, help="default: 4 per person")
    parser.add_argument("--dir", default="bench/out/province")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--engines",
        default="duckdb,duckdb1,spark",
        help="comma-separated: duckdb (--threads), duckdb1 (1-thread baseline), spark (local[--threads])",
    )
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--reuse", action="store_true", help="keep an existing --dir instead of regenerating")
    parser.add_argument("--spark-memory", default="8g")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    directory = Path(args.dir)
    feed_rows = args.feed_rows if args.feed_rows is not None else 4 * args.persons

    print(f"province: {args.persons:,} persons, ~{feed_rows:,} feed rows, {COUNTIES} counties, as of {AS_OF}")
    if not (args.reuse and (directory / "manifest.json").is_file()):
        if directory.exists():
            shutil.rmtree(directory)
        tables, gen_s = _timed(
            "generate (numpy/pyarrow)", lambda: generate(args.persons, feed_rows, args.seed)
        )
        counts, write_s = _timed("write Parquet", lambda: write_tables(tables, directory, as_of=AS_OF))
        del tables
        size = sum(p.stat().st_size for p in directory.iterdir()) / 2**20
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + f"; {size:,.0f} MiB on disk")
        print(f"generation total: {gen_s + write_s:.1f} s")
    paths, as_of = table_paths(directory)
    _, read_s = _timed("read Parquet into Arrow (4 tables)", lambda: read_tables(directory))

    results: dict[str, pa.Table] = {}
    seconds: dict[str, float] = {}
    for engine in engines:
        if engine == "duckdb":
            hits, s = _timed(
                f"run_duckdb, {args.threads} threads",
                lambda: run_duckdb(RULES, paths, as_of=as_of, threads=args.threads),
            )
        elif engine == "duckdb1":
            hits, s = _timed(
                "run_duckdb, 1 thread (baseline)", lambda: run_duckdb(RULES, paths, as_of=as_of, threads=1)
            )
        elif engine == "spark":
            try:
                import pyspark  # noqa: F401
            except ImportError:
                print("spark: PySpark is not installed here; skipped")
                continue
            if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
                print("spark: no Java here; skipped")
                continue
            os.environ.setdefault("JIUZHU_SPARK_MASTER", f"local[{args.threads}]")
            os.environ.setdefault("JIUZHU_SPARK_MEMORY", args.spark_memory)
            os.environ.setdefault("JIUZHU_SPARK_PARTITIONS", str(4 * args.threads))
            from jiuzhu.batch.rules.spark import run_spark, spark_session, spark_stop

            _timed(f"spark session {os.environ['JIUZHU_SPARK_MASTER']}", spark_session)
            hits, s = _timed(
                f"run_spark, {os.environ['JIUZHU_SPARK_MASTER']}",
                lambda: run_spark(RULES, paths, as_of=as_of),
            )
            spark_stop()
        else:
            parser.error(f"unknown engine {engine}")
        results[engine] = _sorted(hits)
        seconds[engine] = s

    if not results:
        return
    per_rule = {e: _per_rule(h) for e, h in results.items()}
    names = list(results)
    print()
    print(f"{'rule':<22}" + "".join(f"{e:>12}" for e in names))
    for rule in RULES:
        print(f"{rule.code:<22}" + "".join(f"{per_rule[e][rule.code]:>12,}" for e in names))
    print(f"{'total':<22}" + "".join(f"{results[e].num_rows:>12,}" for e in names))
    zero = [r.code for r in RULES if per_rule[names[0]][r.code] == 0]
    if zero:
        print(f"rules without hits: {', '.join(zero)}")
    first = names[0]
    same = all(results[e].equals(results[first]) for e in names[1:])
    print(f"hit tables identical across {', '.join(names)}: {'yes' if same else 'NO'}")
    print()
    if "duckdb" in seconds:
        verdict = "within" if seconds["duckdb"] <= BAR_SECONDS else "over"
        print(
            f"DuckDB {args.threads} threads: {seconds['duckdb']:.1f} s"
            f" ({verdict} the {BAR_SECONDS:.0f} s bar)"
        )
        if "duckdb1" in seconds:
            print(
                f"baseline DuckDB 1 thread: {seconds['duckdb1']:.1f} s; "
                f"speed-up {seconds['duckdb1'] / seconds['duckdb']:.1f}× on {args.threads} threads"
            )
    if "spark" in seconds:
        print(f"Spark local[{args.threads}]: {seconds['spark']:.1f} s")
    print(f"read Parquet into Arrow: {read_s:.1f} s")
    assert same, "the engines' hits differ"


if __name__ == "__main__":
    main()
