"""Turns a stored report into what the report page shows: labelled lines grouped by section."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.choices import label
from jiuzhu.core.vocab import AssetCategory, IncomeCategory
from jiuzhu.exchange.catalogue import FEEDS

# A line's category is an income code or an asset code; the page shows each group in its own table.
INCOME = IncomeCategory.codes()
ASSETS = AssetCategory.codes()
OUTCOME_LABELS = {"yes": _("符合"), "no": _("不符合"), "review": _("待核实")}


def category_label(code: str) -> str:
    """The label of a line's category in the active language (the code itself if unknown)."""
    vocab = IncomeCategory if code in INCOME else AssetCategory
    return label(code, vocab)


def source_label(source: str) -> str:
    if source == "declared":
        return str(_("家庭申报"))
    if source == "policy":
        return str(_("政策规定"))
    feed = FEEDS.get(source)
    return f"{feed.department}·{feed.name}" if feed else source


@dataclass
class ReportView:
    report: Any
    income_lines: list[dict[str, Any]]
    asset_lines: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]
    trend_json: str
    results: dict[str, Any]
    insights: dict[str, Any]
    inputs: dict[str, Any]


def _label(line: dict[str, Any]) -> dict[str, Any]:
    return {
        **line,
        "category_label": category_label(line["category"]),
        "source_label": source_label(line["source"]),
    }


# Identifiers of a member's property that a role without ``registry.view_full_id_number`` sees masked,
# as it sees ID numbers masked. Shorter values are left alone: masking them could hit unrelated text.
PRIVATE_REFS = "private_refs"
_MIN_REF = 5


def mask_ref(value: str) -> str:
    """Keep the first two and last two characters: 京A12345 → 京A***45."""
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def masked(value: Any, refs: list[str]) -> Any:
    """``value`` (the report's JSON) with every occurrence of each identifier in ``refs`` masked."""
    if isinstance(value, str):
        for ref in refs:
            if ref in value:
                value = value.replace(ref, mask_ref(ref))
        return value
    if isinstance(value, dict):
        return {k: masked(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, refs) for v in value]
    return value


def for_role(report: Any, *, full: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The report's inputs, results and insights as the caller may see them: plates and property unit
    numbers masked unless the caller may see full ID numbers; the list of identifiers itself never."""
    inputs = {k: v for k, v in report.inputs.items() if k != PRIVATE_REFS}
    results, insights = report.results, report.insights
    refs = sorted(
        (r for r in report.inputs.get(PRIVATE_REFS, []) if len(r) >= _MIN_REF), key=len, reverse=True
    )
    if full or not refs:
        return inputs, results, insights
    return inputs, masked(results, refs), masked(insights, refs)


def present(report: Any, *, full: bool) -> ReportView:
    inputs, results, insights = for_role(report, full=full)
    lines = [_label(ln) for ln in results["lines"]]
    verdicts = [{**v, "outcome_label": OUTCOME_LABELS[v["outcome"]]} for v in results["verdicts"]]
    return ReportView(
        report=report,
        income_lines=[ln for ln in lines if ln["category"] in INCOME],
        asset_lines=[ln for ln in lines if ln["category"] in ASSETS],
        verdicts=verdicts,
        trend_json=json.dumps(insights.get("trend", {}), ensure_ascii=False),
        results=results,
        insights=insights,
        inputs=inputs,
    )
