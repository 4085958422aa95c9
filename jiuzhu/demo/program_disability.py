"""The demo of the two disability subsidies and the children's programs (rules §6, §8.1), built after
the 低保 procedure's demo on the first township, through the services, by the demo user of each step.

- 困难残疾人生活补贴 and 重度残疾人护理补贴: a window application by the head of a household with a
  disabled member, the certificate given as the 残联 feed has it, the case opened for that member;
  cases confirmed (the living subsidy for a member of a 低保 household), refused (not in a 低保
  household; care of less than 6 months), withdrawn, and left open at the certificate check, the
  township's review, 补正材料 and the county's confirmation. Where no disabled member of a 低保
  household has a certificate in the feed, a member of the 低保 household the procedure's demo
  confirmed has one issued (recorded in the registry, the federation's file imported).
- 事实无人抚养儿童 and 困境儿童: the child's guardian (the household's head, or a relative outside the
  household) and the parents' situations; cases confirmed (at the orphan standard; 困境儿童 without
  cash where the region sets no allowance), refused, withdrawn, and open at acceptance, the home visit,
  the review, 补正材料 and the confirmation.

Idempotent: nothing is done when the county already has cases of these programs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AidProgram, EntitlementStatus
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Membership, Person

from .build import Layout

LIVING = AidProgram.DISABILITY_LIVING.value
CARE = AidProgram.DISABILITY_CARE.value
ORPHAN = AidProgram.DE_FACTO_ORPHAN.value
DIFFICULTY = AidProgram.CHILD_IN_DIFFICULTY.value
PROGRAMS = (LIVING, CARE, ORPHAN, DIFFICULTY)

# The states each program's demo leaves cases in, the decided ones first (each needs a household).
DISABILITY_STATES = (
    "confirmed",
    "refused",
    "verification",
    "review",
    "materials",
    "confirmation",
    "withdrawn",
)
CHILD_STATES = (
    "confirmed",
    "refused",
    "verification",
    "investigation",
    "review",
    "materials",
    "confirmation",
    "withdrawn",
)


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    from jiuzhu.workflow.models import Case

    bounds = Region.objects.get(code=layout.county_code).bounds()
    if Case.objects.filter(region__code__range=bounds, program__in=PROGRAMS).exists():
        log("  残疾人两项补贴、困境儿童案件已存在，沿用现有数据")
        return
    with transaction.atomic():
        counts = _Demo(layout=layout, log=log).run()
    log(
        "  残疾人两项补贴、困境儿童："
        + "；".join(f"{AidProgram.label_of(p)} {n} 件" for p, n in counts.items())
    )


def delete(bounds: tuple[str, str]) -> None:
    """The cases of these programs in the county, with their decisions, entitlements and notices (the
    procedure's own delete removes the applications)."""
    from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent
    from jiuzhu.workflow.models import Case, CaseEvent, HomeInvestigation, Notice, Opinion

    cases = Case.objects.filter(region__code__range=bounds, program__in=PROGRAMS)
    entitlements = Entitlement.objects.filter(region__code__range=bounds, program__in=PROGRAMS)
    EntitlementEvent.objects.filter(entitlement__in=entitlements).delete()
    entitlements.delete()
    Decision.objects.filter(region__code__range=bounds, program__in=PROGRAMS).delete()
    Notice.objects.filter(case__in=cases).delete()
    for model in (Opinion, HomeInvestigation, CaseEvent):
        model._default_manager.filter(case__in=cases).delete()
    cases.delete()


@dataclass
class _Subject:
    household: Household
    person: Person
    certificate: dict[str, Any]


class _Demo:
    def __init__(self, *, layout: Layout, log: Callable[[str], None]) -> None:
        from .procedure import _Procedure

        self.layout = layout
        self.log = log
        self.proc = _Procedure(layout=layout, log=lambda _: None)
        self.today = timezone.localdate()
        self.town = Region.objects.get(code=layout.township_codes[0])
        self.used: dict[str, set[int]] = {p: set() for p in PROGRAMS}

    # --- households ---

    def _busy(self) -> set[int]:
        """Households with a case of any program (the 低保 demo's among them): left to their own story."""
        from jiuzhu.workflow.models import Case

        return set(
            Case.objects.filter(region__code__range=self.town.bounds()).values_list("household_id", flat=True)
        )

    def _members(self, household: Household) -> list[Person]:
        return [
            m.person
            for m in Membership.objects.filter(household=household, end_date__isnull=True).select_related(
                "person"
            )
        ]

    def _disabled(self) -> Iterator[_Subject]:
        """Disabled members of the township's households whose certificate the 残联 feed holds."""
        from jiuzhu.benefits.selectors import disability_record

        busy = self._busy()
        rows = (
            Membership.objects.filter(
                end_date__isnull=True,
                household__region__code__range=self.town.bounds(),
                household__head__isnull=False,
                person__disability_grade__isnull=False,
            )
            .exclude(household_id__in=busy)
            .select_related("person", "household", "household__head")
            .order_by("person__disability_grade", "household_id")
        )
        for m in rows:
            record = disability_record(id_number=m.person.id_number, on=self.today)
            if record is not None:
                yield _Subject(m.household, m.person, _certificate(record))

    def _children(self) -> Iterator[tuple[Household, Person]]:
        busy = self._busy()
        minor = self.today.replace(year=self.today.year - 17)
        rows = (
            Membership.objects.filter(
                end_date__isnull=True,
                household__region__code__range=self.town.bounds(),
                household__head__isnull=False,
                person__birth_date__gt=minor,
            )
            .exclude(household_id__in=busy)
            .select_related("person", "household", "household__head")
            .order_by("household_id", "person_id")
        )
        seen: set[int] = set()
        for m in rows:
            if m.household_id in seen or m.household.head_id == m.person_id:
                continue
            seen.add(m.household_id)
            yield m.household, m.person

    # --- the steps ---

    def apply(self, household: Household, program: str, details: dict[str, Any]) -> Any:
        """A window application by the head, verified, papers signed, accepted for ``program`` with
        ``details`` (the program's facts): its case."""
        from jiuzhu.intake import services as intake
        from jiuzhu.workflow.models import Case

        proc = self.proc
        ctx = proc.ctx(proc.caseworker)
        if not proc.authorise(household, proc.caseworker):
            raise ServiceError("该户没有成年成员，不能签署授权书")
        assert household.head is not None
        app = intake.application_start(
            ctx=ctx,
            id_number=household.head.id_number,
            channel="window",
            programs=[program],
            statement=STATEMENTS[program],
        )
        app = intake.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
        app = intake.application_record_papers(
            ctx=ctx,
            application_id=app.pk,
            version=app.version,
            commitment=proc.png("commitment"),
            authorisation=_pdf(),
        )
        app = intake.application_accept(
            ctx=ctx,
            application_id=app.pk,
            version=app.version,
            programs=[program],
            details={program: details},
        )
        return Case.objects.select_related("applicant", "household").get(pk=app.cases[0]["id"])

    def to(self, case: Any, state: str, *, visit: bool, refuse: list[str] | None = None) -> None:
        """Walk ``case`` from acceptance to ``state`` (an open state, or confirmed / refused / withdrawn)."""
        from jiuzhu.workflow.services.steps import confirmation_decide, review_opinion

        proc = self.proc
        if state == "verification":
            return
        if state == "withdrawn":
            proc.act(proc.caseworker, case, "withdrawn", "申请人书面申请撤回")
            return
        if visit:
            proc.act(proc.caseworker, case, "investigation")
            if state == "investigation":
                return
            proc.investigate(case, findings="儿童由祖辈照料，父母长期不在身边，监护和生活情况与申请一致")
        proc.act(proc.caseworker, case, "review")
        if state == "review":
            return
        if state == "materials":
            proc.act(proc.reviewer, case, "materials", "请补充提交相关证明材料（户籍、医院或司法机关证明）")
            return
        review_opinion(
            ctx=proc.ctx(proc.reviewer),
            case_id=case.pk,
            version=proc.version(case),
            agree=refuse is None,
            text="经审核，情况属实，同意上报"
            if refuse is None
            else "经审核，不符合条件：" + "；".join(refuse),
        )
        proc.act(proc.reviewer, case, "confirmation")
        if state == "confirmation":
            return
        proc.spot_check(case)
        confirmation_decide(
            ctx=proc.ctx(proc.approver),
            case_id=case.pk,
            version=proc.version(case),
            agree=state == "confirmed",
            text="经审查，符合条件，同意确认给予" if state == "confirmed" else "经审查，不符合条件",
            reasons=refuse,
        )

    # --- the programs ---

    def run(self) -> dict[str, int]:
        from jiuzhu.workflow.models import Case

        self._disability()
        self._childhood()
        bounds = Region.objects.get(code=self.layout.county_code).bounds()
        return {p: Case.objects.filter(region__code__range=bounds, program=p).count() for p in PROGRAMS}

    def _disability(self) -> None:
        subjects = list(self._disabled())
        dibao = self._dibao_subject(subjects)
        for program in (LIVING, CARE):
            pool = [s for s in subjects if s is not dibao]
            for state in DISABILITY_STATES:
                subject: _Subject | None
                if program == LIVING and state == "confirmed":
                    subject = dibao
                elif program == CARE and state == "confirmed":
                    subject = next((s for s in pool if s.certificate["disability_grade"] <= 2), None)
                else:
                    subject = next((s for s in pool if not (program == LIVING and _holds_dibao(s))), None)
                if subject is None:
                    self.log(f"  {AidProgram.label_of(program)}：无可用的残疾人，未办理“{state}”案件")
                    continue
                if subject in pool:
                    pool.remove(subject)
                self._disability_case(program, subject, state)

    def _disability_case(self, program: str, subject: _Subject, state: str) -> None:
        details: dict[str, Any] = {"subject_id": subject.person.pk, **subject.certificate}
        refuse = None
        if program == LIVING:
            details["work_injury_care"] = False
            if state == "refused":
                refuse = ["所在家庭未享受最低生活保障"]
        else:
            details["care_months"] = 4 if state == "refused" else 12
            details["caregiver"] = "配偶" if subject.person.age_on(self.today) >= 18 else "母亲"
            if state == "refused":
                refuse = ["长期照护不足 6 个月"]
        try:
            case = self.apply(subject.household, program, details)
        except ServiceError as exc:
            self.log(f"  {AidProgram.label_of(program)}：{subject.household.number} 未能受理（{exc}）")
            return
        self.to(case, state, visit=False, refuse=refuse)

    def _dibao_subject(self, subjects: list[_Subject]) -> _Subject:
        """A disabled member of a 低保 household with a certificate in the feed; else one is issued to a
        member of the household the procedure's demo confirmed for 低保."""
        from jiuzhu.benefits.models import Entitlement

        found = next((s for s in subjects if _holds_dibao(s)), None)
        if found is not None:
            return found
        entitlement = (
            Entitlement.objects.filter(
                program=AidProgram.DIBAO,
                status=EntitlementStatus.ACTIVE,
                person__isnull=True,
                region__code__range=self.town.bounds(),
            )
            .select_related("household", "household__head")
            .order_by("id")
            .first()
        )
        if entitlement is None:
            raise ServiceError("演示县没有在保低保家庭，无法办理困难残疾人生活补贴")
        household = entitlement.household
        members = sorted(self._members(household), key=lambda p: (p.pk == household.head_id, p.pk))
        person = members[0]
        return _Subject(household, person, self._issue_certificate(person))

    def _issue_certificate(self, person: Person) -> dict[str, Any]:
        """The federation issues ``person`` a certificate (肢体二级): recorded in the registry by the
        caseworker, and the federation's file imported."""
        from jiuzhu.benefits.selectors import disability_record
        from jiuzhu.exchange.services import feed_import
        from jiuzhu.registry.services.persons import person_update

        proc = self.proc
        person_update(
            ctx=proc.ctx(proc.caseworker),
            person_id=person.pk,
            version=person.version,
            data={"disability_category": "physical", "disability_grade": 2},
        )
        issued = self.today.replace(day=1)
        csv = f"身份证号码,残疾类别,残疾等级,发证日期\n{person.id_number},physical,2,{issued.isoformat()}\n"
        feed_import(
            ctx=AuditContext.system(),
            feed_code="disability",
            file_name=f"残联-新办证-{issued.isoformat()}.csv",
            fh=io.BytesIO(csv.encode()),
            region_code=self.layout.county_code,
        )
        record = disability_record(id_number=person.id_number, on=self.today)
        assert record is not None
        return _certificate(record)

    def _childhood(self) -> None:
        children = list(self._children())
        used: set[int] = set()
        for program in (ORPHAN, DIFFICULTY):
            # A child is given one of the two (they exclude each other: ``engine.compat``); the second
            # program takes the children the first left, then the others.
            pool = [c for c in children if c[1].pk not in used] + [c for c in children if c[1].pk in used]
            for i, state in enumerate(CHILD_STATES):
                if not pool:
                    self.log(f"  {AidProgram.label_of(program)}：无可用的儿童，未办理“{state}”案件")
                    continue
                household, child = pool.pop(0)
                used.add(child.pk)
                self._child_case(program, household, child, state, i)

    def _child_case(self, program: str, household: Household, child: Person, state: str, i: int) -> None:
        head = household.head
        assert head is not None
        details: dict[str, Any] = {"subject_id": child.pk}
        if head.age_on(self.today) >= 18 and i % 3 != 2:
            details |= {"guardian_id": head.pk, "guardian_relation": "grandparent"}
        else:
            details |= {
                "guardian_name": "王秀英",
                "guardian_id_number": GUARDIAN_ID,
                "guardian_relation": "other_relative",
            }
        refuse = None
        if program == ORPHAN:
            details |= {"father_situation": "imprisoned", "mother_situation": "lost_contact"}
            if i % 2:
                details |= {"father_situation": "dead", "mother_situation": "severe_illness"}
            if state == "refused":
                details["mother_situation"] = "able"
                refuse = ["母亲能够履行抚养义务，不属于事实无人抚养儿童"]
        else:
            details |= {
                "difficulty": "guardianship",
                "father_situation": "dead",
                "mother_situation": "lost_contact",
            }
            if state == "refused":
                details |= {"difficulty": "economic", "father_situation": "able", "mother_situation": "able"}
                refuse = ["所在家庭未享受最低生活保障，也未纳入特困供养，不属于家庭经济困难儿童"]
        try:
            case = self.apply(household, program, details)
        except ServiceError as exc:
            self.log(f"  {AidProgram.label_of(program)}：{household.number} 未能受理（{exc}）")
            return
        self.to(case, state, visit=True, refuse=refuse)


STATEMENTS = {
    LIVING: "家庭成员持有残疾人证，家庭享受最低生活保障，申请困难残疾人生活补贴",
    CARE: "家庭成员重度残疾，需长期照护，申请重度残疾人护理补贴",
    ORPHAN: "孩子父母长期不在身边，无人抚养，由祖辈照料，申请事实无人抚养儿童认定",
    DIFFICULTY: "孩子父母无法履行监护职责，生活困难，申请困境儿童认定",
}
# A relative outside the household who is the guardian (a valid, fictional ID number).
GUARDIAN_ID = "11010519491231002X"


def _certificate(record: Any) -> dict[str, Any]:
    return {
        "certificate_no": record.certificate_no,
        "disability_category": record.category,
        "disability_grade": record.grade,
    }


def _holds_dibao(subject: _Subject) -> bool:
    from jiuzhu.benefits.programs.disability import household_holds

    return household_holds(subject.person.pk, AidProgram.DIBAO, timezone.localdate())


def _pdf() -> Any:
    from .procedure import _pdf as pdf

    return pdf("authorisation")
