"""The data of the monitoring and payroll benchmarks: the synthetic county, its entitlements and some ten
million departmental facts, written once by COPY and kept (``bench_monitoring`` and ``bench_payroll``
share it).

- the synthetic county (``synth_county``, 1M households ≈ 2.6M persons by default);
- the county's policy (the synthetic defaults) and its demo users;
- entitlements, one per household: 低保 for 90 % of the households (the household's members), 特困 for the
  head of the others (a person's entitlement), with their decisions; 1M households give 1M entitlements;
- the facts (``FeedRecord``), one import batch per feed: 户籍 for every person, six months of wages for
  the working, three of pensions for the old, medical bills, vehicles, property, businesses, disability
  certificates, school records, unemployment, residence permits — and the events the rules look for:
  deaths, cars bought, property bought, a business registered, a prison sentence, 户籍 cancelled, large
  bills, income above the standard, people living outside the county, two households on one account.

Everything is keyed by the marker ``BM`` (decision numbers) and the batch file names ``bench-monitoring-*``,
so a second run finds the data and reuses it; ``--fresh-data`` deletes and writes it again.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.accounts.services import roles_sync
from jiuzhu.audit.services import AuditContext
from jiuzhu.batch.bulk import bulk_mode
from jiuzhu.batch.write import Const, Rows, analyze, next_id, reset_sequences, write
from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.demo.build import SYNTH_COUNTY_CODE, demo_accounts, demo_users_ensure, layout_from_db
from jiuzhu.exchange.models import FeedRecord, ImportBatch
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.services import policy_seed_default
from jiuzhu.regions.models import Region

PREFIX = "BM"
BATCH_PREFIX = "bench-monitoring-"
CHUNK = 1_000_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def load() -> str:
    """The machine's load average, as noted beside each figure."""
    import os

    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


def backend_cpu() -> float | None:
    """CPU seconds of this session's PostgreSQL backend so far (when the server runs on this machine and
    /proc shows it)."""
    import os

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        row = cur.fetchone()
    try:
        with open(f"/proc/{row[0]}/stat") as fh:  # type: ignore[index]
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Cpu:
    """Wall time, this process's CPU time and its PostgreSQL backend's, over a block: on a loaded machine
    the CPU seconds say what the work costs, the wall time what the other processes left of the cores."""

    def __enter__(self) -> Cpu:
        self.pg0 = backend_cpu()
        self.cpu0 = time.process_time()
        self.t0 = time.perf_counter()
        self.load0 = load()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.cpu0
        pg1 = backend_cpu()
        self.pg = None if self.pg0 is None or pg1 is None else pg1 - self.pg0
        self.load1 = load()

    def __str__(self) -> str:
        pg = f"{self.pg:.1f} s" if self.pg is not None else "(not readable)"
        return f"CPU: this process {self.cpu:.1f} s, PostgreSQL backend {pg}; {self.load0} → {self.load1}"


def ensure_county(households: int) -> None:
    from jiuzhu.synth import synth_county

    if Region.objects.filter(code=SYNTH_COUNTY_CODE).exists():
        return
    t = time.perf_counter()
    synth_county(households=households, seed=1, progress=False)
    log(f"synthetic county: {households:,} households in {time.perf_counter() - t:.0f} s")


def ensure_users() -> dict[str, User]:
    roles_sync(reset=True)
    layout = layout_from_db(SYNTH_COUNTY_CODE)
    demo_users_ensure(
        demo_accounts(
            county_code=layout.county_code,
            township_codes=layout.township_codes,
            village_codes=layout.village_codes,
        ),
        password="bench-only-password",
    )
    return {u.username: u for u in User.objects.filter(username__in=["approver", "caseworker", "reviewer"])}


def ensure_policy(as_of: date) -> PolicyVersion:
    return policy_seed_default(
        ctx=AuditContext.system(),
        region=Region.objects.get(code=SYNTH_COUNTY_CODE),
        effective_from=date(as_of.year - 8, 1, 1),
    )


def _copy_out(sql: str, text: tuple[str, ...] = ()) -> pa.Table:
    """A query's rows as an Arrow table (COPY … TO STDOUT CSV read by pyarrow)."""
    buf = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                buf.write(block)
    buf.seek(0)
    types = {name: pa.string() for name in text}
    return pacsv.read_csv(buf, convert_options=pacsv.ConvertOptions(column_types=types))


