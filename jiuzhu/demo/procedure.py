"""The demo's 低保 procedure: the calendar and the definitions, then cases in every state of the 低保
审核确认, each step done through the services by the demo user whose role does it.

- one case walked from the window to an entitlement: window application → verification → acceptance
  (case and acceptance notice) → home investigation by two caseworkers → township review → public
  notice → an objection that holds → re-investigation → 民主评议 (the county's mode: on objection) →
  review → a new notice → county confirmation → decision with its computation → entitlement;
- one refused at the county's confirmation, with its reasons and the 不予确认 notice;
- open cases left in every open state (verification, investigation, community review, review, public
  notice — one running on the village assistant's board, one with an objection to decide —,
  re-investigation, materials with the clock paused, confirmation — one drawn for the county's spot
  check, one close-relative case waiting for the county's own home visit), some overdue (red, some
  escalated by the scanner), some close to their limit (yellow), the others green; one extended case
  whose limit reaches into a year the calendar does not know yet (暂定);
- applications that stop at the window: an online one pending, a village assistant's proxy application
  under a mandate, one awaiting materials with its 一次性告知, one refused to accept (不予受理), and a 异地
  application with its request for cooperative checks to the 户籍 county.

The work is done today, through the services. The demo then moves each case's past back by some days
(``_elapse``), as if its steps had been taken on earlier days, so that the queues show the lights of a
working county; nothing else writes around the services. Running it again changes nothing: the
procedure is built once per county.
"""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AidProgram, CaseStatus, SpotCheck
from jiuzhu.regions.codes import level_of
from jiuzhu.regions.models import Region, UrbanRural
from jiuzhu.registry.models import Household, Membership, Person

from .build import DemoUser, Layout
from .programs import programs_delete

DIBAO = AidProgram.DIBAO.value
# The 户籍 side of the 异地 application: a neighbouring fictional county of the same city.
REMOTE_COUNTY = ("990102000000", "安平县")
REMOTE_TOWNSHIP = ("990102101000", "安平镇")
REMOTE_VILLAGE = ("990102101201", "石桥村")

STATEMENTS = (
    "因病致贫，家中无固定收入",
    "家庭成员残疾，收入微薄，生活困难",
    "年老体弱，丧失劳动能力，无人赡养",
    "失业在家，子女上学，入不敷出",
    "突发重病，医疗支出大，基本生活难以维持",
)


# --- files a caseworker scans: small valid images and documents, made here ------------------------------


def signature_png(seed: int = 1, *, width: int = 96, height: int = 32) -> bytes:
    """A small valid PNG (8-bit grey) with a stroke across it: what a scanned signature looks like."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            stroke = abs(y - (height // 2 + int(8 * ((x * (seed + 3)) % 17 - 8) / 8))) <= 1
            rows.append(0 if stroke else 255)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def scan_pdf(title: str = "scan") -> bytes:
    """A one-page PDF, the kind of file a scanner produces for a signed paper."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    text = f"BT /F1 12 Tf 72 760 Td ({title}) Tj ET".encode("ascii", "replace")
    objects.append(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(name: str, seed: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.png", signature_png(seed), "image/png")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.pdf", scan_pdf(name), "application/pdf")


# --- accounts ---------------------------------------------------------------------------------------------


def remote_county_ensure() -> Region:
    """The neighbouring county (with one township and one village) where the 异地 applicant's 户籍 is."""
    county = Region.objects.get(code=REMOTE_COUNTY[0][:4] + "00000000")  # the synthetic city
    for code, name in (REMOTE_COUNTY, REMOTE_TOWNSHIP, REMOTE_VILLAGE):
        county, _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level_of(code),
                "parent": county,
                "urban_rural": UrbanRural.RURAL,
            },
        )
    return Region.objects.get(code=REMOTE_COUNTY[0])


def procedure_accounts(layout: Layout, *, remote: bool = True) -> list[DemoUser]:
    """The users the procedure needs besides the demo's own: a second caseworker of the first township
    (a home investigation takes two), and the county approver of the 户籍 county who answers the
    request for cooperative checks."""
    town1 = Region.objects.get(code=layout.township_codes[0])
    out = [DemoUser("caseworker3", Role.TOWNSHIP_CASEWORKER, town1)]
    if remote:
        out.append(DemoUser("approver2", Role.COUNTY_APPROVER, remote_county_ensure()))
    return out


# --- figures ----------------------------------------------------------------------------------------------


@dataclass
class ProcedureFigures:
    states: dict[str, int] = field(default_factory=dict)  # open cases by state; closed ones by outcome
    lights: dict[str, int] = field(default_factory=dict)
    applications: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    escalated: int = 0
    provisional: int = 0
    spot_checks: int = 0
    close_relative: int = 0
    entitlements: int = 0
    notices: dict[str, int] = field(default_factory=dict)
    cooperation: int = 0
    public_notices_running: int = 0
    built: bool = False


