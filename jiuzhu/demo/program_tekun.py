"""The demo's 特困人员认定: cases of elderly people of the first township in every state, each step done
through the services by the demo user whose role does it (the 低保 procedure's helpers):

- accepted (受理与核对), with the report that covers the household and its liable supporters;
- in the investigation with the home visit and the county-led six-item self-care assessment done;
- in its public notice, on the village's board;
- at the county's confirmation;
- confirmed, with the person entitlement (basic standard + the care standard of the tier, 分散供养);
- one 集中供养 confirmed with its institution;
- refused by the county with the reasons of the 三无 finding and the 不予确认 notice.

Idempotent: nothing is built when the county has a 特困 case.
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
from jiuzhu.registry.models import Household, Membership, Person

from .build import Layout

TEKUN = AidProgram.TEKUN.value
STATEMENT = "年老体弱，无劳动能力，无生活来源，子女无力赡养"


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    from jiuzhu.workflow.models import Case
    from jiuzhu.workflow.services.definitions import definition_sync

    bounds = Region.objects.get(code=layout.county_code).bounds()
    if Case.objects.filter(region__code__range=bounds, program=TEKUN).exists():
        log("  特困办理案件已存在，沿用现有数据")
        return
    definition_sync(ctx=AuditContext.system())
    with transaction.atomic():
        made = _Tekun(layout=layout, log=log).run()
    log("  特困人员认定：" + "，".join(f"{k} {v}" for k, v in made.items()))


def delete(bounds: tuple[str, str]) -> None:
    """The assessments of the county's cases (the cases themselves go with the procedure's rows)."""
    from jiuzhu.workflow.models import SelfCareAssessment

    SelfCareAssessment.objects.filter(case__region__code__range=bounds).delete()


def _elapse(case: Any, days: int) -> None:
    """The procedure's ``_elapse``, with the case's self-care assessments moved back too."""
    from jiuzhu.workflow.models import SelfCareAssessment

    from .procedure import _elapse as elapse
    from .procedure import _shift

    if days <= 0:
        return
    elapse(case, days)
    rows = SelfCareAssessment.objects.filter(case_id=case.pk)
    _shift(SelfCareAssessment, rows, ("assessed_on", "recorded_at"), timedelta(days=days))


class _Tekun:
    def __init__(self, *, layout: Layout, log: Callable[[str], None]) -> None:
        from .procedure import _Procedure

        self.proc = _Procedure(layout=layout, log=log)
        self.today = timezone.localdate()
        self.candidates = self._candidates()
        self.spare: list[tuple[Household, Person]] = []  # candidates whose 三无 outcome did not fit
        self.outcomes: dict[int, str] = {}  # the 三无 outcome of each spare candidate, by household
        self.failed: list[str] = []

    def _candidates(self) -> list[tuple[Household, Person]]:
        """Households of the first township with no case yet and a member aged 60 or over (the
        applicant, or the person the case is for): the oldest member of each."""
        from jiuzhu.workflow.models import Case

        town = Region.objects.get(code=self.proc.town1)
        born_before = self.today.replace(year=self.today.year - 62)
        rows = (
            Membership.objects.filter(
                end_date__isnull=True,
                household__region__code__range=town.bounds(),
                household__head__isnull=False,
                person__birth_date__lte=born_before,
                person__death_date__isnull=True,
            )
            .exclude(household_id__in=Case.objects.values("household_id"))
            .select_related("household", "household__head", "person")
            .order_by("household_id", "person__birth_date")
        )
        out: dict[int, tuple[Household, Person]] = {}
        for m in rows:
            out.setdefault(m.household_id, (m.household, m.person))
        return list(out.values())

    def ctx(self, user: Any) -> AuditContext:
        return AuditContext(user=user, channel="cli")

    def apply(self, form: str = "dispersed", *, want: str | None = None) -> Any:
        """A window application for 特困 of the next candidate (its oldest member), accepted: its case.
        ``want``: the 三无 outcome the case should have ("yes" for one to be confirmed — one still to be
        checked cannot be —, "no" for one to be refused); a candidate that does not fit is left for the
        next call."""
        from jiuzhu.intake import services as intake
        from jiuzhu.workflow.models import Case
        from jiuzhu.workflow.services.tekun import tekun_sanwu

        from .procedure import _head, _pdf

        p = self.proc
        # A spare candidate was skipped for not fitting another outcome: it may fit this one.
        spare = [c for c in self.spare if want is None or self.outcomes.get(c[0].pk) == want]
        pool = spare + self.candidates
        for household, person in list(pool):
            for options in (self.spare, self.candidates):
                if (household, person) in options:
                    options.remove((household, person))
            ctx = self.ctx(p.caseworker)
            try:
                with transaction.atomic():
                    if not p.authorise(household, p.caseworker):
                        continue
                    app = intake.application_start(
                        ctx=ctx,
                        id_number=_head(household).id_number,
                        channel="window",
                        programs=[TEKUN],
                        statement=STATEMENT,
                    )
                    app = intake.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
                    app = intake.application_record_papers(
                        ctx=ctx,
                        application_id=app.pk,
                        version=app.version,
                        commitment=p.png("commitment"),
                        authorisation=_pdf("authorisation"),
                    )
                    facts: dict[str, Any] = {"subject_id": person.pk, "support_form": form}
                    if form == "central":
                        facts["institution"] = "县社会福利中心（敬老院）"
                    app = intake.application_accept(
                        ctx=ctx,
                        application_id=app.pk,
                        version=app.version,
                        programs=[TEKUN],
                        details={TEKUN: facts},
                    )
                    case = Case.objects.select_related("applicant", "household", "subject", "report").get(
                        pk=app.cases[0]["id"]
                    )
                    if want is not None:
                        outcome = tekun_sanwu(case).outcome
                        if outcome != want:
                            self.outcomes[household.pk] = outcome
                            raise _Skip()
                    return case
            except _Skip:
                self.spare.append((household, person))
            except ServiceError as exc:
                self.failed.append(f"{household.number}：{exc.message} {exc.errors}")
        return None

    # --- steps ---

    def assess(self, case: Any, lost: int) -> None:
        from jiuzhu.benefits.engine.tekun import SELFCARE_ITEMS
        from jiuzhu.workflow.services.tekun import selfcare_assess

        p = self.proc
        items = {code: i >= lost for i, (code, _) in enumerate(SELFCARE_ITEMS)}
        selfcare_assess(
            ctx=self.ctx(p.caseworker),
            case_id=case.pk,
            version=p.version(case),
            items=items,
            assessed_on=self.today,
            assessor_ids=[p.approver.pk, p.caseworker.pk],
            note="县民政局牵头，镇民政办、村委会协助，逐项现场评估",
        )

    def investigate(self, case: Any, lost: int) -> None:
        p = self.proc
        p.act(p.caseworker, case, "investigation")
        p.investigate(
            case,
            findings="申请人年老体弱，无固定收入；法定义务人经济困难，无力履行赡养义务，情况属实",
        )
        self.assess(case, lost)

    def review(self, case: Any) -> None:
        from jiuzhu.workflow.services.steps import review_opinion

        p = self.proc
        p.act(p.caseworker, case, "review")
        review_opinion(
            ctx=self.ctx(p.reviewer),
            case_id=case.pk,
            version=p.version(case),
            agree=True,
            text="经审核，申请人符合特困人员“三无”条件，同意上报县级确认",
        )

    def to_notice(self, case: Any, lost: int) -> Any:
        p = self.proc
        self.investigate(case, lost)
        self.review(case)
        p.act(p.reviewer, case, "public_notice")
        return p.notice(case)

    def to_confirmation(self, case: Any, lost: int) -> None:
        self.to_notice(case, lost)
        _elapse(case, 8)
        self.proc.close_notice(case)

    def confirm(self, case: Any, *, agree: bool, reasons: list[str] | None = None) -> Any:
        from jiuzhu.workflow.services.steps import confirmation_decide

        p = self.proc
        p.spot_check(case)
        return confirmation_decide(
            ctx=self.ctx(p.approver),
            case_id=case.pk,
            version=p.version(case),
            agree=agree,
            text="经审查，符合特困人员认定条件，同意确认给予" if agree else "经审查，不符合特困人员认定条件",
            reasons=reasons,
        )

    # --- the cases ---

    def run(self) -> Counter[str]:
        from jiuzhu.workflow.services.tekun import tekun_sanwu

        made: Counter[str] = Counter()
        p = self.proc
        # Confirmed, 分散供养, 半护理: the whole path.
        case = self.apply(want="yes")
        if case is not None:
            _elapse(case, 4)
            self.to_confirmation(case, lost=2)
            _elapse(case, 1)
            done = self.confirm(case, agree=True)
            made["确认给予"] += 1
            p.log(f"  特困确认给予：{done.case.number}，月救助供养金 {done.decision.amount} 元")
        # Confirmed, 集中供养, 全护理, in the county's welfare home.
        case = self.apply("central", want="yes")
        if case is not None:
            _elapse(case, 3)
            self.to_confirmation(case, lost=5)
            self.confirm(case, agree=True)
            made["确认给予（集中供养）"] += 1
        # Refused with the reasons of the 三无 finding.
        case = self.apply(want="no")
        if case is not None:
            _elapse(case, 3)
            self.to_confirmation(case, lost=0)
            finding = tekun_sanwu(case)
            reasons = [f"{f.label}：" + "；".join(f.reasons) for f in finding.findings if f.met is False] or [
                "经县级审查，申请人不符合特困人员“三无”条件"
            ]
            self.confirm(case, agree=False, reasons=reasons)
            made["不予确认"] += 1
        # At the county's confirmation.
        case = self.apply()
        if case is not None:
            _elapse(case, 2)
            self.to_confirmation(case, lost=1)
            made["县级确认"] += 1
        # In its public notice (on the village's board).
        case = self.apply()
        if case is not None:
            _elapse(case, 2)
            self.to_notice(case, lost=4)
            _elapse(case, 2)
            made["公示"] += 1
        # In the investigation with the assessment done, the township's review to come.
        case = self.apply()
        if case is not None:
            _elapse(case, 1)
            self.investigate(case, lost=3)
            made["调查核实（已评估）"] += 1
        # Accepted: the cross-check report attached, the investigation to start.
        case = self.apply()
        if case is not None:
            made["受理与核对"] += 1
        if self.failed:
            p.log(f"  特困：{len(self.failed)} 户未能受理（如义务人未签核对授权书），已跳过")
        return made


class _Skip(Exception):
    """A candidate whose 三无 outcome does not fit the case wanted (its application is rolled back)."""
