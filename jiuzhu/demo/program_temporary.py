"""The demo's 临时救助 (rules §5), on the demo county after the 低保 procedure, every act through the
services by the demo user whose role does it (the procedure's helpers: ``demo.procedure``):

- 急难型 cases (simplified path, no notice) in every state they pass: 受理登记, 调查核实, 乡镇审核, the
  township's approval within its cap, the county's 一事一议 above the general cap (one waiting for it),
  the county's approval, one granted, one refused by the once-per-year-per-cause rule (the person was
  helped for the same cause earlier this year), one withdrawn;
- 支出型 cases (means check, a 5-working-day notice): 受理登记, 调查核实, 乡镇审核, 公示, 重新调查核实 after
  a held objection, the county's approval, one granted, one terminated;
- 先行救助: one paid at once and completed later (ratified by the township's decision, nothing paid
  twice), one whose paperwork is late (flagged by the scan, red in the queue), and one for a
  non-resident (流动人口) registered at the place of the emergency.

Running it again changes nothing: it is built once per county.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AidProgram
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household

from .build import Layout

TEMPORARY = AidProgram.TEMPORARY.value


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    from jiuzhu.workflow.models import Case

    bounds = Region.objects.get(code=layout.county_code).bounds()
    if Case.objects.filter(region__code__range=bounds, program=TEMPORARY).exists():
        log("  临时救助案件已存在，沿用现有数据")
        return
    with transaction.atomic():
        made = _Temporary(layout=layout, log=log).run()
    states = "，".join(f"{k} {v}" for k, v in sorted(made.items()))
    log(f"  临时救助：{states}")


def delete(bounds: tuple[str, str]) -> None:
    """The 先行救助 rows of the county (the cases, decisions, entitlements and notices go with the
    procedure's rows)."""
    from jiuzhu.workflow.models import PriorAid

    PriorAid.objects.filter(region__code__range=bounds).delete()


class _Temporary:
    def __init__(self, *, layout: Layout, log: Callable[[str], None]) -> None:
        from .procedure import _Procedure

        self.proc = _Procedure(layout=layout, log=log)
        self.log = log
        self.today = timezone.localdate()
        self.made: Counter[str] = Counter()
        self.seq = 9000

    # --- intake ---

    def household(self) -> Household | None:
        from jiuzhu.workflow.models import Case

        while True:
            household = self.proc.pool.take_unscreened()
            if household is None:
                return None
            if not Case.objects.filter(household=household, program=TEMPORARY).exists():
                return household

    def apply(self, facts: dict[str, Any], *, verify: bool = False) -> Any:
        """A window application for 临时救助 (verified for the expenditure type), papers signed, accepted
        with its facts: its case; None when no household of the pool could be taken through."""
        from jiuzhu.intake import services as intake
        from jiuzhu.workflow.models import Case

        from .procedure import _head, _pdf

        for _attempt in range(5):
            household = self.household()
            if household is None:
                return None
            worker = self.proc.caseworker
            ctx = self.proc.ctx(worker)
            try:
                with transaction.atomic():
                    if not self.proc.authorise(household, worker):
                        continue
                    head = _head(household)
                    app = intake.application_start(
                        ctx=ctx,
                        id_number=head.id_number,
                        channel="window",
                        programs=[TEMPORARY],
                        statement=str(facts.get("description", "突发困难，申请临时救助")),
                    )
                    if verify:
                        app = intake.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
                    app = intake.application_record_papers(
                        ctx=ctx,
                        application_id=app.pk,
                        version=app.version,
                        commitment=self.proc.png("commitment"),
                        authorisation=_pdf("authorisation"),
                    )
                    app = intake.application_accept(
                        ctx=ctx,
                        application_id=app.pk,
                        version=app.version,
                        programs=[TEMPORARY],
                        details={TEMPORARY: {"subject_id": head.pk, **facts}},
                    )
            except ServiceError:
                continue
            return Case.objects.select_related("applicant", "household").get(pk=app.cases[0]["id"])
        return None

    # --- steps ---

    def to_review(self, case: Any, *, agree: bool = True) -> None:
        from jiuzhu.workflow.services.steps import review_opinion

        self.proc.to_review(case)
        review_opinion(
            ctx=self.proc.ctx(self.proc.reviewer),
            case_id=case.pk,
            version=self.proc.version(case),
            agree=agree,
            text="经审核，困难情形属实，拟给予临时救助" if agree else "经审核，不符合临时救助条件",
        )

    def approve(self, case: Any, *, agree: bool = True, reasons: list[str] | None = None) -> Any:
        """The decision at the case's approving step, by its user (township reviewer or county approver)."""
        from jiuzhu.workflow.models import Case
        from jiuzhu.workflow.services.steps import confirmation_decide

        state = Case.objects.filter(pk=case.pk).values_list("state", flat=True).get()
        user = self.proc.reviewer if state == "township_confirmation" else self.proc.approver
        self.proc.spot_check(case)
        return confirmation_decide(
            ctx=self.proc.ctx(user),
            case_id=case.pk,
            version=self.proc.version(case),
            agree=agree,
            text="经审查，符合临时救助条件，同意给予" if agree else "经审查，不符合临时救助条件",
            reasons=reasons,
        )

    def forward(self, case: Any) -> str:
        """From review, the approving step the amount calls for (or the notice): the first allowed."""
        from jiuzhu.workflow.models import Case
        from jiuzhu.workflow.selectors import case_transitions

        row = Case.objects.get(pk=case.pk)
        for t in case_transitions(user=self.proc.reviewer, case=row):
            if t.allowed and t.action == "forward":
                self.proc.act(self.proc.reviewer, case, t.target)
                return str(t.target)
        raise RuntimeError(f"{row.number}：乡镇审核后没有可用的流转")

    # --- the run ---

    def run(self) -> Counter[str]:
        from jiuzhu.workflow.services.temporary import prior_aid_scan

        self.emergencies()
        self.expenses()
        self.prior_aids()
        late = prior_aid_scan(ctx=AuditContext.system())
        self.log(f"  先行救助补办超期：{late} 件")
        return self.made

    def emergency(self, cause: str, amount: str | None = None, **facts: Any) -> Any:
        base: dict[str, Any] = {"kind": "emergency", "cause": cause, "description": _DESCRIPTIONS[cause]}
        if amount:
            base["amount_asked"] = amount
        return self.apply({**base, **facts})

    def emergencies(self) -> None:
        from .procedure import _elapse, _state_label

        plan = (
            ("verification", "fire", "2000"),
            ("investigation", "traffic", "1500"),
            ("review", "injury", None),
            ("township_confirmation", "drowning", "1200"),
            ("county_special", "sudden_illness", "12000"),
            ("confirmation", "sudden_illness", "5000"),
            ("confirmed", "fire", "1800"),
            ("withdrawn", "other_emergency", "800"),
        )
        for target, cause, amount in plan:
            case = self.emergency(cause, amount)
            if case is None:
                continue
            _elapse(case, 2)
            if target == "withdrawn":
                self.proc.act(self.proc.caseworker, case, "withdrawn", reason="申请人已获亲友资助，申请撤回")
            elif target != "verification":
                self.proc.act(self.proc.caseworker, case, "investigation")
                if target != "investigation":
                    self.proc.investigate(case, findings="现场核实：困难情形属实")
                    self.proc.act(self.proc.caseworker, case, "review")
                    if target != "review":
                        self.to_review_opinion(case)
                        _elapse(case, 1)
                        self.forward(case)
                        if target == "confirmed":
                            self.approve(case)
            self.made[f"急难型·{_state_label(target)}"] += 1
        # Refused by the once-per-cause rule: granted for a fire earlier this year, a second fire now.
        first = self.emergency("fire", "1000")
        if first is not None:
            self.walk_to_decision(first)
            self.approve(first)
            again = self._again(first, "fire", "1500")
            if again is not None:
                self.walk_to_decision(again)
                self.approve(
                    again,
                    agree=False,
                    reasons=["本年度已因同一事由（火灾）获得临时救助，且县级未批准例外（同一事由每年一次）"],
                )
                self.made["急难型·不予批准（同一事由）"] += 1

    def to_review_opinion(self, case: Any) -> None:
        from jiuzhu.workflow.services.steps import review_opinion

        review_opinion(
            ctx=self.proc.ctx(self.proc.reviewer),
            case_id=case.pk,
            version=self.proc.version(case),
            agree=True,
            text="经审核，困难情形属实，拟给予临时救助",
        )

    def walk_to_decision(self, case: Any) -> None:
        self.proc.act(self.proc.caseworker, case, "investigation")
        self.proc.investigate(case, findings="现场核实：困难情形属实")
        self.proc.act(self.proc.caseworker, case, "review")
        self.to_review_opinion(case)
        self.forward(case)

    def _again(self, first: Any, cause: str, amount: str) -> Any:
        """A second application of the same person, for the same cause."""
        from jiuzhu.workflow.models import Case
        from jiuzhu.workflow.services import case_open

        return Case.objects.get(
            pk=case_open(
                ctx=self.proc.ctx(self.proc.caseworker),
                program=TEMPORARY,
                household_id=first.household_id,
                applicant_id=first.applicant_id,
                subject_id=first.applicant_id,
                details={
                    "kind": "emergency",
                    "cause": cause,
                    "amount_asked": amount,
                    "description": "房屋再次失火，申请临时救助",
                },
            ).pk
        )

    def expenses(self) -> None:
        from .procedure import _elapse, _state_label

        plan = (
            ("verification", "medical_expense", 3, 2),
            ("investigation", "education", 2, 3),
            ("review", "medical_expense", 1, 4),
            ("public_notice", "medical_expense", 3, 2),
            ("reinvestigation", "other_expense", 2, 2),
            ("confirmation", "medical_expense", 2, 3),
            ("confirmed", "education", 1, 3),
            ("terminated", "medical_expense", 2, 1),
        )
        for target, cause, people, months in plan:
            facts = {
                "kind": "expense",
                "cause": cause,
                "people": people,
                "months": months,
                "description": _DESCRIPTIONS[cause],
            }
            case = self.apply(facts, verify=True)
            if case is None:
                continue
            _elapse(case, 3)
            if target == "terminated":
                self.proc.act(self.proc.caseworker, case, "terminated", reason="申请人已迁出本县，终止办理")
            elif target != "verification":
                self.proc.act(self.proc.caseworker, case, "investigation")
                if target != "investigation":
                    self.proc.investigate(case, findings="核实医疗（教育）票据，自付支出属实")
                    self.proc.act(self.proc.caseworker, case, "review")
                    if target != "review":
                        self.to_review_opinion(case)
                        self.proc.act(self.proc.reviewer, case, "public_notice")
                        notice = self.proc.notice(case)
                        if target == "reinvestigation":
                            self.proc.held_objection(case, notice)
                        elif target in ("confirmation", "confirmed"):
                            _elapse(case, 9)
                            self.proc.close_notice(case)
                            if target == "confirmed":
                                self.approve(case)
            self.made[f"支出型·{_state_label(target)}"] += 1

    def prior_aids(self) -> None:
        from jiuzhu.workflow.models import PriorAid
        from jiuzhu.workflow.services.temporary import non_resident_register, prior_aid_grant

        from .procedure import _elapse, _head

        ctx = self.proc.ctx(self.proc.caseworker)
        # Paid at once, completed later: the township's decision ratifies it.
        household = self.household()
        if household is not None:
            aid = prior_aid_grant(
                ctx=ctx,
                household_id=household.pk,
                recipient_id=_head(household).pk,
                amount="2000",
                cause="fire",
                reason="夜间住房失火，衣物被褥和口粮被烧毁",
                paid_on=self.today - timedelta(days=4),
            )
            _elapse(aid.case, 4)
            self.walk_to_decision(aid.case)
            self.approve(aid.case)
            self.made["先行救助·已追认"] += 1
        # Paid twelve days ago, the paperwork still at the investigation: late, flagged, red.
        household = self.household()
        if household is not None:
            aid = prior_aid_grant(
                ctx=ctx,
                household_id=household.pk,
                recipient_id=_head(household).pk,
                amount="1500",
                cause="injury",
                reason="务农时被农机所伤，急需救治",
                paid_on=self.today - timedelta(days=12),
            )
            PriorAid.objects.filter(pk=aid.pk).update(overdue=False)  # the scan below flags it
            _elapse(aid.case, 12)
            self.proc.act(self.proc.caseworker, aid.case, "investigation")
            self.made["先行救助·补办超期"] += 1
        # A non-resident in an emergency here: registered at the place, helped at once.
        village = self.proc.home_village or self.proc.layout.village_codes[0]
        number = _non_resident_id()
        try:
            place = non_resident_register(
                ctx=ctx,
                id_number=number,
                name="韩流动",
                village_code=village,
                address="村东工地临时工棚",
                hukou_address="外省某县某乡某村",
            )
        except ServiceError:
            return
        prior_aid_grant(
            ctx=ctx,
            household_id=place.pk,
            recipient_id=int(place.head_id or 0),
            amount="1000",
            cause="traffic",
            reason="外出务工途中遭遇交通事故，身无分文",
            non_resident=True,
        )
        self.made["先行救助·流动人口"] += 1


def _non_resident_id() -> str:
    """A valid ID number of another province (so that it is not one of the synthetic county's)."""
    from jiuzhu.registry.idnumber import check_char

    first17 = "970101" + "19850315" + "357"
    return first17 + check_char(first17)


_DESCRIPTIONS = {
    "fire": "住房失火，生活用品被毁，基本生活暂时无着",
    "drowning": "子女溺水送医抢救，家庭一时无力承担",
    "traffic": "家庭成员遭遇交通事故，肇事方暂未赔付",
    "injury": "家庭主要劳动力意外受伤，暂时无收入",
    "sudden_illness": "家庭成员突发重病住院，医疗费用巨大",
    "other_emergency": "突发意外事件，基本生活暂时困难",
    "medical_expense": "慢性病长期治疗，医保报销后自付费用超出家庭承受能力",
    "education": "子女上大学，学费生活费支出超出家庭承受能力",
    "other_expense": "经医疗、教育等专项救助后，家庭基本生活仍有困难",
}
