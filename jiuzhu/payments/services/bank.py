"""Bank files and reconciliation (银行代发与回盘对账).

``bank_file_export`` writes the bank file of an approved payroll (CSV in UTF-8 with a BOM or GB18030, or
XLSX; layout in ``bankfiles`` and docs/bank-files.md) as a ``PayrollJob`` of kind export, with heartbeat
and progress: the pending lines, one detail line per account (lines sharing an account summed); held and
stopped lines are not in it, and a pending line without a bank account is marked failed (it cannot be
paid; the next month's payroll carries it). The file is kept under ``VAR_DIR/bank-files`` and downloaded
by county users (``bank_file_open``, audited). The payroll becomes exported.

``bank_return_import`` reads a return file (账号, 身份证号码, 金额, 状态 成功/失败/退回, 银行流水号, 说明,
到账日期) as a ``PayrollJob`` of kind reconcile: each row names an account of the exported file; every line
of that account takes the row's status (paid / failed / returned), the bank's reference and message, and
the day it was paid. A row that cannot be applied (unknown account, another ID number, another amount, an
account named twice, a status that contradicts what is recorded) is kept with its reasons in the return's
list of unmatched rows, never dropped. A line newly paid collects the recoveries its payroll deducted
(``recovery_collect``, source ``payroll_deduction``). The whole file applies in one transaction; the same
file (by SHA-256) imports once, and importing it again changes nothing. The payroll counts what was paid
and what failed, and is reconciled when no line waits for the bank any more.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import BigIntegerField, Exists, F, OuterRef
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.batch.copytext import copy_text
from jiuzhu.batch.stage import stage_close, stage_copy, stage_open
from jiuzhu.benefits.integrity import recovery_collect
from jiuzhu.benefits.models import ConcealmentFinding, OverpaymentRecovery
from jiuzhu.core.errors import Conflict, PermissionDenied, ServiceError, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AidProgram, AuditObject, CollectionSource, RecoveryStatus
from jiuzhu.exchange.readers import FileProblem, csv_encoding, read_rows
from jiuzhu.regions.codes import InvalidRegionCode, Level, level_of
from jiuzhu.regions.scope import get_in_jurisdiction

from .. import bankfiles
from ..models import HEARTBEAT, BankReturn, Payroll, PayrollJob, PayrollLine, collection_reference

EXPORT_PERM = "payments.change_payroll"
IMPORT_PERM = "payments.add_bankreturn"
MAX_UPLOAD = 50 * 1024 * 1024  # through the web or the API; larger files through jiuzhu payroll-reconcile
CHUNK = 10_000
PROGRESS_EVERY = 50_000
NO_ACCOUNT = "无银行账号，未列入银行文件"
EXPORTABLE = (Payroll.Status.APPROVED, Payroll.Status.EXPORTED)
# The lines a bank file paid (pending until the bank answers) and what the bank may have answered.
SENT = (
    PayrollLine.Status.PENDING,
    PayrollLine.Status.PAID,
    PayrollLine.Status.FAILED,
    PayrollLine.Status.RETURNED,
)
Progress = Callable[[int], None] | None


def files_dir() -> Path:
    return Path(settings.VAR_DIR) / "bank-files"


def may_export(user: Any) -> bool:
    """County level or above (or a superuser) with the right to export: who makes and downloads bank
    files and imports the bank's answers."""
    if user is None or not user.has_perm(EXPORT_PERM):
        return False
    if getattr(user, "is_superuser", False) and not getattr(user, "region_id", None):
        return True
    try:
        return int(level_of(str(user.region_id))) <= Level.COUNTY
    except (InvalidRegionCode, TypeError):
        return False


def _require(user: Any, perm: str) -> None:
    require_perm(user, perm)
    if not may_export(user):
        raise PermissionDenied("银行文件由县级（或以上）民政部门导出和对账")


def payroll_for_bank(*, user: Any, payroll_id: int, lock: bool = False) -> Payroll:
    """The payroll in the caller's jurisdiction (404 elsewhere: a township sees none of the county's)."""
    qs = Payroll.objects.select_related("region")
    return get_in_jurisdiction(
        qs.select_for_update(of=("self",)) if lock else qs,
        user=user,
        pk=payroll_id,
        region_field="region__code",
    )


def _label(payroll: Payroll) -> str:
    return bankfiles.remark(AidProgram.label_of(payroll.program), payroll.month)


