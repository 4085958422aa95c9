"""Importing feed files into the staging store.

Idempotent and resumable: a file is identified by its SHA-256; importing a finished file again changes
nothing, and importing a file whose batch was interrupted resumes it — facts already stored are
recognised by their row key and not stored twice. Bad rows go to quarantine with their reasons.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region

from .catalogue import FEEDS, Feed
from .fastpath import import_csv_bulk
from .models import HEARTBEAT, FeedRecord, ImportBatch, QuarantinedRow
from .readers import ENCODINGS, FileProblem, csv_encoding, detect_format, read_rows
from .validate import CleanRow, validate_row

CHUNK = 5000
MAX_UPLOAD = 50 * 1024 * 1024  # through the web or the API; larger files go through jiuzhu import-feed
# CSV files take the bulk path (DuckDB validation); the row-by-row path stays for XLSX and JSON, and is
# what the bulk path is tested against.
BULK_CSV = True


@dataclass
class ImportOutcome:
    batch: ImportBatch
    already_imported: bool = False


def _sha256(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    fh.seek(0)
    return digest.hexdigest()


def _chunks(
    rows: Iterable[tuple[int, dict[str, Any]]], size: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _known_regions(feed: Feed, chunk: list[tuple[int, dict[str, Any]]]) -> set[str]:
    names = [c.name for c in feed.columns if c.type == "region"]
    if not names:
        return set()
    return _existing_regions({str(raw.get(n, "")).strip() for _, raw in chunk for n in names})


def _store(feed: Feed, batch: ImportBatch, clean: list[tuple[int, CleanRow]]) -> tuple[int, int]:
    """Insert the facts not yet stored; returns (loaded, existing)."""
    keys = [row.row_key for _, row in clean]
    existing = set(
        FeedRecord.objects.filter(feed=feed.code, row_key__in=keys).values_list("row_key", flat=True)
    )
    new = [
        FeedRecord(
            feed=feed.code,
            id_number=r.id_number,
            date=r.date,
            amount=r.amount,
            kind=r.kind,
            data=r.data,
            row_key=r.row_key,
            batch=batch,
        )
        for _, r in clean
        if r.row_key not in existing
    ]
    # ignore_conflicts: a concurrent import of an overlapping file must not fail, only skip.
    FeedRecord.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    return len(new), len(existing)


def feed_import(
    *,
    ctx: AuditContext,
    feed_code: str,
    file_name: str,
    fh: IO[bytes],
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    region_code: str | None = None,
) -> ImportOutcome:
    """Import one file. ``region_code`` names the jurisdiction the batch belongs to (default: the
    importer's own); command-line imports pass it explicitly. A batch always has one."""
    feed, fmt = _checked(ctx, feed_code, file_name)
    region = _owner(ctx, region_code)
    sha = _sha256(fh)
    encoding = _readable(feed, fh, fmt)
    today = today or timezone.localdate()

    with transaction.atomic():
        batch, created = _batch_get_or_create(ctx, feed, fmt, sha, file_name, region, encoding)
        if not created and batch.status == ImportBatch.Status.DONE:
            return ImportOutcome(batch, already_imported=True)
        # Resuming: quarantine is recomputed from the file; stored facts are kept and recognised.
        batch.quarantined.all().delete()
        _batch_set(batch, ImportBatch.Status.RUNNING)

    def step(rows: int) -> None:
        # Progress is visible on the batch page while the import runs, whoever started it.
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=F("rows_done") + rows)
        if progress:
            progress(rows)

    try:
        with beating(batch.pk):
            if BULK_CSV and fmt == "csv":
                totals = _import_fast(feed, batch, fh, today, step, encoding)
            else:
                totals = _import_rows(feed, batch, fh, fmt, today, step, encoding)
    except FileProblem as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, error=exc.message, finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.DONE, finished_at=timezone.now(), **totals
        )
        batch.refresh_from_db()
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.IMPORT_BATCH,
            object_id=batch.pk,
            detail={"feed": feed.code, "file": batch.file_name, **totals},
        )
    return ImportOutcome(batch)


def _checked(ctx: AuditContext, feed_code: str, file_name: str) -> tuple[Feed, str]:
    if ctx.user is not None:
        require_perm(ctx.user, "exchange.add_importbatch")
    feed = FEEDS.get(feed_code)
    if feed is None:
        raise ValidationFailed({"feed": f"未知的数据来源：{feed_code}"})
    return feed, detect_format(file_name)


