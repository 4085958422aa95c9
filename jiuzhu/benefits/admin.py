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


# --- integrity (诚信): read in the admin; recorded, collected, written off and revoked through the services
# (the household's pages and the API), so that every change has its actor, its reason and its audit line.

from .models import (  # noqa: E402
    ConcealmentFinding,
    DishonestyRecord,
    OverpaymentRecovery,
    RecoveryCollection,
)


@admin.register(ConcealmentFinding)
class ConcealmentFindingAdmin(_ReadOnly):
    list_display = (
        "household",
        "program",
        "case_number",
        "hidden_total",
        "found_on",
        "recorded_by",
        "region",
    )
    list_filter = ("program",)
    search_fields = ("case_number",)
    date_hierarchy = "found_on"


@admin.register(DishonestyRecord)
class DishonestyRecordAdmin(_ReadOnly):
    list_display = ("person", "household", "starts_on", "ends_on", "months", "status", "region")
    list_filter = ("status",)
    date_hierarchy = "starts_on"


class CollectionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RecoveryCollection
    extra = 0
    can_delete = False
    readonly_fields = ("amount", "collected_on", "source", "reference", "recorded_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OverpaymentRecovery)
class OverpaymentRecoveryAdmin(_ReadOnly):
    list_display = (
        "household",
        "entitlement",
        "from_month",
        "through_month",
        "months",
        "amount_due",
        "amount_collected",
        "status",
        "region",
    )
    list_filter = ("status",)
    inlines = [CollectionInline]
