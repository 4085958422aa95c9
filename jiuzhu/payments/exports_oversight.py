"""XLSX downloads of fund supervision: the anomaly report of a month and a township's 月通报.

A file leaves the platform: every name, ID number and bank account in it is masked, whoever downloads
it (``jiuzhu.core.masking``: 张*三, 110***********123X, ************5678). Cells go through
``spreadsheet_cell`` (no formula can start in one).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from jiuzhu.core.exports import spreadsheet_cell
from jiuzhu.core.masking import id_number_masked, name_masked

from .selectors_oversight import Anomaly, AnomalyReport, Bulletin, program_label, rule_label


def account_masked(value: str) -> str:
    """A bank account as a notice shows it: the last four digits only."""
    value = value.strip()
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def _sheet(wb: Workbook, title: str, rows: Iterable[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append([spreadsheet_cell(cell) for cell in row])


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ANOMALY_HEADER = [
    "异常类型",
    "发放月份",
    "救助项目",
    "乡镇（街道）",
    "户编号",
    "领款人",
    "身份证号码",
    "银行账号",
    "实发金额",
    "明细状态",
    "说明",
]


def anomaly_row(a: Anomaly) -> list[Any]:
    line = a.line
    return [
        a.kind_label,
        f"{line.payroll.month:%Y-%m}",
        program_label(line.payroll.program),
        line.township.name,
        line.household.number,
        name_masked(line.holder_name),
        id_number_masked(line.id_number),
        account_masked(line.bank_account),
        line.amount,  # a number: a negative amount is no formula
        line.get_status_display(),
        a.reason,
    ]


def anomalies_xlsx(report: AnomalyReport) -> bytes:
    from .selectors_oversight import ANOMALY_KINDS

    wb = Workbook(write_only=True)
    summary: list[list[Any]] = [["异常类型", "条数", "金额"]]
    summary += [[ANOMALY_KINDS[k], n, report.amounts[k]] for k, n in report.counts.items()]
    _sheet(wb, "汇总", summary)
    _sheet(wb, "异常明细", [ANOMALY_HEADER, *(anomaly_row(a) for a in report.rows)])
    return _save(wb)


def bulletin_xlsx(b: Bulletin) -> bytes:
    wb = Workbook(write_only=True)
    _sheet(
        wb,
        "概况",
        [
            ["乡镇（街道）", b.township.name, b.township.code],
            ["通报月份", f"{b.month:%Y-%m}"],
            ["统计截至", b.as_of.isoformat()],
            ["发放明细条数", b.payroll_lines],
            ["发放总额", b.payroll_amount],
            ["暂停发放", b.held],
            ["核实后停发", b.stopped],
            ["已到账", b.paid],
            ["失败或退回", b.failed],
            ["超期未办结预警", len(b.overdue)],
        ],
    )
    findings: list[list[Any]] = [
        ["规则", "新增预警", "新增线索", "暂停发放", "暂停金额", "恢复发放", "停止发放", "待核实"]
    ]
    findings += [
        [f.label, f.warnings, f.leads, f.holds, f.held_amount, f.cleared, f.confirmed, f.open_holds]
        for f in b.findings
    ]
    _sheet(wb, "比对发现", findings)
    holds: list[list[Any]] = [
        ["规则", "户编号", "领款人", "身份证号码", "金额", "核实结果", "核实说明", "核实时间"]
    ]
    holds += [
        [
            rule_label(h.rule),
            h.line.household.number,
            name_masked(h.line.holder_name),
            id_number_masked(h.line.id_number),
            h.line.amount,
            h.get_status_display(),
            h.reason,
            h.decided_at.strftime("%Y-%m-%d %H:%M") if h.decided_at else "",
        ]
        for h in b.holds
    ]
    _sheet(wb, "暂停发放核实", holds)
    closed: list[list[Any]] = [
        ["规则", "类别", "户编号", "对象", "预警日期", "办理期限", "处理结果", "处理说明", "办结日期"]
    ]
    closed += [
        [
            rule_label(w.rule),
            w.get_purpose_display(),
            w.household.number,
            name_masked(w.person.name),
            w.raised_on.isoformat(),
            w.due_on.isoformat(),
            w.get_outcome_display() if w.outcome else "",
            w.outcome_reason,
            w.closed_at.date().isoformat() if w.closed_at else "",
        ]
        for w in b.warnings_closed
    ]
    _sheet(wb, "预警办结", closed)
    overdue: list[list[Any]] = [["规则", "户编号", "对象", "预警日期", "办理期限", "状态", "已升级督办"]]
    overdue += [
        [
            rule_label(w.rule),
            w.household.number,
            name_masked(w.person.name),
            w.raised_on.isoformat(),
            w.due_on.isoformat(),
            w.get_status_display(),
            "是" if w.escalated_at else "否",
        ]
        for w in b.overdue
    ]
    _sheet(wb, "超期预警", overdue)
    return _save(wb)
