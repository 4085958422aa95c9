"""Sign-ins and sign-outs come from Django's auth signals; they are audited like any other event."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import AuditContext, audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    ctx = AuditContext.from_request(request) if request is not None else AuditContext.system()
    audit_record(
        ctx=AuditContext(user=user, ip=ctx.ip, channel=ctx.channel),
        action="login",
        object_type="user",
        object_id=user.pk,
        region_code=user.region_id or "",
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    ctx = AuditContext.from_request(request) if request is not None else AuditContext.system()
    audit_record(
        ctx=AuditContext(user=user, ip=ctx.ip, channel=ctx.channel),
        action="logout",
        object_type="user",
        object_id=user.pk,
        region_code=user.region_id or "",
    )


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    ctx = AuditContext.from_request(request) if request is not None else AuditContext.system()
    audit_record(
        ctx=ctx,
        action="login_failed",
        object_type="user",
        detail={"username": str(credentials.get("username", ""))[:150]},
    )
