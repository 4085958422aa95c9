from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jiuzhu.core.masking import FULL_ID_NUMBER_PERM
from jiuzhu.core.vocab import audit_object_type
from jiuzhu.regions.admin import JurisdictionAdmin

from .models import AuditEvent
from .services import AuditContext, audit_record


@admin.register(AuditEvent)
class AuditEventAdmin(JurisdictionAdmin):
    region_lookup = "region_code"
    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_id", "region_code", "ip")
    list_filter = ("action", "object_type", "channel")
    # The object id only as a whole: a partial match would let a role that sees ID numbers masked
    # recover a searched number digit by digit.
    search_fields = ("actor_name", "=object_id")
    readonly_fields = ("object_id_shown",)

    @admin.display(description="对象编号")
    def object_id_shown(self, obj: AuditEvent) -> str:
        """A searched ID number masked (DESIGN §6), for users without the permission to see it."""
        return obj.object_id_for(None)

    def _masked(self, request: HttpRequest, names: Sequence[Any]) -> list[Any]:
        """``object_id`` in place for a user who may see full ID numbers, the masked column otherwise."""
        full = request.user.has_perm(FULL_ID_NUMBER_PERM)
        shown = "object_id" if full else "object_id_shown"
        return [shown if n == "object_id" else n for n in names if n != "object_id_shown"]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._masked(request, super().get_list_display(request))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self._masked(request, super().get_fields(request, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdminMixin(admin.ModelAdmin):
    """Changes made through the admin site are written to the audit chain too (Django's own admin
    log is an ordinary table anyone with the database can edit). Every add, change and delete of the
    admin passes through ``log_addition`` / ``log_change`` / ``log_deletions``, inside the transaction
    of the change itself; ``audit_snapshot`` adds the values an auditor needs (roles, rights)."""

    def audit_region(self, obj: Any) -> str:
        return getattr(obj, "region_id", None) or ""

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        return {}

    def _audit(self, request: HttpRequest, obj: Any, action: str, message: Any) -> None:
        detail: dict[str, Any] = {"via": "admin", "repr": str(obj)[:200]}
        if message:
            detail["changes"] = message if isinstance(message, list) else str(message)
        detail.update(self.audit_snapshot(obj))
        audit_record(
            ctx=AuditContext.from_request(request),
            action=action,
            object_type=audit_object_type(obj),
            object_id=obj.pk,
            region_code=self.audit_region(obj),
            detail=detail,
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, "create", message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, "update", message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self._audit(request, obj, "delete", "")
        return entries