@dataclass
class People:
    """Every current member of a household of the county, ordered by household."""

    person: np.ndarray
    id_number: np.ndarray
    birth: np.ndarray  # datetime64[D]
    employment: np.ndarray
    in_school: np.ndarray
    disability: np.ndarray
    grade: np.ndarray
    household: np.ndarray
    relation: np.ndarray
    village: np.ndarray
    head: np.ndarray  # bool: the household's head

    @property
    def n(self) -> int:
        return len(self.person)


def people() -> People:
    t = _copy_out(
        "SELECT p.id AS person, p.id_number, p.birth_date, p.employment, p.in_school::int AS in_school, "
        "COALESCE(p.disability_category, '') AS disability, COALESCE(p.disability_grade, 0) AS grade, "
        "m.household_id AS household, m.relation, h.region_id AS village, "
        "COALESCE(h.head_id = p.id, false)::int AS head "
        "FROM registry_membership m JOIN registry_person p ON p.id = m.person_id "
        "JOIN registry_household h ON h.id = m.household_id "
        f"WHERE m.end_date IS NULL AND h.region_id BETWEEN '{SYNTH_COUNTY_CODE[:6]}000000' "
        f"AND '{SYNTH_COUNTY_CODE[:6]}999999' ORDER BY m.household_id, m.id",
        text=("id_number", "employment", "disability", "relation", "village"),
    )

    def col(name: str, dtype: object) -> np.ndarray:
        values = t.column(name).combine_chunks().fill_null("" if dtype is str else 0)
        return values.to_numpy(zero_copy_only=False).astype(dtype)  # type: ignore[call-overload]

    return People(
        person=col("person", np.int64),
        id_number=col("id_number", str),
        birth=t.column("birth_date").combine_chunks().to_numpy(zero_copy_only=False).astype("datetime64[D]"),
        employment=col("employment", str),
        in_school=t.column("in_school").combine_chunks().to_numpy(zero_copy_only=False).astype(bool),
        disability=col("disability", str),
        grade=col("grade", np.int64),
        household=col("household", np.int64),
        relation=col("relation", str),
        village=col("village", str),
        head=t.column("head").combine_chunks().to_numpy(zero_copy_only=False).astype(bool),
    )


# --- entitlements -----------------------------------------------------------------------------------


def entitlements_exist() -> int:
    return Decision.objects.filter(case_number__startswith=PREFIX).count()


