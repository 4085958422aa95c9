"""One chunk of households written in the caller's transaction: what is already in the registry is
recognised (persons by ID number, a household by its head, an active entitlement by holder and program)
and left as it is; the rest is written table by table through the bulk toolkit (``batch.write``: COPY on
PostgreSQL, ``executemany`` elsewhere), with ids reserved first so that the rows of one table can point
at those of another before they are written."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.batch.write import Const, Rows, reserve_ids, write
from jiuzhu.benefits.engine.compat import Held, conflicts
from jiuzhu.benefits.engine.review import ReviewMember, add_months, review_class
from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent
from jiuzhu.benefits.selectors import LIVE
from jiuzhu.benefits.services import SEVERE_GRADES, DecisionMember, review_months
from jiuzhu.core.vocab import AidProgram, CaseOutcome, EntitlementSource, EntitlementStatus
from jiuzhu.regions.codes import is_within
from jiuzhu.regions.models import Region
from jiuzhu.registry.choices import Relation
from jiuzhu.registry.models import Household, Membership, Person, PersonCategory, RegistryChange

from .households import HouseholdRows
from .models import MigrationBatch
from .policies import Policies, valid_months
from .rows import HOUSEHOLD_PROGRAMS, NO_CASH, PROGRAM_CATEGORY, MigRow

_PARAMS = 5000
_MEMBER_FIELDS = [
    f.name for f in fields(DecisionMember)
]  # ids per IN (…) list: SQLite caps the parameters of one statement


@dataclass
class ChunkOutcome:
    refused: dict[int, list[str]] = field(default_factory=dict)
    rows_loaded: int = 0
    rows_existing: int = 0
    households: int = 0
    persons: int = 0
    entitlements: int = 0


@dataclass
class _Known:
    pk: int
    name: str
    region: str
    household: int | None  # the current household
    household_number: str
    is_head: bool


def _in(model: type[Model], field_name: str, values: Sequence[Any], *columns: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(values), _PARAMS):
        part = values[start : start + _PARAMS]
        out += list(model._default_manager.filter(**{f"{field_name}__in": part}).values_list(*columns))
    return out


def _known(ids: list[str]) -> dict[str, _Known]:
    people = {
        n: (pk, name, region)
        for pk, n, name, region in _in(
            Person, "id_number", ids, "pk", "id_number", "name", "residence_region_id"
        )
    }
    pks = [v[0] for v in people.values()]
    current: dict[int, tuple[int | None, str, bool]] = {}
    for start in range(0, len(pks), _PARAMS):
        part = pks[start : start + _PARAMS]
        for person, household, number, head in Membership.objects.filter(
            person_id__in=part, end_date__isnull=True
        ).values_list("person_id", "household_id", "household__number", "household__head_id"):
            current[person] = (household, number, head == person)
    out = {}
    for number, (pk, name, region) in people.items():
        here, hnumber, is_head = current.get(pk, (None, "", False))
        out[number] = _Known(pk, name, region, here, hnumber, is_head)
    return out


def _clash(row: MigRow, known: _Known, owner: str, household: int | None) -> str:
    """Why an already registered person cannot be taken as this row says, or ""."""
    who = "户主" if row.relation == Relation.HEAD else "身份证号"
    if not is_within(known.region, owner):
        return f"{who}：该身份证号码已在其他辖区登记，不能由本辖区导入"
    if known.name != row.name:
        return f"姓名：与已登记的姓名不一致（已登记：{known.name}），请核对"
    if known.household is not None and known.household != household:
        if row.relation == Relation.HEAD and known.is_head:
            return ""
        return f"{who}：该人员已是另一户（户编号 {known.household_number}）的成员，请先在档案中办理迁出"
    return ""


class _Numbers:
    """Household numbers per village (``<village>-<5 digits>``), continuing from the largest: the
    largest of every village of the chunk read in one statement."""

    def __init__(self, villages: set[str]) -> None:
        self.last: dict[str, int] = dict.fromkeys(villages, 0)
        table = connection.ops.quote_name(Household._meta.db_table)
        column = connection.ops.quote_name(Household._meta.get_field("number").column)
        wanted = sorted(villages)
        with connection.cursor() as cur:
            for start in range(0, len(wanted), _PARAMS):
                part = wanted[start : start + _PARAMS]
                marks = ", ".join(["%s"] * len(part))
                cur.execute(
                    f"SELECT substr({column}, 1, 12), max({column}) FROM {table} "
                    f"WHERE substr({column}, 1, 13) IN ({marks}) GROUP BY 1",
                    [f"{v}-" for v in part],
                )
                for village, top in cur.fetchall():
                    tail = top.rsplit("-", 1)[1]
                    self.last[village] = int(tail) if tail.isdigit() else 0

    def next(self, village: str) -> str:
        self.last[village] += 1
        return f"{village}-{self.last[village]:05d}"


def _obj(values: Iterable[Any]) -> np.ndarray:
    """A column for ``batch.write``: a text column without NULLs as a string array (escaped for COPY in
    one scan of the column), anything else as objects."""
    items = list(values)
    if items and all(type(v) is str for v in items):
        return np.array(items, dtype=str)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def _plain(member: DecisionMember) -> dict[str, Any]:
    """``asdict`` of a member, without its deep copies (every field is a plain value)."""
    return {f: getattr(member, f) for f in _MEMBER_FIELDS}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _member(row: MigRow, pk: int, today: date) -> DecisionMember:
    return DecisionMember(
        person_id=pk,
        name=row.name,
        age=_age(row.birth_date, today),
        severe_disability=row.disability_grade in SEVERE_GRADES,
        labour_capacity=row.labour_capacity,
        severe_illness=row.health == "serious",
    )


def _next_review(decided_on: date, interval: int, today: date) -> date:
    """The next date on the entitlement's review cycle (every ``interval`` months from the decision)
    after ``today``: a decision of years ago is not reviewed at once, but when its cycle comes round."""
    months = max((today.year - decided_on.year) * 12 + today.month - decided_on.month, 0)
    k = max(months // interval, 1)
    due = add_months(decided_on, k * interval)
    while due <= today:
        k += 1
        due = add_months(decided_on, k * interval)
    return due


def write_chunk(
    *,
    ctx: AuditContext,
    batch: MigrationBatch,
    households: list[HouseholdRows],
    regions: dict[str, Region],
    policies: Policies,
    today: date,
) -> ChunkOutcome:
    out = ChunkOutcome()
    owner = batch.region_id
    if connection.vendor == "postgresql":
        # Household numbers continue from the largest: no one else numbers a household meanwhile.
        with connection.cursor() as cur:
            cur.execute(
                f"LOCK TABLE {connection.ops.quote_name(Household._meta.db_table)} "
                "IN SHARE ROW EXCLUSIVE MODE"
            )
    ids = [n for h in households for n in h.members]
    known = _known(ids)
    numbers = _Numbers({h.head.region for h in households})
    now = timezone.now()
    actor_name = ctx.user.get_username() if ctx.user else "system"

    new_people: list[MigRow] = []
    new_households: list[tuple[HouseholdRows, Person | None]] = []  # (rows, existing head or None)
    joins: list[tuple[HouseholdRows, MigRow]] = []  # (household, member) memberships to write
    moved: dict[str, list[int]] = defaultdict(list)  # region → existing persons whose residence changes
    accepted: list[tuple[HouseholdRows, int | None, list[MigRow]]] = []  # household, existing id, members
    loaded_lines: set[int] = set()

    for h in households:
        head_known = known.get(h.key)
        existing_household: int | None = None
        if head_known is not None:
            reason = _clash(h.head, head_known, owner, None)
            if reason:
                for line in h.lines:
                    out.refused[line] = [
                        reason if line == h.head.line else "户主身份证号：本户户主不能导入，本户未导入"
                    ]
                continue
            if head_known.is_head:
                existing_household = head_known.household
        members: list[MigRow] = []
        for number, member in h.members.items():
            row = member.row
            k = known.get(number)
            if k is not None and number != h.key:
                reason = _clash(row, k, owner, existing_household)
                if reason:
                    for line in member.lines:
                        out.refused[line] = [reason]
                    continue
            members.append(row)
            if k is None:
                new_people.append(row)
            elif k.region != row.region and k.household != existing_household:
                moved[row.region].append(k.pk)
        if existing_household is None:
            new_households.append((h, None))
        accepted.append((h, existing_household, members))

    # Persons
    person_ids = dict(
        zip([r.id_number for r in new_people], reserve_ids(Person, len(new_people)), strict=True)
    )
    pk_of = {n: k.pk for n, k in known.items()} | person_ids
    if new_people:
        write(
            Rows(
                Person,
                {
                    "id": np.array([person_ids[r.id_number] for r in new_people], dtype=np.int64),
                    "id_number": _obj(r.id_number for r in new_people),
                    "id_reversed": _obj(r.id_number[::-1] for r in new_people),
                    "name": _obj(r.name for r in new_people),
                    "sex": _obj(r.sex for r in new_people),
                    "birth_date": _obj(r.birth_date.isoformat() for r in new_people),
                    "hukou_region_id": _obj(r.region for r in new_people),
                    "residence_region_id": _obj(r.region for r in new_people),
                    "phone": _obj(r.phone for r in new_people),
                    "disability_category": _obj(r.disability_category for r in new_people),
                    "disability_grade": _obj(r.disability_grade for r in new_people),
                    "labour_capacity": _obj(r.labour_capacity for r in new_people),
                    "self_care": _obj(r.self_care for r in new_people),
                    "health": _obj(r.health for r in new_people),
                    "created_at": Const(now),
                    "updated_at": Const(now),
                },
                len(new_people),
            )
        )
    for region_code, pks in moved.items():
        Person.objects.filter(pk__in=pks).update(residence_region_id=region_code, updated_at=now)
    out.persons = len(new_people)

    # Households
    household_ids = reserve_ids(Household, len(new_households))
    household_of: dict[str, int] = {}
    if new_households:
        heads = [h.head for h, _ in new_households]
        for (h, _), pk in zip(new_households, household_ids, strict=True):
            household_of[h.key] = pk
        write(
            Rows(
                Household,
                {
                    "id": np.array(household_ids, dtype=np.int64),
                    "number": _obj(numbers.next(r.region) for r in heads),
                    "head_id": np.array([pk_of[r.id_number] for r in heads], dtype=np.int64),
                    "region_id": _obj(r.region for r in heads),
                    "address": _obj(r.address for r in heads),
                    "urban_rural": _obj(r.urban_rural or regions[r.region].urban_rural for r in heads),
                    "bank_name": _obj(r.bank_name for r in heads),
                    "bank_account": _obj(r.bank_account for r in heads),
                    "created_at": Const(now),
                    "updated_at": Const(now),
                },
                len(heads),
            )
        )
    out.households = len(new_households)
    for h, existing, _ in accepted:
        if existing is not None:
            household_of[h.key] = existing

    # Memberships: every accepted member not yet a current member of the household.
    for h, existing, members in accepted:
        for row in members:
            k = known.get(row.id_number)
            if k is not None and existing is not None and k.household == existing:
                continue
            joins.append((h, row))
            loaded_lines.add(row.line)
    if joins:
        write(
            Rows(
                Membership,
                {
                    "household_id": np.array([household_of[h.key] for h, _ in joins], dtype=np.int64),
                    "person_id": np.array([pk_of[r.id_number] for _, r in joins], dtype=np.int64),
                    "relation": _obj(r.relation for _, r in joins),
                    "co_resident": Const(True),
                    "start_date": Const(today),
                },
                len(joins),
            )
        )
    new_keys = {h.key for h, _ in new_households}
    # The household files' history: the households opened and the members who joined.
    history = [
        (
            household_of[h.key],
            pk_of[h.key],
            "create",
            "household",
            {"migration": batch.pk, "file": batch.file_name},
        )
        for h, _ in new_households
    ] + [
        (
            household_of[h.key],
            pk_of[r.id_number],
            "join",
            "membership",
            {"relation": r.relation, "migration": batch.pk},
        )
        for h, r in joins
        if not (r.id_number == h.key and h.key in new_keys)
    ]
    if history:
        write(
            Rows(
                RegistryChange,
                {
                    "household_id": np.array([x[0] for x in history], dtype=np.int64),
                    "person_id": np.array([x[1] for x in history], dtype=np.int64),
                    "kind": _obj(x[2] for x in history),
                    "entity": _obj(x[3] for x in history),
                    "changes": _obj(_dumps(x[4]) for x in history),
                    "reason": Const(f"存量导入（批次 {batch.pk}）"),
                    "actor_id": Const(ctx.user.pk if ctx.user else None),
                    "actor_name": Const(actor_name),
                    "at": Const(now),
                },
                len(history),
            )
        )

    # Entitlements
    ents: list[tuple[HouseholdRows, MigRow, list[MigRow]]] = []
    existing_pks = {k.pk for k in known.values()}
    active = _active(accepted, pk_of, existing_pks)
    for h, _, members in accepted:
        numbers_here = {r.id_number for r in members}
        for row in h.entitlements:
            if row.id_number not in numbers_here:
                continue  # the row's person was refused
            per_person = row.program not in HOUSEHOLD_PROGRAMS
            key = (
                ("p", pk_of[row.id_number], row.program)
                if per_person
                else ("h", household_of[h.key], row.program)
            )
            if key in active:
                continue
            reasons = _incompatible(
                row, key, household_of[h.key], [pk_of[r.id_number] for r in members], active
            )
            if reasons:  # the programs that exclude it are held (or loaded above): quarantined
                out.refused[row.line] = [f"保障类别：{r}，本行在保记录未导入" for r in reasons]
                continue
            active.add(key)
            ents.append((h, row, members))
            loaded_lines.add(row.line)
    _write_entitlements(ctx, batch, ents, pk_of, household_of, policies, today, now)
    out.entitlements = len(ents)

    # Category tags
    _write_tags(accepted, pk_of, today, existing_pks)

    for h, _, members in accepted:
        for number in (r.id_number for r in members):
            for line in h.members[number].lines:
                if line in out.refused:
                    continue
                if line in loaded_lines:
                    out.rows_loaded += 1
                else:
                    out.rows_existing += 1
    return out


def _incompatible(
    row: MigRow,
    key: tuple[str, int, str],
    household: int,
    members: list[int],
    held: set[tuple[str, int, str]],
) -> list[str]:
    """The reasons of the incompatible-program table (``engine.compat``) the row's entitlement breaks,
    beside the live entitlements held (the chunk's, and the rows loaded before it): a person's program
    meets the person's own and their household's; a household's meets the household's and each of its
    members'. In memory, from the one bulk query of ``_active``."""
    persons = {key[1]} if key[0] == "p" else set(members)
    found = [
        Held(
            program,
            same_person=True,
            same_household=True,
            single=kind == "p" and program in HOUSEHOLD_PROGRAMS,
        )
        for kind, holder, program in held
        if program != row.program
        and ((kind == "h" and holder == household) or (kind == "p" and holder in persons))
    ]
    return conflicts(row.program, found)


def _active(
    accepted: list[tuple[HouseholdRows, int | None, list[MigRow]]],
    pk_of: dict[str, int],
    existing: set[int],
) -> set[tuple[str, int, str]]:
    """The live (active or suspended) entitlements already held by the chunk's households and persons
    (a re-import): one query per table and chunk."""
    households = [e for _, e, _ in accepted if e is not None]
    persons = [
        p for p in (pk_of[r.id_number] for _, _, members in accepted for r in members) if p in existing
    ]
    held: set[tuple[str, int, str]] = set()
    for start in range(0, len(households), _PARAMS):
        for household, program in Entitlement.objects.filter(
            status__in=LIVE,
            person__isnull=True,
            household_id__in=households[start : start + _PARAMS],
        ).values_list("household_id", "program"):
            held.add(("h", household, program))
    for start in range(0, len(persons), _PARAMS):
        for person, program in Entitlement.objects.filter(
            status__in=LIVE, person_id__in=persons[start : start + _PARAMS]
        ).values_list("person_id", "program"):
            held.add(("p", person, program))
    return held


def _write_entitlements(
    ctx: AuditContext,
    batch: MigrationBatch,
    ents: list[tuple[HouseholdRows, MigRow, list[MigRow]]],
    pk_of: dict[str, int],
    household_of: dict[str, int],
    policies: Policies,
    today: date,
    now: Any,
) -> None:
    if not ents:
        return
    decision_ids = reserve_ids(Decision, len(ents))
    entitlement_ids = reserve_ids(Entitlement, len(ents))
    d_cols: dict[str, list[Any]] = defaultdict(list)
    e_cols: dict[str, list[Any]] = defaultdict(list)
    events: list[str] = []
    for (h, row, members), did in zip(ents, decision_ids, strict=True):
        assert row.start_month is not None and row.amount is not None
        policy, note = policies.at(row.region, row.start_month)
        assert policy is not None  # checked before the chunk
        per_person = row.program not in HOUSEHOLD_PROGRAMS
        counted = [row] if per_person else members
        dmembers = [_member(r, pk_of[r.id_number], today) for r in counted]
        rclass = (
            row.review_class
            or review_class(
                members=[
                    ReviewMember(m.age, m.labour_capacity, m.severe_disability, m.severe_illness, False)
                    for m in dmembers
                ],
                income_stable=True,
                minor_age=policy.minor_age,
                elderly_age=policy.elderly_age,
            ).value
        )
        interval = review_months(policy)[rclass]
        decided_on = row.decided_on or row.start_month
        months_valid = valid_months(policy, row.program)
        source = {"batch": batch.pk, "file": batch.file_name, "row": row.line}
        details: dict[str, Any] = {"migration": source}
        if row.care_tier:
            details["care_tier"] = row.care_tier
        if row.support_form:
            details["support_form"] = row.support_form
        payment = row.payment
        amount = Decimal("0.00") if row.program in NO_CASH else row.amount
        computation = {
            "source": EntitlementSource.MIGRATION.value,
            "migration": source,
            "members": [_plain(m) for m in dmembers],
            "subject": _plain(dmembers[0]) if per_person else None,
            "details": {k: v for k, v in details.items() if k != "migration"},
            "policy_version": policy.pk,
            "policy_note": note,
            "allowance": {
                "eligible": True,
                "monthly_total": str(amount),
                "payment": payment,
                "steps": [
                    {"label": "存量导入的月保障金额", "formula": "按原系统记录", "amount": str(amount)}
                ],
                "reasons": [],
                "valid_months": months_valid,
                "details": {k: v for k, v in details.items() if k != "migration"},
            },
        }
        d_cols["id"].append(did)
        d_cols["case_number"].append(f"存量-{did}")
        d_cols["program"].append(row.program)
        d_cols["household_id"].append(household_of[h.key])
        d_cols["applicant_id"].append(pk_of[row.id_number] if per_person else pk_of[h.key])
        d_cols["person_id"].append(pk_of[row.id_number] if per_person else None)
        d_cols["region_id"].append(h.head.region)
        d_cols["document_no"].append(row.document_no)
        d_cols["members"].append(len(counted))
        d_cols["amount"].append(str(amount))
        d_cols["computation"].append(_dumps(computation))
        d_cols["policy_version_id"].append(policy.pk)
        d_cols["decided_on"].append(decided_on.isoformat())
        e_cols["household_id"].append(household_of[h.key])
        e_cols["program"].append(row.program)
        e_cols["region_id"].append(h.head.region)
        e_cols["decision_id"].append(did)
        e_cols["start_month"].append(row.start_month.isoformat())
        e_cols["amount"].append(str(amount))
        e_cols["person_id"].append(pk_of[row.id_number] if per_person else None)
        e_cols["payment"].append(payment)
        e_cols["valid_until"].append(
            add_months(row.start_month, months_valid - 1).isoformat() if months_valid else None
        )
        e_cols["details"].append(_dumps(details))
        e_cols["members"].append(len(counted))
        e_cols["review_class"].append(rclass)
        e_cols["next_review_on"].append(_next_review(decided_on, interval, today).isoformat())
        events.append(
            _dumps(
                {
                    "amount": str(amount),
                    "start_month": row.start_month.isoformat(),
                    "members": len(counted),
                    "review_class": rclass,
                    "source": "migration",
                }
            )
        )
    n = len(ents)
    write(
        Rows(
            Decision,
            {
                **{k: (np.array(v, dtype=np.int64) if k == "id" else _obj(v)) for k, v in d_cols.items()},
                "source": Const(EntitlementSource.MIGRATION.value),
                "outcome": Const(CaseOutcome.CONFIRMED.value),
                "reasons": Const("存量对象导入"),
                "decided_by_id": Const(ctx.user.pk if ctx.user else None),
                "created_at": Const(now),
            },
            n,
        )
    )
    write(
        Rows(
            Entitlement,
            {
                "id": np.array(entitlement_ids, dtype=np.int64),
                **{k: _obj(v) for k, v in e_cols.items()},
                "status": Const(EntitlementStatus.ACTIVE.value),
                "source": Const(EntitlementSource.MIGRATION.value),
                "created_at": Const(now),
            },
            n,
        )
    )
    write(
        Rows(
            EntitlementEvent,
            {
                "entitlement_id": np.array(entitlement_ids, dtype=np.int64),
                "at": Const(now),
                "kind": Const("create"),
                "changes": _obj(events),
                "reason": Const(f"存量导入：{batch.file_name[:120]}（批次 {batch.pk}）"),
                "actor_id": Const(ctx.user.pk if ctx.user else None),
            },
            n,
        )
    )


def _write_tags(
    accepted: list[tuple[HouseholdRows, int | None, list[MigRow]]],
    pk_of: dict[str, int],
    today: date,
    existing: set[int],
) -> None:
    """The category tags of the chunk's persons not already open (only persons registered before the
    chunk can hold one)."""
    wanted: dict[tuple[int, str], date] = {}
    for h, _, members in accepted:
        here = {r.id_number for r in members}
        for row in members:
            for code in row.categories:
                wanted.setdefault((pk_of[row.id_number], code), today)
        for row in h.entitlements:
            if row.id_number not in here or row.start_month is None:
                continue
            category = PROGRAM_CATEGORY.get(AidProgram(row.program))
            if category is None:
                continue
            holders = [row] if row.program not in HOUSEHOLD_PROGRAMS else members
            for r in holders:
                key = (pk_of[r.id_number], category.value)
                wanted[key] = min(wanted.get(key, row.start_month), row.start_month)
    if not wanted:
        return
    persons = sorted({p for p, _ in wanted if p in existing})
    open_tags: set[tuple[int, str]] = set()
    for start in range(0, len(persons), _PARAMS):
        open_tags.update(
            PersonCategory.objects.filter(
                person_id__in=persons[start : start + _PARAMS], end_date__isnull=True
            ).values_list("person_id", "category")
        )
    new = [(k, v) for k, v in sorted(wanted.items()) if k not in open_tags]
    if new:
        write(
            Rows(
                PersonCategory,
                {
                    "person_id": np.array([p for (p, _), _ in new], dtype=np.int64),
                    "category": _obj(c for (_, c), _ in new),
                    "start_date": _obj(d.isoformat() for _, d in new),
                    "note": Const("存量导入"),
                },
                len(new),
            )
        )
