"""Reads of decisions and entitlements, scoped to the caller's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q

from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AidProgram, EntitlementStatus, PaymentKind
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.scope import get_in_jurisdiction, scoped
from jiuzhu.registry.models import Membership
from jiuzhu.registry.selectors import household_get

from .engine.compat import Held, conflicts
from .models import (
    Decision,
    Entitlement,
    EntitlementEvent,
    StandardRecomputation,
    StandardRecomputationRow,
)

# An entitlement that still holds the program: paid, or suspended (暂停) pending a review.
LIVE = (EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED)


def entitlements_for_household(*, user: Any, household_id: int) -> list[Entitlement]:
    """The household's entitlements, newest first, with their decision and history (two queries
    after the household's, whatever their number)."""
    require_perm(user, "benefits.view_entitlement")
    household = household_get(user=user, household_id=household_id)
    return list(
        Entitlement.objects.filter(household=household)
        .select_related("decision", "decision__policy_version", "person")
        .prefetch_related(
            Prefetch("events", queryset=EntitlementEvent.objects.select_related("actor").order_by("at", "id"))
        )
        .order_by("-start_month", "-id")
    )


def decision_get(*, user: Any, decision_id: int) -> Decision:
    require_perm(user, "benefits.view_decision")
    return get_in_jurisdiction(
        Decision.objects.select_related("household", "applicant", "policy_version", "decided_by"),
        user=user,
        pk=decision_id,
        region_field="region__code",
    )


def decision_for_case(*, case_number: str) -> Decision | None:
    """The decision of a case already read in the caller's jurisdiction (the case page)."""
    return (
        Decision.objects.select_related("policy_version", "decided_by")
        .filter(case_number=case_number)
        .first()
    )


# --- the 残联 feed: a person's disability certificate (the two disability subsidies, rules §6) ---------


@dataclass(frozen=True)
class DisabilityRecord:
    """A person's certificate as the Disabled Persons' Federation's feed last gave it."""

    id_number: str
    certificate_no: str  # the feed's, else the national numbering's (``engine.disability``)
    category: str
    grade: int
    issued_on: date
    valid_until: date | None  # None: the feed gives no end (long-term)
    number_from_feed: bool  # whether the feed carried the number itself


@dataclass(frozen=True)
class CertificateCheck:
    """Whether the certificate the case (or entitlement) holds is the federation's and valid on a day."""

    ok: bool
    reasons: tuple[str, ...]
    record: DisabilityRecord | None

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


def disability_record(*, id_number: str, on: date) -> DisabilityRecord | None:
    """The person's latest 残联 record issued on or before ``on`` (certificate no., category, grade,
    validity), or None. Not scoped: the caller has already read the person in its jurisdiction.

    The feed as catalogued (``exchange.catalogue``: category, grade, date of issue) carries neither the
    number nor an end of validity: the number is then the national numbering's (ID number + category
    + grade), and the certificate counts as valid until the federation issues another; a record that
    carries ``certificate_no`` or ``valid_until`` in its data (a richer export) is read as it is."""
    from jiuzhu.exchange.models import FeedRecord

    from .engine.disability import CATEGORY_DIGITS, certificate_number

    row = (
        FeedRecord.objects.filter(feed="disability", id_number=id_number, date__lte=on)
        .order_by("-date", "-id")
        .first()
    )
    if row is None or row.date is None:
        return None
    data = row.data or {}
    try:
        grade = int(data.get("grade", ""))
    except ValueError:
        return None
    category = row.kind
    given = str(data.get("certificate_no") or "").strip().upper()
    if not given and category in CATEGORY_DIGITS:
        number = certificate_number(id_number, category, grade)
    else:
        number = given
    until = data.get("valid_until")
    return DisabilityRecord(
        id_number=id_number,
        certificate_no=number,
        category=category,
        grade=grade,
        issued_on=row.date,
        valid_until=date.fromisoformat(until) if until else None,
        number_from_feed=bool(given),
    )


def disability_certificate_check(
    *, person_id: int, on: date, claimed: Mapping[str, Any] | None = None
) -> CertificateCheck:
    """The 残联 check of a person's certificate on ``on`` (the decision date, or a review's): the feed
    has a certificate for the person, valid that day, and — where ``claimed`` gives them (a case's
    program facts, an entitlement's details: ``certificate_no``, ``disability_category``,
    ``disability_grade``, ``certificate_valid_until``) — the number, category and grade are the feed's.
    Used as the evidence of the disability programs' first step and by their reviews."""
    from jiuzhu.registry.choices import DisabilityCategory
    from jiuzhu.registry.models import Person

    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return CertificateCheck(False, ("救助对象不存在",), None)
    record = disability_record(id_number=person.id_number, on=on)
    if record is None:
        return CertificateCheck(False, ("残联数据中没有该人员的残疾人证信息",), None)
    reasons: list[str] = []
    if record.valid_until is not None and record.valid_until < on:
        reasons.append(f"残疾人证已于 {record.valid_until.isoformat()} 到期（残联数据），须先换领")
    claimed = claimed or {}
    labels = dict(DisabilityCategory.choices)
    number = str(claimed.get("certificate_no") or "").strip().upper()
    if number and number != record.certificate_no:
        reasons.append(f"残疾人证号与残联数据不一致（残联：{record.certificate_no}）")
    category = str(claimed.get("disability_category") or "")
    if category and category != record.category:
        reasons.append(
            f"残疾类别与残联数据不一致（申报：{labels.get(category, category)}，"
            f"残联：{labels.get(record.category, record.category)}）"
        )
    grade = str(claimed.get("disability_grade") or "")
    if grade and int(grade) != record.grade:
        reasons.append(f"残疾等级与残联数据不一致（申报：{int(grade)}级，残联：{record.grade}级）")
    until = claimed.get("certificate_valid_until")
    if until and date.fromisoformat(str(until)) < on:
        reasons.append(f"申报的残疾人证有效期至 {until}，已过期")
    return CertificateCheck(not reasons, tuple(reasons), record)