def _owner(ctx: AuditContext, region_code: str | None) -> str:
    """The jurisdiction a new batch belongs to: the one named, else the importer's own. A batch without
    one could be seen by no one but a superuser, so there is none."""
    region = region_code or getattr(ctx.user, "region_id", None)
    if not region:
        message = "未指定批次所属辖区：请用绑定了辖区的账号上传，或在命令行用 --region 给出区划代码"
        raise ValidationFailed({"region": message}, message=message)
    return str(region)


def _readable(feed: Feed, fh: IO[bytes], fmt: str) -> str:
    """Check that the file can be read and holds at least one record; returns the CSV's encoding (a
    key of ``readers.ENCODINGS``), or "" for the other formats."""
    encoding = csv_encoding(fh) if fmt == "csv" else ""
    try:
        if next(iter(read_rows(feed, fh, fmt, encoding or None)), None) is None:
            raise FileProblem("文件只有表头，没有数据行：请确认导出时选中了数据，再重新上传")
    finally:
        fh.seek(0)
    return encoding


def _batch_get_or_create(
    ctx: AuditContext, feed: Feed, fmt: str, sha: str, file_name: str, region: str, encoding: str
) -> tuple[ImportBatch, bool]:
    """The batch of this file in this jurisdiction. "Already imported" is judged here only: the same
    file imported by another jurisdiction is a batch this caller may not see, and is never returned."""
    return ImportBatch.objects.select_for_update().get_or_create(
        feed=feed.code,
        sha256=sha,
        region_id=region,
        defaults={
            "file_name": Path(file_name).name[:255],
            "file_format": fmt,
            "encoding": ENCODINGS.get(encoding, ""),
            "created_by": ctx.user,
            "channel": ctx.channel,
        },
    )


def _batch_set(batch: ImportBatch, status: str) -> None:
    beat = timezone.now() if status == ImportBatch.Status.RUNNING else None
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, error="", rows_done=0, heartbeat_at=beat)


def heartbeat(batch_id: int) -> None:
    running = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING)
    running.update(heartbeat_at=timezone.now())


