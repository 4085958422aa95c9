"""Downloads of a migration batch: its quarantine (CSV or XLSX, the file's own columns, with line and
reasons first, ready to correct and import again) and its difference report (CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook

from jiuzhu.core.exports import spreadsheet_cell
from jiuzhu.core.vocab import AidProgram
from jiuzhu.registry import idnumber

from .layouts import COLUMNS
from .models import MigrationBatch
from .selectors import Difference, quarantine_rows

QUARANTINE_HEADER = ["行号", "原因", *[c.label for c in COLUMNS]]
DIFFERENCE_HEADER = [
    "户编号",
    "救助项目",
    "救助对象",
    "原月保障金额",
    "按现行政策计算",
    "差额",
    "结果",
    "说明",
    "原文件行号",
]


def quarantine_table(batch: MigrationBatch) -> Iterator[list[Any]]:
    yield QUARANTINE_HEADER
    for q in quarantine_rows(batch=batch).iterator():
        yield [q.row_number, q.reasons, *[q.raw.get(c.name, "") for c in COLUMNS]]


def difference_table(rows: Iterable[Difference]) -> Iterator[list[Any]]:
    yield DIFFERENCE_HEADER
    for d in rows:
        e = d.entitlement
        who = f"{e.person.name}（{idnumber.mask(e.person.id_number)}）" if e.person else "全户"
        yield [
            e.household.number,
            AidProgram.label_of(e.program),
            who,
            d.migrated,  # numbers, not text: a negative difference is no formula
            "" if d.computed is None else d.computed,
            "" if d.delta is None else d.delta,
            d.status_label,
            d.note,
            (e.details or {}).get("migration", {}).get("row", ""),
        ]


def csv_chunks(table: Iterable[list[Any]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    for row in table:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def xlsx_bytes(table: Iterable[list[Any]], title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for row in table:
        ws.append([spreadsheet_cell(cell) for cell in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
