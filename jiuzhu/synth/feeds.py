"""Departmental feed files for the synthetic county, several years deep.

Reads the synthetic people back from the registry and writes one CSV per feed in the catalogue's
column names, deterministic for a seed. The files carry what real exports carry: ordinary records,
deliberate anomalies for the report to find (a job lost, a car bought, a large deposit change, a
catastrophic medical bill, a member serving a sentence, registry/户籍 mismatches, and an event for every
monitoring rule: a 户籍 cancelled, a business newly registered, a new disability certificate, a change of
school status, years lived in another province, a child's parent dead or in prison) and a small share of
bad rows (wrong check digit, impossible date, negative amount, unknown region, duplicated row), which
the import must quarantine.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.db.models import Q

from jiuzhu.core.vocab import BusinessKind, Employment, VehicleType
from jiuzhu.regions.codes import subtree_bounds

from .codes import PROVINCE_CODE

BAD_SHARE = 0.003


@dataclass
class People:
    id_number: np.ndarray
    name: np.ndarray
    age: np.ndarray
    employment: np.ndarray
    health: np.ndarray
    disability: np.ndarray
    grade: np.ndarray
    in_school: np.ndarray
    education: np.ndarray
    hukou: np.ndarray
    relation: np.ndarray
    household: np.ndarray
    household_no: np.ndarray


def _people(region_codes: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    from jiuzhu.registry.models import Membership

    area = Q()
    for code in region_codes:
        area |= Q(household__region__code__range=subtree_bounds(code))
    qs = Membership.objects.filter(area, end_date__isnull=True).order_by("household_id", "id")
    return list(
        qs.values_list(
            "person__id_number",
            "person__name",
            "person__birth_date",
            "person__employment",
            "person__health",
            "person__disability_category",
            "person__disability_grade",
            "person__in_school",
            "person__education",
            "person__hukou_region_id",
            "relation",
            "household_id",
            "household__number",
        ).iterator(chunk_size=50_000)
    )


def _arrays(rows: list[tuple], as_of: date) -> People:  # type: ignore[type-arg]
    if not rows:
        return People(*(np.array([], dtype=object) for _ in range(13)))
    cols = list(zip(*rows, strict=True))
    births = np.array(cols[2], dtype="datetime64[D]")
    age = ((np.datetime64(as_of) - births).astype(np.int64) / 365.25).astype(np.int16)
    return People(
        id_number=np.array(cols[0], dtype=object),
        name=np.array(cols[1], dtype=object),
        age=age,
        employment=np.array(cols[3], dtype=object),
        health=np.array(cols[4], dtype=object),
        disability=np.array(cols[5], dtype=object),
        grade=np.array([g or 0 for g in cols[6]], dtype=np.int8),
        in_school=np.array(cols[7], dtype=bool),
        education=np.array(cols[8], dtype=object),
        hukou=np.array(cols[9], dtype=object),
        relation=np.array(cols[10], dtype=object),
        household=np.array(cols[11], dtype=np.int64),
        household_no=np.array(cols[12], dtype=object),
    )


def _months(as_of: date, count: int) -> list[date]:
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(count):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(date(y, m, 1))
    return sorted(out)


class _Writer:
    """One CSV per feed; a small share of rows is spoiled on purpose, and each spoilt row's reason is
    what the import must report."""

    def __init__(self, folder: Path, feed: str, columns: list[str], rng: np.random.Generator) -> None:
        self.path = folder / f"{feed}.csv"
        self.fh = self.path.open("w", encoding="utf-8", newline="")
        self.out = csv.writer(self.fh)
        self.out.writerow(columns)
        self.columns = columns
        self.rng = rng
        self.rows = 0
        self.last: list[str] | None = None

    def write(self, row: list[str]) -> None:
        if self.rng.random() < BAD_SHARE:
            row = self._spoil(list(row))
        self.out.writerow(row)
        self.rows += 1
        self.last = row

    def _spoil(self, row: list[str]) -> list[str]:
        kind = int(self.rng.integers(0, 5))
        if kind == 0:  # wrong check digit
            last = row[0][-1]
            row[0] = row[0][:-1] + ("0" if last != "0" else "1")
        elif kind == 1:
            for i, col in enumerate(self.columns):
                if col in (
                    "month",
                    "as_of",
                    "settled_on",
                    "event_date",
                    "registered_on",
                    "issued_on",
                    "start_date",
                    "death_date",
                ):
                    row[i] = "2026-02-30" if col != "month" else "2026-13"
                    break
        elif kind == 2:
            for i, col in enumerate(self.columns):
                if col in (
                    "amount",
                    "balance",
                    "out_of_pocket",
                    "deposit",
                    "income",
                    "cash_value",
                    "market_value",
                ):
                    row[i] = "-" + row[i].lstrip("-")
                    break
        elif kind == 3 and "hukou_region" in self.columns:
            row[self.columns.index("hukou_region")] = "999999999999"
        elif self.last is not None:  # a duplicated row
            self.out.writerow(self.last)
            self.rows += 1
        return row

    def close(self) -> None:
        self.fh.close()


def synth_feeds(
    *, folder: Path, seed: int, as_of: date, regions: list[str] | None = None, months_deep: int = 24
) -> dict[str, tuple[Path, int]]:
    """Write the feed files for the households of ``regions`` (default: the whole synthetic province),
    ``months_deep`` months of monthly data before ``as_of``; returns {feed: (path, rows)} for the feeds
    that have rows."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    p = _arrays(_people(regions or [PROVINCE_CODE]), as_of)
    n = len(p.id_number)
    months = _months(as_of, months_deep)
    recent = months[-min(12, months_deep) :]
    writers: dict[str, _Writer] = {}

    def w(feed: str, columns: list[str]) -> _Writer:
        if feed not in writers:
            writers[feed] = _Writer(folder, feed, columns, np.random.default_rng([seed, len(writers)]))
        return writers[feed]

    # The monitoring events draw from their own generator, so the rest of the files stay as they were.
    ev = np.random.default_rng([seed, 7919])
    events = _events(p, ev, as_of)
    hukou = w(
        "police_hukou", ["id_number", "name", "hukou_region", "household_no", "relation", "as_of", "status"]
    )
    relation_noise = rng.random(n) < 0.01
    for i in range(n):
        relation = "other" if relation_noise[i] else p.relation[i]
        status = "cancelled" if i in events.hukou_cancelled else "normal"
        hukou.write(
            [
                p.id_number[i],
                p.name[i],
                p.hukou[i],
                f"H{p.household_no[i]}",
                relation,
                as_of.isoformat(),
                status,
            ]
        )

    adults = p.age >= 18
    workers = np.isin(p.employment, [Employment.EMPLOYED.value, Employment.FLEXIBLE.value]) & adults
    lose_job = workers & (rng.random(n) < 0.05)
    base_wage = np.round(rng.lognormal(8.0, 0.35, n), 2)
    wage = w("hrss_wage", ["id_number", "month", "employer", "amount"])
    contribution = w("hrss_contribution", ["id_number", "month", "insurance", "amount"])
    for i in np.flatnonzero(workers).tolist():
        worked = months if p.employment[i] == Employment.EMPLOYED.value else months[::2]
        if lose_job[i]:
            worked = [m for m in worked if m < months[-5]]
        employer = f"安和县{int(rng.integers(1, 400)):03d}号企业"
        for m in worked:
            amount = base_wage[i] * (1 + rng.normal(0, 0.05))
            wage.write([p.id_number[i], f"{m:%Y-%m}", employer, f"{amount:.2f}"])
            if p.employment[i] == Employment.EMPLOYED.value and m in recent:
                contribution.write([p.id_number[i], f"{m:%Y-%m}", "pension", f"{amount * 0.08:.2f}"])

    pension = w("hrss_pension", ["id_number", "month", "pension_type", "amount"])
    retired = p.employment == Employment.RETIRED.value
    elderly = (p.age >= 60) & ~retired
    for i in np.flatnonzero(retired | elderly).tolist():
        kind, amount = ("employee", 2000 + rng.integers(0, 2500)) if retired[i] else ("resident_basic", 160)
        for m in recent:
            pension.write([p.id_number[i], f"{m:%Y-%m}", kind, f"{amount:.2f}"])
            if not retired[i]:
                pension.write([p.id_number[i], f"{m:%Y-%m}", "resident_personal", f"{20 + i % 60:.2f}"])

    unemployment = w("hrss_unemployment", ["id_number", "registered_on", "ended_on", "benefit_monthly"])
    for i in np.flatnonzero(p.employment == Employment.UNEMPLOYED.value).tolist():
        start = months[int(rng.integers(0, len(months)))]
        unemployment.write([p.id_number[i], start.isoformat(), "", f"{1300 + rng.integers(0, 300)}.00"])

    medical = w("medical_bill", ["id_number", "settled_on", "bill_no", "total", "out_of_pocket"])
    sick = np.isin(p.health, ["chronic", "serious"])
    bills = 0
    for i in np.flatnonzero(sick | (rng.random(n) < 0.05)).tolist():
        count = 3 if p.health[i] == "serious" else 1
        for _ in range(count):
            bills += 1
            m = months[int(rng.integers(0, len(months)))]
            big = p.health[i] == "serious" and rng.random() < 0.4
            total = float(rng.lognormal(10.5 if big else 7.5, 0.5))
            medical.write(
                [
                    p.id_number[i],
                    m.replace(day=int(rng.integers(1, 28))).isoformat(),
                    f"YB{seed}{bills:09d}",
                    f"{total:.2f}",
                    f"{total * 0.35:.2f}",
                ]
            )

    disability = w("disability", ["id_number", "category", "grade", "issued_on"])
    for i in np.flatnonzero(p.disability != "").tolist():
        disability.write(
            [
                p.id_number[i],
                p.disability[i],
                str(int(p.grade[i]) or 4),
                months[0].replace(year=months[0].year - int(rng.integers(0, 8))).isoformat(),
            ]
        )

    heads = np.flatnonzero(p.relation == "head").tolist()
    estate = w("real_estate", ["id_number", "unit_no", "use", "area", "event", "event_date", "value"])
    vehicle = w("vehicle", ["id_number", "plate", "vehicle_type", "event", "event_date", "value"])
    business = w("business", ["id_number", "reg_no", "kind", "status", "registered_on", "capital"])
    bank = w("bank", ["id_number", "institution", "as_of", "balance", "interest_year"])
    insurance = w("insurance", ["id_number", "policy_no", "as_of", "cash_value"])
    year_ends = [date(as_of.year - k, 12, 31) for k in (3, 2, 1)] + [months[-1].replace(day=28)]
    for i in heads:
        h = p.household[i]
        if rng.random() < 0.7:
            estate.write(
                [
                    p.id_number[i],
                    f"FC{h:08d}1",
                    "residential",
                    f"{60 + h % 80}",
                    "hold",
                    date(2010 + int(h % 12), 6, 1).isoformat(),
                    "",
                ]
            )
        if rng.random() < 0.03:
            estate.write(
                [
                    p.id_number[i],
                    f"FC{h:08d}2",
                    "residential",
                    "90",
                    "buy",
                    months[int(rng.integers(0, len(months)))].isoformat(),
                    f"{int(rng.integers(2, 6)) * 100000}",
                ]
            )
        if rng.random() < 0.01:
            estate.write([p.id_number[i], f"SP{h:08d}", "non_residential", "30", "hold", "2018-03-01", ""])
        if rng.random() < 0.08:
            bought = months[int(rng.integers(0, len(months)))]
            vehicle.write(
                [
                    p.id_number[i],
                    f"云Z{h % 100000:05d}",
                    VehicleType.CAR.value,
                    "buy",
                    bought.isoformat(),
                    f"{int(rng.integers(3, 15)) * 10000}",
                ]
            )
        if rng.random() < 0.25:
            vehicle.write(
                [
                    p.id_number[i],
                    f"电{h % 100000:05d}",
                    VehicleType.E_BIKE.value,
                    "hold",
                    "2022-05-01",
                    "2500",
                ]
            )
        if rng.random() < 0.03:
            status = "cancelled" if rng.random() < 0.3 else "active"
            business.write(
                [
                    p.id_number[i],
                    f"92990101MA{h:08d}",
                    BusinessKind.INDIVIDUAL.value,
                    status,
                    "2021-04-01",
                    "50000",
                ]
            )
        balance = float(rng.lognormal(9.0, 1.0))
        jump = rng.random() < 0.03
        for k, end in enumerate(year_ends):
            value = balance * (1 + 0.03 * k) + (80000 if jump and k == len(year_ends) - 1 else 0)
            bank.write(
                [p.id_number[i], "安和农商银行", end.isoformat(), f"{value:.2f}", f"{value * 0.015:.2f}"]
            )
        if rng.random() < 0.05:
            insurance.write(
                [p.id_number[i], f"BX{h:010d}", year_ends[-1].isoformat(), f"{rng.lognormal(9, 0.6):.2f}"]
            )

    education = w("education", ["id_number", "status", "level", "school", "as_of"])
    levels = {
        "primary": "primary",
        "junior": "junior",
        "senior": "senior",
        "college": "college",
        "bachelor": "bachelor",
        "postgraduate": "postgraduate",
    }
    for i in np.flatnonzero(p.in_school).tolist():
        level = levels.get(p.education[i], "primary")
        education.write(
            [
                p.id_number[i],
                "enrolled",
                level,
                "安和县学校",
                date(as_of.year, 9, 1).isoformat()
                if as_of.month >= 9
                else date(as_of.year - 1, 9, 1).isoformat(),
            ]
        )

    justice = w("justice", ["id_number", "kind", "start_date", "end_date"])
    for i in np.flatnonzero(adults & (p.age < 60) & (rng.random(n) < 0.002)).tolist():
        ended = rng.random() < 0.5
        justice.write(
            [p.id_number[i], "prison", months[0].isoformat(), months[-3].isoformat() if ended else ""]
        )

    deaths = w("police_death", ["id_number", "death_date", "source"])
    for i in np.flatnonzero((p.age >= 80) & (rng.random(n) < 0.01)).tolist():
        deaths.write([p.id_number[i], months[-2].replace(day=15).isoformat(), "cremation"])

    _write_events(p, ev, as_of, months, events, w)

    for writer in writers.values():
        writer.close()
        if not writer.rows:  # a department with nothing to report sends no file (a header alone is refused)
            writer.path.unlink()
    return {feed: (writer.path, writer.rows) for feed, writer in writers.items() if writer.rows}


