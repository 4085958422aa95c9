"""factory_boy factories for the whole suite."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory

from jiuzhu.accounts.models import User
from jiuzhu.accounts.services import user_assign_role
from jiuzhu.exchange.models import ImportBatch
from jiuzhu.regions.codes import level_of
from jiuzhu.regions.models import Region, UrbanRural
from jiuzhu.registry.choices import Relation
from jiuzhu.registry.idnumber import check_char
from jiuzhu.registry.models import Household, Membership, Person
from jiuzhu.workflow.models import Case, Definition


def make_id_number(seq: int, *, birth: date | None = None, male: bool = True, area: str = "980101") -> str:
    born = birth or date(1960, 1, 1) + timedelta(days=(seq * 37) % 20000)
    order = (seq % 499) * 2 + (1 if male else 0)
    first17 = f"{area}{born:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "980101001001"
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = factory.LazyAttribute(lambda o: int(level_of(o.code)))
    urban_rural = UrbanRural.RURAL


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "测试用户"
    role = "township_caseworker"
    password = factory.PostGenerationMethodCall("set_password", "pass-12345-word")

    @factory.post_generation
    def with_role(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and self.role:
            self.save()
            user_assign_role(user=self, role=self.role)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    id_number = factory.Sequence(lambda n: make_id_number(n + 1))
    id_reversed = factory.LazyAttribute(lambda o: o.id_number[::-1])
    name = factory.Sequence(lambda n: f"张{'一二三四五六七八九十'[n % 10]}{'甲乙丙丁'[n // 10 % 4]}")
    sex = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    birth_date = factory.LazyAttribute(
        lambda o: date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )
    hukou_region = factory.LazyFunction(lambda: Region.objects.get(code="980101001001"))
    residence_region = factory.SelfAttribute("hukou_region")


class HouseholdFactory(factory.django.DjangoModelFactory[Household]):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"T{n:06d}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="980101001001"))
    address = "幸福村1组1号"
    urban_rural = UrbanRural.RURAL
    head = factory.SubFactory(PersonFactory, hukou_region=factory.SelfAttribute("..region"))

    @factory.post_generation
    def head_membership(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and self.head is not None:
            Membership.objects.create(
                household=self, person=self.head, relation=Relation.HEAD, start_date=date(2020, 1, 1)
            )


class ImportBatchFactory(factory.django.DjangoModelFactory[ImportBatch]):
    class Meta:
        model = ImportBatch

    feed = "hrss_wage"
    file_name = factory.LazyAttribute(lambda b: f"{b.feed}.csv")
    file_format = "csv"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = ImportBatch.Status.DONE


def add_member(household: Household, relation: str = Relation.CHILD, **person_kwargs: Any) -> Person:
    person_kwargs.setdefault("hukou_region", household.region)
    person = PersonFactory(**person_kwargs)
    Membership.objects.create(
        household=household, person=person, relation=relation, start_date=date(2020, 1, 1)
    )
    return person


# Typed entry points: factory_boy's metaclass hides the model type from mypy.
def new_household(**kwargs: Any) -> Household:
    return HouseholdFactory(**kwargs)  # type: ignore[return-value]


def new_person(**kwargs: Any) -> Person:
    return PersonFactory(**kwargs)  # type: ignore[return-value]


def new_user(**kwargs: Any) -> User:
    return UserFactory(**kwargs)  # type: ignore[return-value]


def new_import_batch(**kwargs: Any) -> ImportBatch:
    return ImportBatchFactory(**kwargs)  # type: ignore[return-value]


# --- the procedure (workflow) --------------------------------------------------------------------------


def new_policy(
    region_code: str = "980101000000", effective_from: date = date(2020, 1, 1), **values: Any
) -> Any:
    """A policy version for ``region_code`` (the test county by default) from ``effective_from``, with the
    platform's defaults for what is not given."""
    from decimal import Decimal

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.policy.services import policy_version_create

    values.setdefault("document_no", f"测试〔{effective_from.year}〕号")
    values.setdefault("dibao_standard_urban", Decimal("700"))
    values.setdefault("dibao_standard_rural", Decimal("520"))
    return policy_version_create(
        ctx=AuditContext.system(),
        region=Region.objects.get(code=region_code),
        effective_from=effective_from,
        **values,
    )


def workflow_definitions() -> Definition:
    """The national definitions as rows (idempotent); returns the 低保 one."""
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.services import definition_sync

    synced = definition_sync(ctx=AuditContext.system())
    return {d.program: d for d in synced if d.purpose == "application"}["dibao"]