def procedure_figures(county_code: str) -> ProcedureFigures:
    from jiuzhu.benefits.models import Entitlement
    from jiuzhu.intake.models import Application, CooperationRequest
    from jiuzhu.workflow import deadlines
    from jiuzhu.workflow.models import Case, Notice, PublicNotice

    bounds = Region.objects.get(code=county_code).bounds()
    today = timezone.localdate()
    cal = deadlines.work_calendar()
    cases = list(Case.objects.filter(region__code__range=bounds).select_related("policy_version"))
    figures = ProcedureFigures()
    states: Counter[str] = Counter()
    lights: Counter[str] = Counter()
    for case in cases:
        if case.status == CaseStatus.OPEN:
            states[case.state] += 1
            warning = int(case.policy_version.overdue_warning_days)
            lights[deadlines.light(case.step_due_on, today, warning, cal)] += 1
        else:
            states[case.outcome] += 1
    figures.states = dict(sorted(states.items(), key=lambda kv: _state_position(kv[0])))
    figures.lights = {k: lights[k] for k in (deadlines.RED, deadlines.YELLOW, deadlines.GREEN)}
    opened = [c for c in cases if c.status == CaseStatus.OPEN]
    figures.overdue = sum(c.overdue for c in opened)
    figures.escalated = sum(c.escalated_at is not None for c in opened)
    figures.provisional = sum(c.due_provisional or c.step_due_provisional for c in opened)
    figures.spot_checks = sum(c.spot_check == SpotCheck.SELECTED for c in opened)
    figures.close_relative = sum(c.close_relative for c in opened)
    apps = Application.objects.filter(township__code__range=bounds)
    figures.applications = dict(Counter(apps.values_list("status", flat=True)))
    figures.entitlements = Entitlement.objects.filter(region__code__range=bounds).count()
    figures.notices = dict(
        Counter(Notice.objects.filter(region__code__range=bounds).values_list("kind", flat=True))
    )
    figures.cooperation = CooperationRequest.objects.filter(from_region__code__range=bounds).count()
    figures.public_notices_running = PublicNotice.objects.filter(
        case__region__code__range=bounds, closed_on__isnull=True, starts_on__lte=today, ends_on__gte=today
    ).count()
    figures.built = bool(cases)
    return figures


# --- the build --------------------------------------------------------------------------------------------


def demo_procedure(*, layout: Layout, log: Callable[[str], None] = print) -> ProcedureFigures:
    """Build the procedure's demo data on the demo county (once; see the module docstring)."""
    from jiuzhu.policy.calendar_services import calendar_seed, package_years
    from jiuzhu.workflow.models import Case
    from jiuzhu.workflow.services.definitions import definition_sync

    ctx = AuditContext.system()
    first, last = package_years()
    today = timezone.localdate()
    outcome = calendar_seed(ctx=ctx, first_year=max(first, today.year - 2), last_year=min(last, today.year))
    definitions = definition_sync(ctx=ctx)
    log(
        f"  工作日历：{outcome.years[0].year}—{outcome.years[-1].year} 年；"
        f"办理流程：{'、'.join(f'{d.name}（第{d.version}版）' for d in definitions)}"
    )
    bounds = Region.objects.get(code=layout.county_code).bounds()
    if Case.objects.filter(region__code__range=bounds, program=DIBAO).exists():
        log("  低保办理案件已存在，沿用现有数据")
        return procedure_figures(layout.county_code)
    with transaction.atomic():
        _Procedure(layout=layout, log=log).run()
    figures = procedure_figures(layout.county_code)
    states = "，".join(f"{_state_label(k)} {v}" for k, v in figures.states.items())
    log(f"  案件：{states}")
    log(
        f"  时限：超期 {figures.lights.get('red', 0)}（督办 {figures.escalated}），"
        f"临期 {figures.lights.get('yellow', 0)}，正常 {figures.lights.get('green', 0)}，"
        f"期限暂定 {figures.provisional}；抽查待核 {figures.spot_checks}；在保 {figures.entitlements} 户"
    )
    return figures


def demo_case_at_confirmation(*, layout: Layout, household: Household) -> Any:
    """A window application for ``household`` taken by the demo users through the steps to the county's
    confirmation (its notice period moved into the past): for the browser test and screenshots."""
    proc = _Procedure(layout=layout, log=lambda _: None)
    case = proc.apply(household)
    _elapse(case, 2)
    proc.to_confirmation(case)
    return case


def _state_label(code: str) -> str:
    from jiuzhu.workflow.models import Step

    name = Step.objects.filter(code=code).values_list("name", flat=True).first()
    return name or code


def _state_position(code: str) -> int:
    from jiuzhu.workflow.models import Step

    position = Step.objects.filter(code=code).values_list("position", flat=True).first()
    return position if position is not None else 99


