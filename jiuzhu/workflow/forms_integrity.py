"""The form of a finding that income or assets were hidden: up to ``ROWS`` hidden items (kind, what,
amount), the evidence, the day found and the day the concealment began. The service validates; its
per-field errors (``items.0.item`` …) are put back on the row's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.choices import choices
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import HiddenKind

ROWS = 3
_DATE = forms.DateInput(attrs={"type": "date"})


class ConcealmentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, ROWS + 1):
            self.fields[f"kind_{n}"] = forms.ChoiceField(
                label=_("第%(n)d项") % {"n": n},
                choices=[("", "—"), *choices(HiddenKind)],
                required=False,
            )
            self.fields[f"item_{n}"] = forms.CharField(label=_("隐瞒事项"), max_length=200, required=False)
            self.fields[f"amount_{n}"] = forms.DecimalField(
                label=_("金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
            )
        self.fields["evidence"] = forms.CharField(
            label=_("查实依据"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
        )
        self.fields["found_on"] = forms.DateField(label=_("认定日期"), widget=_DATE)
        self.fields["concealed_from"] = forms.DateField(
            label=_("隐瞒起始日期（已知时填写）"), widget=_DATE, required=False
        )

    def rows(self) -> list[list[Any]]:
        return [[self[f"kind_{n}"], self[f"item_{n}"], self[f"amount_{n}"]] for n in range(1, ROWS + 1)]

    def items(self) -> list[dict[str, Any]]:
        out = []
        for n in range(1, ROWS + 1):
            kind, item = self.cleaned_data.get(f"kind_{n}") or "", self.cleaned_data.get(f"item_{n}") or ""
            amount = self.cleaned_data.get(f"amount_{n}")
            if kind or item or amount:
                out.append({"kind": kind, "item": item, "amount": str(amount or 0)})
        return out

    def values(self) -> dict[str, Any]:
        return {
            "version": self.cleaned_data["version"],
            "items": self.items(),
            "evidence": self.cleaned_data["evidence"],
            "found_on": self.cleaned_data["found_on"],
            "concealed_from": self.cleaned_data.get("concealed_from"),
        }

    def apply_errors(self, exc: ServiceError) -> None:
        for key, message in exc.errors.items():
            parts = key.split(".")
            if parts[0] == "items" and len(parts) == 3 and parts[1].isdigit():
                name = f"{parts[2]}_{self._row_of(int(parts[1]))}"
            else:
                name = parts[0]
            self.add_error(name if name in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)

    def _row_of(self, index: int) -> int:
        """The form row (1-based) of the ``index``-th item given (blank rows are skipped)."""
        filled = [
            n
            for n in range(1, ROWS + 1)
            if self.cleaned_data.get(f"kind_{n}")
            or self.cleaned_data.get(f"item_{n}")
            or self.cleaned_data.get(f"amount_{n}")
        ]
        return filled[index] if index < len(filled) else 1
