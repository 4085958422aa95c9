"""Reads of the workflow: which definition a region runs, a case with what may be done next and what it
still needs, its history, and the per-user queues (to do, done, overdue) with their lights."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram, CasePurpose, CaseStatus, PolicyAtDecision, TransitionAction
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import InvalidRegionCode, ancestor_codes, level_of, subtree_bounds
from jiuzhu.regions.scope import get_in_jurisdiction, in_jurisdiction, scoped
from jiuzhu.verification.models import VerificationReport

from . import deadlines
from .checks import Checker
from .models import Case, CaseEvent, Definition, Step, Transition

QUEUE_KINDS = ("todo", "done", "overdue")
QUEUE_LABELS = {"todo": "待办", "done": "已办", "overdue": "超期", "reviews": "定期复核"}


# --- definitions -------------------------------------------------------------------------------------


def definition_for(*, program: str, region_code: str, purpose: str = CasePurpose.APPLICATION) -> Definition:
    """The active variant of the nearest region up the tree (the region itself first), else the latest
    active national definition of the program, for ``purpose`` (an application, a review)."""
    chain = [region_code, *ancestor_codes(region_code)]
    rows = list(
        Definition.objects.filter(program=program, purpose=purpose, active=True)
        .filter(Q(region_id__in=chain) | Q(region__isnull=True))
        .order_by("-version")
    )
    for code in chain:
        for d in rows:
            if d.region_id == code:
                return d
    for d in rows:
        if d.region_id is None:
            return d
    raise NotFound(f"尚未配置“{AidProgram.label_of(program)}”的办理流程，请管理员先运行 workflow-sync")


def case_policy(case: Case, on: date) -> PolicyVersion:
    """The policy a case applies on ``on``: the version it was pinned to at acceptance, unless that
    version says decisions follow the rule in force at the decision (``policy_at_decision``)."""
    pinned = case.policy_version
    if pinned.policy_at_decision == PolicyAtDecision.AT_DECISION:
        return policy_in_force(region_code=case.region_id, on=on)
    return pinned


def case_step(case: Case) -> Step:
    """The step row of the case's current state."""
    cached = getattr(case, "_current_step", None)
    if cached is not None and cached.code == case.state:
        return cached  # type: ignore[no-any-return]
    step = Step.objects.get(definition_id=case.definition_id, code=case.state)
    case._current_step = step  # type: ignore[attr-defined]
    return step


# --- one case ----------------------------------------------------------------------------------------


def case_get(*, user: Any, case_id: int) -> Case:
    return get_in_jurisdiction(
        Case.objects.select_related(
            "household", "applicant", "region", "definition", "policy_version", "opened_by"
        ),
        user=user,
        pk=case_id,
        region_field="region__code",
    )


def user_level(user: Any) -> int | None:
    code = getattr(user, "region_id", None)
    if not code:
        return None
    try:
        return int(level_of(code))
    except InvalidRegionCode:
        return None


def actor_refusals(user: Any, step: Step, action: str) -> list[str]:
    """Why ``user`` may not act on a case in ``step`` (role and level), in Chinese; empty when they may.
    A withdrawal (the applicant's request, taken at the window) may also be recorded by the township's
    caseworker."""
    from jiuzhu.accounts.roles import Role

    if getattr(user, "is_superuser", False):
        return []
    role = getattr(user, "role", "")
    roles = {step.role}
    if action == TransitionAction.WITHDRAW:
        roles.add(Role.TOWNSHIP_CASEWORKER.value)
    out = []
    if role not in roles:
        names = "或".join(Role(r).label if r in Role.values else r for r in sorted(roles))
        out.append(f"本环节由{names}办理，您的角色无权办理")
    elif action != TransitionAction.WITHDRAW and step.level is not None and user_level(user) != step.level:
        from jiuzhu.regions.codes import Level

        out.append(f"本环节由{Level(step.level).label}级办理，不在您的办理层级")
    return out


@dataclass(frozen=True)
class TransitionView:
    target: str
    target_name: str
    name: str
    action: str
    reason_required: bool
    allowed: bool
    why_not: list[str] = field(default_factory=list)


def _transitions_of(case: Case) -> list[Transition]:
    return list(
        Transition.objects.filter(definition_id=case.definition_id, source=case.state).order_by(
            "position", "id"
        )
    )