def procedure_delete(county_code: str) -> int:
    """Delete the procedure's rows of the county (cases and everything recorded on them, decisions,
    entitlements, notices, applications, cooperation requests), so that the synthetic county can be
    generated again; the audit log keeps its lines. Returns the number of cases deleted."""
    from jiuzhu.benefits.models import Decision, Entitlement, EntitlementEvent
    from jiuzhu.intake.models import Application, CooperationRequest
    from jiuzhu.workflow.models import (
        Case,
        CaseEvent,
        CommunityReview,
        HomeInvestigation,
        Notice,
        Objection,
        Opinion,
        PublicNotice,
    )

    bounds = Region.objects.get(code=county_code).bounds()
    cases = Case.objects.filter(region__code__range=bounds)
    apps = Application.objects.filter(township__code__range=bounds)
    count = cases.count()
    with transaction.atomic():
        programs_delete(bounds)
        EntitlementEvent.objects.filter(entitlement__region__code__range=bounds).delete()
        Entitlement.objects.filter(region__code__range=bounds).delete()
        Decision.objects.filter(region__code__range=bounds).delete()
        Notice.objects.filter(region__code__range=bounds).delete()
        Notice.objects.filter(case__in=cases).delete()
        Notice.objects.filter(application_no__in=apps.values("number")).delete()
        Objection.objects.filter(notice__case__in=cases).delete()
        for model in (PublicNotice, Opinion, CommunityReview, HomeInvestigation, CaseEvent):
            model._default_manager.filter(case__in=cases).delete()
        cases.delete()
        CooperationRequest.objects.filter(application__in=apps).delete()
        apps.delete()
    return count


class _Pool:
    """Households of a township to apply for, screened by a verification run: those under the 低保
    standard (``yes``) and the others (``no``); households of ``home_village`` first."""

    def __init__(self, proc: _Procedure, township: str, home_village: str, worker: User) -> None:
        self.proc = proc
        self.worker = worker
        township_households = Household.objects.filter(
            region__code__range=Region.objects.get(code=township).bounds(), head__isnull=False
        ).select_related("head", "region")
        home = list(township_households.filter(region_id=home_village).order_by("id")[:200])
        rest = list(township_households.exclude(region_id=home_village).order_by("id")[:400])
        # One household of the home village is kept for the village assistant's proxy application.
        self.reserved = home.pop() if len(home) > 1 else None
        self.unscreened = home + rest
        self.yes: list[Household] = []
        self.no: list[Household] = []
        self.used: set[int] = set()

    def screen(self, *, yes: int, no: int, limit: int = 300) -> None:
        from jiuzhu.verification.services import report_create

        ctx = AuditContext(user=self.worker, channel="cli")
        tried = 0
        while self.unscreened and (len(self.yes) < yes or len(self.no) < no) and tried < limit:
            household = self.unscreened.pop(0)
            tried += 1
            if not self.proc.authorise(household, self.worker):
                continue
            try:
                report = report_create(ctx=ctx, id_number=_head(household).id_number, programs=[DIBAO])
            except ServiceError:
                continue
            verdict: dict[str, Any] = next(
                (v for v in report.results.get("verdicts", []) if v["program"] == DIBAO), {}
            )
            (self.yes if verdict.get("outcome") == "yes" else self.no).append(household)

    def take(self, *, qualifying: bool | None, village: str = "") -> Household | None:
        """A household not used yet: under the standard (True), above it (False), or either (None:
        above it first, then unscreened ones, then under it); of ``village`` if one there is."""
        if qualifying is True:
            lists = [self.yes]
        elif qualifying is False:
            lists = [self.no, self.yes]
        else:
            lists = [self.no, self.unscreened, self.yes]
        for options in lists:
            chosen = next((h for h in options if village and h.region_id == village), None)
            chosen = chosen or (options[0] if options else None)
            if chosen is not None:
                options.remove(chosen)
                self.used.add(chosen.pk)
                return chosen
        return None

    def take_unscreened(self, *, village: str = "") -> Household | None:
        """A household not verified by the demo yet (of ``village`` if one there is), else any."""
        if village and self.reserved is not None and self.reserved.region_id == village:
            kept, self.reserved = self.reserved, None
            self.used.add(kept.pk)
            return kept
        for options in (self.unscreened, self.no, self.yes):
            chosen = next((h for h in options if not village or h.region_id == village), None)
            if chosen is not None:
                options.remove(chosen)
                self.used.add(chosen.pk)
                return chosen
        return None