def new_case(
    *,
    household: Household | None = None,
    applicant: Person | None = None,
    state: str = "verification",
    program: str = "dibao",
    definition: Any = None,
    policy: Any = None,
    accepted_on: date | None = None,
    entered_on: date | None = None,
    opened_by: User | None = None,
    step_due_on: date | str | None = "compute",
    **fields: Any,
) -> Case:
    """A case created directly at ``state`` (no transition run): pinned to ``definition`` (the national
    低保 one, synced if needed) and ``policy`` (the one in force for the household on ``accepted_on``,
    a county policy created when there is none). ``entered_on`` is the day it entered ``state``
    (default: the acceptance date); the step's and the whole case's due dates are computed on the
    calendar as the engine does unless given (``step_due_on=None`` for none). Any other Case field may
    be given (``minor_case``, ``close_relative``, ``spot_check``, ``report``, ``status``, ``version`` …).
    An end state closes the case. The history holds the "open" event."""
    from django.utils import timezone

    from jiuzhu.core.errors import NotFound
    from jiuzhu.core.vocab import CaseStatus, StepKind
    from jiuzhu.policy.selectors import policy_in_force
    from jiuzhu.workflow import deadlines
    from jiuzhu.workflow.models import CaseEvent, Step
    from jiuzhu.workflow.services.cases import _case_number

    household = household or new_household()
    applicant = applicant or household.head
    accepted_on = accepted_on or timezone.localdate()
    entered_on = entered_on or accepted_on
    definition = definition or workflow_definitions()
    if policy is None:
        try:
            policy = policy_in_force(region_code=household.region_id, on=accepted_on)
        except NotFound:
            policy = new_policy()
    step = Step.objects.get(definition=definition, code=state)
    cal = deadlines.work_calendar()
    if step_due_on == "compute":
        due = deadlines.step_deadline(step, policy, entered_on, cal)
        fields.setdefault("step_due_provisional", bool(due and due.provisional))
        step_due_on = due.due if due else None
    case_due = deadlines.case_deadline(
        accepted_on=accepted_on, policy=policy, extended=False, paused=[], cal=cal
    )
    fields.setdefault("due_on", case_due.due)
    fields.setdefault("due_provisional", case_due.provisional)
    if step.kind == StepKind.END:
        fields.setdefault("status", CaseStatus.CLOSED)
        fields.setdefault("outcome", step.outcome)
        fields.setdefault("closed_at", timezone.now())
    opened_by = opened_by or new_user(role="township_caseworker", region=household.region.parent)
    entered_at = timezone.make_aware(timezone.datetime.combine(entered_on, timezone.datetime.min.time()))
    case = Case.objects.create(
        number=_case_number(program, household.region_id, accepted_on.year),
        program=program,
        household=household,
        applicant=applicant,
        region=household.region,
        definition=definition,
        policy_version=policy,
        state=state,
        state_entered_at=entered_at,
        step_due_on=step_due_on,
        accepted_on=accepted_on,
        opened_by=opened_by,
        **fields,
    )
    CaseEvent.objects.create(
        case=case,
        seq=1,
        at=entered_at,
        actor=opened_by,
        actor_name=opened_by.username,
        action="open",
        to_state=state,
    )
    return case


def new_report(household: Household, *, policy: Any = None, by: User | None = None) -> Any:
    """A verification report row of ``household`` written directly (empty snapshots): for tests that
    need a report attached to a case, not its contents."""
    from django.utils import timezone

    from jiuzhu.policy.selectors import policy_in_force
    from jiuzhu.verification.models import VerificationReport

    today = timezone.localdate()
    policy = policy or policy_in_force(region_code=household.region_id, on=today)
    return VerificationReport.objects.create(
        household=household,
        applicant=household.head,
        region_code=household.region_id,
        as_of=today,
        programs=["dibao"],
        policy_version=policy,
        policy_snapshot={},
        inputs={},
        results={},
        insights={},
        created_by=by or new_user(role="township_caseworker", region=household.region.parent),
    )


def _file(name: str) -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4 test", name=name)