def transition_views(
    *,
    user: Any,
    case: Case,
    step: Step,
    transitions: list[Transition],
    checker: Checker,
    names: dict[str, str],
) -> list[TransitionView]:
    out: dict[tuple[str, str], TransitionView] = {}
    closed = case.status != CaseStatus.OPEN
    for t in transitions:
        why: list[str] = []
        if closed:
            why.append("案件已办结")
        why += actor_refusals(user, step, t.action)
        why += [f"条件不满足：{text}" for text in checker.unmet(t.condition, t.target)]
        if t.action == TransitionAction.FORWARD:
            missing = checker.missing(list(step.evidence or []))
            if missing:
                why.append("尚缺：" + "、".join(missing))
        view = TransitionView(
            target=t.target,
            target_name=names.get(t.target, t.target),
            name=t.name,
            action=t.action,
            reason_required=t.reason_required,
            allowed=not why,
            why_not=why,
        )
        key = (t.target, t.action)
        # Alternatives to one target (a step dropped by a region leaves some) show as one: allowed if any is.
        if key not in out or (view.allowed and not out[key].allowed):
            out[key] = view
    return list(out.values())


def case_checker(case: Case) -> Checker:
    """The case's checker for today: a page that asks both what may be done next and what the step still
    needs passes one to both, so that each kind of row is read once."""
    today = timezone.localdate()
    return Checker(case=case, policy=case_policy(case, today), today=today)


def case_transitions(*, user: Any, case: Case, checker: Checker | None = None) -> list[TransitionView]:
    """Each transition out of the current state, with whether ``user`` may take it now and, if not, why."""
    step = case_step(case)
    checker = checker or case_checker(case)
    names = dict(Step.objects.filter(definition_id=case.definition_id).values_list("code", "name"))
    return transition_views(
        user=user, case=case, step=step, transitions=_transitions_of(case), checker=checker, names=names
    )


def case_missing_evidence(case: Case, checker: Checker | None = None) -> list[str]:
    """The Chinese labels of what the current step still needs before the case may move forward."""
    if case.status != CaseStatus.OPEN:
        return []
    checker = checker or case_checker(case)
    return checker.missing(list(case_step(case).evidence or []))


