"""Admin of the workflow: definitions are read as they are (steps and transitions inline) and a
region's variant is added as a patch on the national definition, checked for soundness
(``definition_patch``); definitions are never edited in place, since cases are pinned to them. Cases
are read-only here: they move only through the engine."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.regions.admin import JurisdictionAdmin

from .models import Case, CaseEvent, Definition, Step, Transition
from .services import definition_patch


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(_ReadOnlyInline):
    model = Step
    fields = (
        "position",
        "code",
        "name",
        "kind",
        "role",
        "level",
        "evidence",
        "limit_setting",
        "limit_days",
        "limit_kind",
        "pauses_clock",
        "outcome",
    )
    readonly_fields = fields


class TransitionInline(_ReadOnlyInline):
    model = Transition
    fields = ("source", "target", "action", "name", "condition", "reason_required")
    readonly_fields = fields


class DefinitionPatchForm(forms.ModelForm):
    patch_text = forms.CharField(
        label="地方调整（JSON）",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            '例如 {"drop_steps": ["community_review"], "steps": {"review": {"limit_days": 3}}}；'
            "格式见流程定义说明"
        ),
    )

    class Meta:
        model = Definition
        fields = ["program", "region"]

    def clean_patch_text(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["patch_text"])
        except ValueError:
            raise forms.ValidationError("不是有效的 JSON") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("应为 JSON 对象")
        return value


@admin.register(Definition)
class DefinitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "program", "region", "version", "active", "created_at")
    list_filter = ("program", "active")
    inlines = [StepInline, TransitionInline]
    readonly_fields = ("program", "region", "version", "name", "base", "patch", "active", "created_at")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = DefinitionPatchForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ("program", "region", "patch_text")

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Definition, form: Any, change: bool) -> None:
        try:
            created = definition_patch(
                ctx=AuditContext.from_request(request),
                program=form.cleaned_data["program"],
                region_code=form.cleaned_data["region"].code if form.cleaned_data["region"] else "",
                patch=form.cleaned_data["patch_text"],
            )
        except ServiceError as exc:
            messages.error(request, "；".join([exc.message, *exc.errors.values()]))
            obj.pk = None
            return
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None


class CaseEventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ("seq", "at", "actor_name", "action", "from_state", "to_state", "reason")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(JurisdictionAdmin):
    list_display = ("number", "program", "state", "status", "step_due_on", "due_on", "overdue", "spot_check")
    list_filter = ("program", "status", "overdue", "spot_check")
    search_fields = ("number", "application_no")
    inlines = [CaseEventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Case._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
