"""Decisions and entitlements are read in the admin, never edited there: they change only through the
services (a decision is final; an entitlement's changes are recorded as its events)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.admin import JurisdictionAdmin

from .models import Decision, Entitlement, EntitlementEvent, StandardRecomputation, StandardRecomputationRow
from .recompute import recomputation_apply, recomputation_approve, recomputation_create


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


# --- 提标重算: listed from a policy version that raises a standard (the action below on the policy
# versions' list), approved and applied by the county through the services ------------------------------


class RecomputationRowInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StandardRecomputationRow
    extra = 0
    can_delete = False
    readonly_fields = ("entitlement", "old_amount", "new_amount", "applied")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _run(modeladmin: Any, request: HttpRequest, queryset: Any, service: Any, done: str) -> None:
    ctx = AuditContext.from_request(request)
    count = 0
    for rec in queryset:
        try:
            service(ctx=ctx, recomputation_id=rec.pk)
            count += 1
        except ServiceError as exc:
            modeladmin.message_user(request, f"#{rec.pk}：{exc.message}", level=messages.ERROR)
    if count:
        modeladmin.message_user(request, f"{done} {count} 份清单")


@admin.register(StandardRecomputation)
class StandardRecomputationAdmin(_ReadOnly):
    list_display = ("pk", "policy_version", "region", "from_month", "status", "approved_at", "applied_at")
    list_filter = ("status",)
    inlines = [RecomputationRowInline]
    actions = ["approve", "apply"]

    @admin.action(description="审批所选提标重算清单（县级）")
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        _run(self, request, queryset, recomputation_approve, "已审批")

    @admin.action(description="执行所选已审批的提标重算清单")
    def apply(self, request: HttpRequest, queryset: Any) -> None:
        _run(self, request, queryset, recomputation_apply, "已执行")


@admin.action(description="生成提标重算清单（新版本提高了保障标准）")
def recomputation_for_versions(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    ctx = AuditContext.from_request(request)
    for version in queryset:
        try:
            rec = recomputation_create(ctx=ctx, policy_version_id=version.pk)
        except ServiceError as exc:
            modeladmin.message_user(request, f"{version}：{exc.message}", level=messages.ERROR)
            continue
        modeladmin.message_user(
            request, f"{version}：提标重算清单 #{rec.pk}，{rec.rows.count()} 户，{rec.get_status_display()}"
        )


# The policy app sits below benefits and does not know of recomputations: the action joins its admin here.
_policy_admin = admin.site._registry.get(PolicyVersion)
if _policy_admin is not None:
    _policy_admin.actions = [*(_policy_admin.actions or []), recomputation_for_versions]