def add_investigation(case: Case, *investigators: User, by_county: bool = False, round: int = 1) -> Any:
    """A home investigation of ``case`` by ``investigators`` (two new township caseworkers when none)."""
    from jiuzhu.workflow.models import HomeInvestigation

    if not investigators:
        town = case.region.parent
        investigators = tuple(new_user(role="township_caseworker", region=town) for _ in range(2))
    row = HomeInvestigation.objects.create(
        case=case,
        round=round,
        visited_on=date.today(),
        food="一日三餐正常",
        clothing="衣着简朴",
        housing="自建砖房",
        daily_goods="家电简陋",
        findings="情况属实",
        family_signatory=case.applicant.name,
        family_signature=_file("family.pdf"),
        investigator_signatures=_file("investigators.pdf"),
        by_county=by_county,
        recorded_by=investigators[0],
    )
    row.investigators.set(investigators)
    return row


def add_opinion(case: Case, *, agree: bool = True, step: str | None = None, by: User | None = None) -> Any:
    from jiuzhu.workflow.models import Opinion

    return Opinion.objects.create(
        case=case,
        step=step or case.state,
        agree=agree,
        text="同意" if agree else "不同意：收入超过标准",
        recorded_by=by or case.opened_by,
    )


def add_community_review(case: Case, *, passed: bool = True) -> Any:
    from jiuzhu.workflow.models import CommunityReview

    return CommunityReview.objects.create(
        case=case,
        held_on=date.today(),
        expected=9,
        attended=7,
        votes_for=6 if passed else 2,
        votes_against=1 if passed else 5,
        passed=passed,
        minutes="评议记录",
        signatures=_file("signatures.pdf"),
        recorded_by=case.opened_by,
    )


def add_public_notice(case: Case, *, starts_on: date, ends_on: date, round: int = 1) -> Any:
    from decimal import Decimal

    from jiuzhu.workflow.models import PublicNotice

    return PublicNotice.objects.create(
        case=case,
        round=round,
        village=case.region,
        starts_on=starts_on,
        ends_on=ends_on,
        masked_name="张*",
        household_size=2,
        program=case.program,
        amount=Decimal("300.00"),
        recorded_by=case.opened_by,
    )


def add_objection(notice: Any, *, holds: bool | None) -> Any:
    from jiuzhu.workflow.models import Objection

    return Objection.objects.create(
        notice=notice,
        received_on=notice.starts_on,
        content="家中有车",
        holds=holds,
        recorded_by=notice.recorded_by,
    )


# --- 特困 ------------------------------------------------------------------------------------------------

SELFCARE_CODES = ("eating", "dressing", "bed", "toileting", "walking", "bathing")


def tekun_definition() -> Definition:
    """The national 特困 definition as rows (synced if needed)."""
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.services import definition_sync

    synced = definition_sync(ctx=AuditContext.system())
    return {d.program: d for d in synced if d.purpose == "application"}["tekun"]


def selfcare_items(lost: int = 0) -> dict[str, bool]:
    """The six items of the self-care assessment, the first ``lost`` of them not achievable."""
    return {code: i >= lost for i, code in enumerate(SELFCARE_CODES)}


def new_tekun_case(*, subject: Person | None = None, support_form: str = "dispersed", **kwargs: Any) -> Case:
    """A 特困 case (``new_case`` on the 特困 definition) for ``subject`` (default: the applicant)."""
    details = {"support_form": support_form}
    if support_form == "central":
        details["institution"] = "县社会福利中心"
    kwargs.setdefault("details", details)
    return new_case(program="tekun", definition=tekun_definition(), subject=subject, **kwargs)


def add_selfcare(case: Case, *assessors: User, lost: int = 0, sanwu: str = "yes") -> Any:
    """A self-care assessment row of ``case`` with its tier written on the case, as the service does."""
    from django.utils import timezone

    from jiuzhu.benefits.engine.tekun import selfcare_tier
    from jiuzhu.workflow.models import SelfCareAssessment

    tier = selfcare_tier(selfcare_items(lost))
    by = assessors[0] if assessors else new_user(role="township_caseworker", region=case.region.parent)
    row = SelfCareAssessment.objects.create(
        case=case,
        assessed_on=timezone.localdate(),
        lost=tier.lost,
        tier=tier.tier,
        sanwu={"outcome": sanwu, "findings": []},
        recorded_by=by,
        **selfcare_items(lost),
    )
    row.assessors.set(assessors or [by])
    details = {**case.details, "selfcare": tier.to_json(), "sanwu": {"outcome": sanwu, "findings": []}}
    Case.objects.filter(pk=case.pk).update(details=details)
    case.details = details
    return row


# --- integrity (诚信): entitlements in payment, findings, recoveries --------------------------------------


