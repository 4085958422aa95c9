"""The demo's 低保边缘 and 刚性支出困难 (rules §4), built after the 低保 procedure on its first township,
each step done through the services by the demo user whose role does it (the procedure's helpers):

- 低保边缘: a case walked from the window to the county's confirmation with a 单人保 (a severely disabled
  or seriously ill member covered individually by 低保), one confirmed whose validity has passed and
  was ended by the expiry service, one refused, one withdrawn, and open cases in every state the
  county's procedure reaches (verification, investigation, review, public notice, re-investigation
  after a held objection, community review, materials, confirmation);
- 刚性支出困难: a household that declared its children's schooling costs, confirmed (no money; the
  专项救助 eligibility for 12 months), one refused, and open cases (verification, investigation, review,
  public notice, confirmation).

Households are chosen by their verification: 低保边缘 ones among those the means check places between
the 低保 standard and the 边缘 line. A 刚性支出 household needs spending that the 低保 income test does not
deduct; the first township gets its own policy version saying so (教育、康复支出不在低保收入中扣减 —
a local choice, rules §1.9) when the county's deducts them. The expired entitlement is moved back in
time (``_age``) as the procedure moves cases back (``procedure._elapse``): demo data only. Running it
again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AidProgram
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household

from .build import Layout

NEAR = AidProgram.NEAR_DIBAO.value
RIGID = AidProgram.RIGID_EXPENSE.value
SCHOOLING = ("education", "rehabilitation")  # the spending the township does not deduct


def _procedure() -> ModuleType:
    """The 低保 procedure's demo module (imported late: it imports the programs' hook, which lists us)."""
    from . import procedure

    return procedure


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    from jiuzhu.workflow.models import Case

    bounds = Region.objects.get(code=layout.county_code).bounds()
    if Case.objects.filter(region__code__range=bounds, program__in=(NEAR, RIGID)).exists():
        log("  低保边缘、刚性支出困难案件已存在，沿用现有数据")
        return
    with transaction.atomic():
        _Margins(layout=layout, log=log).run()


def delete(bounds: tuple[str, str]) -> None:
    """The decisions and entitlements of both programs and of 单人保 (their cases, notices and the rest
    go with the procedure's rows of the county)."""
    from django.db.models import Q

    from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent

    mine = Q(program__in=(NEAR, RIGID)) | Q(decision__case_number__endswith="-DB")
    entitlements = Entitlement.objects.filter(mine, region__code__range=bounds)
    EntitlementEvent.objects.filter(entitlement__in=entitlements).delete()
    decisions = list(entitlements.values_list("decision_id", flat=True))
    entitlements.delete()
    Decision.objects.filter(
        Q(pk__in=decisions) | Q(program__in=(NEAR, RIGID)), region__code__range=bounds
    ).delete()


class _Margins:
    def __init__(self, *, layout: Layout, log: Callable[[str], None]) -> None:
        from jiuzhu.workflow.models import Case

        self.proc = _procedure()._Procedure(layout=layout, log=log)
        self.log = log
        self.layout = layout
        self.ctx = self.proc.ctx(self.proc.caseworker)
        town = Region.objects.get(code=self.proc.town1)
        busy = Case.objects.values("household_id")
        self.candidates = list(
            Household.objects.filter(region__code__range=town.bounds(), head__isnull=False)
            .exclude(pk__in=busy)
            .select_related("head", "region")
            .order_by("id")[:400]
        )
        self.near: list[tuple[Household, Any]] = []  # (household, report) placed between standard and line
        self.above: list[tuple[Household, Any]] = []  # neither 低保 nor 边缘
        self.made: dict[str, list[str]] = {NEAR: [], RIGID: []}

    # --- households ---

    def screen(self, *, near: int, above: int) -> None:
        from jiuzhu.verification.services import report_create

        while self.candidates and (len(self.near) < near or len(self.above) < above):
            household = self.candidates.pop(0)
            if not self.proc.authorise(household, self.proc.caseworker):
                continue
            try:
                report = report_create(ctx=self.ctx, id_number=_procedure()._head(household).id_number)
            except ServiceError:
                continue
            verdicts = {v["program"]: v["outcome"] for v in report.results.get("verdicts", [])}
            if verdicts.get(NEAR) == "yes":
                self.near.append((household, report))
            elif (
                verdicts.get("dibao") != "yes"
                and verdicts.get("tekun") != "yes"
                and not report.results["vetoes"]
            ):
                self.above.append((household, report))

    def take_near(self, *, single: bool = False) -> tuple[Household, int | None] | None:
        """A 边缘 household; with ``single``, one with a member who may be covered alone (and that member)."""
        for i, (household, report) in enumerate(self.near):
            member = self.single_member(household, report) if single else None
            if single and member is None:
                continue
            self.near.pop(i)
            return household, member
        return None

    def take_near_single(self) -> tuple[Household, int | None] | None:
        """A 边缘 household with a member who may be covered alone. Where the county has none, a member
        without income of the first 边缘 household is registered as seriously ill (重特大疾病, the
        diagnosis the family brings to the window) through the registry's service."""
        from jiuzhu.registry.models import Person
        from jiuzhu.registry.services.persons import person_update

        chosen = self.take_near(single=True)
        if chosen is not None:
            return chosen
        for i, (household, report) in enumerate(self.near):
            member = self.single_member(household, report, any_health=True)
            if member is None:
                continue
            person = Person.objects.get(pk=member)
            person_update(
                ctx=self.ctx, person_id=person.pk, version=person.version, data={"health": "serious"}
            )
            self.near.pop(i)
            return household, member
        return None

    def single_member(self, household: Household, report: Any, *, any_health: bool = False) -> int | None:
        """A member counted by the report with a grade 1–2 disability or a serious illness (any member
        with ``any_health``) whose own income is under the 低保 standard, if the household has one."""
        from jiuzhu.benefits.engine.margins import member_monthly_income
        from jiuzhu.policy.selectors import policy_in_force
        from jiuzhu.registry.models import Person

        policy = policy_in_force(region_code=household.region_id, on=timezone.localdate())
        standard = policy.dibao_standard(urban=household.urban_rural == "urban")
        ids = [m["person_id"] for m in report.inputs.get("members", []) if m.get("included", True)]
        for person in Person.objects.filter(pk__in=ids).order_by("pk"):
            if any_health or person.disability_grade in (1, 2) or person.health == "serious":
                lines = report.results.get("lines", [])
                months = int(report.results["months"])
                if member_monthly_income(lines, person_id=person.pk, months=months) < standard:
                    return int(person.pk)
        return None

    def take_any(self) -> Household | None:
        for pool in (self.above, self.near):
            if pool:
                return pool.pop()[0]
        return None

    # --- intake ---

    def apply_near(self, household: Household, *, single_member: int | None = None, seq: int = 0) -> Any:
        """A window application for 低保边缘 (with the 单人保 member named), verified and accepted."""
        from jiuzhu.intake import services as intake
        from jiuzhu.workflow.models import Case

        ctx = self.ctx
        app = intake.application_start(
            ctx=ctx,
            id_number=_procedure()._head(household).id_number,
            channel="window",
            programs=[NEAR],
            statement="家庭收入略高于低保标准，老人长期患病，申请低保边缘家庭认定",
        )
        app = intake.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
        app = intake.application_record_papers(
            ctx=ctx,
            application_id=app.pk,
            version=app.version,
            commitment=self.proc.png("commitment"),
            authorisation=_procedure()._pdf("authorisation"),
        )
        facts = {"single_member_id": single_member} if single_member else {}
        app = intake.application_accept(
            ctx=ctx, application_id=app.pk, version=app.version, programs=[NEAR], details={NEAR: facts}
        )
        return Case.objects.select_related("applicant", "household").get(pk=app.cases[0]["id"])

    def apply_rigid(self, household: Household, report: Any) -> Any:
        """A 刚性支出 application: the household declares its schooling costs (70 % of its income over the
        window), the check is made with them, and the case accepted on that report."""
        from jiuzhu.verification.services import report_create
        from jiuzhu.workflow.services import case_open

        income = Decimal(str(report.results["totals"]["rigid_window_income"]))
        spent = (income * Decimal("0.7")).quantize(Decimal("1"))
        declared = [
            {"person_id": _procedure()._head(household).pk, "item": "education_expense", "amount": str(spent)}
        ]
        checked = report_create(
            ctx=self.ctx, id_number=_procedure()._head(household).id_number, declared=declared
        )
        return case_open(
            ctx=self.ctx,
            program=RIGID,
            household_id=household.pk,
            applicant_id=_procedure()._head(household).pk,
            report_id=checked.pk,
        )

    # --- the run ---

    def run(self) -> None:
        self.rigid_policy()
        self.screen(near=12, above=14)
        checked = len(self.near) + len(self.above)
        self.log(f"  低保边缘、刚性支出困难：核对 {checked} 户，其中处于低保边缘 {len(self.near)} 户")
        self.near_cases()
        self.rigid_cases()
        for program, made in self.made.items():
            self.log(f"  {AidProgram.label_of(program)}：" + "，".join(made))

    def rigid_policy(self) -> None:
        """The first township's own version: schooling and rehabilitation costs are not deducted from
        income in the 低保 test (so they count only in the 刚性支出 ratio)."""
        from jiuzhu.policy.selectors import policy_in_force
        from jiuzhu.policy.services import policy_version_create

        today = timezone.localdate()
        policy = policy_in_force(region_code=self.proc.town1, on=today)
        if not set(SCHOOLING) & set(policy.deductible_expenses):
            return
        skip = {"id", "region", "effective_from", "effective_to", "created_by", "created_at"}
        values = {f.name: getattr(policy, f.name) for f in policy._meta.concrete_fields if f.name not in skip}
        values |= {
            "deductible_expenses": [c for c in policy.deductible_expenses if c not in SCHOOLING],
            "document_no": f"{policy.document_no}（本镇：教育、康复支出不在低保收入中扣减）"[:100],
        }
        region = Region.objects.get(code=self.proc.town1)
        policy_version_create(ctx=AuditContext.system(), region=region, effective_from=today, **values)

    def confirm(self, case: Any, *, agree: bool = True, reasons: list[str] | None = None) -> Any:
        from jiuzhu.workflow.services.steps import confirmation_decide

        self.proc.spot_check(case)
        return confirmation_decide(
            ctx=self.proc.ctx(self.proc.approver),
            case_id=case.pk,
            version=self.proc.version(case),
            agree=agree,
            text="经审查，符合认定条件，同意确认" if agree else "经审查，不符合认定条件",
            reasons=reasons,
        )

    def open_states(
        self, program: str, take: Callable[[], Any], apply: Callable[[Any], Any], full: bool
    ) -> None:
        p = self.proc
        made = self.made[program]
        for state in ("verification", "investigation", "review", "public_notice"):
            picked = take()
            if picked is None:
                return
            case = apply(picked)
            _procedure()._elapse(case, 2)
            if state in ("investigation", "review", "public_notice"):
                p.act(p.caseworker, case, "investigation")
            if state in ("review", "public_notice"):
                p.investigate(case)
                p.act(p.caseworker, case, "review")
            if state == "public_notice":
                p.review(case)
                p.act(p.reviewer, case, "public_notice")
                p.notice(case)
            made.append(f"{_label(state)} 1")
        if not full:
            return
        picked = take()
        if picked is not None:  # re-investigation after a held objection, then community review
            case = apply(picked)
            _procedure()._elapse(case, 3)
            p.held_objection(case)
            made.append("重新调查核实 1")
        picked = take()
        if picked is not None:
            case = apply(picked)
            _procedure()._elapse(case, 6)
            p.held_objection(case)
            p.investigate(case, findings="重新入户核实：反映的车辆系亲属借用，家庭情况属实")
            p.act(p.caseworker, case, "community_review")
            made.append("民主评议 1")
        picked = take()
        if picked is not None:
            case = apply(picked)
            _procedure()._elapse(case, 2)
            p.act(p.caseworker, case, "investigation")
            p.act(p.caseworker, case, "materials", "请补充提供近一年的医疗费用票据和残疾人证复印件")
            made.append("补正材料 1")

    def near_cases(self) -> None:
        p = self.proc
        made = self.made[NEAR]
        chosen = self.take_near_single()
        if chosen is not None:  # walked to the county's confirmation, with 单人保
            household, member = chosen
            case = self.apply_near(household, single_member=member)
            _procedure()._elapse(case, 3)
            p.to_confirmation(case)
            done = self.confirm(case)
            made.append(f"确认（{done.case.number}，含单人保）")
        chosen = self.take_near()
        if chosen is not None:  # confirmed long ago, its validity passed: ended by the expiry service
            case = self.apply_near(chosen[0], seq=1)
            _procedure()._elapse(case, 3)
            p.to_confirmation(case)
            done = self.confirm(case)
            if done.entitlement is not None:
                _age(done.entitlement, months=13)
                from jiuzhu.benefits.services_margins import entitlements_expire

                entitlements_expire(ctx=AuditContext.system())
                made.append("有效期届满终止 1")
        chosen = self.take_near()
        if chosen is not None:  # at the county's confirmation
            case = self.apply_near(chosen[0], seq=2)
            _procedure()._elapse(case, 3)
            p.to_confirmation(case)
            made.append("待县级确认 1")
        other = self.take_any()
        if other is not None:  # refused at the county
            case = self.apply_near(other, seq=3)
            _procedure()._elapse(case, 4)
            p.to_confirmation(case)
            self.confirm(case, agree=False, reasons=["经核对，家庭人均收入不低于本地低保边缘线"])
            made.append("不予确认 1")
        other = self.take_any()
        if other is not None:  # withdrawn by the applicant during the investigation
            case = self.apply_near(other, seq=4)
            _procedure()._elapse(case, 2)
            p.act(p.caseworker, case, "investigation")
            p.act(p.caseworker, case, "withdrawn", "申请人家庭成员已就业，申请撤回")
            made.append("撤回 1")

        def take() -> Household | None:
            picked = self.take_near()
            return picked[0] if picked else self.take_any()

        self.open_states(NEAR, take, self.apply_near, full=True)

    def rigid_cases(self) -> None:
        p = self.proc
        made = self.made[RIGID]
        reports = dict(self.above_reports())
        for label, confirm in (("确认", True), ("待县级确认", False)):
            household = self.take_above(reports)
            if household is None:
                return
            case = self.apply_rigid(household, reports[household.pk])
            _procedure()._elapse(case, 3)
            p.to_confirmation(case)
            if confirm:
                done = self.confirm(case)
                made.append(f"确认（{done.case.number}，有效期至 {done.entitlement.valid_until:%Y-%m}）")
            else:
                made.append(f"{label} 1")
        household = self.take_above(reports)
        if household is not None:  # refused: the report carries no rigid spending
            from jiuzhu.workflow.services import case_open

            case = case_open(
                ctx=self.ctx,
                program=RIGID,
                household_id=household.pk,
                applicant_id=_procedure()._head(household).pk,
                report_id=reports[household.pk].pk,
            )
            _procedure()._elapse(case, 4)
            p.to_confirmation(case)
            self.confirm(
                case, agree=False, reasons=["近 12 个月刚性支出占家庭总收入的比例未超过本地规定比例"]
            )
            made.append("不予确认 1")

        def take() -> Household | None:
            return self.take_above(reports)

        self.open_states(RIGID, take, lambda h: self.apply_rigid(h, reports[h.pk]), full=False)

    def above_reports(self) -> list[tuple[int, Any]]:
        return [(h.pk, r) for h, r in self.above]

    def take_above(self, reports: dict[int, Any]) -> Household | None:
        """A household over the 边缘 line whose annual per-capita income is under last year's disposable
        income (what 刚性支出 asks besides the spending)."""
        from jiuzhu.policy.selectors import policy_in_force

        policy = policy_in_force(region_code=self.proc.town1, on=timezone.localdate())
        for i, (household, report) in enumerate(self.above):
            totals = report.results["totals"]
            size, months = int(report.results["size"]), int(report.results["months"])
            annual = Decimal(str(totals["gross_income"])) * 12 / months / size
            if (
                annual < policy.disposable_income_prev_year
                and Decimal(str(totals["rigid_window_income"])) > 0
            ):
                self.above.pop(i)
                return household
        return None


def _label(state: str) -> str:
    return {
        "verification": "家庭经济状况核对",
        "investigation": "入户调查",
        "review": "乡镇审核",
        "public_notice": "公示",
    }[state]


def _age(entitlement: Any, *, months: int) -> None:
    """Move an entitlement and its decision ``months`` back, as if confirmed that long ago (demo data
    only: how the demo shows an entitlement whose validity has passed)."""
    from datetime import timedelta

    from jiuzhu.benefits.engine.review import add_months
    from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent

    row = Entitlement.objects.get(pk=entitlement.pk)
    values: dict[str, Any] = {"start_month": add_months(row.start_month, -months)}
    if row.valid_until:
        values["valid_until"] = add_months(row.valid_until, -months)
    values["next_review_on"] = row.next_review_on - timedelta(days=31 * months)
    Entitlement.objects.filter(pk=row.pk).update(**values)
    decided = Decision.objects.get(pk=row.decision_id).decided_on
    Decision.objects.filter(pk=row.decision_id).update(decided_on=decided - timedelta(days=31 * months))
    for event in EntitlementEvent.objects.filter(entitlement=row):
        EntitlementEvent.objects.filter(pk=event.pk).update(at=event.at - timedelta(days=31 * months))
