"""Forms of the payroll pages: filters, generation, the hold decisions and the payroll's own moves."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.choices import choices
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AidProgram

from .models import PayrollHold, PayrollLine
from .services.generate import MONTHLY_PROGRAMS

_MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
PROGRAMS = [(c, label) for c, label in choices(AidProgram) if c in MONTHLY_PROGRAMS]


class MonthField(forms.DateField):
    """A month as YYYY-MM (or a date), its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = _MONTH

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class _Form(forms.Form):
    def apply_errors(self, exc: ServiceError) -> None:
        for key, message in exc.errors.items():
            self.add_error(key if key in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)


class PayrollFilter(forms.Form):
    program = forms.ChoiceField(label=_("救助项目"), choices=[("", "全部"), *PROGRAMS], required=False)
    month = MonthField(label=_("发放月份"), required=False)
    county = forms.CharField(label=_("县级区划代码"), max_length=12, required=False)


class GenerateForm(_Form):
    county = forms.CharField(label=_("县级区划代码"), max_length=12, min_length=12)
    program = forms.ChoiceField(label=_("救助项目"), choices=PROGRAMS)
    month = MonthField(label=_("发放月份"))


class LineFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", "全部"), *PayrollLine.Status.choices], required=False
    )
    township = forms.CharField(label=_("乡镇代码"), max_length=12, required=False)
    q = forms.CharField(label=_("姓名/身份证号/户编号"), max_length=50, required=False)


class HoldFilter(forms.Form):
    hold_status = forms.ChoiceField(
        label=_("核实状态"), choices=[("", "全部"), *PayrollHold.Status.choices], required=False
    )


class VersionForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1, required=False)


class ClearForm(VersionForm):
    reason = forms.CharField(
        label=_("核实说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(VersionForm):
    reason = forms.CharField(
        label=_("核实说明（停发理由）"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