def new_entitlement(
    household: Household | None = None,
    *,
    program: str = "dibao",
    amount: Any = "520.00",
    start_month: date = date(2024, 1, 1),
    decided_on: date | None = None,
    payment: str = "monthly",
    decided_by: User | None = None,
    policy: Any = None,
    **fields: Any,
) -> Any:
    """A confirmed decision and its entitlement in payment, written directly (no computation): for tests
    that need an entitlement paid from ``start_month`` at ``amount`` a month."""
    from decimal import Decimal

    from jiuzhu.benefits.models import Decision, Entitlement
    from jiuzhu.core.errors import NotFound
    from jiuzhu.policy.selectors import policy_in_force

    household = household or new_household()
    decided_on = decided_on or start_month
    if policy is None:
        try:
            policy = policy_in_force(region_code=household.region_id, on=decided_on)
        except NotFound:
            policy = new_policy()
    decided_by = decided_by or new_user(role="county_approver", region=household.region.parent.parent)
    decision = Decision.objects.create(
        case_number=f"DB-{household.region_id[:9]}-{decided_on.year}-E{Decision.objects.count() + 1:05d}",
        program=program,
        household=household,
        applicant=household.head,
        region=household.region,
        outcome="confirmed",
        members=1,
        amount=Decimal(str(amount)),
        computation={},
        policy_version=policy,
        decided_on=decided_on,
        decided_by=decided_by,
    )
    fields.setdefault("members", 1)
    fields.setdefault("review_class", "B")
    fields.setdefault("next_review_on", date(decided_on.year + 1, decided_on.month, 1))
    return Entitlement.objects.create(
        household=household,
        program=program,
        region=household.region,
        decision=decision,
        start_month=start_month,
        amount=Decimal(str(amount)),
        payment=payment,
        **fields,
    )


def new_finding(
    entitlement: Any = None,
    *,
    by: User | None = None,
    found_on: date | None = None,
    concealed_from: date | None = None,
    items: list[dict[str, Any]] | None = None,
) -> Any:
    """A finding of hidden income on ``entitlement`` (a new one when none) through the service, by a
    county approver: the entitlement ended, the dishonesty record and the recovery (``Found``)."""
    from django.utils import timezone

    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.services.integrity import concealment_find

    entitlement = entitlement or new_entitlement()
    by = by or new_user(role="county_approver", region=entitlement.household.region.parent.parent)
    return concealment_find(
        ctx=AuditContext(user=by),
        entitlement_id=entitlement.pk,
        version=entitlement.version,
        items=items or [{"kind": "hidden_income", "item": "隐瞒在外务工工资收入", "amount": "3000"}],
        evidence="人社部门工资发放记录，入户调查笔录",
        found_on=found_on or timezone.localdate(),
        concealed_from=concealed_from,
    )


# --- the life of an entitlement ---------------------------------------------------------------------------


def new_life_entitlement(
    *,
    household: Household | None = None,
    program: str = "dibao",
    amount: Any = "300.00",
    per_capita_income: Any = "370.00",
    ages: tuple[int, ...] = (45, 15),
    person: Person | None = None,
    policy: Any = None,
    start_month: date = date(2025, 1, 1),
    next_review_on: date | None = None,
    review_class: str = "B",
    status: str = "active",
    decided_by: User | None = None,
    **fields: Any,
) -> Any:
    """An entitlement (with its confirmed decision) created directly: the household's head and a child
    per extra age counted as members at ``ages`` (a 低保 of 2 at the rural standard 520 and income 370:
    (520 − 370) × 2 = 300), or ``person`` for a per-person program."""
    from decimal import Decimal

    from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent
    from jiuzhu.core.errors import NotFound
    from jiuzhu.policy.selectors import policy_in_force

    household = household or new_household()
    if policy is None:
        try:
            policy = policy_in_force(region_code=household.region_id, on=start_month)
        except NotFound:
            policy = new_policy()
    people = [household.head]
    for _age in ages[1:]:
        people.append(add_member(household, "child"))
    members = [
        {
            "person_id": p.pk,
            "name": p.name,
            "age": age,
            "severe_disability": False,
            "labour_capacity": "full",
            "severe_illness": False,
            "employed": False,
            "unstable_income": False,
        }
        for p, age in zip(people, ages, strict=True)
    ]
    subject = next((m for m in members if person is not None and m["person_id"] == person.pk), None)
    user = decided_by or User.objects.filter(is_superuser=True).first() or new_user(role="county_approver")
    seq = Decision.objects.count() + 1
    decision = Decision.objects.create(
        case_number=f"T-{household.pk}-{program}-{seq}",
        program=program,
        household=household,
        applicant=household.head,
        person=person,
        region=household.region,
        outcome="confirmed",
        members=len(members),
        per_capita_income=Decimal(str(per_capita_income)) if per_capita_income is not None else None,
        amount=Decimal(str(amount)),
        computation={
            "members": members,
            "subject": subject,
            "details": {},
            "urban": household.urban_rural == "urban",
            "allowance": {"payment": "monthly", "steps": []},
        },
        policy_version=policy,
        decided_on=start_month,
        decided_by=user,
    )
    entitlement = Entitlement.objects.create(
        household=household,
        program=program,
        region=household.region,
        decision=decision,
        person=person,
        status=status,
        start_month=start_month,
        amount=Decimal(str(amount)),
        members=len(members),
        review_class=review_class,
        next_review_on=next_review_on or date(start_month.year + 1, start_month.month, 1),
        **fields,
    )
    from django.utils import timezone

    EntitlementEvent.objects.create(
        entitlement=entitlement, at=timezone.now(), kind="create", changes={"amount": str(amount)}, actor=user
    )
    return entitlement


