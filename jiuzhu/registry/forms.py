"""HTML forms. They only render fields and carry raw input; validation lives in ``validation`` and
runs in the services, whose per-field errors are put back on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.regions.models import UrbanRural

from .choices import (
    Category,
    DisabilityCategory,
    Education,
    Employment,
    Health,
    LabourCapacity,
    MaritalStatus,
    Relation,
    SelfCare,
)

_DATE = forms.DateInput(attrs={"type": "date"})
# Spelled out so that each grade is its own message for translators.
_GRADES = {1: _("1级"), 2: _("2级"), 3: _("3级"), 4: _("4级")}


class ServiceForm(forms.Form):
    def apply_errors(self, exc: ValidationFailed) -> None:
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)

    def data_for_service(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items()}


class PersonForm(ServiceForm):
    id_number = forms.CharField(label=_("身份证号码"), max_length=20, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    hukou_region = forms.CharField(label=_("户籍地（村/居区划代码）"), max_length=12, required=False)
    residence_region = forms.CharField(label=_("居住地（村/居区划代码）"), max_length=12, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    marital_status = forms.ChoiceField(label=_("婚姻状况"), choices=MaritalStatus.choices, required=False)
    disability_category = forms.ChoiceField(
        label=_("残疾类别"), choices=DisabilityCategory.choices, required=False
    )
    disability_grade = forms.ChoiceField(
        label=_("残疾等级"),
        choices=[("", _("无")), *[(str(g), _GRADES[g]) for g in (1, 2, 3, 4)]],
        required=False,
    )
    labour_capacity = forms.ChoiceField(label=_("劳动能力"), choices=LabourCapacity.choices)
    self_care = forms.ChoiceField(label=_("自理能力"), choices=SelfCare.choices)
    health = forms.ChoiceField(label=_("健康状况"), choices=Health.choices)
    employment = forms.ChoiceField(label=_("就业状况"), choices=Employment.choices)
    education = forms.ChoiceField(label=_("文化程度"), choices=Education.choices)
    in_school = forms.BooleanField(label=_("在校就读"), required=False)
    death_date = forms.DateField(label=_("死亡日期"), required=False, widget=_DATE)


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def data_for_service(self) -> dict[str, object]:
        data = super().data_for_service()
        data.pop("version")
        return data


class HouseholdForm(ServiceForm):
    head_id_number = forms.CharField(label=_("户主身份证号码（须已登记）"), max_length=20, required=False)
    region = forms.CharField(label=_("所在村(居)区划代码"), max_length=12, required=False)
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    urban_rural = forms.ChoiceField(
        label=_("城乡属性"), choices=[("", _("按所在区划")), *UrbanRural.choices], required=False
    )
    bank_name = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, required=False)


class HouseholdEditForm(HouseholdForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["head_id_number"]

    def data_for_service(self) -> dict[str, object]:
        data = super().data_for_service()
        data.pop("version")
        return data


class MemberForm(ServiceForm):
    id_number = forms.CharField(label=_("成员身份证号码（须已登记）"), max_length=20)
    relation = forms.ChoiceField(
        label=_("与户主关系"), choices=[c for c in Relation.choices if c[0] != Relation.HEAD]
    )
    co_resident = forms.BooleanField(label=_("共同生活"), required=False, initial=True)
    on = forms.DateField(label=_("加入日期"), required=False, widget=_DATE)
    reason = forms.CharField(label=_("说明（如迁入原因）"), max_length=200, required=False)


class LeaveForm(ServiceForm):
    reason = forms.CharField(label=_("离开原因"), max_length=200)
    on = forms.DateField(label=_("离开日期"), required=False, widget=_DATE)


class CategoryForm(ServiceForm):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    start_date = forms.DateField(label=_("起始日期"), required=False, widget=_DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("姓名或身份证号（可输后几位）"), required=False)
    region = forms.CharField(label=_("区划代码"), required=False, max_length=12)
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *Category.choices], required=False
    )
