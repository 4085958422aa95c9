"""The forms of 临时救助's own pages: 先行救助, a non-resident's file, the county's 一事一议."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.vocab import TEMPORARY_CAUSES, TemporaryCause, TemporaryKind

from .forms import _AGREE, _DATE, StepForm

EMERGENCY_CAUSES = [
    (c, TemporaryCause.label_of(c))
    for c in TemporaryCause.codes()
    if c in TEMPORARY_CAUSES[TemporaryKind.EMERGENCY]
]


class _Errors(forms.Form):
    def apply_errors(self, exc: Any) -> None:
        for field, message in (exc.errors or {}).items():
            name = field.split(".", 1)[0]
            self.add_error(name if name in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)


class PriorAidForm(_Errors):
    recipient_id = forms.TypedChoiceField(label=_("受助人"), coerce=int)
    amount = forms.DecimalField(label=_("先行救助金额（元）"), max_digits=12, decimal_places=2, min_value=0)
    cause = forms.ChoiceField(label=_("急难事由"), choices=EMERGENCY_CAUSES)
    reason = forms.CharField(label=_("困难情形"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    paid_on = forms.DateField(label=_("发放日期"), widget=_DATE)
    non_resident = forms.BooleanField(label=_("流动人口（在急难发生地救助）"), required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_id"].choices = members  # type: ignore[attr-defined]


class NonResidentForm(_Errors):
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    name = forms.CharField(label=_("姓名"), max_length=50)
    village_code = forms.RegexField(
        label=_("急难发生地（临时住所）村（社区）代码"), regex=r"^\d{12}$", max_length=12
    )
    address = forms.CharField(label=_("临时住所地址"), max_length=200)
    hukou_region = forms.CharField(label=_("户籍地村（社区）代码（平台内的）"), max_length=12, required=False)
    hukou_address = forms.CharField(label=_("户籍地址（身份证所载）"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class SpecialApprovalForm(StepForm):
    agree = forms.TypedChoiceField(label=_("一事一议意见"), choices=_AGREE, coerce=lambda v: v == "1")
    text = forms.CharField(label=_("研究意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AmountProposeForm(StepForm):
    amount_asked = forms.DecimalField(
        label=_("拟救助金额（急难型，元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    expense_amount = forms.DecimalField(
        label=_("核实的自付支出（支出型，元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    people = forms.IntegerField(label=_("救助人数（支出型）"), min_value=1, max_value=100, required=False)
    months = forms.IntegerField(label=_("困难月数（支出型）"), min_value=1, max_value=120, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
