"""Background work of the migration: imports of uploaded files, run by ``jiuzhu db_worker``."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed

from .models import MigrationBatch
from .services import error_text, migration_import, spool_path


@task()
def migration_import_queued(*, batch_id: int, user_id: int, ip: str, channel: str, layout: str) -> int:
    """Import a queued upload as the user who uploaded it. The spooled file is removed once the batch is
    done or refused; after any other failure it stays, and uploading the same file again resumes."""
    batch = MigrationBatch.objects.get(pk=batch_id)
    ctx = AuditContext(user=User.objects.filter(pk=user_id).first(), ip=ip, channel=channel)
    path = spool_path(batch)
    try:
        with path.open("rb") as fh:
            migration_import(
                ctx=ctx, file_name=batch.file_name, fh=fh, region_code=batch.region_id, layout=layout
            )
    except ValidationFailed as exc:
        MigrationBatch.objects.filter(pk=batch_id).update(
            status=MigrationBatch.Status.FAILED, error=error_text(exc), finished_at=timezone.now()
        )
        path.unlink(missing_ok=True)
    except Exception as exc:
        MigrationBatch.objects.filter(pk=batch_id).update(
            status=MigrationBatch.Status.FAILED,
            error=f"导入中断：{exc}。请重新上传同一文件以继续导入",
            finished_at=timezone.now(),
        )
        raise
    else:
        path.unlink(missing_ok=True)
    return batch_id