@contextmanager
def _beating(job_id: int) -> Iterator[None]:
    """The job's heartbeat, kept fresh from a thread while the job runs: when the process dies the
    heartbeat stops and the job shows as stalled (and may be run again)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT.total_seconds()):
                with suppress(DatabaseError):
                    PayrollJob.objects.filter(pk=job_id, status=PayrollJob.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"payroll-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _job_start(
    ctx: AuditContext, payroll: Payroll, kind: str, params: dict[str, Any], total: int
) -> PayrollJob:
    """A running job of ``kind`` with ``params``: one that failed or stalled with the same parameters is
    retried (its attempts counted); one still running is not started twice."""
    now = timezone.now()
    for job in PayrollJob.objects.select_for_update().filter(payroll=payroll, kind=kind, params=params):
        if job.status == PayrollJob.Status.RUNNING and not job.stalled:
            raise Conflict(f"该名册正在{job.get_kind_display()}，请稍候刷新查看进度")
        if job.status in (PayrollJob.Status.FAILED, PayrollJob.Status.RUNNING):
            PayrollJob.objects.filter(pk=job.pk).update(
                status=PayrollJob.Status.RUNNING,
                attempts=F("attempts") + 1,
                error="",
                progress_done=0,
                progress_total=total,
                heartbeat_at=now,
                finished_at=None,
                result={},
            )
            job.refresh_from_db()
            return job
    return PayrollJob.objects.create(
        payroll=payroll,
        kind=kind,
        status=PayrollJob.Status.RUNNING,
        params=params,
        progress_total=total,
        heartbeat_at=now,
        created_by=ctx.user,
    )


def _job_failed(job: PayrollJob, exc: BaseException) -> None:
    message = exc.message if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
    PayrollJob.objects.filter(pk=job.pk).update(
        status=PayrollJob.Status.FAILED, error=str(message)[:2000], finished_at=timezone.now()
    )


class _Stepper:
    """Progress of a job: the caller's callback at once, the job's row every ``PROGRESS_EVERY``."""

    def __init__(self, job: PayrollJob, progress: Progress) -> None:
        self.job, self.progress, self.done, self.saved = job, progress, 0, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress(n)
        if self.done - self.saved >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        self.saved = self.done
        with suppress(DatabaseError):
            PayrollJob.objects.filter(pk=self.job.pk).update(
                progress_done=self.done, heartbeat_at=timezone.now()
            )


# --- export -----------------------------------------------------------------------------------------------


def _detail_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(PayrollLine._meta.db_table)
    return (
        "SELECT bank_account, holder_name, id_number, cents, n FROM ("
        " SELECT bank_account, holder_name, id_number,"
        " CAST(SUM(CAST(ROUND(amount * 100) AS BIGINT)) OVER w AS BIGINT) AS cents,"
        " COUNT(*) OVER w AS n,"
        " ROW_NUMBER() OVER (PARTITION BY bank_account ORDER BY id) AS rn"
        f" FROM {table} WHERE payroll_id = %s AND status = %s AND bank_account <> ''"
        " WINDOW w AS (PARTITION BY bank_account)"
        ") t WHERE rn = 1 ORDER BY bank_account"
    )


def _details(payroll_id: int) -> Iterator[tuple[Any, ...]]:
    """The detail lines of a payroll's bank file, read in chunks (a server-side cursor on PostgreSQL):
    per account, the holder and ID number of its first line and the sum of its pending lines in fen."""
    # Outside a transaction PostgreSQL's cursor is WITH HOLD: the job's progress, written on the same
    # connection meanwhile, is seen at once by the payroll page.
    with connection.chunked_cursor() as cur:
        cur.execute(_detail_sql(), [payroll_id, PayrollLine.Status.PENDING])
        while rows := cur.fetchmany(CHUNK):
            yield from rows


def file_name(payroll: Payroll, job: PayrollJob) -> str:
    fmt = job.params.get("format", "csv")
    suffix = "-gb18030" if job.params.get("encoding") == "gb18030" else ""
    return f"bank-{payroll.region_id}-{payroll.program}-{payroll.month:%Y%m}-{job.pk}{suffix}.{fmt}"


def file_path(payroll: Payroll, job: PayrollJob) -> Path:
    return files_dir() / payroll.region_id / str(payroll.pk) / file_name(payroll, job)


def _sha256(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    fh.seek(0)
    return digest.hexdigest()


def bank_file_export(
    *,
    ctx: AuditContext,
    payroll_id: int,
    fmt: str = "csv",
    encoding: str = "utf-8-sig",
    progress: Progress = None,
) -> PayrollJob:
    """Write the bank file of an approved (or already exported) payroll; returns the finished job, whose
    ``result`` holds the file's name, size, SHA-256, the checksum of its detail lines and its totals."""
    _require(ctx.user, EXPORT_PERM)
    errors: dict[str, str] = {}
    if fmt not in bankfiles.FORMATS:
        errors["fmt"] = "文件格式应为 csv 或 xlsx"
    if fmt == "csv" and encoding not in bankfiles.ENCODINGS:
        errors["encoding"] = "编码应为 utf-8-sig 或 gb18030"
    if errors:
        raise ValidationFailed(errors)
    params = {"format": fmt, "encoding": encoding if fmt == "csv" else ""}
    with transaction.atomic():
        payroll = payroll_for_bank(user=ctx.user, payroll_id=payroll_id, lock=True)
        if payroll.bank_returns.exists():
            raise Conflict("该名册已导入银行回盘，不能再导出银行文件（以免重复发放）")
        if payroll.status not in EXPORTABLE:
            raise Conflict(f"名册{payroll.get_status_display()}，须经县级审批后才能导出银行文件")
        pending = payroll.lines.filter(status=PayrollLine.Status.PENDING)
        missing = list(pending.filter(bank_account="").values_list("pk", flat=True))
        if missing:
            PayrollLine.objects.filter(pk__in=missing).update(
                status=PayrollLine.Status.FAILED, bank_message=NO_ACCOUNT
            )
            Payroll.objects.filter(pk=payroll.pk).update(failed_count=F("failed_count") + len(missing))
            audit_record(
                ctx=ctx,
                action="update",
                object_type=AuditObject.PAYROLL,
                object_id=payroll.pk,
                region_code=payroll.region_id,
                detail={"no_account_failed": len(missing), "lines": missing[:100]},
            )
        job = _job_start(ctx, payroll, PayrollJob.Kind.EXPORT, params, pending.count())
    step = _Stepper(job, progress)
    path = file_path(payroll, job)
    try:
        with _beating(job.pk):
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            chunks = bankfiles.read_chunks(_details(payroll.pk), CHUNK)
            with part.open("wb") as out:
                if fmt == "xlsx":
                    written = bankfiles.write_xlsx(out, chunks, note=_label(payroll), progress=step)
                else:
                    written = bankfiles.write_csv(
                        out, chunks, note=_label(payroll), encoding=encoding, progress=step
                    )
            part.replace(path)
            with path.open("rb") as fh:
                sha = _sha256(fh)
    except Exception as exc:
        _job_failed(job, exc)
        raise
    result = {
        "file_name": path.name,
        "size": path.stat().st_size,
        "sha256": sha,
        "checksum": written.checksum,
        "accounts": written.accounts,
        "lines": written.lines,
        "total": written.total,
        "no_account": len(missing),
    }
    with transaction.atomic():
        PayrollJob.objects.filter(pk=job.pk).update(
            status=PayrollJob.Status.DONE,
            progress_done=written.lines,
            heartbeat_at=timezone.now(),
            finished_at=timezone.now(),
            result=result,
        )
        Payroll.objects.filter(pk=payroll.pk, status=Payroll.Status.APPROVED).update(
            status=Payroll.Status.EXPORTED, version=F("version") + 1
        )
        audit_record(
            ctx=ctx,
            action="export",
            object_type=AuditObject.PAYROLL,
            object_id=payroll.pk,
            region_code=payroll.region_id,
            detail={"job": job.pk, **params, **result},
        )
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class BankFile:
    path: Path
    name: str
    content_type: str


