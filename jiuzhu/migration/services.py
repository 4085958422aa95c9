"""存量对象导入: households, members, categories and current entitlements from another system's export.

``migration_import`` reads the file (``rows``), judges every row by the registry's and the programs'
rules, groups the rows into households (``households``), then writes the households chunk by chunk, each
chunk in one transaction (``writer``): persons, households, memberships, category tags, a decision
(``source=migration``, with the file's document number and date, under the policy in force for the region
at the start month) and an entitlement (``source=migration``) per program. Bad rows go to the batch's
quarantine with their reasons.

Idempotent and resumable, as the feed import: a file is known by its SHA-256 and the jurisdiction; a
finished batch imported again changes nothing; what a chunk writes is keyed on ID numbers (persons; a
household on its head) and on the holder and program (active entitlements), so a batch interrupted after
some chunks, imported again, skips what is there and writes the rest — the result equals one clean run.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AidProgram, AuditObject
from jiuzhu.exchange.readers import ENCODINGS, FileProblem
from jiuzhu.regions.codes import Level, is_within
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import in_jurisdiction

from .households import group
from .models import HEARTBEAT, MigrationBatch, MigrationRow
from .policies import Policies, valid_months
from .rows import MigRow, detect_format, parse_row, read_source
from .writer import ChunkOutcome, write_chunk

CHUNK_HOUSEHOLDS = 5000
MAX_UPLOAD = 50 * 1024 * 1024  # through the web or the API; larger files through jiuzhu migrate-import


@dataclass
class MigrationOutcome:
    batch: MigrationBatch
    already_imported: bool = False


def _sha256(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    fh.seek(0)
    return digest.hexdigest()


def _owner(ctx: AuditContext, region_code: str | None) -> Region:
    code = region_code or getattr(ctx.user, "region_id", None)
    if not code:
        message = "未指定导入辖区：请用绑定了辖区的账号导入，或在命令行用 --region 给出区划代码"
        raise ValidationFailed({"region": message}, message=message)
    region = Region.objects.filter(code=str(code)).first()
    if region is None:
        raise ValidationFailed({"region": f"区划代码不存在：{code}"})
    if ctx.user is not None and not in_jurisdiction(ctx.user, region.code):
        raise ValidationFailed({"region": "导入辖区不在您的辖区内"})
    if region.level > Level.COUNTY:
        raise ValidationFailed({"region": "存量对象导入须以县级或以上辖区进行"})
    return region


def _check_user(ctx: AuditContext) -> None:
    """Every migrated decision names the user who imported it: a user is needed, with the right."""
    if ctx.user is None:
        message = "存量导入须以具体用户的身份进行（命令行请用 --user 指定导入人）"
        raise ValidationFailed({"user": message}, message=message)
    require_perm(ctx.user, "migration.add_migrationbatch")


def migration_import(
    *,
    ctx: AuditContext,
    file_name: str,
    fh: IO[bytes],
    region_code: str | None = None,
    layout: str | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
) -> MigrationOutcome:
    """Import one migration file into the jurisdiction ``region_code`` (default: the importer's own;
    county level or above). ``layout`` names the column layout (``layouts.LAYOUTS``); detected from the
    headers when not given."""
    _check_user(ctx)
    region = _owner(ctx, region_code)
    fmt = detect_format(file_name)
    sha = _sha256(fh)
    today = today or timezone.localdate()
    source = read_source(fh, fmt, layout)
    with transaction.atomic():
        batch, created = MigrationBatch.objects.select_for_update().get_or_create(
            sha256=sha,
            region=region,
            defaults={
                "file_name": Path(file_name).name[:255],
                "file_format": fmt,
                "encoding": ENCODINGS.get(source.encoding, ""),
                "layout": source.layout.code,
                "created_by": ctx.user,
                "channel": ctx.channel,
            },
        )
        if not created and batch.status == MigrationBatch.Status.DONE:
            return MigrationOutcome(batch, already_imported=True)
        # Resuming: the quarantine is judged again from the file; what was written is recognised.
        batch.quarantined.all().delete()
        MigrationBatch.objects.filter(pk=batch.pk).update(
            status=MigrationBatch.Status.RUNNING,
            error="",
            rows_done=0,
            rows_total=len(source.rows),
            heartbeat_at=timezone.now(),
        )
        batch.refresh_from_db()
    try:
        with beating(batch.pk):
            totals = _run(ctx, batch, region, source.rows, source.layout, today, progress, chunk_households)
    except (FileProblem, ValidationFailed) as exc:
        MigrationBatch.objects.filter(pk=batch.pk).update(
            status=MigrationBatch.Status.FAILED, error=error_text(exc), finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        MigrationBatch.objects.filter(pk=batch.pk).update(
            status=MigrationBatch.Status.DONE, finished_at=timezone.now(), **totals
        )
        batch.refresh_from_db()
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.MIGRATION_BATCH,
            object_id=batch.pk,
            region_code=region.code,
            detail={"file": batch.file_name, "layout": batch.layout, **totals},
        )
    return MigrationOutcome(batch)


def _regions(rows: list[MigRow]) -> dict[str, Region]:
    wanted = sorted({r.region for r in rows})
    found: dict[str, Region] = {}
    for start in range(0, len(wanted), 5000):
        found.update({r.code: r for r in Region.objects.filter(code__in=wanted[start : start + 5000])})
    return found


def _run(
    ctx: AuditContext,
    batch: MigrationBatch,
    region: Region,
    raw_rows: list[tuple[int, dict[str, Any]]],
    layout: Any,
    today: date,
    progress: Callable[[int], None] | None,
    chunk_households: int,
) -> dict[str, int]:
    refused: dict[int, list[str]] = {}
    raw_of = dict(raw_rows)
    valid: list[MigRow] = []
    for line, raw in raw_rows:
        result = parse_row(line, raw, layout, today=today)
        if isinstance(result, list):
            refused[line] = result
        else:
            valid.append(result)
    regions = _regions(valid)
    policies = Policies()
    checked: list[MigRow] = []
    for row in valid:
        reasons = _place_and_policy(row, regions, region, policies, today)
        if reasons:
            refused[row.line] = reasons
        else:
            checked.append(row)
    households, more = group(checked)
    refused.update(more)
    totals = {
        "rows_loaded": 0,
        "rows_existing": 0,
        "households_created": 0,
        "persons_created": 0,
        "entitlements_created": 0,
    }
    in_households = {line for h in households for line in h.lines}
    early = {line: reasons for line, reasons in refused.items() if line not in in_households}
    with transaction.atomic():
        _quarantine(batch, early, raw_of)
    _step(batch, len(raw_rows) - len(in_households), progress)
    quarantined = len(early)
    for start in range(0, len(households), chunk_households):
        chunk = households[start : start + chunk_households]
        with transaction.atomic():
            out: ChunkOutcome = write_chunk(
                ctx=ctx, batch=batch, households=chunk, regions=regions, policies=policies, today=today
            )
            _quarantine(batch, out.refused, raw_of)
        quarantined += len(out.refused)
        totals["rows_loaded"] += out.rows_loaded
        totals["rows_existing"] += out.rows_existing
        totals["households_created"] += out.households
        totals["persons_created"] += out.persons
        totals["entitlements_created"] += out.entitlements
        _step(batch, sum(len(h.lines) for h in chunk), progress)
    return {**totals, "rows_total": len(raw_rows), "rows_quarantined": quarantined}


def _place_and_policy(
    row: MigRow, regions: dict[str, Region], owner: Region, policies: Policies, today: date
) -> list[str]:
    """The row's village: known, a village, inside the importing jurisdiction; and for an entitlement, a
    policy version for the region and a validity not already over."""
    village = regions.get(row.region)
    if village is None:
        return [f"所在村(居)区划代码：区划代码不存在：{row.region}"]
    if village.level != Level.VILLAGE:
        return ["所在村(居)区划代码：必须是村(居)一级的区划代码"]
    if not is_within(row.region, owner.code):
        return [
            f"所在村(居)区划代码：{village.name}（{row.region}）不在本次导入的辖区（{owner.name}）内，不予导入"
        ]
    if not row.program or row.start_month is None:
        return []
    policy, _ = policies.at(row.region, row.start_month)
    if policy is None:
        return ["救助项目：该地区没有政策参数版本，请管理员先录入后再导入"]
    months = valid_months(policy, row.program)
    if months:
        from jiuzhu.benefits.engine.review import add_months

        until = add_months(row.start_month, months - 1)
        if until < today.replace(day=1):
            label = AidProgram.label_of(row.program)
            return [f"起始年月：{label}认定有效期（{months}个月）已于{until:%Y-%m}届满，不属于在保对象"]
    return []


def _quarantine(
    batch: MigrationBatch, refused: dict[int, list[str]], raw_of: dict[int, dict[str, Any]]
) -> None:
    MigrationRow.objects.bulk_create(
        [
            MigrationRow(
                batch=batch, row_number=line, raw=_jsonable(raw_of.get(line, {})), reasons="；".join(reasons)
            )
            for line, reasons in sorted(refused.items())
        ],
        batch_size=5000,
    )


def _jsonable(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if hasattr(v, "isoformat"):
            out[k] = v.isoformat()
        elif isinstance(v, str):
            out[k] = v.replace("\x00", "\u2400")
        elif isinstance(v, (int, float)):
            out[k] = v
        else:
            out[k] = str(v)
    return out


def _step(batch: MigrationBatch, rows: int, progress: Callable[[int], None] | None) -> None:
    MigrationBatch.objects.filter(pk=batch.pk).update(rows_done=F("rows_done") + rows)
    if progress:
        progress(rows)


@contextmanager
def beating(batch_id: int) -> Iterator[None]:
    """The batch's heartbeat, kept fresh from a thread while the import runs (as the feed import's): when
    the process dies the heartbeat stops and the batch shows as interrupted."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT.total_seconds()):
                with suppress(DatabaseError):
                    MigrationBatch.objects.filter(pk=batch_id, status=MigrationBatch.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"migration-{batch_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def check_upload_size(fh: IO[bytes]) -> None:
    size = fh.seek(0, 2)
    fh.seek(0)
    if size > MAX_UPLOAD:
        raise ValidationFailed(
            {
                "file": f"文件超过 {MAX_UPLOAD // (1024 * 1024)} MB，"
                "请拆分后上传，或由管理员使用 jiuzhu migrate-import 导入"
            }
        )


def migration_import_path(*, ctx: AuditContext, path: Path, **kwargs: Any) -> MigrationOutcome:
    if not path.exists():
        raise FileProblem(f"文件不存在：{path}")
    with path.open("rb") as fh:
        return migration_import(ctx=ctx, file_name=path.name, fh=fh, **kwargs)


def spool_path(batch: MigrationBatch) -> Path:
    """Where an uploaded file waits for the worker (named by its content and jurisdiction)."""
    from django.conf import settings

    return Path(settings.UPLOAD_DIR) / f"migration-{batch.region_id}-{batch.sha256}.{batch.file_format}"


def migration_import_enqueue(
    *, ctx: AuditContext, file_name: str, fh: IO[bytes], layout: str | None = None
) -> MigrationOutcome:
    """Queue an uploaded file (up to ``MAX_UPLOAD``) for the background worker and return its batch at
    once, in the importer's own jurisdiction. A file already imported returns its finished batch; one
    queued or running is not queued twice; a failed or interrupted one is queued again (and resumes). A
    file that cannot be read (format, encoding, columns, no rows) is refused now."""
    from .tasks import migration_import_queued  # the task module imports this one

    _check_user(ctx)
    region = _owner(ctx, None)
    fmt = detect_format(file_name)
    check_upload_size(fh)
    sha = _sha256(fh)
    source = read_source(fh, fmt, layout or None)
    with transaction.atomic():
        batch, created = MigrationBatch.objects.select_for_update().get_or_create(
            sha256=sha,
            region=region,
            defaults={
                "file_name": Path(file_name).name[:255],
                "file_format": fmt,
                "encoding": ENCODINGS.get(source.encoding, ""),
                "layout": source.layout.code,
                "created_by": ctx.user,
                "channel": ctx.channel,
                "status": MigrationBatch.Status.QUEUED,
            },
        )
        if not created and batch.status == MigrationBatch.Status.DONE:
            return MigrationOutcome(batch, already_imported=True)
        if not created and batch.in_progress:
            return MigrationOutcome(batch)
        path = spool_path(batch)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        with part.open("wb") as out:
            shutil.copyfileobj(fh, out, 1 << 20)
        part.replace(path)
        MigrationBatch.objects.filter(pk=batch.pk).update(status=MigrationBatch.Status.QUEUED, error="")
        migration_import_queued.enqueue(
            batch_id=batch.pk,
            user_id=ctx.user.pk,
            ip=ctx.ip,
            channel=ctx.channel,
            layout=source.layout.code,
        )
    batch.refresh_from_db()
    return MigrationOutcome(batch)


def error_text(exc: ValidationFailed) -> str:
    """The message a batch shows for a refusal: the first field's, which says what is wrong."""
    return next(iter(exc.errors.values()), exc.message) if exc.errors else exc.message