# --- 存量对象导入 (migration) ---------------------------------------------------------------------------


def new_migration_batch(**kwargs: Any) -> Any:
    """A finished migration batch of the test county (or ``region``), imported by a county approver."""
    from jiuzhu.migration.models import MigrationBatch

    kwargs.setdefault("region", Region.objects.get(code="980101000000"))
    kwargs.setdefault("file_name", "存量.csv")
    kwargs.setdefault("file_format", "csv")
    kwargs.setdefault("layout", "template")
    kwargs.setdefault("sha256", f"{MigrationBatch.objects.count() + 1:064x}")
    kwargs.setdefault("status", MigrationBatch.Status.DONE)
    return MigrationBatch.objects.create(**kwargs)


def migration_csv(rows: list[dict[str, str]]) -> str:
    """A migration file in the template's layout (Chinese headers), one dict of column names per row."""
    from jiuzhu.migration.layouts import COLUMNS

    lines = [",".join(c.label for c in COLUMNS)]
    for row in rows:
        lines.append(",".join(row.get(c.name, "") for c in COLUMNS))
    return "\n".join(lines) + "\n"


# --- 低保边缘 / 刚性支出困难 (margins) -------------------------------------------------------------------


def new_margins_report(
    household: Household,
    *,
    per_capita: str = "1500.00",
    months: int = 12,
    gross: str = "0.00",
    window_expense: str = "0.00",
    window_income: str = "0.00",
    vetoes: tuple[str, ...] = (),
    lines: list[dict[str, Any]] | None = None,
    policy: Any = None,
) -> Any:
    """A verification report row of ``household`` with the figures the 低保边缘 / 刚性支出 rules read
    (per-capita monthly income, months, size, vetoes, the income totals and the rigid window, the
    members and their lines), written directly as the report service stores them."""
    from django.utils import timezone

    from jiuzhu.policy.selectors import policy_in_force
    from jiuzhu.verification.models import VerificationReport

    today = timezone.localdate()
    policy = policy or policy_in_force(region_code=household.region_id, on=today)
    people = [m.person for m in household.memberships.filter(end_date__isnull=True).select_related("person")]
    people.sort(key=lambda p: (p.pk != household.head_id, p.pk))
    members = [
        {"person_id": p.pk, "name": p.name, "age": p.age_on(today), "included": True, "reason": ""}
        for p in people
    ]
    return VerificationReport.objects.create(
        household=household,
        applicant=household.head,
        region_code=household.region_id,
        as_of=today,
        programs=["dibao", "near_dibao", "rigid_expense"],
        policy_version=policy,
        policy_snapshot={},
        inputs={"members": members},
        results={
            "per_capita_monthly_income": per_capita,
            "size": len(members),
            "months": months,
            "vetoes": list(vetoes),
            "totals": {
                "gross_income": gross,
                "employment_cost": "0.00",
                "contribution": "0.00",
                "support_paid": "0.00",
                "rigid_window_expense": window_expense,
                "rigid_window_income": window_income,
            },
            "lines": lines or [],
            "rigid_expense_period": f"近 {months} 个月",
        },
        insights={},
        created_by=new_user(role="township_caseworker", region=household.region.parent),
    )


# --- the disability subsidies and the children's programs --------------------------------------------


