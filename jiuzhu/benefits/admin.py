"""Decisions and entitlements are read in the admin, never edited there: they change only through the
services (a decision is final; an entitlement's changes are recorded as its events)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jiuzhu.regions.admin import JurisdictionAdmin

from .models import Decision, Entitlement, EntitlementEvent


class _ReadOnly(JurisdictionAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(_ReadOnly):
    list_display = ("case_number", "program", "outcome", "amount", "decided_on", "region")
    list_filter = ("program", "outcome")
    search_fields = ("case_number",)


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EntitlementEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "changes", "reason", "actor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Entitlement)
class EntitlementAdmin(_ReadOnly):
    list_display = (
        "household",
        "program",
        "status",
        "amount",
        "start_month",
        "review_class",
        "next_review_on",
    )
    list_filter = ("program", "status", "review_class")
    inlines = [EventInline]
