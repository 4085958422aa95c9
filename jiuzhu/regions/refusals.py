"""Refused attempts on objects outside the caller's jurisdiction, announced to whoever records them.

The jurisdiction gate answers "not found" whether the object is missing or lies outside the caller's
subtree. On that path it calls ``refusal_note``, which sends ``access_refused``; the audit app (a floor
above, hence a signal) records it. The id is not looked up: the announcement, and so the audit line,
is the same whether the object exists elsewhere or not at all, and names no region but the caller's.
Whoever can read the log of the caller's region (its auditors, its administrator) learns nothing about
the id from it, and the refused path does the same work in both cases."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.dispatch import Signal

from jiuzhu.core.vocab import audit_object_type

# Sent with: user, object_type (the model's audit name: ``jiuzhu.core.vocab.audit_object_type``) and
# object_id (as asked for).
access_refused = Signal()


def refusal_note(queryset: QuerySet[Any], *, user: Any, pk: Any) -> None:
    """Announce that ``user`` asked for object ``pk`` of ``queryset``'s model and was refused. Nothing of
    the object is read: the line is the same whether it exists elsewhere or not at all."""
    model = queryset.model
    access_refused.send(sender=model, user=user, object_type=audit_object_type(model), object_id=str(pk))