def case_history(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq"))


# --- queues ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    id: int
    number: str
    program: str
    program_label: str
    household_number: str
    applicant_name: str
    region_name: str
    state: str
    step_name: str
    step_due_on: date | None
    step_due_provisional: bool
    due_on: date | None
    due_provisional: bool
    days_left: int | None
    light: str
    light_label: str
    status: str
    overdue: bool
    spot_check: str
    version: int
    escalated: bool = False  # 督办
    # A 先行救助's completion deadline (临时救助), its light and whether the scan flagged it late.
    prior_aid_due_on: date | None = None
    prior_aid_light: str = ""
    prior_aid_overdue: bool = False


@dataclass(frozen=True)
class QueuePage:
    kind: str
    rows: list[QueueRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _todo_filter(user: Any) -> Q | None:
    """Open cases whose current step is the user's to act on (their role, at their level)."""
    role = getattr(user, "role", "")
    level = user_level(user)
    if not role or level is None:
        return None
    pairs: dict[int, list[str]] = {}
    for definition_id, code in Step.objects.filter(role=role, level=level).values_list(
        "definition_id", "code"
    ):
        pairs.setdefault(definition_id, []).append(code)
    if not pairs:
        return None
    q = Q()
    for definition_id, codes in pairs.items():
        q |= Q(definition_id=definition_id, state__in=codes)
    return q


_QUEUE_COLUMNS = (
    "number",
    "program",
    "state",
    "definition_id",
    "step_due_on",
    "step_due_provisional",
    "due_on",
    "due_provisional",
    "status",
    "overdue",
    "spot_check",
    "version",
    "escalated_at",
    "household__number",
    "applicant__name",
    "region__name",
    "policy_version__overdue_warning_days",
    "prior_aid__due_on",
    "prior_aid__overdue",
)


def queue_queryset(*, user: Any, kind: str, today: date) -> QuerySet[Case]:
    qs = scoped(Case.objects.all(), user, "region__code")
    if kind == "todo":
        mine = _todo_filter(user)
        return qs.none() if mine is None else qs.filter(mine, status=CaseStatus.OPEN)
    if kind == "done":
        acted = CaseEvent.objects.filter(actor_id=getattr(user, "pk", None)).values("case_id")
        return qs.filter(pk__in=acted)
    if kind == "overdue":
        # Past the step's limit or the whole case's, or a 先行救助 whose paperwork is late.
        return qs.filter(
            Q(step_due_on__lt=today) | Q(due_on__lt=today) | Q(prior_aid__due_on__lt=today),
            status=CaseStatus.OPEN,
        )
    if kind == "reviews":
        # The periodic reviews open in the jurisdiction (定期复核), whoever's step they are at.
        return qs.filter(purpose=CasePurpose.REVIEW, status=CaseStatus.OPEN)
    raise NotFound("没有这个工作队列")


def queue(
    *,
    user: Any,
    kind: str,
    program: str | None = None,
    step: str | None = None,
    region_code: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """One page of the user's queue, ordered by the step's due date (the most urgent first). Reads a
    fixed number of queries whatever the page size: the user's steps (to do), the count, the page with
    its household, applicant, region and policy, the step names of the page's definitions, and the
    working-day calendar."""
    today = timezone.localdate()
    qs = queue_queryset(user=user, kind=kind, today=today)
    if program:
        qs = qs.filter(program=program)
    if step:
        qs = qs.filter(state=step)
    if region_code:
        try:
            low, high = subtree_bounds(region_code)
        except InvalidRegionCode:
            qs = qs.none()
        else:
            inside = in_jurisdiction(user, region_code)
            qs = qs.filter(region__code__range=(low, high)) if inside else qs.none()
    per_page = max(1, min(per_page, 200))
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    # The page's ids first, from the index in due-date order, then the joins for those rows only (one
    # statement: a sliced subquery), and only the columns the queue shows, as plain values: the joins no
    # longer run for the rows an offset skips, and no model is built per row (docs/benchmarks.md).
    page_ids = qs.order_by("step_due_on", "id").values("pk")[(page - 1) * per_page : page * per_page]
    cases = list(
        Case.objects.filter(pk__in=page_ids).order_by("step_due_on", "id").values("id", *_QUEUE_COLUMNS)
    )
    names: dict[tuple[int, str], str] = {}
    if cases:
        for definition_id, code, name in Step.objects.filter(
            definition_id__in={c["definition_id"] for c in cases}
        ).values_list("definition_id", "code", "name"):
            names[(definition_id, code)] = name
    cal = deadlines.work_calendar() if cases else deadlines.WorkCalendar(frozenset(), frozenset(), 0)
    rows = []
    for c in cases:
        open_ = c["status"] == CaseStatus.OPEN
        due = c["step_due_on"]
        lamp = (
            deadlines.light(due, today, c["policy_version__overdue_warning_days"], cal)
            if open_
            else deadlines.GREEN
        )
        rows.append(
            QueueRow(
                id=c["id"],
                number=c["number"],
                program=c["program"],
                program_label=AidProgram.label_of(c["program"]),
                household_number=c["household__number"],
                applicant_name=c["applicant__name"],
                region_name=c["region__name"],
                state=c["state"],
                step_name=names.get((c["definition_id"], c["state"]), c["state"]),
                step_due_on=due,
                step_due_provisional=c["step_due_provisional"],
                due_on=c["due_on"],
                due_provisional=c["due_provisional"],
                days_left=deadlines.working_days_left(due, today, cal) if open_ else None,
                light=lamp,
                light_label=deadlines.LIGHT_LABELS[lamp] if open_ else "已办结",
                status=c["status"],
                overdue=c["overdue"],
                spot_check=c["spot_check"],
                version=c["version"],
                escalated=c["escalated_at"] is not None and open_,
                prior_aid_due_on=c["prior_aid__due_on"],
                prior_aid_light=(
                    deadlines.light(
                        c["prior_aid__due_on"], today, c["policy_version__overdue_warning_days"], cal
                    )
                    if open_ and c["prior_aid__due_on"]
                    else ""
                ),
                prior_aid_overdue=bool(c["prior_aid__overdue"]) and open_,
            )
        )
    return QueuePage(kind=kind, rows=rows, page=page, per_page=per_page, total=total)


def case_new_reports(case: Case) -> list[VerificationReport]:
    """The household's verification reports made since the case entered its current state, newest
    first: what may be attached when the case is verified again."""
    return list(
        VerificationReport.objects.filter(
            household_id=case.household_id, created_at__gte=case.state_entered_at
        )
        .only("pk", "as_of", "created_at", "results")
        .order_by("-created_at", "-pk")[:20]
    )