# --- the children's programs on the household file (rules §8.1) ---------------------------------------


@dataclass(frozen=True)
class ChildEntry:
    """A child's entitlement (困境儿童 / 事实无人抚养儿童) as the household's page shows it: the child,
    the guardian (a member, linked, or someone outside the household with the ID number masked), the
    parents' situations and the grant."""

    entitlement_id: int
    program: str
    program_label: str
    status: str
    status_label: str
    child_id: int | None
    child_name: str
    guardian_id: int | None
    guardian_name: str
    guardian_id_masked: str
    guardian_relation: str
    father_situation: str
    mother_situation: str
    difficulty: str
    basis: str
    amount: Any
    payment: str
    payment_label: str
    start_month: date
    case_number: str


def children_for_household(*, user: Any, household_id: int) -> list[ChildEntry]:
    """The children's entitlements of the household (in the caller's jurisdiction, else 404), active
    first, with the guardian and the parents' situations from the entitlement's details."""
    from jiuzhu.core.vocab import AidProgram, EntitlementStatus, PaymentKind
    from jiuzhu.registry import idnumber
    from jiuzhu.registry.models import Person

    from .engine.children import DIFFICULTIES, SITUATIONS
    from .programs.children import RELATIONS

    require_perm(user, "benefits.view_entitlement")
    household = household_get(user=user, household_id=household_id)
    rows = list(
        Entitlement.objects.filter(
            household=household, program__in=(AidProgram.CHILD_IN_DIFFICULTY, AidProgram.DE_FACTO_ORPHAN)
        )
        .select_related("decision", "person")
        .order_by("status", "-start_month", "-id")
    )
    guardian_ids = {int(e.details["guardian_id"]) for e in rows if e.details.get("guardian_id")}
    guardians = Person.objects.in_bulk(guardian_ids)
    relations = dict(RELATIONS)
    out = []
    for e in sorted(rows, key=lambda e: e.status != EntitlementStatus.ACTIVE):
        d = e.details or {}
        member = guardians.get(int(d["guardian_id"])) if d.get("guardian_id") else None
        out.append(
            ChildEntry(
                entitlement_id=e.pk,
                program=e.program,
                program_label=AidProgram.label_of(e.program),
                status=e.status,
                status_label=EntitlementStatus.label_of(e.status),
                child_id=e.person_id,
                child_name=e.person.name if e.person else "",
                guardian_id=member.pk if member else None,
                guardian_name=member.name if member else str(d.get("guardian_name", "")),
                guardian_id_masked=idnumber.mask(
                    member.id_number if member else str(d.get("guardian_id_number", ""))
                ),
                guardian_relation=relations.get(str(d.get("guardian_relation", "")), ""),
                father_situation=SITUATIONS.get(str(d.get("father_situation", "")), ""),
                mother_situation=SITUATIONS.get(str(d.get("mother_situation", "")), ""),
                difficulty=DIFFICULTIES.get(str(d.get("difficulty", "")), ""),
                basis=str(d.get("basis", "")),
                amount=e.amount,
                payment=e.payment,
                payment_label=PaymentKind.label_of(e.payment),
                start_month=e.start_month,
                case_number=e.decision.case_number,
            )
        )
    return out


# --- the life of an entitlement -------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitlementConflict:
    """Why a program cannot be granted: ``held`` (the household, or the person, holds it already),
    ``elsewhere`` (another household a member lives or lived in holds it: that region adjusts first),
    ``incompatible`` (a program that excludes it is held: ``engine.compat``)."""

    kind: str
    program: str
    message: str