def program_definition(program: str) -> Definition:
    """The national definition of ``program`` as rows (idempotent)."""
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.services import definition_sync

    return {d.program: d for d in definition_sync(ctx=AuditContext.system())}[program]


def add_disability_record(
    person: Person,
    *,
    category: str = "physical",
    grade: int = 1,
    issued_on: date = date(2020, 1, 1),
    certificate_no: str = "",
    valid_until: date | None = None,
) -> Any:
    """A 残联 feed record of ``person``'s certificate (the number, when given, and the validity in
    ``data`` as the import stores them)."""
    import hashlib

    from jiuzhu.exchange.models import FeedRecord

    data: dict[str, str] = {"category": category, "grade": str(grade), "issued_on": issued_on.isoformat()}
    if certificate_no:
        data["certificate_no"] = certificate_no
    if valid_until:
        data["valid_until"] = valid_until.isoformat()
    return FeedRecord.objects.create(
        feed="disability",
        id_number=person.id_number,
        date=issued_on,
        kind=category,
        data=data,
        row_key=hashlib.md5(
            f"{person.id_number}-{issued_on.isoformat()}-{category}{grade}".encode(), usedforsecurity=False
        ).hexdigest(),
        batch=new_import_batch(),
    )


def add_entitlement(
    household: Household,
    *,
    program: str = "dibao",
    person: Person | None = None,
    amount: str = "300.00",
    payment: str = "monthly",
) -> Any:
    """An active entitlement of ``household`` (of ``person`` for a per-person program), with the decision
    it comes from, written directly."""
    from decimal import Decimal

    from django.utils import timezone

    from jiuzhu.benefits.models import Decision, Entitlement
    from jiuzhu.policy.selectors import policy_in_force

    today = timezone.localdate()
    policy = policy_in_force(region_code=household.region_id, on=today)
    decision = Decision.objects.create(
        case_number=f"T-{program}-{household.pk}-{person.pk if person else 0}-{Decision.objects.count()}",
        program=program,
        household=household,
        applicant=household.head,
        person=person,
        region=household.region,
        outcome="confirmed",
        members=1,
        amount=Decimal(amount),
        policy_version=policy,
        decided_on=today,
        decided_by=new_user(
            role="county_approver", region=Region.objects.get(code=household.region_id[:6] + "000000")
        ),
    )
    return Entitlement.objects.create(
        household=household,
        program=program,
        region=household.region,
        decision=decision,
        person=person,
        payment=payment,
        start_month=today.replace(day=1),
        amount=Decimal(amount),
        members=1,
        review_class="B",
        next_review_on=today + timedelta(days=365),
    )


# --- 临时救助 ------------------------------------------------------------------------------------------


def temporary_definition() -> Definition:
    """The national 临时救助 definition as rows (all national definitions synced, idempotent)."""
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.workflow.services import definition_sync

    return {d.program: d for d in definition_sync(ctx=AuditContext.system())}["temporary"]


def new_temporary_case(
    *,
    household: Household | None = None,
    subject: Person | None = None,
    state: str = "verification",
    kind: str = "emergency",
    cause: str = "fire",
    **facts_and_fields: Any,
) -> Case:
    """A 临时救助 case at ``state`` (``new_case``) for ``subject`` (default: the head), with the facts
    ``kind`` and ``cause`` and any other fact given by name (``amount_asked="1000.00"``, ``people=3`` …);
    the remaining keywords are Case fields."""
    from jiuzhu.benefits.programs.temporary import FACTS

    codes = {f.code for f in FACTS}
    facts = {k: facts_and_fields.pop(k) for k in list(facts_and_fields) if k in codes}
    household = household or new_household()
    subject = subject or household.head
    return new_case(
        household=household,
        applicant=subject,
        subject=subject,
        state=state,
        program="temporary",
        definition=temporary_definition(),
        details={"kind": kind, "cause": cause, **facts},
        **facts_and_fields,
    )