def bank_file_open(*, ctx: AuditContext, payroll_id: int, job_id: int) -> BankFile:
    """A finished bank file of the payroll, for download by a county user; the download is audited."""
    _require(ctx.user, EXPORT_PERM)
    payroll = payroll_for_bank(user=ctx.user, payroll_id=payroll_id)
    job = PayrollJob.objects.filter(
        pk=job_id, payroll=payroll, kind=PayrollJob.Kind.EXPORT, status=PayrollJob.Status.DONE
    ).first()
    if job is None:
        from jiuzhu.core.errors import NotFound

        raise NotFound("未找到该银行文件")
    path = file_path(payroll, job)
    if not path.exists():
        raise Conflict("该银行文件已不在服务器上，请重新导出")
    audit_record(
        ctx=ctx,
        action="export",
        object_type=AuditObject.PAYROLL,
        object_id=payroll.pk,
        region_code=payroll.region_id,
        detail={"download": path.name, "job": job.pk, "sha256": job.result.get("sha256", "")},
    )
    kind = (
        "text/csv; charset=gb18030"
        if job.params.get("encoding") == "gb18030"
        else "text/csv; charset=utf-8"
        if path.suffix == ".csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return BankFile(path, path.name, kind)


# --- reconciliation ---------------------------------------------------------------------------------------


@dataclass
class ReturnOutcome:
    bank_return: BankReturn
    job: PayrollJob | None = None
    already_imported: bool = False


@dataclass(slots=True)
class _Line:
    pk: int
    id_number: str
    cents: int
    status: str
    carried: bool
    deduction: bool


@dataclass
class _Applied:
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"paid": 0, "failed": 0, "returned": 0})
    unchanged: int = 0
    updates: list[tuple[int, str, str, str, date | None]] = field(default_factory=list)
    newly_paid: list[tuple[int, date]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)


