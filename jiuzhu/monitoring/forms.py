"""The forms of the warning pages: the queue's filters, the verification and the outcome. They carry raw
input; the services validate in Chinese and their per-field errors are put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.choices import choices
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AidProgram
from jiuzhu.workflow.deadlines import LIGHT_LABELS

from .models import Warning
from .selectors import rule_choices

_MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
_MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class QueueFilter(forms.Form):
    rule = forms.ChoiceField(label=_("规则"), required=False)
    purpose = forms.ChoiceField(label=_("类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    light = forms.ChoiceField(label=_("时限"), required=False)
    village = forms.RegexField(
        label=_("村（社区）区划代码"), regex=r"^\d{12}$", required=False, max_length=12
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部规则")), *rule_choices()]  # type: ignore[attr-defined]
        self.fields["purpose"].choices = [("", _("全部类别")), *Warning.Purpose.choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("全部状态")), *Warning.Status.choices]  # type: ignore[attr-defined]
        self.fields["light"].choices = [("", _("全部")), *LIGHT_LABELS.items()]  # type: ignore[attr-defined]


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def apply_errors(self, exc: ServiceError) -> None:
        for field, message in exc.errors.items():
            name = field.split(".", 1)[0]
            self.add_error(name if name in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)


class VerifyForm(_Versioned):
    verification = forms.CharField(
        label=_("核实情况（入户核实、部门核对的结果）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def values(self) -> dict[str, Any]:
        return {
            "version": self.cleaned_data["version"],
            "verification": self.cleaned_data.get("verification") or "",
        }


class OutcomeForm(_Versioned):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=Warning.Outcome.choices)
    reason = forms.CharField(
        label=_("处理说明（排除、停止救助必填；停止救助每行一条理由）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    program = forms.ChoiceField(label=_("申请的救助项目（纳入救助）"), required=False)
    entitlement_id = forms.TypedChoiceField(
        label=_("在保项目（调整待遇、停止救助）"), coerce=int, required=False, empty_value=None
    )
    end_month = forms.DateField(
        label=_("最后发放月份（停止救助，默认本月）"),
        input_formats=_MONTH_FORMATS,
        widget=_MONTH,
        required=False,
    )

    def __init__(self, *args: Any, entitlements: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "—"), *choices(AidProgram)]  # type: ignore[attr-defined]
        self.fields["entitlement_id"].choices = [("", "—"), *(entitlements or [])]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "version": data["version"],
            "outcome": data["outcome"],
            "reason": data.get("reason") or "",
            "program": data.get("program") or None,
            "entitlement_id": data.get("entitlement_id"),
            "end_month": data.get("end_month"),
        }