def write_entitlements(p: People, *, policy: PolicyVersion, approver: User, as_of: date, seed: int) -> int:
    """One entitlement per household: 低保 for nine households in ten, 特困 for the head of the tenth."""
    rng = np.random.default_rng(seed)
    first_row = np.r_[True, p.household[1:] != p.household[:-1]]
    starts = np.flatnonzero(first_row)
    households = p.household[starts]
    members = np.diff(np.r_[starts, p.n])
    heads_ix = starts.copy()
    # The head (or the first member when the household has no head among its members).
    head_rows = np.flatnonzero(p.head)
    owner = np.searchsorted(starts, head_rows, side="right") - 1
    heads_ix[owner] = head_rows
    n = len(households)
    tekun = rng.random(n) < 0.10
    today = np.datetime64(as_of, "D")
    month0 = np.datetime64(as_of, "M")
    start = (month0 - rng.integers(1, 72, n).astype("timedelta64[M]")).astype("datetime64[D]")
    amount = np.where(tekun, 1030 + 0 * members, 300 * members + rng.integers(0, 200, n)).astype(np.int64)
    decided = start - rng.integers(5, 25, n).astype("timedelta64[D]")
    first = next_id(Decision)
    ids = np.arange(first, first + n, dtype=np.int64)
    numbers = np.strings.add(f"{PREFIX}{as_of.year}", np.strings.zfill(ids.astype(str), 9))
    program = np.where(tekun, "tekun", "dibao")
    person = np.ma.masked_array(p.person[heads_ix], mask=~tekun)
    now = timezone.now()
    decisions = Rows(
        Decision,
        {
            "id": ids,
            "case_number": numbers,
            "program": program,
            "household_id": households,
            "applicant_id": p.person[heads_ix],
            "person_id": person,
            "region_id": p.village[starts],
            "document_no": np.strings.add("安民救〔2026〕", np.strings.add(ids.astype(str), "号")),
            "source": Const("migration"),
            "outcome": Const("confirmed"),
            "members": np.where(tekun, 1, members),
            "amount": amount,
            "policy_version_id": Const(policy.pk),
            "decided_on": decided,
            "decided_by_id": Const(approver.pk),
            "created_at": Const(now),
        },
        n,
    )
    next_review = today + rng.integers(30, 365, n).astype("timedelta64[D]")
    efirst = next_id(Entitlement)
    entitlements = Rows(
        Entitlement,
        {
            "id": np.arange(efirst, efirst + n, dtype=np.int64),
            "household_id": households,
            "program": program,
            "region_id": p.village[starts],
            "decision_id": ids,
            "status": Const("active"),
            "start_month": start,
            "amount": amount,
            "person_id": person,
            "payment": Const("monthly"),
            "source": Const("migration"),
            "details": np.where(tekun, '{"care_tier": "full_self_care"}', "{}"),
            "members": np.where(tekun, 1, members),
            "review_class": np.where(tekun, "A", "B"),
            "next_review_on": next_review,
            "created_at": Const(now),
        },
        n,
    )
    with transaction.atomic(), bulk_mode([Decision, Entitlement], use=n >= 30_000):
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            write(_slice(decisions, lo, hi))
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            write(_slice(entitlements, lo, hi))
    reset_sequences([Decision, Entitlement])
    analyze([Decision, Entitlement])
    return n


def _slice(rows: Rows, lo: int, hi: int) -> Rows:
    cols = {k: (v if isinstance(v, Const) else v[lo:hi]) for k, v in rows.columns.items()}
    return Rows(rows.model, cols, hi - lo)


