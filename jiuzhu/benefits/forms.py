"""The forms of the household benefits page's actions (调整、暂停、恢复、终止、渐退) and of the
recomputation pages. They carry raw input; the services validate in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

_MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
_DATE = forms.DateInput(attrs={"type": "date"})
_MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1, required=False)

    def values(self, *skip: str) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class AdjustForm(_Versioned):
    from_month = forms.DateField(label=_("调整起始月份"), input_formats=_MONTH_FORMATS, widget=_MONTH)
    per_capita_income = forms.DecimalField(
        label=_("变化后的家庭月人均收入（元，不填则按原决定）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("调整原因"), max_length=200)


class MonthReasonForm(_Versioned):
    from_month = forms.DateField(label=_("起始月份"), input_formats=_MONTH_FORMATS, widget=_MONTH)
    reason = forms.CharField(label=_("原因"), max_length=200)


class TerminateForm(_Versioned):
    end_month = forms.DateField(label=_("最后发放月份"), input_formats=_MONTH_FORMATS, widget=_MONTH)
    reasons = forms.CharField(
        label=_("终止理由（每行一条）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def reason_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("reasons", "").splitlines() if line.strip()]


class TaperForm(_Versioned):
    person_id = forms.TypedChoiceField(label=_("就业的家庭成员"), coerce=int)
    found_work_on = forms.DateField(label=_("就业日期"), widget=_DATE)
    reason = forms.CharField(label=_("情况说明"), max_length=200)

    def __init__(self, *args: Any, members: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = members or []


class RecomputationForm(forms.Form):
    policy_version_id = forms.TypedChoiceField(label=_("提高标准的政策参数版本"), coerce=int)
    from_month = forms.DateField(
        label=_("调整起始月份（默认生效月份）"), required=False, input_formats=_MONTH_FORMATS, widget=_MONTH
    )

    def __init__(self, *args: Any, versions: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["policy_version_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = versions or []
