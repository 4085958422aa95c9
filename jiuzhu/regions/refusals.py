"""Refused attempts on objects outside the caller's jurisdiction, announced to whoever records them.

The jurisdiction gate answers "not found" whether the object is missing or lies outside the caller's
subtree. On that path it calls ``refusal_note``, which looks the id up without the scope and sends
``access_refused``; the audit app (a floor above, hence a signal) records it. Both cases are announced,
with ``exists`` telling them apart, so that the refused path costs the same whether the object exists
or not and the caller cannot tell the two apart by the time the answer takes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.dispatch import Signal

from jiuzhu.core.vocab import audit_object_type

# Sent with: user, object_type (the model's audit name: ``jiuzhu.core.vocab.audit_object_type``),
# object_id, region_code (the object's, "" when it does not exist) and exists.
access_refused = Signal()


def refusal_note(queryset: QuerySet[Any], *, user: Any, pk: Any, region_field: str) -> None:
    """Announce that ``user`` asked for object ``pk`` of ``queryset``'s model and was refused."""
    model = queryset.model
    try:
        region = model._default_manager.filter(pk=pk).values_list(region_field, flat=True).first()
    except (TypeError, ValueError):
        return  # not even a valid id: nothing was looked up
    access_refused.send(
        sender=model,
        user=user,
        object_type=audit_object_type(model),
        object_id=str(pk),
        region_code=region or "",
        exists=region is not None,
    )