@contextmanager
def beating(batch_id: int) -> Iterator[None]:
    """Keep the batch's heartbeat fresh from a thread of this process while the body runs, through the
    merge too (which reports no progress for minutes on a large file). When the process dies the
    heartbeat stops, and the batch shows as interrupted (``ImportBatch.stalled``)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT.total_seconds()):
                # SQLite may be busy with the import's own write: the next beat will do.
                with suppress(DatabaseError):
                    heartbeat(batch_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"import-{batch_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def spool_path(batch: ImportBatch) -> Path:
    """Where an uploaded file waits for the worker (named by its content and its jurisdiction, so an
    upload repeated before the import ran writes the same file)."""
    return Path(settings.UPLOAD_DIR) / f"{batch.feed}-{batch.region_id}-{batch.sha256}.{batch.file_format}"


def feed_import_enqueue(*, ctx: AuditContext, feed_code: str, file_name: str, fh: IO[bytes]) -> ImportOutcome:
    """Queue an uploaded file (up to ``MAX_UPLOAD``) for import by the background worker and return its
    batch at once.

    A file already imported returns its finished batch; a file already queued or running returns that
    batch and is not queued twice; a failed batch is queued again (and resumes)."""
    from .tasks import feed_import_queued  # the task module imports this one

    feed, fmt = _checked(ctx, feed_code, file_name)
    region = _owner(ctx, None)
    _check_upload_size(fh)
    sha = _sha256(fh)
    # A file that cannot be read at all (encoding, missing columns, no rows) is refused now, not in the
    # queue.
    encoding = _readable(feed, fh, fmt)
    with transaction.atomic():
        batch, created = _batch_get_or_create(ctx, feed, fmt, sha, file_name, region, encoding)
        if not created and batch.status == ImportBatch.Status.DONE:
            return ImportOutcome(batch, already_imported=True)
        if not created and batch.in_progress:  # a stalled batch is queued again, and resumes
            return ImportOutcome(batch)
        path = spool_path(batch)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        with part.open("wb") as out:
            shutil.copyfileobj(fh, out, 1 << 20)
        part.replace(path)
        _batch_set(batch, ImportBatch.Status.QUEUED)
        # The task row commits with the batch: a worker never sees one without the other.
        feed_import_queued.enqueue(
            batch_id=batch.pk, user_id=getattr(ctx.user, "pk", None), ip=ctx.ip, channel=ctx.channel
        )
    batch.refresh_from_db()
    return ImportOutcome(batch)


def _import_rows(
    feed: Feed,
    batch: ImportBatch,
    fh: IO[bytes],
    fmt: str,
    today: date,
    progress: Callable[[int], None] | None,
    encoding: str = "",
) -> dict[str, int]:
    """Row by row: every format, every database."""
    totals = {"rows_total": 0, "rows_loaded": 0, "rows_existing": 0, "rows_quarantined": 0}
    first_line_of_key: dict[str, int] = {}
    for chunk in _chunks(read_rows(feed, fh, fmt, encoding or None), CHUNK):
        regions = _known_regions(feed, chunk)
        clean: list[tuple[int, CleanRow]] = []
        bad: list[QuarantinedRow] = []
        for line, raw in chunk:
            result = validate_row(feed, raw, today=today, regions=regions)
            if isinstance(result, list):
                reasons = result
            elif result.row_key in first_line_of_key:
                reasons = [f"与第{first_line_of_key[result.row_key]}行重复"]
            else:
                first_line_of_key[result.row_key] = line
                clean.append((line, result))
                continue
            bad.append(
                QuarantinedRow(batch=batch, row_number=line, raw=_jsonable(raw), reasons="；".join(reasons))
            )
        with transaction.atomic():
            loaded, existing = _store(feed, batch, clean)
            QuarantinedRow.objects.bulk_create(bad, batch_size=CHUNK)
        totals["rows_total"] += len(chunk)
        totals["rows_loaded"] += loaded
        totals["rows_existing"] += existing
        totals["rows_quarantined"] += len(bad)
        if progress:
            progress(len(chunk))
    return totals


def _import_fast(
    feed: Feed,
    batch: ImportBatch,
    fh: IO[bytes],
    today: date,
    progress: Callable[[int], None] | None,
    encoding: str,
) -> dict[str, int]:
    """CSV: columnar validation in DuckDB, COPY on PostgreSQL (same rules, same results)."""
    out = import_csv_bulk(
        feed=feed,
        fh=fh,
        batch_id=batch.pk,
        connection=connection,
        today=today,
        known_regions=_existing_regions,
        progress=progress,
        encoding=encoding,
    )
    return {
        "rows_total": out.total,
        "rows_loaded": out.loaded,
        "rows_existing": out.existing,
        "rows_quarantined": out.quarantined,
    }


def _existing_regions(codes: set[str]) -> set[str]:
    wanted, found = sorted(codes), set[str]()
    for start in range(0, len(wanted), 5000):  # SQLite caps the parameters of one statement
        batch = wanted[start : start + 5000]
        found.update(Region.objects.filter(code__in=batch).values_list("code", flat=True))
    return found


def _jsonable(raw: dict[str, Any]) -> dict[str, Any]:
    """A refused row's cells as the quarantine keeps them; a NUL (which PostgreSQL cannot store) is shown
    as ␀, as the bulk path shows it."""
    return {
        k: (
            v.isoformat()
            if hasattr(v, "isoformat")
            else v.replace("\x00", "\u2400")
            if isinstance(v, str)
            else v
            if isinstance(v, (int, float))
            else str(v)
        )
        for k, v in raw.items()
    }


def upload_limit_mb() -> int:
    return MAX_UPLOAD // (1024 * 1024)


def _check_upload_size(fh: IO[bytes]) -> None:
    size = fh.seek(0, 2)
    fh.seek(0)
    if size > MAX_UPLOAD:
        raise ValidationFailed(
            {"file": f"文件超过 {upload_limit_mb()} MB，请拆分后上传，或由管理员使用 jiuzhu import-feed 导入"}
        )


def feed_import_path(*, ctx: AuditContext, feed_code: str, path: Path, **kwargs: Any) -> ImportOutcome:
    if not path.exists():
        raise FileProblem(f"文件不存在：{path}")
    with path.open("rb") as fh:
        return feed_import(ctx=ctx, feed_code=feed_code, file_name=path.name, fh=fh, **kwargs)