def add_temporary_grant(
    person: Person,
    *,
    cause: str = "fire",
    decided_on: date,
    amount: str = "1000.00",
    household: Household | None = None,
) -> Any:
    """An earlier 临时救助 grant to ``person`` for ``cause`` decided on ``decided_on`` (a one-off
    entitlement with its decision), as the once-per-cause rule reads it."""
    from decimal import Decimal

    from jiuzhu.benefits.models import Decision, Entitlement
    from jiuzhu.policy.selectors import policy_in_force

    household = household or Membership.objects.get(person=person, end_date__isnull=True).household
    policy = policy_in_force(region_code=household.region_id, on=decided_on)
    decider = new_user(role="township_reviewer", region=household.region.parent)
    decision = Decision.objects.create(
        case_number=f"LS-PAST-{person.pk}-{decided_on.isoformat()}-{cause}",
        program="temporary",
        household=household,
        applicant=person,
        person=person,
        region=household.region,
        outcome="confirmed",
        members=1,
        amount=Decimal(amount),
        computation={"details": {"cause": cause}},
        policy_version=policy,
        decided_on=decided_on,
        decided_by=decider,
    )
    month = decided_on.replace(day=1)
    return Entitlement.objects.create(
        household=household,
        person=person,
        program="temporary",
        region=household.region,
        decision=decision,
        payment="once",
        start_month=month,
        valid_until=month,
        amount=Decimal(amount),
        members=1,
        review_class="A",
        next_review_on=decided_on,
        details={"kind": "emergency", "cause": cause},
    )


# --- fund supervision (阳光资金监管): payrolls, lines, holds and warnings, written directly ----------


def oversight_payroll(
    *, county: str = "980101000000", program: str = "dibao", month: date, **fields: Any
) -> Any:
    """The payroll of ``county``, ``program`` and ``month`` (created once; later calls return it)."""
    from jiuzhu.payments.models import Payroll

    fields.setdefault("status", Payroll.Status.APPROVED)
    payroll, _ = Payroll.objects.get_or_create(
        region_id=county, program=program, month=month, defaults=fields
    )
    return payroll


def oversight_line(
    entitlement: Any,
    *,
    month: date,
    amount: Any = None,
    base_amount: Any = None,
    arrears_amount: Any = "0",
    deduction_amount: Any = "0",
    status: str = "paid",
    payee: Person | None = None,
    bank_account: str | None = None,
    decision_id_ref: int | None = -1,
    computation: dict[str, Any] | None = None,
) -> Any:
    """A payroll line of ``entitlement`` in the payroll of its county, program and ``month``: the
    entitlement's amount, paid to the household's head (or ``payee``), unless told otherwise."""
    from decimal import Decimal

    from jiuzhu.payments.models import PayrollLine

    household = entitlement.household
    payee = payee or entitlement.person or household.head
    base = Decimal(str(base_amount if base_amount is not None else entitlement.amount))
    arrears, deduction = Decimal(str(arrears_amount)), Decimal(str(deduction_amount))
    payroll = oversight_payroll(
        county=household.region_id[:6] + "000000", program=entitlement.program, month=month
    )
    return PayrollLine.objects.create(
        payroll=payroll,
        entitlement=entitlement,
        household=household,
        person=payee,
        region=household.region,
        township_id=household.region_id[:9] + "000",
        decision_id_ref=entitlement.decision_id if decision_id_ref == -1 else decision_id_ref,
        policy_version_id_ref=entitlement.decision.policy_version_id,
        base_amount=base,
        arrears_amount=arrears,
        deduction_amount=deduction,
        amount=Decimal(str(amount)) if amount is not None else base + arrears - deduction,
        computation=computation
        or {"months": [{"month": f"{month:%Y-%m}", "kind": "current", "amount": str(base)}]},
        bank_name="农村信用社",
        bank_account=bank_account if bank_account is not None else f"62210000{household.pk:08d}",
        holder_name=payee.name,
        id_number=payee.id_number,
        status=status,
    )


def oversight_warning(
    person: Person,
    *,
    rule: str = "death",
    raised_on: date,
    due_on: date,
    household: Household | None = None,
    **fields: Any,
) -> Any:
    """A warning on ``person`` (of their current household) for ``rule``, dispatched to its township."""
    from jiuzhu.monitoring.models import Warning

    household = household or Membership.objects.get(person=person, end_date__isnull=True).household
    return Warning.objects.create(
        rule=rule,
        person=person,
        household=household,
        region=household.region,
        township_id=household.region_id[:9] + "000",
        raised_on=raised_on,
        due_on=due_on,
        **fields,
    )


def oversight_hold(
    line: Any, *, rule: str = "death", status: str = "held", reason: str = "", **fields: Any
) -> Any:
    """A hold of the pre-payment comparison on ``line`` (the line itself is left as it is)."""
    from jiuzhu.payments.models import PayrollHold

    return PayrollHold.objects.create(
        line=line,
        rule=rule,
        evidence_key=f"{rule}-{line.pk}-{PayrollHold.objects.count()}",
        evidence={"事实": rule},
        status=status,
        reason=reason,
        **fields,
    )