_MOVES = {
    PayrollLine.Status.PENDING: {"paid", "failed", "returned"},
    PayrollLine.Status.PAID: {"returned"},  # credited, then sent back (an account closed)
}


def _lines(payroll: Payroll) -> dict[str, list[_Line]]:
    carried = PayrollLine.objects.filter(carried_from=OuterRef("pk"))
    rows = (
        PayrollLine.objects.filter(payroll=payroll, status__in=SENT)
        .exclude(bank_account="")
        .annotate(carried=Exists(carried))
        .values_list("pk", "bank_account", "id_number", "amount", "status", "carried", "deduction_amount")
        .iterator(chunk_size=CHUNK)
    )
    out: dict[str, list[_Line]] = {}
    for pk, account, id_number, amount, status, is_carried, deduction in rows:
        out.setdefault(account, []).append(
            _Line(pk, id_number, int(Decimal(amount) * 100), status, bool(is_carried), Decimal(deduction) > 0)
        )
    return out


def _match(
    rows: list[bankfiles.ReturnRow], lines: dict[str, list[_Line]], today: date, step: Any
) -> _Applied:
    applied = _Applied(rows=len(rows))
    seen: dict[str, int] = {}
    for n, r in enumerate(rows, start=1):
        if n % CHUNK == 0:
            step(CHUNK)
        if r.reasons:
            applied.unmatched.append(r.unmatched())
            continue
        if r.account in seen:  # an earlier row of the file has answered for this account
            applied.unmatched.append(r.unmatched(f"账号在文件中重复出现（已在第{seen[r.account]}行）"))
            continue
        mine = lines.get(r.account)
        if not mine:
            applied.unmatched.append(r.unmatched("账号不在本名册导出的银行文件中"))
            continue
        if r.id_number and r.id_number not in {x.id_number for x in mine}:
            applied.unmatched.append(r.unmatched("身份证号码与名册中该账号的领款人不符"))
            continue
        total = sum(x.cents for x in mine)
        if r.cents != total:
            applied.unmatched.append(r.unmatched(f"金额与银行文件不符（应为 {bankfiles.money(total)} 元）"))
            continue
        statuses = {x.status for x in mine}
        if statuses == {r.status}:
            seen[r.account] = r.row
            applied.unchanged += 1
            applied.counts[r.status] += 1
            continue
        if any(x.carried for x in mine):
            applied.unmatched.append(r.unmatched("该账户的发放已结转至下期名册，不能再变更"))
            continue
        blocked = [s for s in statuses if r.status not in _MOVES.get(PayrollLine.Status(s), set())]
        if blocked:
            was = PayrollLine.Status(blocked[0]).label
            now = PayrollLine.Status(r.status).label
            applied.unmatched.append(r.unmatched(f"该账户已登记为“{was}”，不能改为“{now}”"))
            continue
        seen[r.account] = r.row
        applied.counts[r.status] += 1
        settled = (r.settled_on or today) if r.status == PayrollLine.Status.PAID else None
        for x in mine:
            applied.updates.append((x.pk, r.status, r.reference, r.message, settled))
            if r.status == PayrollLine.Status.PAID and x.deduction:
                applied.newly_paid.append((x.pk, settled or today))
    step(len(rows) % CHUNK)
    return applied


