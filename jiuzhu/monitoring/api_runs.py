"""REST endpoints for monitoring runs: the history, one run with its counts per rule, starting a run."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.regions.models import Region

from .models import JobStatus, MonitoringRun
from .selectors_runs import run_get, run_rule_counts, runs_list
from .services.runs import can_start_runs, monitoring_run_enqueue, run_stale

router = Router(tags=["动态监测"])
MAX_PAGE = 100_000


class RuleCountOut(Schema):
    code: str
    name: str
    version: int
    purpose: str
    hits: int
    new_evidence: int
    new_warnings: int


class RunOut(Schema):
    id: int
    kind: str
    engine: str
    as_of: date
    county: str | None  # the county's code; null for a run over every county
    status: str
    stalled: bool  # running, but its process stopped: starting the same run again resumes it
    phase: str
    progress_done: int
    progress_total: int
    attempts: int
    persons: int
    feed_rows: int
    timings: dict[str, float]
    error: str
    started_at: datetime
    finished_at: datetime | None
    rules: list[RuleCountOut]


class RunPage(Schema):
    items: list[RunOut]
    page: int
    total: int


class RunStartIn(Schema):
    county: str
    as_of: date
    kind: str = "monitor"


class RunStartOut(Schema):
    queued: bool
    detail: str


def _out(run: MonitoringRun) -> RunOut:
    return RunOut(
        id=run.pk,
        kind=run.kind,
        engine=run.engine,
        as_of=run.as_of,
        county=run.region_id,
        status=run.status,
        stalled=run_stale(run),
        phase=run.phase,
        progress_done=run.progress_done,
        progress_total=run.progress_total,
        attempts=run.attempts,
        persons=run.persons,
        feed_rows=run.feed_rows,
        timings={k: float(v) for k, v in run.timings.items()},
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
        rules=[RuleCountOut(**c.__dict__) for c in run_rule_counts(run)],
    )


@router.get("/runs", response=RunPage, summary="监测运行记录（本县，可按类型、状态筛选）")
def run_list(request: HttpRequest, kind: str = "", status: str = "", page: int = 1) -> RunPage:
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed({"page": f"页码超出范围：请填写 1 到 {MAX_PAGE} 之间的页码"})
    if kind and kind not in MonitoringRun.Kind.values:
        raise ValidationFailed({"kind": "类型应为 monitor 或 pre_payment"})
    if status and status not in JobStatus.values:
        raise ValidationFailed({"status": "状态应为 queued、running、done 或 failed"})
    qs = runs_list(user=request.user, kind=kind, status=status)
    items = [_out(r) for r in qs[(page - 1) * 50 : page * 50]]
    return RunPage(items=items, page=page, total=qs.count())


@router.get("/runs/{run_id}", response=RunOut, summary="一次监测运行：状态、进度、各规则命中与新预警数")
def run_detail(request: HttpRequest, run_id: int) -> RunOut:
    return _out(run_get(user=request.user, run_id=run_id))


@router.post(
    "/runs",
    response={202: RunStartOut},
    summary="启动监测运行（县级用户）",
    description=(
        "对一个县按比对日期运行全部监测规则，在后台执行，返回 202；用 GET /runs 查看进度与结果。"
        "同一县、同一日期、同一类型的运行正在进行时返回 409；中断的运行再次启动即续跑。"
    ),
)
def run_start(request: HttpRequest, payload: RunStartIn) -> Status[RunStartOut]:
    if not can_start_runs(request.user):
        raise PermissionDenied("只有县级用户可以启动监测")
    county = Region.objects.filter(code=payload.county).first()
    if county is None:
        raise ValidationFailed({"county": "区划代码不存在"})
    monitoring_run_enqueue(
        ctx=AuditContext.from_request(request), as_of=payload.as_of, county=county, kind=payload.kind
    )
    return Status(202, RunStartOut(queued=True, detail=f"已开始对{county.name}运行监测"))