# --- bank files and reconciliation: payrolls and their lines, written directly --------------------------


def new_bank_payroll(
    *, region: str = "980101000000", program: str = "dibao", month: date = date(2026, 11, 1), **fields: Any
) -> Any:
    """A payroll of the county ``region`` (approved unless ``status`` is given), written directly."""
    from jiuzhu.payments.models import Payroll

    fields.setdefault("status", Payroll.Status.APPROVED)
    return Payroll.objects.create(
        region=Region.objects.get(code=region), program=program, month=month, **fields
    )


def add_bank_line(
    payroll: Any,
    *,
    household: Household | None = None,
    amount: Any = "520.00",
    bank_account: str | None = None,
    status: str = "pending",
    deductions: list[dict[str, Any]] | None = None,
    entitlement: Any = None,
    person: Person | None = None,
    **fields: Any,
) -> Any:
    """A line of ``payroll`` paying ``amount`` for a new entitlement of ``household`` (a new one in 东一村
    when none) to its head — or of ``person``, to them — into ``bank_account`` (the household's, a fresh
    one when none); the payroll's totals follow. ``deductions`` as the payroll's computation lists them."""
    from decimal import Decimal

    from django.db.models import F

    from jiuzhu.payments.models import Payroll, PayrollLine

    household = household or new_household()
    extra = {"person": person} if person is not None else {}
    entitlement = entitlement or new_entitlement(household, program=payroll.program, amount=amount, **extra)
    payee = person or household.head
    if bank_account is None:
        bank_account = household.bank_account or f"62220200{household.pk:011d}"
    money = Decimal(str(amount))
    deducted = sum((Decimal(str(d["amount"])) for d in deductions or []), Decimal("0"))
    line = PayrollLine.objects.create(
        payroll=payroll,
        entitlement=entitlement,
        household=household,
        person=payee,
        region=household.region,
        township=household.region.parent,
        base_amount=money + deducted,
        deduction_amount=deducted,
        amount=money,
        computation={
            "months": [
                {"month": f"{payroll.month:%Y-%m}", "kind": "current", "amount": f"{money + deducted:.2f}"}
            ],
            "deductions": deductions or [],
        },
        bank_name="测试银行",
        bank_account=bank_account,
        holder_name=payee.name,
        id_number=payee.id_number,
        status=status,
        **fields,
    )
    Payroll.objects.filter(pk=payroll.pk).update(
        lines_count=F("lines_count") + 1, total_amount=F("total_amount") + money
    )
    return line


# --- 动态监测预警 (monitoring) ------------------------------------------------------------------------------


def new_warning(
    household: Household | None = None,
    *,
    person: Person | None = None,
    rule: str = "death",
    purpose: str = "warning",
    severity: str = "high",
    raised_on: date | None = None,
    due_on: date | None = None,
    status: str = "open",
    evidence: list[tuple[date | None, dict[str, Any]]] | None = None,
    run: Any = None,
    **fields: Any,
) -> Any:
    """A warning on ``person`` (default: the household's head) of ``household`` (a new one by default),
    dispatched to the household's township, with its evidence rows (default: one, dated ``raised_on``)
    and the monitoring run they came from (a new finished one by default): as a run leaves them."""
    from django.utils import timezone

    from jiuzhu.monitoring.models import MonitoringRun, Warning, WarningEvidence

    household = household or new_household()
    person = person or household.head
    raised_on = raised_on or timezone.localdate()
    due_on = due_on or raised_on + timedelta(days=14)
    if run is None:
        run = MonitoringRun.objects.create(
            as_of=raised_on,
            region=household.region.parent.parent if household.region.parent else None,
            status="done",
            phase="done",
        )
    village = household.region
    evidence = evidence if evidence is not None else [(raised_on, {"死亡日期": raised_on.isoformat()})]
    warning = Warning.objects.create(
        rule=rule,
        purpose=purpose,
        severity=severity,
        person=person,
        household=household,
        region=village,
        township=village.parent if village.parent_id else village,
        status=status,
        raised_on=raised_on,
        due_on=due_on,
        first_run=run,
        evidence_count=max(1, len(evidence)),
        last_event_on=max((d for d, _ in evidence if d), default=None),
        **fields,
    )
    for n, (day, data) in enumerate(evidence):
        WarningEvidence.objects.create(
            warning=warning,
            rule=rule,
            person=person,
            evidence_key=f"{warning.pk}-{n}",
            event_date=day,
            evidence=data,
            run=run,
        )
    return warning
