"""``synth_county``: build (or rebuild) the fictional county and its population in one transaction."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Field, Model, ProtectedError, Q, RestrictedError
from django.utils import timezone
from tqdm import tqdm

from jiuzhu.batch import write
from jiuzhu.batch.bulk import bulk_mode
from jiuzhu.regions.codes import subtree_bounds
from jiuzhu.registry.models import Household, Membership, Person, PersonCategory, RegistryChange

from .chunk import State, generate
from .codes import COUNTY_CODE, PROVINCE_CODE
from .idnumbers import SequenceAllocator, as_day
from .regions import build_tree, county_exists, save_tree
from .result import SynthError, SynthResult

CHUNK_HOUSEHOLDS = 100_000
MODELS: list[type[Model]] = [Person, Household, Membership, PersonCategory]
# RegistryChange is only deleted from, but without its foreign keys deleting persons fires no
# per-row checks against it.
BULK_MODELS: list[type[Model]] = [*MODELS, RegistryChange]
# About 6 rows per household across the four tables: from 30k households (~200k rows) on, and
# when the rest of the registry is not larger, rebuilding indexes beats maintaining them.
BULK_MIN_HOUSEHOLDS = 30_000


def default_as_of() -> date:
    """The reference date for ages: 1 January of this year, so a seed gives the same people all year."""
    return date(timezone.localdate().year, 1, 1)


def _use_bulk(households: int) -> bool:
    if connection.vendor != "postgresql" or households < BULK_MIN_HOUSEHOLDS:
        return False
    others = Household.objects.exclude(region__code__range=subtree_bounds(PROVINCE_CODE)).count()
    return households >= others


def synth_county(
    *,
    households: int,
    seed: int,
    reset: bool = False,
    progress: bool = True,
    as_of: date | None = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
    bulk: bool | None = None,
) -> SynthResult:
    """See ``jiuzhu.synth.synth_county``; ``bulk`` forces PostgreSQL's bulk mode on or off (tests)."""
    if households < 1:
        raise SynthError("户数必须是正整数")
    started = time.perf_counter()
    as_of = as_of or default_as_of()
    show = progress and sys.stderr.isatty()
    with transaction.atomic():
        exists = county_exists()
        if exists and not reset:
            raise SynthError("合成县已存在，使用 --reset 重新生成")
        tree = build_tree(households)
        use_bulk = _use_bulk(households) if bulk is None else bulk
        if exists:
            _delete_dependents()
        with bulk_mode(BULK_MODELS, use=use_bulk):
            if exists:
                _delete_registry_rows(may_truncate=use_bulk and connection.vendor == "postgresql")
            save_tree(tree)
            rng = np.random.default_rng(seed)
            state = State(
                tree=tree,
                as_of=as_day(as_of),
                now=timezone.now(),
                sequences=SequenceAllocator(rng),
                village_used=np.zeros(len(tree.villages), dtype=np.int64),
                next_household=write.next_id(Household),
                next_person=write.next_id(Person),
                next_membership=write.next_id(Membership),
                next_category=write.next_id(PersonCategory),
            )
            persons = 0
            with tqdm(total=households, unit="户", disable=not show, desc="合成县") as bar:
                for n, living, prepared in _pipeline(rng, state, households, chunk_households):
                    for table in prepared:
                        write.send(table)
                    persons += living
                    bar.update(n)
        write.reset_sequences(MODELS)
        write.analyze(MODELS)
    return SynthResult(
        county_code=COUNTY_CODE,
        township_codes=list(tree.townships),
        village_codes=[v.code for v in tree.villages],
        households=households,
        persons=persons,
        seconds=time.perf_counter() - started,
        seed=seed,
        as_of=as_of,
    )


def _pipeline(
    rng: np.random.Generator, state: State, households: int, size: int
) -> Iterator[tuple[int, int, list[write.Prepared]]]:
    """Chunks generated and formatted one ahead in a worker thread.

    numpy and string building keep one core busy while the database ingests the previous chunk on
    the other (the main thread mostly waits on the socket, without the GIL). Chunks are still made
    strictly in order from one generator, so the output does not depend on timing.
    """
    conn = connections[DEFAULT_DB_ALIAS]  # this thread's connection; the worker only reads its adapters

    def make(n: int) -> tuple[int, int, list[write.Prepared]]:
        chunk = generate(rng, state, n)
        return n, chunk.persons, [write.prepare(rows, conn) for rows in chunk.tables if rows.n]

    sizes = [min(size, households - start) for start in range(0, households, size)]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth") as pool:
        ahead: Future[tuple[int, int, list[write.Prepared]]] | None = None
        for i, n in enumerate(sizes):
            current = ahead.result() if ahead else make(n)
            ahead = pool.submit(make, sizes[i + 1]) if i + 1 < len(sizes) else None
            yield current


