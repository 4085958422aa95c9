"""Background work of the exchange: imports of uploaded files, run by ``jiuzhu db_worker``."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext

from .models import ImportBatch
from .readers import FileProblem
from .services import feed_import, spool_path


@task()
def feed_import_queued(*, batch_id: int, user_id: int | None, ip: str, channel: str) -> int:
    """Import a queued upload as the user who uploaded it. The spooled file is removed once the batch
    is done, or refused as unreadable; after any other failure it stays, and queueing the same file
    again resumes the batch."""
    batch = ImportBatch.objects.get(pk=batch_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    ctx = AuditContext(user=user, ip=ip, channel=channel)
    path = spool_path(batch)
    try:
        with path.open("rb") as fh:
            feed_import(
                ctx=ctx, feed_code=batch.feed, file_name=batch.file_name, fh=fh, region_code=batch.region_id
            )
    except FileProblem as exc:
        # The batch says what is wrong with the file (a file refused before its import began is marked
        # here).
        ImportBatch.objects.filter(pk=batch_id).exclude(status=ImportBatch.Status.FAILED).update(
            status=ImportBatch.Status.FAILED, error=exc.message, finished_at=timezone.now()
        )
        path.unlink(missing_ok=True)
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            error=f"导入中断：{exc}。请重新上传同一文件以继续导入",
            finished_at=timezone.now(),
        )
        raise
    else:
        path.unlink(missing_ok=True)
    return batch_id