def share_accounts(seed: int, pairs: int = 500) -> None:
    """Two households on one bank account, ``pairs`` times (the duplicate-account rule's events)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH a AS (SELECT id, bank_account, row_number() OVER (ORDER BY md5(id::text || %s)) AS k "
            "FROM registry_household WHERE bank_account <> '' AND region_id BETWEEN %s AND %s) "
            "UPDATE registry_household h SET bank_account = b.bank_account FROM a, a AS b "
            "WHERE h.id = a.id AND a.k <= %s AND b.k = a.k + %s",
            [str(seed), SYNTH_COUNTY_CODE[:6] + "000000", SYNTH_COUNTY_CODE[:6] + "999999", pairs, pairs],
        )


# --- feeds ------------------------------------------------------------------------------------------


def feeds_exist() -> int:
    return ImportBatch.objects.filter(file_name__startswith=BATCH_PREFIX).count()


def _json(fields: dict[str, np.ndarray | str]) -> np.ndarray:
    """``{"k": "v", …}`` for every row (values are plain text without quotes or backslashes)."""
    out: np.ndarray | str = "{"
    for i, (k, v) in enumerate(fields.items()):
        out = np.strings.add(out, f'{", " if i else ""}"{k}": "')
        out = np.strings.add(out, v)
        out = np.strings.add(out, '"')
    return np.strings.add(out, "}")


def _months_back(as_of: date, k: int) -> np.datetime64:
    return (np.datetime64(as_of, "M") - np.timedelta64(k, "M")).astype("datetime64[D]")


def _text(d: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(d, unit="D")


class FeedWriter:
    def __init__(self, user: User) -> None:
        self.user = user
        self.rows = 0
        self.counts: dict[str, int] = {}

    def add(
        self,
        feed: str,
        id_number: np.ndarray,
        *,
        day: np.ndarray,
        data: np.ndarray,
        amount: np.ndarray | None = None,
        kind: np.ndarray | str = "",
    ) -> None:
        n = len(id_number)
        if not n:
            return
        batch = ImportBatch.objects.create(
            feed=feed,
            file_name=f"{BATCH_PREFIX}{feed}-{self.counts.get(feed, 0)}.csv",
            file_format="csv",
            encoding="utf-8",
            sha256=f"{BATCH_PREFIX}{feed}-{self.counts.get(feed, 0)}".ljust(64, "0")[:64],
            status=ImportBatch.Status.DONE,
            rows_done=n,
            rows_total=n,
            rows_loaded=n,
            created_by=self.user,
            region_id=SYNTH_COUNTY_CODE,
            channel="cli",
            finished_at=timezone.now(),
        )
        keys = np.strings.add(f"{feed[:6]}{batch.pk:06d}", np.strings.zfill(np.arange(n).astype(str), 12))
        amounts = (
            np.ma.masked_array(np.zeros(n, dtype=np.int64), mask=np.ones(n, dtype=bool))
            if amount is None
            else np.round(amount, 2)
        )
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            write(
                Rows(
                    FeedRecord,
                    {
                        "feed": Const(feed),
                        "id_number": id_number[lo:hi],
                        "date": day[lo:hi],
                        "amount": amounts[lo:hi],
                        "kind": Const(kind) if isinstance(kind, str) else kind[lo:hi],
                        "data": data[lo:hi],
                        "row_key": keys[lo:hi],
                        "batch_id": Const(batch.pk),
                    },
                    hi - lo,
                )
            )
        self.counts[feed] = self.counts.get(feed, 0) + 1
        self.rows += n
        log(f"  {feed}: {n:,} rows")


def write_feeds(p: People, *, user: User, as_of: date, seed: int) -> int:
    rng = np.random.default_rng(seed + 100)
    n = p.n
    age = ((np.datetime64(as_of, "D") - p.birth).astype(np.int64) / 365.25).astype(np.int64)
    asof_text = as_of.isoformat()
    out = FeedWriter(user)
    with transaction.atomic(), bulk_mode([FeedRecord], use=True):
        # 户籍: everyone; one in a thousand cancelled.
        cancelled = rng.random(n) < 0.001
        status = np.where(cancelled, "cancelled", "normal")
        hh_no = np.strings.add("H", p.household.astype(str))
        out.add(
            "police_hukou",
            p.id_number,
            day=np.full(n, np.datetime64(as_of, "D")),
            kind=hh_no,
            data=_json(
                {
                    "name": "某",
                    "hukou_region": p.village,
                    "household_no": hh_no,
                    "relation": p.relation,
                    "as_of": asof_text,
                    "status": status,
                }
            ),
        )
        # Wages: six months for the employed and the flexible adults; one in fifty households' earners
        # earn far above the standard in the newest month.
        workers = np.flatnonzero(np.isin(p.employment, ["employed", "flexible"]) & (age >= 18))
        rich = rng.random(len(workers)) < 0.02
        base = np.round(rng.lognormal(5.5, 0.35, len(workers)), 2)
        for k in range(1, 7):
            month = _months_back(as_of, k)
            amount = base * (1 + rng.normal(0, 0.05, len(workers)))
            if k == 1:
                amount = np.where(rich, amount + 6000, amount)
            employer = np.strings.add("安和县", np.strings.add((workers % 400).astype(str), "号企业"))
            out.add(
                "hrss_wage",
                p.id_number[workers],
                day=np.full(len(workers), month),
                amount=amount,
                data=_json(
                    {
                        "month": str(month)[:7],
                        "employer": employer,
                        "amount": np.char.mod("%.2f", amount),
                    }
                ),
            )
        # Pensions: three months for the old.
        old = np.flatnonzero(age >= 60)
        retired = p.employment[old] == "retired"
        for k in range(1, 4):
            month = _months_back(as_of, k)
            amount = np.where(retired, 2600.0, 180.0)
            out.add(
                "hrss_pension",
                p.id_number[old],
                day=np.full(len(old), month),
                amount=amount,
                kind=np.where(retired, "employee", "resident_basic"),
                data=_json(
                    {
                        "month": str(month)[:7],
                        "pension_type": np.where(retired, "employee", "resident_basic"),
                        "amount": np.char.mod("%.2f", amount),
                    }
                ),
            )
        # Medical bills: one in eight persons, one bill in 40 large.
        sick = np.flatnonzero(rng.random(n) < 0.12)
        big = rng.random(len(sick)) < 0.025
        total = np.where(big, rng.lognormal(10.4, 0.4, len(sick)), rng.lognormal(7.2, 0.6, len(sick)))
        oop = np.round(total * 0.4, 2)
        settled = np.datetime64(as_of, "D") - rng.integers(1, 360, len(sick)).astype("timedelta64[D]")
        out.add(
            "medical_bill",
            p.id_number[sick],
            day=settled,
            amount=oop,
            data=_json(
                {
                    "settled_on": _text(settled),
                    "bill_no": np.strings.add("YB", np.strings.zfill(sick.astype(str), 10)),
                    "total": np.char.mod("%.2f", total),
                    "out_of_pocket": np.char.mod("%.2f", oop),
                }
            ),
        )
        # Vehicles: heads; an e-bike held by a quarter, a car bought in the last two years by one in 200.
        heads = np.flatnonzero(p.head)
        hold = heads[rng.random(len(heads)) < 0.25]
        out.add(
            "vehicle",
            p.id_number[hold],
            day=np.full(len(hold), np.datetime64("2022-05-01")),
            amount=np.full(len(hold), 2500.0),
            kind="e_bike",
            data=_json(
                {
                    "plate": np.strings.add("电", hold.astype(str)),
                    "vehicle_type": "e_bike",
                    "event": "hold",
                    "event_date": "2022-05-01",
                    "value": "2500",
                }
            ),
        )
        buy = heads[rng.random(len(heads)) < 0.005]
        bought = np.datetime64(as_of, "D") - rng.integers(1, 720, len(buy)).astype("timedelta64[D]")
        price = rng.integers(3, 20, len(buy)) * 10000.0
        out.add(
            "vehicle",
            p.id_number[buy],
            day=bought,
            amount=price,
            kind="car",
            data=_json(
                {
                    "plate": np.strings.add("云Z", buy.astype(str)),
                    "vehicle_type": "car",
                    "event": "buy",
                    "event_date": _text(bought),
                    "value": np.char.mod("%.0f", price),
                }
            ),
        )
        # Property: held by half the heads; bought in the last two years by one in 400.
        own = heads[rng.random(len(heads)) < 0.5]
        out.add(
            "real_estate",
            p.id_number[own],
            day=np.full(len(own), np.datetime64("2012-06-01")),
            kind="residential",
            data=_json(
                {
                    "unit_no": np.strings.add("FC", own.astype(str)),
                    "use": "residential",
                    "area": "80",
                    "event": "hold",
                    "event_date": "2012-06-01",
                }
            ),
        )
        buy = heads[rng.random(len(heads)) < 0.0025]
        bought = np.datetime64(as_of, "D") - rng.integers(1, 720, len(buy)).astype("timedelta64[D]")
        out.add(
            "real_estate",
            p.id_number[buy],
            day=bought,
            amount=np.full(len(buy), 300000.0),
            kind="residential",
            data=_json(
                {
                    "unit_no": np.strings.add("FB", buy.astype(str)),
                    "use": "residential",
                    "area": "90",
                    "event": "buy",
                    "event_date": _text(bought),
                    "value": "300000",
                }
            ),
        )
        # Businesses: one adult in 300 registered one.
        reg = np.flatnonzero((age >= 18) & (rng.random(n) < 0.0033))
        regd = np.datetime64(as_of, "D") - rng.integers(1, 1500, len(reg)).astype("timedelta64[D]")
        out.add(
            "business",
            p.id_number[reg],
            day=regd,
            amount=np.full(len(reg), 50000.0),
            kind="individual",
            data=_json(
                {
                    "reg_no": np.strings.add("92990101MA", reg.astype(str)),
                    "kind": "individual",
                    "status": np.where(rng.random(len(reg)) < 0.3, "cancelled", "active"),
                    "registered_on": _text(regd),
                    "capital": "50000",
                }
            ),
        )
        # Disability certificates: those the registry marks disabled; one in 20 issued this year.
        dis = np.flatnonzero(p.disability != "")
        issued = np.where(
            rng.random(len(dis)) < 0.05,
            np.datetime64(as_of, "D") - rng.integers(1, 200, len(dis)).astype("timedelta64[D]"),
            np.datetime64("2019-03-01"),
        )
        grade = np.where(p.grade[dis] > 0, p.grade[dis], 4)
        out.add(
            "disability",
            p.id_number[dis],
            day=issued,
            kind=p.disability[dis],
            data=_json(
                {"category": p.disability[dis], "grade": grade.astype(str), "issued_on": _text(issued)}
            ),
        )
        # School: the registry's pupils, a term record each; one in 100 left school this term.
        pupils = np.flatnonzero(p.in_school)
        left = rng.random(len(pupils)) < 0.01
        for k, day in (
            (0, np.datetime64(f"{as_of.year - 1}-09-01")),
            (1, np.datetime64(f"{as_of.year}-03-01")),
        ):
            state = np.where(left & (k == 1), "dropped", "enrolled")
            out.add(
                "education",
                p.id_number[pupils],
                day=np.full(len(pupils), day),
                kind=state,
                data=_json({"status": state, "level": "junior", "school": "安和县学校", "as_of": str(day)}),
            )
        # Unemployment: the registry's unemployed; registered within two years.
        jobless = np.flatnonzero(p.employment == "unemployed")
        regd = np.datetime64(as_of, "D") - rng.integers(1, 700, len(jobless)).astype("timedelta64[D]")
        out.add(
            "hrss_unemployment",
            p.id_number[jobless],
            day=regd,
            amount=np.full(len(jobless), 1500.0),
            data=_json({"registered_on": _text(regd), "benefit_monthly": "1500.00"}),
        )
        # Residence permits elsewhere: one person in 250, since some months.
        away = np.flatnonzero(rng.random(n) < 0.004)
        since = np.datetime64(as_of, "D") - rng.integers(30, 900, len(away)).astype("timedelta64[D]")
        out.add(
            "residence",
            p.id_number[away],
            day=since,
            kind="residence_permit",
            data=_json({"region": "330102001001", "since": _text(since), "kind": "residence_permit"}),
        )
        # Prison: one adult under 60 in 1,500.
        jailed = np.flatnonzero((age >= 18) & (age < 60) & (rng.random(n) < 0.00066))
        began = np.datetime64(as_of, "D") - rng.integers(10, 400, len(jailed)).astype("timedelta64[D]")
        out.add(
            "justice",
            p.id_number[jailed],
            day=began,
            kind="prison",
            data=_json({"kind": "prison", "start_date": _text(began)}),
        )
        # Deaths: one in 300 of the over-70s, in the last three months.
        dead = np.flatnonzero((age >= 70) & (rng.random(n) < 0.0033))
        died = np.datetime64(as_of, "D") - rng.integers(1, 90, len(dead)).astype("timedelta64[D]")
        source = np.where(rng.random(len(dead)) < 0.5, "cremation", "death")
        out.add(
            "police_death",
            p.id_number[dead],
            day=died,
            kind=source,
            data=_json({"death_date": _text(died), "source": source}),
        )
    analyze([FeedRecord])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(FeedRecord._meta.db_table)}")
    return out.rows


def delete_data() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        batches = "SELECT id FROM exchange_importbatch WHERE file_name LIKE %s"
        cursor.execute(f"DELETE FROM exchange_feedrecord WHERE batch_id IN ({batches})", [BATCH_PREFIX + "%"])
        cursor.execute("DELETE FROM exchange_importbatch WHERE file_name LIKE %s", [BATCH_PREFIX + "%"])


def ensure_data(*, households: int, as_of: date, seed: int, fresh: bool = False) -> dict[str, User]:
    """The county, its policy, users, entitlements and facts (written once; ``fresh`` rewrites the facts)."""
    ensure_county(households)
    users = ensure_users()
    policy = ensure_policy(as_of)
    p: People | None = None
    if not entitlements_exist():
        t = time.perf_counter()
        p = people()
        n = write_entitlements(p, policy=policy, approver=users["approver"], as_of=as_of, seed=seed)
        share_accounts(seed)
        log(f"entitlements: {n:,} written in {time.perf_counter() - t:.0f} s ({load()})")
    if fresh:
        delete_data()
    if not feeds_exist():
        t = time.perf_counter()
        p = p or people()
        rows = write_feeds(p, user=users["approver"], as_of=as_of, seed=seed)
        log(f"feeds: {rows:,} facts written in {time.perf_counter() - t:.0f} s ({load()})")
    return users