@dataclass
class _Events:
    hukou_cancelled: set[int]
    guardians_dead: list[int]
    guardians_detained: list[int]


def _some(candidates: np.ndarray, share: float, ev: np.random.Generator) -> list[int]:
    """A share of the candidates, at least one where there are any, in index order."""
    if not len(candidates):
        return []
    count = max(1, round(len(candidates) * share))
    return sorted(ev.choice(candidates, size=count, replace=False).tolist())


def _events(p: People, ev: np.random.Generator, as_of: date) -> _Events:
    """Who the monitoring events happen to: a few 户籍 cancelled, and parents (heads or spouses) of
    households with a minor child who died or went to prison lately."""
    n = len(p.id_number)
    with_child = set(p.household[(p.age < 18) & np.isin(p.relation, ["child", "grandchild"])].tolist())
    parents = [
        i
        for i in np.flatnonzero(np.isin(p.relation, ["head", "spouse"]) & (p.age < 60)).tolist()
        if p.household[i] in with_child
    ]
    ev.shuffle(parents)
    dead = sorted(parents[: max(1, len(parents) // 200)]) if parents else []
    detained = sorted(parents[len(dead) : len(dead) + max(1, len(parents) // 300)]) if parents else []
    cancelled = set(_some(np.arange(n), 0.002, ev))
    return _Events(hukou_cancelled=cancelled, guardians_dead=dead, guardians_detained=detained)


def _write_events(
    p: People,
    ev: np.random.Generator,
    as_of: date,
    months: list[date],
    events: _Events,
    w: Any,
) -> None:
    """The rows that give each monitoring rule something to find, appended to the feeds."""
    n = len(p.id_number)
    recent = months[-min(12, len(months)) :]
    deaths = w("police_death", ["id_number", "death_date", "source"])
    for i in events.guardians_dead:
        deaths.write([p.id_number[i], recent[-1].replace(day=10).isoformat(), "death"])
    justice = w("justice", ["id_number", "kind", "start_date", "end_date"])
    for i in events.guardians_detained:
        justice.write([p.id_number[i], "prison", recent[0].isoformat(), ""])
    for i in _some(np.flatnonzero((p.age >= 18) & (p.age < 50)), 0.001, ev):
        justice.write([p.id_number[i], "compulsory_rehab", recent[-3].isoformat(), ""])

    business = w("business", ["id_number", "reg_no", "kind", "status", "registered_on", "capital"])
    for i in np.flatnonzero((p.relation == "head") & (ev.random(n) < 0.01)).tolist():
        business.write(
            [
                p.id_number[i],
                f"92990101MB{p.household[i]:08d}",
                BusinessKind.INDIVIDUAL.value,
                "active",
                recent[int(ev.integers(0, len(recent)))].isoformat(),
                "30000",
            ]
        )

    disability = w("disability", ["id_number", "category", "grade", "issued_on"])
    for i in np.flatnonzero((p.disability != "") & (ev.random(n) < 0.1)).tolist():
        grade = max(1, (int(p.grade[i]) or 4) - 1)  # reassessed one grade more severe
        issued = recent[int(ev.integers(0, len(recent)))]
        disability.write([p.id_number[i], p.disability[i], str(grade), issued.isoformat()])

    education = w("education", ["id_number", "status", "level", "school", "as_of"])
    enrolled_on = date(as_of.year, 9, 1) if as_of.month >= 9 else date(as_of.year - 1, 9, 1)
    changed_on = min(as_of, max(enrolled_on + timedelta(days=30), recent[-1].replace(day=15)))
    for i in np.flatnonzero(p.in_school & (ev.random(n) < 0.05)).tolist():
        status = "graduated" if p.age[i] >= 17 else "dropped"
        education.write([p.id_number[i], status, "senior", "安和县学校", changed_on.isoformat()])

    # Residence registrations: most where the household lives, a few in another province for years.
    residence = w("residence", ["id_number", "region", "since", "kind"])
    draw = ev.random(n)
    for i in np.flatnonzero(draw < 0.1).tolist():
        since = months[int(ev.integers(0, len(months)))]
        if draw[i] < 0.015:
            residence.write([p.id_number[i], "440305001001", since.isoformat(), "residence_permit"])
        elif p.hukou[i]:
            residence.write([p.id_number[i], p.hukou[i], since.isoformat(), "residence_registration"])
