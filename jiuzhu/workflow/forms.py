"""The forms of a case's steps. They render fields and carry raw input; the step services validate
(in Chinese) and their per-field errors are put back on the form, which is shown again with what was
entered (a stale version loses nothing but the chosen files, which a browser never sends back)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import ServiceError

_DATE = forms.DateInput(attrs={"type": "date"})
_AGREE = [("1", _("同意")), ("0", _("不同意"))]
_HOLDS = [("1", _("异议成立")), ("0", _("异议不成立"))]


class StepForm(forms.Form):
    """A step's form: the case version the page was drawn at, and service errors put on the fields."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def apply_errors(self, exc: ServiceError) -> None:
        for field, message in exc.errors.items():
            name = field.split(".", 1)[0]
            self.add_error(name if name in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)

    def values(self, *skip: str) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class InvestigationForm(StepForm):
    visited_on = forms.DateField(label=_("调查日期"), widget=_DATE)
    investigator_ids = forms.TypedMultipleChoiceField(
        label=_("调查人员（至少两人）"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    food = forms.CharField(label=_("饮食情况"), max_length=300)
    clothing = forms.CharField(label=_("穿着情况"), max_length=300)
    housing = forms.CharField(label=_("居住情况"), max_length=300)
    daily_goods = forms.CharField(label=_("日常生活用品"), max_length=300)
    findings = forms.CharField(label=_("调查结论"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    family_signatory = forms.CharField(label=_("在场家庭成员签字人"), max_length=50)
    family_signature = forms.FileField(label=_("家庭成员签字（图片或 PDF）"), required=False)
    investigator_signatures = forms.FileField(label=_("调查人员签字（图片或 PDF）"), required=False)
    photo = forms.FileField(label=_("现场照片（可选）"), required=False)

    def __init__(self, *args: Any, investigators: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["investigator_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = investigators or []


class CommunityReviewForm(StepForm):
    held_on = forms.DateField(label=_("评议日期"), widget=_DATE)
    expected = forms.IntegerField(label=_("应到人数"), min_value=0, max_value=10000)
    attended = forms.IntegerField(label=_("实到人数"), min_value=0, max_value=10000)
    votes_for = forms.IntegerField(label=_("同意"), min_value=0, max_value=10000)
    votes_against = forms.IntegerField(label=_("不同意"), min_value=0, max_value=10000)
    abstained = forms.IntegerField(label=_("弃权"), min_value=0, max_value=10000, initial=0)
    minutes = forms.CharField(label=_("评议记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    signatures = forms.FileField(label=_("参会人员签字（图片或 PDF）"), required=False)


class OpinionForm(StepForm):
    agree = forms.TypedChoiceField(
        label=_("意见"), choices=_AGREE, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("意见说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmationForm(OpinionForm):
    reasons = forms.CharField(
        label=_("不予确认的理由（每行一条）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def reason_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("reasons", "").splitlines() if line.strip()]


class SpotCheckForm(StepForm):
    agree = forms.TypedChoiceField(
        label=_("抽查结论"), choices=_AGREE, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    finding = forms.CharField(label=_("抽查情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(StepForm):
    """Start or close the notice: nothing to fill but the version."""


class ObjectionForm(StepForm):
    received_on = forms.DateField(label=_("收到日期"), widget=_DATE)
    content = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    raised_by = forms.CharField(label=_("异议人（可匿名）"), max_length=50, required=False)


class ObjectionDecideForm(StepForm):
    holds = forms.TypedChoiceField(
        label=_("核实结论"), choices=_HOLDS, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    finding = forms.CharField(label=_("核实情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ActForm(StepForm):
    """A transition button: the target step, and a reason where the transition needs one."""

    target = forms.CharField(max_length=40, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


class AttachReportForm(StepForm):
    report_id = forms.TypedChoiceField(label=_("新的核对报告"), coerce=int)

    def __init__(self, *args: Any, reports: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["report_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = reports or []


_MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
_REVIEW_OUTCOMES = [
    ("maintained", _("维持（金额不变，确定下次复核日期）")),
    ("adjusted", _("调整（按现行规则重新计算金额）")),
    ("suspended", _("暂停发放")),
    ("stopped", _("停保（终止救助）")),
]


class ReviewDecisionForm(StepForm):
    """县级确认 of a periodic review: one of the four ends, the month it takes effect, the reasons."""

    outcome = forms.ChoiceField(label=_("复核结论"), choices=_REVIEW_OUTCOMES, widget=forms.RadioSelect)
    text = forms.CharField(label=_("确认意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    from_month = forms.DateField(
        label=_("起始月份（调整、暂停自该月起；停保为最后发放月份）"),
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=_MONTH,
    )
    reasons = forms.CharField(
        label=_("理由（每行一条；暂停、停保必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def reason_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("reasons", "").splitlines() if line.strip()]


_CAN = [("1", _("能自主完成")), ("0", _("不能自主完成"))]


class SelfCareForm(StepForm):
    """特困: the six-item self-care assessment (rules §3.2)."""

    assessed_on = forms.DateField(label=_("评估日期"), widget=_DATE)
    eating = forms.TypedChoiceField(
        label=_("自主吃饭"), choices=_CAN, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    dressing = forms.TypedChoiceField(
        label=_("自主穿衣"), choices=_CAN, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    bed = forms.TypedChoiceField(
        label=_("自主上下床"), choices=_CAN, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    toileting = forms.TypedChoiceField(
        label=_("自主如厕"), choices=_CAN, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    walking = forms.TypedChoiceField(
        label=_("室内自主行走"), choices=_CAN, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    bathing = forms.TypedChoiceField(
        label=_("自主洗澡"), choices=_CAN, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    assessor_ids = forms.TypedMultipleChoiceField(
        label=_("评估人员（县级牵头，至少两人）"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("评估说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    ITEMS = ("eating", "dressing", "bed", "toileting", "walking", "bathing")

    def __init__(self, *args: Any, assessors: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessor_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = assessors or []

    def apply_errors(self, exc: ServiceError) -> None:
        # ``items.eating`` → the field ``eating``
        exc.errors = {k.removeprefix("items."): v for k, v in exc.errors.items()}
        super().apply_errors(exc)

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "version": data["version"],
            "items": {k: data[k] for k in self.ITEMS},
            "assessed_on": data["assessed_on"],
            "assessor_ids": data["assessor_ids"],
            "note": data.get("note", ""),
        }
