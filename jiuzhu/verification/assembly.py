"""一证申请: from one ID number to the co-resident household (rules §2.1), its legally liable
supporters, every feed's data for its members, and the differences between registry and 户籍."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from jiuzhu.batch.rawrows import RowLoader, fetch_together
from jiuzhu.core.dates import EARLIEST_DATE
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.scope import in_jurisdiction
from jiuzhu.registry.idnumber import InvalidIdNumber, parse
from jiuzhu.registry.models import Household, Membership, Person

from .engine.household import SEPARATE, Resident, co_resident_family
from .models import Authorisation

# 民法典 §17: from 18 a person is an adult, signs their own authorisation and may owe support. National
# law, not a regional policy setting.
ADULT_AGE = 18

_EDUCATION_RANK = {
    "primary": 1,
    "junior": 2,
    "senior": 3,
    "vocational": 3,
    "college": 4,
    "bachelor": 5,
    "postgraduate": 6,
}
# get_relation_display() rebuilds the choices mapping on every call; a report asks for a few labels.
_RELATION_LABELS = dict(Membership._meta.get_field("relation").flatchoices)
_SUPPORT_DUTY = ("spouse", "child", "parent")


@dataclass
class MemberView:
    person: Person
    relation: str
    relation_label: str
    included: bool
    reason: str
    age: int
    facts: list[FeedRecord] = field(default_factory=list)


@dataclass
class SupporterView:
    person: Person
    relation_label: str
    reason: str


@dataclass
class Assembly:
    applicant: Person
    household: Household
    as_of: date
    members: list[MemberView]
    supporters: list[SupporterView]
    differences: list[str]
    # Persons of the household (members, supporters, former members) with a signed 核对授权书 valid on
    # the assembly date.
    authorised: set[int] = field(default_factory=set)
    policy: PolicyVersion | None = None  # in force on the date; None before one is entered

    @property
    def included(self) -> list[MemberView]:
        return [m for m in self.members if m.included]


def _relation_label(m: Membership) -> str:
    return str(_RELATION_LABELS.get(m.relation, m.relation))


def _latest(facts: list[FeedRecord], feed: str, as_of: date) -> FeedRecord | None:
    rows = [f for f in facts if f.feed == feed and f.date is not None and f.date <= as_of]
    return max(rows, key=lambda f: f.date) if rows else None  # type: ignore[arg-type, return-value]


def _custody(facts: list[FeedRecord], as_of: date) -> str | None:
    for f in facts:
        if f.feed != "justice" or f.date is None or f.date > as_of:
            continue
        end = f.data.get("end_date")
        if not end or date.fromisoformat(end) >= as_of:
            return "服刑人员" if f.kind == "prison" else "强制隔离戒毒人员"
    return None


def _in_full_time_education(person: Person, facts: list[FeedRecord], as_of: date) -> tuple[bool, str]:
    record = _latest(facts, "education", as_of)
    if record is not None:
        level = str(record.data.get("level", ""))
        return record.kind == "enrolled", level
    return person.in_school, person.education


def _cannot_live_independently(person: Person) -> bool:
    return (
        (person.disability_grade is not None and person.disability_grade <= 2)
        or person.labour_capacity == "none"
        or person.self_care == "none"
    )


def _resident(m: Membership, facts: list[FeedRecord], as_of: date) -> Resident:
    """What the registry and the feeds say about a current member, for the co-residence rules."""
    person = m.person
    died = _latest(facts, "police_death", as_of)
    dead = ""
    if person.death_date is not None or died is not None:
        dead = "已死亡" + ("（公安/殡葬数据）" if died is not None else "")
    age = person.age_on(as_of)
    studying = False
    if age >= ADULT_AGE:
        enrolled, level = _in_full_time_education(person, facts, as_of)
        studying = enrolled and _EDUCATION_RANK.get(level, 0) <= _EDUCATION_RANK["bachelor"]
    return Resident(
        key=person.pk,
        relation=m.relation,
        age=age,
        married=person.marital_status == "married",
        co_resident=m.co_resident,
        died=dead,
        custody=_custody(facts, as_of) or "",
        studying=studying,
        dependent=_cannot_live_independently(person),
    )


# The reads of every 一证申请 and every report, in SQL: compiling their ORM form (three models joined,
# two subqueries) cost more than running them. See docs/decisions.md.
_MEMBERSHIP = RowLoader(Membership, "m")
_PERSON = RowLoader(Person, "p")
_HOUSEHOLD = RowLoader(Household, "h")
_FACT = RowLoader(FeedRecord, "f")
_HUKOU_PEER = RowLoader(FeedRecord, "f", only=("id_number", "data"))


@cache
def _household_sql() -> tuple[str, str]:
    """The memberships of the household an ID number belongs to now, and its current members' facts.

    The household is found by a scalar subquery, which PostgreSQL plans on its own: planning one join
    of seven relations took longer (2–4 ms) than running it. An authorisation counts when it was signed
    by the date, is not revoked and has not expired."""
    memberships, persons = Membership._meta.db_table, Person._meta.db_table
    household = (
        f"(SELECT c.household_id FROM {memberships} c JOIN {persons} q ON q.id = c.person_id"
        " WHERE q.id_number = %s AND c.end_date IS NULL LIMIT 1)"
    )
    members = (
        f"SELECT {_MEMBERSHIP.columns}, {_PERSON.columns}, {_HOUSEHOLD.columns}, EXISTS ("
        f"SELECT 1 FROM {Authorisation._meta.db_table} a WHERE a.person_id = m.person_id"
        " AND a.signed_on <= %s AND a.revoked_at IS NULL AND (a.valid_until IS NULL OR a.valid_until >= %s))"
        f" FROM {memberships} m JOIN {persons} p ON p.id = m.person_id"
        f" JOIN {Household._meta.db_table} h ON h.id = m.household_id"
        f" WHERE m.household_id = {household} ORDER BY m.start_date, m.id"
    )
    facts = (
        f"SELECT {_FACT.columns} FROM {FeedRecord._meta.db_table} f WHERE f.id_number IN ("
        f"SELECT p.id_number FROM {memberships} m JOIN {persons} p ON p.id = m.person_id"
        f" WHERE m.end_date IS NULL AND m.household_id = {household})"
    )
    return members, facts


Facts = dict[str, list[FeedRecord]]


def _household_rows(number: str, as_of: date) -> tuple[list[tuple[Membership, bool]], Facts]:
    """Every membership, past and present, of the household ``number`` belongs to now, each with its
    person, the household, and whether the person has a valid authorisation on ``as_of``; and the
    facts of its current members (former members are listed, never assessed). One round trip."""
    members_sql, facts_sql = _household_sql()
    member_rows, fact_rows = fetch_together([(members_sql, [as_of, as_of, number]), (facts_sql, [number])])
    found: list[tuple[Membership, bool]] = []
    household: Household | None = None
    person_at, household_at = _MEMBERSHIP.width, _MEMBERSHIP.width + _PERSON.width
    for row in member_rows:
        m = _MEMBERSHIP.load(row)
        m.person = _PERSON.load(row, person_at)
        household = household or _HOUSEHOLD.load(row, household_at)
        m.household = household
        found.append((m, bool(row[-1])))
    facts: Facts = defaultdict(list)
    for row in fact_rows:
        record = _FACT.load(row)
        facts[record.id_number].append(record)
    for records in facts.values():  # a few dozen rows per person: cheaper here than an ORDER BY
        records.sort(key=lambda r: (r.feed, r.date or date.min, r.pk))
    return found, facts


def _hukou_peers(booklets: list[str], registered: list[str], as_of: date) -> list[FeedRecord]:
    """户籍 records in the members' 户口簿 of people who are not members. The feed is written into the
    SQL, not bound, so that PostgreSQL can use the partial index on the 户号."""
    books, people = ", ".join(["%s"] * len(booklets)), ", ".join(["%s"] * len(registered))
    sql = (
        f"SELECT {_HUKOU_PEER.columns} FROM {FeedRecord._meta.db_table} f WHERE f.feed = 'police_hukou'"
        f" AND f.kind IN ({books}) AND f.date <= %s AND f.id_number NOT IN ({people})"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*booklets, as_of, *registered])
        return [_HUKOU_PEER.load(row) for row in cur.fetchall()]


@dataclass(frozen=True)
class Loaded:
    """The household an ID number belongs to, as read from the database, before the rules are applied."""

    applicant: Membership
    memberships: list[Membership]
    facts: Facts
    signed: set[int]
    as_of: date

    @property
    def household(self) -> Household:
        return self.applicant.household


def household_load(*, user: Any, id_number: str, as_of: date) -> Loaded:
    """The household's memberships and its members' facts (one round trip); 404 outside the caller's
    jurisdiction; a date outside 1900-01-01 … today is refused."""
    today = timezone.localdate()
    if not EARLIEST_DATE <= as_of <= today:
        raise ValidationFailed(
            {"as_of": f"核对日期应在 {EARLIEST_DATE:%Y-%m-%d} 至今天（{today:%Y-%m-%d}）之间，请核对后重填"}
        )
    try:
        number = parse(id_number).value
    except InvalidIdNumber as exc:
        raise NotFound(str(exc)) from None
    found, facts = _household_rows(number, as_of)
    all_memberships = [m for m, _ in found]
    signed = {m.person_id for m, authorised in found if authorised}
    membership = next(
        (m for m in all_memberships if m.end_date is None and m.person.id_number == number), None
    )
    if membership is None or not in_jurisdiction(user, membership.household.region_id):
        raise NotFound("未找到该身份证号码所在的家庭，或不在您的辖区内")
    return Loaded(membership, all_memberships, facts, signed, as_of)


def household_judge(loaded: Loaded, *, policy: PolicyVersion | None) -> Assembly:
    """The co-resident family of the applicant (rules §2.1, ``engine.household``), its legally liable
    supporters and the registry's differences from 户籍, under the region's married-child setting."""
    as_of, facts = loaded.as_of, loaded.facts
    current = [m for m in loaded.memberships if m.end_date is None]
    former = [m for m in loaded.memberships if m.end_date is not None]
    judged = co_resident_family(
        [_resident(m, facts.get(m.person.id_number, []), as_of) for m in current],
        applicant=loaded.applicant.person_id,
        married_child_family=SEPARATE if policy is None else policy.married_child_family,
        adult_age=ADULT_AGE,
    )
    members: list[MemberView] = []
    supporters: list[SupporterView] = []
    for m, judgement in zip(current, judged, strict=True):
        label = _relation_label(m)
        members.append(
            MemberView(
                m.person,
                m.relation,
                label,
                judgement.included,
                judgement.reason,
                m.person.age_on(as_of),
                facts.get(m.person.id_number, []),
            )
        )
        if judgement.supporter:
            supporters.append(SupporterView(m.person, label, judgement.supporter))
    seen = {m.person_id for m in current}
    for m in former:
        if m.person_id in seen or m.relation not in _SUPPORT_DUTY or m.person.death_date is not None:
            continue
        if m.person.age_on(as_of) < ADULT_AGE:
            continue
        seen.add(m.person_id)
        supporters.append(
            SupporterView(
                m.person,
                _relation_label(m),
                f"{m.end_date:%Y-%m-%d} 离开本户（{m.end_reason or '分户'}），仍负法定义务",
            )
        )
    return Assembly(
        loaded.applicant.person,
        loaded.household,
        as_of,
        members,
        supporters,
        _differences(current, facts, as_of),
        loaded.signed,
        policy,
    )


def household_assemble(*, user: Any, id_number: str, as_of: date) -> Assembly:
    """The household with the policy in force for it (the household page is usable before an
    administrator enters the policy, with the default rules; the report is not)."""
    loaded = household_load(user=user, id_number=id_number, as_of=as_of)
    try:
        policy: PolicyVersion | None = policy_in_force(region_code=loaded.household.region_id, on=as_of)
    except NotFound:
        policy = None
    return household_judge(loaded, policy=policy)


def _differences(current: Sequence[Membership], facts: dict[str, list[FeedRecord]], as_of: date) -> list[str]:
    """Registry against the latest 户籍 record of each member: shown, never merged silently."""
    out: list[str] = []
    household_nos: set[str] = set()
    for m in current:
        record = _latest(facts.get(m.person.id_number, []), "police_hukou", as_of)
        if record is None:
            out.append(f"{m.person.name}：公安户籍数据中没有记录")
            continue
        household_nos.add(record.kind)
        hukou_relation = record.data.get("relation")
        if hukou_relation and hukou_relation != m.relation:
            out.append(f"{m.person.name}：档案中与户主关系为“{_relation_label(m)}”，户籍为“{hukou_relation}”")
        if record.data.get("name") and record.data["name"] != m.person.name:
            out.append(f"{m.person.name}：户籍姓名为“{record.data['name']}”")
    if len(household_nos) > 1:
        out.append(f"家庭成员分属 {len(household_nos)} 个户口簿：{'、'.join(sorted(household_nos))}")
    if household_nos:
        registered = {m.person.id_number for m in current}
        for peer in _hukou_peers(sorted(household_nos), sorted(registered), as_of):
            number, name = peer.id_number, peer.data.get("name", "")
            out.append(f"户籍同户人员 {name}（{number[:6]}…{number[-4:]}）不在本家庭档案中")
    return out
