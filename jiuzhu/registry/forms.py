"""HTML forms. They only render fields and carry raw input; validation lives in ``validation`` and
runs in the services, whose per-field errors are put back on the form."""

from __future__ import annotations

from django import forms

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.regions.models import UrbanRural

from .choices import (
    Category,
    DisabilityCategory,
    Education,
    Employment,
    Health,
    LabourCapacity,
    Relation,
    SelfCare,
)

_DATE = forms.DateInput(attrs={"type": "date"})


class ServiceForm(forms.Form):
    def apply_errors(self, exc: ValidationFailed) -> None:
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)

    def data_for_service(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items()}


class PersonForm(ServiceForm):
    id_number = forms.CharField(label="身份证号码", max_length=20, required=False)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    hukou_region = forms.CharField(label="户籍地（村/居区划代码）", max_length=12, required=False)
    residence_region = forms.CharField(label="居住地（村/居区划代码）", max_length=12, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    disability_category = forms.ChoiceField(
        label="残疾类别", choices=DisabilityCategory.choices, required=False
    )
    disability_grade = forms.ChoiceField(
        label="残疾等级", choices=[("", "无"), *[(str(g), f"{g}级") for g in (1, 2, 3, 4)]], required=False
    )
    labour_capacity = forms.ChoiceField(label="劳动能力", choices=LabourCapacity.choices)
    self_care = forms.ChoiceField(label="自理能力", choices=SelfCare.choices)
    health = forms.ChoiceField(label="健康状况", choices=Health.choices)
    employment = forms.ChoiceField(label="就业状况", choices=Employment.choices)
    education = forms.ChoiceField(label="文化程度", choices=Education.choices)
    in_school = forms.BooleanField(label="在校就读", required=False)
    death_date = forms.DateField(label="死亡日期", required=False, widget=_DATE)


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def data_for_service(self) -> dict[str, object]:
        data = super().data_for_service()
        data.pop("version")
        return data


class HouseholdForm(ServiceForm):
    head_id_number = forms.CharField(label="户主身份证号码（须已登记）", max_length=20, required=False)
    region = forms.CharField(label="所在村(居)区划代码", max_length=12, required=False)
    address = forms.CharField(label="详细地址", max_length=200, required=False)
    urban_rural = forms.ChoiceField(
        label="城乡属性", choices=[("", "按所在区划"), *UrbanRural.choices], required=False
    )
    bank_name = forms.CharField(label="开户银行", max_length=100, required=False)
    bank_account = forms.CharField(label="银行账号", max_length=40, required=False)


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
    id_number = forms.CharField(label="成员身份证号码（须已登记）", max_length=20)
    relation = forms.ChoiceField(
        label="与户主关系", choices=[c for c in Relation.choices if c[0] != Relation.HEAD]
    )
    co_resident = forms.BooleanField(label="共同生活", required=False, initial=True)
    on = forms.DateField(label="加入日期", required=False, widget=_DATE)
    reason = forms.CharField(label="说明（如迁入原因）", max_length=200, required=False)


class LeaveForm(ServiceForm):
    reason = forms.CharField(label="离开原因", max_length=200)
    on = forms.DateField(label="离开日期", required=False, widget=_DATE)


class CategoryForm(ServiceForm):
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    start_date = forms.DateField(label="起始日期", required=False, widget=_DATE)
    note = forms.CharField(label="备注", max_length=200, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label="姓名或身份证号（可输后几位）", required=False)
    region = forms.CharField(label="区划代码", required=False, max_length=12)
    category = forms.ChoiceField(label="类别", choices=[("", "全部"), *Category.choices], required=False)
