from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jiuzhu.regions.admin import JurisdictionAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(JurisdictionAdmin):
    region_lookup = "region_code"
    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_id", "region_code", "ip")
    list_filter = ("action", "object_type", "channel")
    search_fields = ("actor_name", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