class _Procedure:
    def __init__(self, *, layout: Layout, log: Callable[[str], None]) -> None:
        from jiuzhu.workflow import deadlines

        self.layout = layout
        self.log = log
        self.today = timezone.localdate()
        self.cal = deadlines.work_calendar()
        users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
        self.caseworker = users["caseworker"]
        self.caseworker3 = users["caseworker3"]
        self.reviewer = users["reviewer"]
        self.approver = users["approver"]
        self.village = users["village"]
        self.caseworker2 = users.get("caseworker2")
        self.town1 = layout.township_codes[0]
        self.home_village = self.village.region_id or ""
        self.pool = _Pool(self, self.town1, self.home_village, self.caseworker)
        self.files = 0

    # --- contexts and small helpers ---

    @staticmethod
    def ctx(user: User) -> AuditContext:
        return AuditContext(user=user, channel="cli")

    def png(self, name: str) -> SimpleUploadedFile:
        self.files += 1
        return _png(name, self.files)

    def authorise(self, household: Household, worker: User) -> bool:
        """Every adult member's 核对授权书, recorded by the caseworker (once per person)."""
        from jiuzhu.verification.assembly import ADULT_AGE
        from jiuzhu.verification.models import Authorisation
        from jiuzhu.verification.services import authorisation_record

        members = Membership.objects.filter(household=household, end_date__isnull=True).select_related(
            "person"
        )
        adults = [m.person for m in members if m.person.age_on(self.today) >= ADULT_AGE]
        if not adults:
            return False
        signed = set(Authorisation.objects.filter(person__in=adults).values_list("person_id", flat=True))
        for person in adults:
            if person.pk not in signed:
                authorisation_record(
                    ctx=self.ctx(worker),
                    person_id=person.pk,
                    signed_on=self.today,
                    reference=f"授权书-{household.number}",
                )
        return True

    def version(self, case: Any) -> int:
        from jiuzhu.workflow.models import Case

        return int(Case.objects.filter(pk=case.pk).values_list("version", flat=True).get())

    def act(self, user: User, case: Any, target: str, reason: str = "") -> Any:
        from jiuzhu.workflow.services import case_act

        return case_act(
            ctx=self.ctx(user), case_id=case.pk, version=self.version(case), target=target, reason=reason
        )

    def back(self, working_days: int) -> int:
        """Natural days back from today to the day that is ``working_days`` working days before it."""
        d, counted = self.today, 0
        while counted < working_days:
            d -= timedelta(days=1)
            if self.cal.is_working_day(d):
                counted += 1
        return (self.today - d).days

    # --- the run ---

    def run(self) -> None:
        self._remote_policy()
        self.pool.screen(yes=7, no=10)
        self.log(
            f"  入户前核对：{len(self.pool.yes) + len(self.pool.no)} 户，低于低保标准 {len(self.pool.yes)} 户"
        )
        walked = self._walk()
        refused = self._refuse()
        self.log(
            f"  完整办理：{walked.number} 确认给予，月保障金 {walked.amount} 元；"
            f"{refused.number} 不予确认（{refused.notice}）"
        )
        self._open_cases()
        self._applications()
        from jiuzhu.workflow.services import cases_scan

        scan = cases_scan(ctx=AuditContext.system())
        self.log(f"  超期扫描：新标记超期 {scan.overdue} 件，督办 {scan.escalated} 件")

    def _remote_policy(self) -> None:
        """The demo county accepts 异地 applications (the synthetic county's seed policy does not)."""
        from jiuzhu.policy.selectors import policy_in_force
        from jiuzhu.policy.services import policy_version_create, policy_version_update

        policy = policy_in_force(region_code=self.layout.county_code, on=self.today)
        if policy.remote_application:
            return
        ctx = AuditContext.system()
        if not policy.reports.exists():
            policy_version_update(ctx=ctx, version=policy, remote_application=True)
        elif policy.effective_from < self.today:
            skip = {"id", "region", "effective_from", "effective_to", "created_by", "created_at"}
            values = {
                f.name: getattr(policy, f.name) for f in policy._meta.concrete_fields if f.name not in skip
            }
            values |= {
                "remote_application": True,
                "document_no": f"{policy.document_no}（开放异地申办）"[:100],
            }
            policy_version_create(ctx=ctx, region=policy.region, effective_from=self.today, **values)

    # --- intake to a case ---

    def apply(
        self,
        household: Household,
        *,
        worker: User | None = None,
        relative: bool = False,
        seq: int = 0,
    ) -> Any:
        """A window application from the head's ID number, verified, papers signed, accepted: its case."""
        from jiuzhu.intake import services as intake
        from jiuzhu.workflow.models import Case

        worker = worker or self.caseworker
        ctx = self.ctx(worker)
        self.authorise(household, worker)
        app = intake.application_start(
            ctx=ctx,
            id_number=_head(household).id_number,
            channel="window",
            programs=[DIBAO],
            statement=STATEMENTS[seq % len(STATEMENTS)],
        )
        app = intake.application_verify(ctx=ctx, application_id=app.pk, version=app.version)
        app = intake.application_record_papers(
            ctx=ctx,
            application_id=app.pk,
            version=app.version,
            commitment=self.png("commitment"),
            authorisation=_pdf("authorisation"),
        )
        if relative:
            app = intake.application_declare_relative(
                ctx=ctx,
                application_id=app.pk,
                version=app.version,
                official_name="李建国",
                position="本街道民政办工作人员",
                relation="兄弟",
            )
        app = intake.application_accept(ctx=ctx, application_id=app.pk, version=app.version, programs=[DIBAO])
        return Case.objects.select_related("applicant", "household").get(pk=app.cases[0]["id"])

    # --- steps ---

    def investigate(self, case: Any, *, findings: str = "") -> None:
        """入户调查 by the township's two caseworkers, with the family's and their signatures."""
        from jiuzhu.workflow.services.steps import investigation_record

        investigation_record(
            ctx=self.ctx(self.caseworker),
            case_id=case.pk,
            version=self.version(case),
            visited_on=self.today,
            investigator_ids=[self.caseworker.pk, self.caseworker3.pk],
            food="一日三餐以粗粮为主，少见荤菜",
            clothing="衣着陈旧，冬衣不足",
            housing="自有砖木结构平房两间，屋内陈设简陋",
            daily_goods="旧电视一台，无冰箱、洗衣机，无机动车",
            findings=findings or "家庭经济状况与核对结果一致，生活困难属实",
            family_signatory=case.applicant.name,
            family_signature=self.png("family-signature"),
            investigator_signatures=self.png("investigator-signatures"),
        )

    def review(self, case: Any, *, agree: bool = True) -> None:
        from jiuzhu.workflow.services.steps import review_opinion

        review_opinion(
            ctx=self.ctx(self.reviewer),
            case_id=case.pk,
            version=self.version(case),
            agree=agree,
            text="经审核，申请家庭经济状况符合低保条件，同意上报"
            if agree
            else "经审核，申请家庭不符合低保条件",
        )

    def notice(self, case: Any) -> Any:
        from jiuzhu.workflow.services.steps import public_notice_start

        return public_notice_start(ctx=self.ctx(self.reviewer), case_id=case.pk, version=self.version(case))

    def object(self, notice: Any, content: str) -> Any:
        from jiuzhu.workflow.services.steps import objection_record

        return objection_record(
            ctx=self.ctx(self.reviewer),
            notice_id=notice.pk,
            received_on=self.today,
            content=content,
            raised_by="本村村民（匿名）",
        )

    def decide_objection(self, objection: Any, *, holds: bool, finding: str) -> None:
        from jiuzhu.workflow.services.steps import objection_decide

        objection_decide(ctx=self.ctx(self.reviewer), objection_id=objection.pk, holds=holds, finding=finding)

    def community_review(self, case: Any) -> None:
        from jiuzhu.workflow.services.steps import community_review_record

        community_review_record(
            ctx=self.ctx(self.caseworker),
            case_id=case.pk,
            version=self.version(case),
            held_on=self.today,
            expected=15,
            attended=13,
            votes_for=12,
            votes_against=1,
            abstained=0,
            minutes="评议小组听取调查情况后认为，该户生活困难属实，异议所涉车辆系亲属所有，同意纳入低保",
            signatures=self.png("community-review"),
        )

    def close_notice(self, case: Any) -> Any:
        from jiuzhu.workflow.services.steps import public_notice_close

        return public_notice_close(ctx=self.ctx(self.reviewer), case_id=case.pk, version=self.version(case))

    def spot_check(self, case: Any) -> None:
        from jiuzhu.workflow.models import Case
        from jiuzhu.workflow.services.steps import spot_check_record

        if Case.objects.filter(pk=case.pk, spot_check=SpotCheck.SELECTED).exists():
            spot_check_record(
                ctx=self.ctx(self.approver),
                case_id=case.pk,
                version=self.version(case),
                finding="县级抽查：电话回访并调阅材料，情况属实",
                agree=True,
            )

    def confirm(self, case: Any, *, agree: bool, reasons: list[str] | None = None) -> Any:
        from jiuzhu.workflow.services.steps import confirmation_decide

        self.spot_check(case)
        return confirmation_decide(
            ctx=self.ctx(self.approver),
            case_id=case.pk,
            version=self.version(case),
            agree=agree,
            text="经审查，符合最低生活保障条件，同意确认给予" if agree else "经审查，不符合最低生活保障条件",
            reasons=reasons,
        )

    # the common path, from acceptance to a state

    def to_review(self, case: Any) -> None:
        self.act(self.caseworker, case, "investigation")
        self.investigate(case)
        self.act(self.caseworker, case, "review")

    def to_notice(self, case: Any) -> Any:
        self.to_review(case)
        self.review(case)
        self.act(self.reviewer, case, "public_notice")
        return self.notice(case)

    def to_confirmation(self, case: Any) -> None:
        self.to_notice(case)
        _elapse(case, 8)
        self.close_notice(case)

    def held_objection(self, case: Any, notice: Any = None) -> None:
        """Notice (started here unless given), an objection that holds: the case goes to
        re-investigation."""
        notice = notice or self.to_notice(case)
        _elapse(case, 3)
        objection = self.object(notice, "反映申请人家门口常停放一辆小轿车，怀疑家庭有车辆未申报")
        _elapse(case, 5)  # the township decides the objection a few days later
        self.decide_objection(
            objection,
            holds=True,
            finding="经初步核实，车辆情况确有疑问，需重新入户调查核实",
        )

    # --- the cases ---

    def _walk(self) -> Any:
        household = self.pool.take(qualifying=True, village=self.home_village) or self.pool.take(
            qualifying=None
        )
        assert household is not None, "demo county has no household to apply for"
        case = self.apply(household, seq=0)
        _elapse(case, 1)
        self.act(self.caseworker, case, "investigation")
        self.investigate(case)
        _elapse(case, 1)
        self.act(self.caseworker, case, "review")
        self.review(case)
        self.act(self.reviewer, case, "public_notice")
        self.held_objection(case, self.notice(case))
        _elapse(case, 1)
        self.investigate(
            case,
            findings="重新入户核实：所涉车辆登记在申请人外甥名下，系临时借用停放；家庭经济状况与核对结果一致",
        )
        self.act(self.caseworker, case, "community_review")
        self.community_review(case)
        self.act(self.caseworker, case, "review")
        _elapse(case, 1)
        self.review(case)
        self.act(self.reviewer, case, "public_notice")
        self.notice(case)
        _elapse(case, 8)
        self.close_notice(case)
        done = self.confirm(case, agree=True)
        return _Done(done.case.number, str(done.decision.amount), done.notice.document_no)

    def _refuse(self) -> Any:
        from jiuzhu.policy.selectors import policy_in_force

        household = self.pool.take(qualifying=False)
        assert household is not None, "demo county has no household to apply for"
        case = self.apply(household, seq=1)
        _elapse(case, 2)
        self.to_confirmation(case)
        report = case.report
        policy = policy_in_force(region_code=case.region_id, on=self.today)
        urban = household.urban_rural == "urban"
        standard = policy.dibao_standard_urban if urban else policy.dibao_standard_rural
        income = (report.results or {}).get("per_capita_monthly_income") if report else None
        if income is not None and float(income) >= float(standard):
            area = "城市" if urban else "农村"
            reasons = [f"经核对，申请人家庭月人均收入 {income} 元，高于本地{area}低保标准 {standard} 元"]
        else:
            reasons = ["经县级审查，申请人子女在外务工有稳定收入，未如实申报，家庭经济状况不符合条件"]
        done = self.confirm(case, agree=False, reasons=reasons)
        return _Done(done.case.number, "0", done.notice.document_no)

    def _open_cases(self) -> None:
        from jiuzhu.policy.selectors import policy_in_force
        from jiuzhu.workflow.services.cases import spot_check_selected

        made: Counter[str] = Counter()

        # 公示 running on the village assistant's board.
        household = self.pool.take(qualifying=True, village=self.home_village) or self.pool.take(
            qualifying=None
        )
        if household is not None:
            case = self.apply(household, seq=2)
            _elapse(case, 3)
            self.to_notice(case)
            _elapse(case, 2)
            made["public_notice"] += 1
        # 公示 with an objection to decide.
        household = self.pool.take(qualifying=True) or self.pool.take(qualifying=None)
        if household is not None:
            case = self.apply(household, seq=3)
            _elapse(case, 3)
            notice = self.to_notice(case)
            _elapse(case, 3)
            self.object(notice, "反映申请人在镇上开有一家小卖部，收入未申报")
            _elapse(case, 1)
            made["public_notice"] += 1
        # 重新调查核实 after a held objection.
        household = self.pool.take(qualifying=True) or self.pool.take(qualifying=None)
        if household is not None:
            case = self.apply(household, seq=4)
            _elapse(case, 2)
            self.held_objection(case)
            _elapse(case, self.back(6))
            made["reinvestigation"] += 1
        # 民主评议 after a held objection and the re-investigation (the county's mode: on objection).
        household = self.pool.take(qualifying=True) or self.pool.take(qualifying=None)
        if household is not None:
            case = self.apply(household, seq=0)
            _elapse(case, 2)
            self.held_objection(case)
            _elapse(case, 2)
            self.investigate(case, findings="重新入户核实：车辆系邻居寄放，家庭经济状况属实")
            self.act(self.caseworker, case, "community_review")
            _elapse(case, self.back(1))
            made["community_review"] += 1
        # 县级确认, a close relative of an official: the county's own home visit is still to be made.
        household = self.pool.take(qualifying=True) or self.pool.take(qualifying=None)
        if household is not None:
            case = self.apply(household, relative=True, seq=1)
            _elapse(case, 2)
            self.to_confirmation(case)
            _elapse(case, self.back(2))
            made["confirmation"] += 1

        # 县级确认 drawn for the county's spot check: cases are accepted until one's number is drawn;
        # the others fill the early states.
        early: list[tuple[str, Callable[[Any], None]]] = [
            ("verification_red", lambda c: _elapse(c, self.back(8))),
            ("verification_green", lambda c: None),
            ("investigation_red", lambda c: self._investigation_at(c, 12)),
            ("investigation_yellow", lambda c: self._investigation_at(c, 8)),
            ("investigation_green", self._investigation_extended),
            ("review_yellow", lambda c: self._review_at(c, 3)),
            ("materials", self._materials),
        ]
        spot_drawn = False
        seq = 5
        while early or not spot_drawn:
            household = self.pool.take(qualifying=None)
            if household is None or seq > 40:
                break
            case = self.apply(household, seq=seq)
            seq += 1
            rate = policy_in_force(region_code=case.region_id, on=self.today).spot_check_rate
            if not spot_drawn and spot_check_selected(case.number, rate):
                _elapse(case, 2)
                self.to_confirmation(case)
                _elapse(case, self.back(8))
                made["confirmation"] += 1
                spot_drawn = True
            elif early:
                name, finish = early.pop(0)
                finish(case)
                made[name.split("_")[0]] += 1
            else:  # one more case in the home investigation while the draw goes on
                self._investigation_at(case, 4)
                made["investigation"] += 1
        # The second township's caseworker has work too.
        if self.caseworker2 is not None and len(self.layout.township_codes) > 1:
            pool2 = _Pool(self, self.layout.township_codes[1], "", self.caseworker2)
            household = pool2.take(qualifying=None)
            if household is not None:
                case = self.apply(household, worker=self.caseworker2, seq=2)
                self.act(self.caseworker2, case, "investigation")
                _elapse(case, self.back(5))
                made["investigation"] += 1
        self.log("  办理中案件：" + "，".join(f"{_state_label(k)} {v}" for k, v in made.items()))

    def _investigation_at(self, case: Any, working_days: int) -> None:
        self.act(self.caseworker, case, "investigation")
        _elapse(case, self.back(working_days))

    def _investigation_extended(self, case: Any) -> None:
        from jiuzhu.workflow.services import case_extend

        self.act(self.caseworker, case, "investigation")
        case_extend(
            ctx=self.ctx(self.caseworker),
            case_id=case.pk,
            version=self.version(case),
            reason="申请人长期在外地就医，需待其返回后入户调查，延长办理时限",
        )

    def _review_at(self, case: Any, working_days: int) -> None:
        _elapse(case, 1)
        self.to_review(case)
        _elapse(case, self.back(working_days))

    def _materials(self, case: Any) -> None:
        _elapse(case, 2)
        self.act(self.caseworker, case, "investigation")
        self.act(
            self.caseworker,
            case,
            "materials",
            reason="请补充：1．申请人医疗费用票据；2．子女在校就读证明",
        )
        _elapse(case, self.back(4))

    # --- applications that stop at the window ---

    def _applications(self) -> None:
        from jiuzhu.intake import services as intake
        from jiuzhu.registry.services.persons import person_update

        made: list[str] = []
        ctx = self.ctx(self.caseworker)
        household = self.pool.take_unscreened()
        if household is not None:
            intake.application_submit_online(
                ctx=AuditContext(channel="web"),
                id_number=_head(household).id_number,
                name=_head(household).name,
                phone="13912345678",
                township_code=self.town1,
                village_code=household.region_id,
                statement="家人重病住院，生活困难，申请低保",
                programs=[DIBAO],
            )
            made.append("网上申请待受理 1")
        household = self.pool.take_unscreened(village=self.home_village)
        if household is not None:
            intake.application_start(
                ctx=self.ctx(self.village),
                id_number=_head(household).id_number,
                channel="proxy",
                programs=[DIBAO],
                statement="老人行动不便，委托村(居)协理员代为申请",
                mandate=_pdf("mandate"),
            )
            made.append("帮办代办待受理 1")
        household = self.pool.take_unscreened()
        if household is not None:
            app = intake.application_start(
                ctx=ctx, id_number=_head(household).id_number, channel="window", programs=[DIBAO]
            )
            intake.application_request_materials(
                ctx=ctx,
                application_id=app.pk,
                version=app.version,
                items=["户口簿复印件", "残疾人证复印件", "近三个月的医疗费用票据", "申请人签字的诚信承诺书"],
            )
            made.append("一次性告知待补正 1")
        household = self.pool.take_unscreened()
        if household is not None:
            app = intake.application_start(
                ctx=ctx, id_number=_head(household).id_number, channel="window", programs=[DIBAO]
            )
            intake.application_refuse(
                ctx=ctx,
                application_id=app.pk,
                version=app.version,
                reason="申请人拒绝签署家庭经济状况核对授权书，无法核对家庭经济状况",
            )
            made.append("不予受理 1")
        household = self.pool.take_unscreened()
        if household is not None and Region.objects.filter(code=REMOTE_VILLAGE[0]).exists():
            person = _head(household)
            person_update(
                ctx=ctx, person_id=person.pk, version=person.version, data={"hukou_region": REMOTE_VILLAGE[0]}
            )
            intake.application_start(
                ctx=ctx,
                id_number=person.id_number,
                channel="window",
                programs=[DIBAO],
                statement="户籍在安平县，随子女在本街道居住多年",
                remote=True,
                residence_proof=_pdf("residence"),
                residence_permit_no="990101202600123",
            )
            made.append(f"异地申办 1（协作核查请求发往{REMOTE_COUNTY[1]}）")
        self.log("  受理窗口：" + "，".join(made))