def _delete_dependents() -> None:
    """Other apps' rows about synthetic persons or households (e.g. verification reports made in
    the demo) go first, through the ORM so that their own cascades and protections apply."""
    low, high = subtree_bounds(PROVINCE_CODE)
    own = {Person, Household, Membership, PersonCategory, RegistryChange}
    targets = {
        Person: Person.objects.filter(
            Q(residence_region__code__range=(low, high)) | Q(hukou_region__code__range=(low, high))
        ),
        Household: Household.objects.filter(region__code__range=(low, high)),
    }
    for model, ids in targets.items():
        for rel in model._meta.related_objects:
            related = rel.related_model
            if not isinstance(related, type) or related in own or not rel.field.concrete:
                continue
            qs = related._base_manager.filter(**{f"{rel.field.name}__in": ids.values("pk")})
            try:
                qs.delete()
            except (ProtectedError, RestrictedError) as exc:
                raise SynthError(
                    f"合成县的数据被{related._meta.verbose_name}引用且受保护，无法重置：{exc.args[0]}"
                ) from exc


def delete_population() -> None:
    """Delete the synthetic province's population (every code starting with 99); regions stay."""
    with transaction.atomic():
        _delete_dependents()
        _delete_registry_rows()


def _delete_registry_rows(*, may_truncate: bool = False) -> None:
    """Delete the registry rows of the synthetic province.

    ``may_truncate`` (only while bulk mode has dropped the foreign keys): when the registry holds
    nothing but the synthetic county, as on a benchmark database, TRUNCATE instead. It is as
    transactional as DELETE and leaves no millions of dead rows for the reload to wade through.

    Raw SQL because the ORM would load millions of rows to check PROTECT relations one by one;
    the database checks the same foreign keys itself. Audit rows are append-only and stay.
    """
    low, high = subtree_bounds(PROVINCE_CODE)
    qn = connection.ops.quote_name

    def t(model: type[Model]) -> str:
        return qn(model._meta.db_table)

    def c(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return qn(field.column)

    person_here = (
        f"{c(Person, 'residence_region')} BETWEEN %s AND %s OR {c(Person, 'hukou_region')} BETWEEN %s AND %s"
    )
    household_here = f"{c(Household, 'region')} BETWEEN %s AND %s"
    persons = f"SELECT {c(Person, 'id')} FROM {t(Person)} WHERE {person_here}"
    households = f"SELECT {c(Household, 'id')} FROM {t(Household)} WHERE {household_here}"
    p2, p4 = [low, high], [low, high, low, high]
    # One IN per statement: PostgreSQL turns it into a hashed semi-join, while "IN (…) OR IN (…)"
    # over millions of ids degrades into a nested scan that runs for hours.
    statements: list[tuple[str, list[str]]] = [
        (f"DELETE FROM {t(RegistryChange)} WHERE {c(RegistryChange, 'household')} IN ({households})", p2),
        (f"DELETE FROM {t(RegistryChange)} WHERE {c(RegistryChange, 'person')} IN ({persons})", p4),
        (f"DELETE FROM {t(PersonCategory)} WHERE {c(PersonCategory, 'person')} IN ({persons})", p4),
        (f"DELETE FROM {t(Membership)} WHERE {c(Membership, 'household')} IN ({households})", p2),
        (f"DELETE FROM {t(Membership)} WHERE {c(Membership, 'person')} IN ({persons})", p4),
        (f"DELETE FROM {t(Household)} WHERE {household_here}", p2),
        (f"DELETE FROM {t(Person)} WHERE {person_here}", p4),
    ]
    only_synthetic = (
        f"SELECT NOT EXISTS (SELECT 1 FROM {t(Person)} WHERE NOT ({person_here})) "
        f"AND NOT EXISTS (SELECT 1 FROM {t(Household)} WHERE NOT ({household_here}))"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if may_truncate:
            cursor.execute(only_synthetic, p4 + p2)
            row = cursor.fetchone()
            if row and row[0]:
                for sql, params in statements[:2]:
                    cursor.execute(sql, params)
                tables = ", ".join(t(m) for m in (PersonCategory, Membership, Household, Person))
                cursor.execute(f"TRUNCATE {tables}")
                return
        for sql, params in statements:
            cursor.execute(sql, params)
