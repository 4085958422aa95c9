from __future__ import annotations

from typing import Any

from django.template import Library

from jiuzhu.audit.models import AuditEvent

register = Library()


@register.simple_tag(takes_context=True)
def object_id_for_viewer(context: dict[str, Any], event: AuditEvent) -> str:
    """The line's object id as the viewing user may see it (a searched ID number masked without the
    permission to see it in full)."""
    return event.object_id_for(context["request"].user)