def _write_updates(updates: list[tuple[int, str, str, str, date | None]]) -> None:
    """Each line's new status, reference, message and day paid: one UPDATE from a COPY-loaded stage on
    PostgreSQL, ``executemany`` elsewhere."""
    if not updates:
        return
    table = connection.ops.quote_name(PayrollLine._meta.db_table)
    if connection.vendor == "postgresql":
        stage = stage_open(
            PayrollLine,
            [("line_id", BigIntegerField()), "status", "bank_reference", "bank_message", "settled_on"],
            name="stage_bank_return",
        )
        text = "".join(
            f"{pk}\t{status}\t{copy_text(ref)}\t{copy_text(msg)}\t{on.isoformat() if on else chr(92) + 'N'}\n"
            for pk, status, ref, msg, on in updates
        )
        stage_copy(stage, io.BytesIO(text.encode()))
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} AS l SET status = s.status, bank_reference = s.bank_reference, "
                "bank_message = s.bank_message, settled_on = COALESCE(s.settled_on, l.settled_on) "
                "FROM stage_bank_return s WHERE l.id = s.line_id"
            )
        stage_close(stage)
        return
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {table} SET status = %s, bank_reference = %s, bank_message = %s, "
            "settled_on = COALESCE(%s, settled_on) WHERE id = %s",
            [(status, ref, msg, on, pk) for pk, status, ref, msg, on in updates],
        )


def _collect(
    ctx: AuditContext, payroll: Payroll, paid: list[tuple[int, date]], today: date
) -> list[dict[str, Any]]:
    """The recoveries deducted by lines now paid, collected (I6). What cannot be collected as planned (a
    recovery written off or settled meanwhile) is noted, and collected as far as it is still owed."""
    notes: list[dict[str, Any]] = []
    computations = dict(
        PayrollLine.objects.filter(pk__in=[pk for pk, _ in paid]).values_list("pk", "computation")
    )
    for pk, on in paid:
        for d in (computations.get(pk) or {}).get("deductions", []):
            rid, amount = d.get("recovery"), Decimal(str(d.get("amount", "0")))
            note: dict[str, Any] = {"line": pk, "recovery": rid, "amount": f"{amount:.2f}"}
            notes.append(note)
            recovery = OverpaymentRecovery.objects.filter(pk=rid).first() if rid else None
            if recovery is None or amount <= 0:
                note["note"] = "追缴记录不存在，未登记"
                continue
            owed = recovery.outstanding
            if owed <= 0:
                note["note"] = f"追缴记录{RecoveryStatus.label_of(recovery.status)}，未登记"
                continue
            take = min(amount, owed)
            found_on = ConcealmentFinding.objects.values_list("found_on", flat=True).get(
                pk=recovery.finding_id
            )
            try:
                recovery_collect(
                    ctx=ctx,
                    recovery_id=recovery.pk,
                    version=None,
                    amount=take,
                    collected_on=min(max(on, found_on), today),
                    source=CollectionSource.PAYROLL,
                    reference=collection_reference(payroll.pk, pk),
                )
            except ServiceError as exc:
                note["note"] = "未能登记：" + ("；".join(exc.errors.values()) or exc.message)
                continue
            note["collected"] = f"{take:.2f}"
            if take < amount:
                note["note"] = f"尚欠仅 {owed:.2f} 元，按尚欠金额登记"
    return notes


def _recount(payroll: Payroll) -> dict[str, Any]:
    lines = PayrollLine.objects.filter(payroll=payroll)
    paid = lines.filter(status=PayrollLine.Status.PAID).count()
    failed = lines.filter(status__in=[PayrollLine.Status.FAILED, PayrollLine.Status.RETURNED]).count()
    waiting = lines.filter(status=PayrollLine.Status.PENDING).exists()
    status = Payroll.Status.EXPORTED if waiting else Payroll.Status.RECONCILED
    Payroll.objects.filter(pk=payroll.pk).update(
        paid_count=paid, failed_count=failed, status=status, version=F("version") + 1
    )
    return {"paid_count": paid, "failed_count": failed, "status": status}