def entitlement_conflicts(
    *,
    household_id: int,
    program: str,
    person_id: int | None = None,
    payment: str | None = None,
    counted: Iterable[int] = (),
) -> list[EntitlementConflict]:
    """The one check of a second entitlement (at intake's acceptance and at ``entitlement_create``):
    the same program held again — by the household or any household a current member belongs or
    belonged to, in whatever region (异地申办 must not pay twice), or, for a person's program, by the
    person — and the programs that exclude ``program`` (``engine.compat``) for the same person or
    household. ``person_id`` is the person a per-person program is for; ``payment`` the grant's payment
    kind where known (one-off grants may repeat); ``counted`` the persons a decision counted, beside the
    household's current members. Unscoped: it names no other region."""
    from .programs import PER_PERSON

    label = AidProgram.label_of(program)
    out: list[EntitlementConflict] = []
    active = Entitlement.objects.filter(status__in=LIVE).exclude(payment=PaymentKind.ONCE)
    members = set(
        Membership.objects.filter(household_id=household_id, end_date__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    members |= set(counted)
    persons = members | ({person_id} if person_id is not None else set())
    once = payment == PaymentKind.ONCE or (payment is None and program == AidProgram.TEMPORARY)
    per_person = program in PER_PERSON and person_id is not None
    if not once:
        # The person's own entitlement of this program (a per-person program, or a 单人保 — a household
        # program held by one person), whenever the person is named.
        person_held = person_id is not None and active.filter(program=program, person_id=person_id).exists()
        if person_held:
            out.append(
                EntitlementConflict(
                    "held",
                    program,
                    f"该救助对象已在享受{label}（可能在其他地区），不能重复享受同一救助项目",
                )
            )
        if per_person or person_held:
            pass
        elif active.filter(program=program, person__isnull=True, household_id=household_id).exists():
            out.append(EntitlementConflict("held", program, f"该户已在享受{label}，不能重复申请"))
        else:
            others = (
                Membership.objects.filter(person_id__in=members)
                .exclude(household_id=household_id)
                .values("household_id")
            )
            if active.filter(program=program, person__isnull=True, household_id__in=others).exists():
                out.append(
                    EntitlementConflict(
                        "elsewhere",
                        program,
                        f"该户成员所在（或曾在）的其他家庭（含异地）仍在享受或申请{label}，须原地区先行调整后方可受理",
                    )
                )
    # Programs that exclude this one: held by the person(s) concerned, or by the households they live in
    # (a person's program asked without its person: nothing to compare).
    if program in PER_PERSON and person_id is None:
        return out
    subject = {person_id} if per_person else persons
    live_in = set(
        Membership.objects.filter(person_id__in=subject, end_date__isnull=True).values_list(
            "household_id", flat=True
        )
    ) | {household_id}
    held: list[Held] = []
    candidates = active.exclude(program=program).filter(
        Q(person_id__in=subject) | Q(person__isnull=True, household_id__in=live_in)
    )
    for e in candidates.only("program", "person_id", "household_id"):
        # A person's program covers its person; a household's covers everyone who lives in it.
        same_person = e.person_id in subject if e.person_id is not None else e.household_id in live_in
        held.append(
            Held(
                e.program,
                same_person=same_person,
                same_household=e.household_id == household_id,
                single=e.person_id is not None and e.program not in PER_PERSON,
            )
        )
    single = person_id is not None and program not in PER_PERSON
    for reason in conflicts(program, held, single=single):
        out.append(EntitlementConflict("incompatible", program, reason))
    return out


def entitlement_get(*, user: Any, entitlement_id: int) -> Entitlement:
    """One entitlement in the caller's jurisdiction (else 404)."""
    require_perm(user, "benefits.view_entitlement")
    return get_in_jurisdiction(
        Entitlement.objects.select_related("household", "decision", "decision__policy_version", "person"),
        user=user,
        pk=entitlement_id,
        region_field="region__code",
    )


def recomputations_list(*, user: Any) -> list[StandardRecomputation]:
    """The recomputations of the caller's jurisdiction (and of the regions above whose policy applies
    there are listed by the region that owns them), newest first."""
    require_perm(user, "benefits.view_standardrecomputation")
    return list(
        scoped(StandardRecomputation.objects.select_related("policy_version", "region"), user, "region__code")
        .annotate(n=Count("rows"))
        .order_by("-created_at", "-id")[:200]
    )


def recomputation_get(*, user: Any, recomputation_id: int) -> StandardRecomputation:
    require_perm(user, "benefits.view_standardrecomputation")
    return get_in_jurisdiction(
        StandardRecomputation.objects.select_related("policy_version", "region", "approved_by"),
        user=user,
        pk=recomputation_id,
        region_field="region__code",
    )


def recomputation_rows(recomputation: StandardRecomputation) -> list[StandardRecomputationRow]:
    return list(
        recomputation.rows.select_related("entitlement", "entitlement__household").order_by("id")[:5000]
    )


def standard_raises(*, user: Any) -> list[PolicyVersion]:
    """Policy versions of the caller's jurisdiction that raise a 低保 standard over the version before them
    and have no recomputation yet: what the recomputation page offers to list."""
    require_perm(user, "benefits.view_standardrecomputation")
    versions = list(
        scoped(PolicyVersion.objects.all(), user, "region__code").order_by("region_id", "effective_from")
    )
    done = set(StandardRecomputation.objects.values_list("policy_version_id", flat=True))
    out = []
    previous: dict[str, PolicyVersion] = {}
    for v in versions:
        before = previous.get(v.region_id)
        previous[v.region_id] = v
        if before is None or v.pk in done:
            continue
        if (
            v.dibao_standard_urban > before.dibao_standard_urban
            or v.dibao_standard_rural > before.dibao_standard_rural
        ):
            out.append(v)
    return out