def _head(household: Household) -> Person:
    assert household.head is not None  # the pools hold households with a head
    return household.head


@dataclass(frozen=True)
class _Done:
    number: str
    amount: str
    notice: str


USERNAMES = ("caseworker", "caseworker2", "caseworker3", "reviewer", "approver", "village")


# --- time ---------------------------------------------------------------------------------------------------


def _shift(model: type[Model], rows: Any, fields: tuple[str, ...], delta: timedelta) -> None:
    for row in rows:
        values = {}
        for name in fields:
            value = getattr(row, name)
            if isinstance(value, datetime | date):
                values[name] = value - delta
        if values:
            model._default_manager.filter(pk=row.pk).update(**values)


def _elapse(case: Any, days: int) -> None:
    """Move the case's whole past back by ``days`` days, as if each of its steps so far had been taken
    that much earlier, and recompute its deadlines from the dates moved (demo data only)."""
    from jiuzhu.intake.models import Application
    from jiuzhu.workflow import deadlines
    from jiuzhu.workflow.models import (
        Case,
        CaseEvent,
        CommunityReview,
        HomeInvestigation,
        Notice,
        Objection,
        Opinion,
        PublicNotice,
        Step,
    )
    from jiuzhu.workflow.selectors import case_policy

    if days <= 0:
        return
    delta = timedelta(days=days)
    row = Case.objects.select_related("policy_version").get(pk=case.pk)
    _shift(CaseEvent, CaseEvent.objects.filter(case=row), ("at",), delta)
    _shift(
        HomeInvestigation, HomeInvestigation.objects.filter(case=row), ("visited_on", "recorded_at"), delta
    )
    _shift(CommunityReview, CommunityReview.objects.filter(case=row), ("held_on", "recorded_at"), delta)
    _shift(
        PublicNotice,
        PublicNotice.objects.filter(case=row),
        ("starts_on", "ends_on", "closed_on", "recorded_at"),
        delta,
    )
    _shift(Objection, Objection.objects.filter(notice__case=row), ("received_on", "recorded_at"), delta)
    _shift(Opinion, Opinion.objects.filter(case=row), ("recorded_at",), delta)
    _shift(Notice, Notice.objects.filter(case=row), ("issued_on",), delta)
    if row.application_no:
        _shift(
            Notice,
            Notice.objects.filter(application_no=row.application_no, case__isnull=True),
            ("issued_on",),
            delta,
        )
        _shift(
            Application,
            Application.objects.filter(number=row.application_no),
            ("submitted_at", "accepted_at"),
            delta,
        )
    cal = deadlines.work_calendar()
    accepted_on = row.accepted_on - delta
    pauses = [
        [(date.fromisoformat(a) - delta).isoformat(), (date.fromisoformat(b) - delta).isoformat()]
        for a, b in row.pauses or []
    ]
    values: dict[str, Any] = {
        "accepted_on": accepted_on,
        "opened_at": row.opened_at - delta,
        "state_entered_at": row.state_entered_at - delta,
        "pauses": pauses,
        "paused_since": row.paused_since - delta if row.paused_since else None,
    }
    policy = case_policy(row, timezone.localdate())
    if row.status == CaseStatus.OPEN:
        step = Step.objects.get(definition_id=row.definition_id, code=row.state)
        step_due = deadlines.step_deadline(step, policy, timezone.localdate(values["state_entered_at"]), cal)
        values["step_due_on"] = step_due.due if step_due else None
        values["step_due_provisional"] = bool(step_due and step_due.provisional)
    due = deadlines.case_deadline(
        accepted_on=accepted_on,
        policy=policy,
        extended=row.extended,
        paused=[(date.fromisoformat(a), date.fromisoformat(b)) for a, b in pauses],
        cal=cal,
    )
    values |= {"due_on": due.due, "due_provisional": due.provisional}
    Case.objects.filter(pk=row.pk).update(**values)