def _read(file_name: str, fh: IO[bytes], today: date) -> list[bankfiles.ReturnRow]:
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if ext not in ("csv", "xlsx"):
        raise FileProblem(f"不支持的文件格式：.{ext or '（无扩展名）'}；银行回盘请使用 CSV 或 XLSX")
    encoding = csv_encoding(fh) if ext == "csv" else None
    rows = [
        bankfiles.parse_return_row(line, values, today=today)
        for line, values in read_rows(bankfiles.RETURN_FEED, fh, ext, encoding)
        if not bankfiles.is_trailer(values)
    ]
    if not rows:
        raise FileProblem("文件中没有回盘记录")
    return rows


def check_upload_size(fh: IO[bytes]) -> None:
    size = fh.seek(0, 2)
    fh.seek(0)
    if size == 0:
        raise FileProblem("文件是空的，请重新选择后上传")
    if size > MAX_UPLOAD:
        raise FileProblem(
            f"文件超过 {MAX_UPLOAD // (1024 * 1024)} MB，请由管理员使用 jiuzhu payroll-reconcile 导入"
        )


def bank_return_import(
    *,
    ctx: AuditContext,
    payroll_id: int,
    file_name: str,
    fh: IO[bytes],
    today: date | None = None,
    progress: Progress = None,
) -> ReturnOutcome:
    """Import the bank's return file for an exported payroll (see the module's docstring)."""
    _require(ctx.user, IMPORT_PERM)
    today = today or timezone.localdate()
    payroll = payroll_for_bank(user=ctx.user, payroll_id=payroll_id)
    sha = _sha256(fh)
    known = BankReturn.objects.filter(payroll=payroll, sha256=sha).first()
    if known is not None:
        return ReturnOutcome(known, already_imported=True)
    if payroll.status not in (Payroll.Status.EXPORTED, Payroll.Status.RECONCILED):
        raise Conflict(f"名册{payroll.get_status_display()}，尚未导出银行文件，不能导入回盘")
    rows = _read(file_name, fh, today)
    with transaction.atomic():
        job = _job_start(
            ctx, payroll, PayrollJob.Kind.RECONCILE, {"sha256": sha, "file_name": file_name[:255]}, len(rows)
        )
    step = _Stepper(job, progress)
    try:
        with _beating(job.pk), transaction.atomic():
            payroll = payroll_for_bank(user=ctx.user, payroll_id=payroll_id, lock=True)
            known = BankReturn.objects.filter(payroll=payroll, sha256=sha).first()
            if known is not None:  # the same file, imported meanwhile by someone else
                PayrollJob.objects.filter(pk=job.pk).delete()
                return ReturnOutcome(known, already_imported=True)
            applied = _match(rows, _lines(payroll), today, step)
            _write_updates(applied.updates)
            notes = _collect(ctx, payroll, applied.newly_paid, today)
            bank_return = BankReturn.objects.create(
                payroll=payroll,
                file_name=file_name[:255],
                sha256=sha,
                rows=applied.rows,
                paid=applied.counts["paid"],
                failed=applied.counts["failed"],
                returned=applied.counts["returned"],
                errors=applied.unmatched,
                imported_by=ctx.user,
            )
            counts = _recount(payroll)
            result = {
                "bank_return": bank_return.pk,
                "rows": applied.rows,
                **applied.counts,
                "unchanged": applied.unchanged,
                "unmatched": len(applied.unmatched),
                "lines_updated": len(applied.updates),
                "recoveries": notes,
                **counts,
            }
            PayrollJob.objects.filter(pk=job.pk).update(
                status=PayrollJob.Status.DONE,
                progress_done=applied.rows,
                heartbeat_at=timezone.now(),
                finished_at=timezone.now(),
                result=result,
            )
            audit_record(
                ctx=ctx,
                action="create",
                object_type=AuditObject.PAYROLL,
                object_id=payroll.pk,
                region_code=payroll.region_id,
                detail={
                    "bank_return": bank_return.pk,
                    "file": bank_return.file_name,
                    "sha256": sha,
                    **result,
                },
            )
    except Exception as exc:
        _job_failed(job, exc)
        raise
    job.refresh_from_db()
    return ReturnOutcome(bank_return, job)


def bank_return_import_path(*, ctx: AuditContext, path: Path, **kwargs: Any) -> ReturnOutcome:
    if not path.exists():
        raise FileProblem(f"文件不存在：{path}")
    with path.open("rb") as fh:
        return bank_return_import(ctx=ctx, file_name=path.name, fh=fh, **kwargs)
