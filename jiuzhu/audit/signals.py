"""Events that reach the audit log through signals: sign-ins and sign-outs (Django's auth signals),
lockouts after repeated failed sign-ins (django-axes), and access refused by the jurisdiction gate
(``regions.refusals``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.refusals import access_refused

from .services import AuditContext, audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    ctx = AuditContext.from_request(request) if request is not None else AuditContext.system()
    audit_record(
        ctx=AuditContext(user=user, ip=ctx.ip, channel=ctx.channel),
        action="login",
        object_type=AuditObject.USER,
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
        object_type=AuditObject.USER,
        object_id=user.pk,
        region_code=user.region_id or "",
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: Any = None, **kwargs: Any) -> None:
    """One line per lockout, not one per failed sign-in: failures come from anyone, unauthenticated,
    and would let them append without limit; django-axes counts them (its access attempts, in the
    admin). axes sends this signal again for every later attempt of the pair; only the failure that
    reached the limit is recorded."""
    failures = getattr(request, "axes_failures_since_start", None)
    if request is None or failures is None:
        return
    if failures != get_failure_limit(request, getattr(request, "axes_credentials", None)):
        return  # a further failure of a pair already locked out
    name = str(username or "")[:150]
    user = get_user_model().objects.filter(username=name).only("region").first() if name else None
    audit_record(
        ctx=AuditContext.from_request(request),
        action="lockout",
        object_type=AuditObject.USER,
        object_id=user.pk if user else "",
        region_code=getattr(user, "region_id", None) or "",
        detail={
            "username": name,
            "failures": int(failures),
            "cool_off_minutes": round(float(settings.AXES_COOLOFF_TIME) * 60),
        },
    )


@dataclass(frozen=True)
class _Refusal:
    user: Any
    object_type: str
    object_id: str


# Refusals seen during the current request, written once the response is ready (``refusals_deferred``):
# the gate often refuses inside a transaction that then rolls back, and the line must not go with it.
_pending: ContextVar[list[_Refusal] | None] = ContextVar("audit_refusals", default=None)

_log = logging.getLogger("jiuzhu.audit.refusals")


def _refusal_write(refusal: _Refusal, ctx: AuditContext) -> None:
    """One line, filed under the caller's region, the same whether the object exists elsewhere or not
    at all (``regions.refusals``): the log of the caller's region must not tell the two apart."""
    user = refusal.user if getattr(refusal.user, "is_authenticated", False) else None
    audit_record(
        ctx=AuditContext(user=user, ip=ctx.ip, channel=ctx.channel),
        action="refused",
        object_type=refusal.object_type,
        object_id=refusal.object_id,
        region_code=getattr(user, "region_id", None) or "",
    )


@contextmanager
def refusals_deferred(request: Any) -> Iterator[None]:
    """Collect the refusals met while ``request`` is answered and write them when the block ends,
    however it ends, outside any transaction of the block. A line that cannot be written (the key
    file missing, the database gone) is logged and dropped: the caller's "not found" must stand."""
    token = _pending.set([])
    try:
        yield
    finally:
        refusals = _pending.get() or []
        _pending.reset(token)
        for refusal in refusals:
            try:
                _refusal_write(refusal, AuditContext.from_request(request))
            except Exception:
                _log.exception(
                    "拒绝访问未能写入审计日志：%s %s（用户 %s）",
                    refusal.object_type,
                    refusal.object_id,
                    getattr(refusal.user, "pk", None),
                )


@receiver(access_refused)
def _access_refused(sender: Any, *, user: Any, object_type: str, object_id: str, **kw: Any) -> None:
    refusal = _Refusal(user, object_type, object_id)
    pending = _pending.get()
    if pending is None:  # outside a request (a command): write now, with the command's transaction
        _refusal_write(refusal, AuditContext.system())
    else:
        pending.append(refusal)
