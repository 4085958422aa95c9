"""Background monitoring runs started from the web or the API, run by ``jiuzhu db_worker``."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from jiuzhu.accounts.models import User
from jiuzhu.audit.services import AuditContext
from jiuzhu.regions.models import Region

from .services.runs import monitoring_run


@task()
def monitoring_run_queued(
    *, as_of: str, county_code: str | None, kind: str, engine: str, user_id: int | None, ip: str, channel: str
) -> int:
    """Run the rules as the user who started the run; the run records its own failure."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    county = Region.objects.get(code=county_code) if county_code else None
    result = monitoring_run(
        ctx=AuditContext(user=user, ip=ip, channel=channel),
        as_of=date.fromisoformat(as_of),
        county=county,
        kind=kind,
        engine=engine,
    )
    return result.run.pk
