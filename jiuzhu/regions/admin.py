"""The region admin, and the scoped admin base of every app: a county admin manages only their county."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest

from .models import Region
from .scope import in_jurisdiction, scoped


class JurisdictionAdmin(admin.ModelAdmin):
    """Rows are limited to the user's subtree through ``region_lookup``; region pickers likewise."""

    region_lookup = "region__code"  # the lookup that filters rows by region code

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(super().get_queryset(request), request.user, self.region_lookup)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Region:
            kwargs["queryset"] = scoped(Region.objects.all(), request.user, "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._inside(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._inside(request, obj)

    def region_code_of(self, obj: Any) -> str | None:
        return getattr(obj, "region_id", None)

    def _inside(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or in_jurisdiction(request.user, self.region_code_of(obj))


@admin.register(Region)
class RegionAdmin(JurisdictionAdmin):
    region_lookup = "code"
    list_display = ("code", "name", "level", "urban_rural", "parent")
    list_filter = ("level", "urban_rural")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    list_per_page = 50

    def region_code_of(self, obj: Region) -> str | None:
        return obj.code
