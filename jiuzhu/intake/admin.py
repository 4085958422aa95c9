"""Admin of the notice templates (policy.NoticeTemplate), with a preview rendered from sample facts.

Registered here, in the top app of the procedure, because the rendering lives in ``jiuzhu.workflow``
(above ``policy``, whose admin cannot import it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.policy.models import NoticeTemplate
from jiuzhu.regions.admin import JurisdictionAdmin
from jiuzhu.workflow.notices import NOTICE_FACTS, notice_render

SAMPLE_FACTS: dict[str, Any] = {
    "applicant_name": "王某某",
    "id_number": "110101196001011234",
    "household_size": 3,
    "program": "dibao",
    "applied_on": date(2026, 3, 2),
    "accepted_on": date(2026, 3, 3),
    "decided_on": date(2026, 3, 20),
    "amount": Decimal("1260.00"),
    "computation_lines": ["（保障标准 700 元 − 人均收入 280 元）× 3 人 = 1260 元"],
    "reasons": ["家庭人均收入高于当地低保标准"],
    "missing_items": ["户口簿复印件", "残疾证复印件"],
    "region_name": "某某镇",
    "case_number": "AJ-2026-000001",
    "application_no": "SQ-000000000-2026-00001",
    "deadline": date(2026, 3, 24),
    "document_no": "某民救〔2026〕1号",
    "issued_on": date(2026, 3, 3),
}


class NoticeTemplateForm(forms.ModelForm):
    class Meta:
        model = NoticeTemplate
        fields = ["region", "kind", "effective_from", "issuer", "document_prefix", "title", "body"]
        help_texts = {
            "body": "Django 模板语法。可用变量：" + "；".join(f"{k}（{v}）" for k, v in NOTICE_FACTS.items())
        }

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body") or ""
        try:
            notice_render(body, SAMPLE_FACTS)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.errors["body"]) from None
        return body


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(JurisdictionAdmin):
    form = NoticeTemplateForm
    list_display = ("title", "kind", "region", "effective_from", "document_prefix", "issuer")
    list_filter = ("kind", "effective_from")
    search_fields = ("title", "region__name", "region__code", "document_prefix")
    raw_id_fields = ("region",)
    readonly_fields = ("preview",)

    @admin.display(description="预览（示例数据）")
    def preview(self, obj: NoticeTemplate) -> str:
        if obj is None or not obj.body:
            return "保存后显示预览"
        try:
            text = notice_render(obj.body, SAMPLE_FACTS)
        except ValidationFailed as exc:
            return exc.errors["body"]
        # The rendering escaped the sample facts; the template's own text is the administrator's.
        body = mark_safe(linebreaks(text, autoescape=False))
        return format_html("<h3>{}</h3><div>{}</div>", obj.title, body)
