"""The bank files of a payroll (银行代发文件) and the bank's return files (回盘), as bytes and rows; no
database here (the services in ``services/bank.py`` feed and read them). The layout is documented in
docs/bank-files.md.

A bank file has a header line (账号, 户名, 身份证号码, 金额, 备注), one detail line per account (every
line of the payroll paid into that account summed), a totals line (``合计``, the number of detail lines,
the sum) and a checksum line (``SHA256`` and the SHA-256 of the detail lines). The checksum is taken over
the detail lines in one canonical form whatever the file's format or encoding — each line as the CSV
writes it, fields joined by commas, quoted where RFC 4180 needs, ended by CRLF, in UTF-8 — so the same
payroll exported as UTF-8 CSV, GB18030 CSV or XLSX carries the same checksum, and a bank (or the county)
can tell that two files are one payment and must not be paid twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any, NamedTuple

from openpyxl import Workbook

from jiuzhu.core.exports import spreadsheet_cell
from jiuzhu.exchange.catalogue import Column, Feed

HEADER = ["账号", "户名", "身份证号码", "金额", "备注"]
TOTALS_MARK = "合计"
CHECKSUM_MARK = "SHA256"
FORMATS = {"csv": "CSV", "xlsx": "Excel（XLSX）"}
# The encodings a CSV bank file is written in (Python codec → label): UTF-8 with a byte-order mark (what
# Excel opens correctly), or GB18030 (what many banks' systems on Chinese Windows expect).
ENCODINGS = {"utf-8-sig": "UTF-8（带 BOM）", "gb18030": "GB18030（GBK 兼容）"}
# Rows per XLSX sheet: Excel holds 1,048,576 rows; a larger payroll continues on a further sheet.
XLSX_SHEET_ROWS = 1_000_000
FEN = Decimal("0.01")


def remark(program_label: str, month: date) -> str:
    """The 备注 of every detail line: the program and the month paid (低保2026年11月)."""
    return f"{program_label}{month.year}年{month.month:02d}月"


def money(cents: int) -> str:
    """Fen as yuan with two decimals (85005 → "850.05"); never a float."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


class Detail(NamedTuple):
    """One detail line: an account, the holder shown, and the sum of its payroll lines in fen (a plain
    tuple from the database serves as well)."""

    account: str
    holder_name: str
    id_number: str
    cents: int
    lines: int = 1


@dataclass
class Written:
    """What a bank file holds: detail lines, payroll lines summed into them, the total, the checksum."""

    accounts: int = 0
    lines: int = 0
    cents: int = 0
    checksum: str = ""
    digest: Any = field(default_factory=hashlib.sha256, repr=False)

    @property
    def total(self) -> str:
        return money(self.cents)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    # spreadsheet_cell, called only for the rare text that needs it (a million names go through here)
    return spreadsheet_cell(text) if text.startswith(_FORMULA_START) else text


def detail_rows(chunk: Sequence[tuple[str, str, str, int, int]], note: str) -> list[tuple[str, ...]]:
    """The five cells of each detail line of a chunk."""
    note = _cell(note)
    return [
        (
            _cell(account),
            _cell(holder),
            _cell(id_number),
            f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else money(cents),
            note,
        )
        for account, holder, id_number, cents, _lines in chunk
    ]


def _csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue()


def trailer(w: Written, note: str) -> list[list[str]]:
    """The totals line and the checksum line."""
    return [[TOTALS_MARK, str(w.accounts), "", w.total, note], [CHECKSUM_MARK, w.checksum, "", "", ""]]


Chunks = Iterable[Sequence[tuple[str, str, str, int, int]]]


def write_csv(
    out: IO[bytes],
    chunks: Chunks,
    *,
    note: str,
    encoding: str = "utf-8-sig",
    progress: Any = None,
) -> Written:
    """Stream a CSV bank file into ``out`` from chunks of detail lines (in account order)."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding}")
    w = Written()
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    if encoding == "utf-8-sig":
        out.write("\ufeff".encode())
    out.write(_csv_text([HEADER]).encode(codec))
    for chunk in chunks:
        text = _csv_text(detail_rows(chunk, note))
        data = text.encode("utf-8")
        w.digest.update(data)
        out.write(data if codec == "utf-8" else text.encode(codec))
        _count(w, chunk, progress)
    w.checksum = w.digest.hexdigest()
    out.write(_csv_text(trailer(w, note)).encode(codec))
    return w


def _count(w: Written, chunk: Sequence[tuple[str, str, str, int, int]], progress: Any) -> None:
    w.accounts += len(chunk)
    lines = sum(d[4] for d in chunk)
    w.lines += lines
    w.cents += sum(d[3] for d in chunk)
    if progress:
        progress(lines)


def write_xlsx(
    out: IO[bytes],
    chunks: Chunks,
    *,
    note: str,
    progress: Any = None,
    sheet_rows: int = XLSX_SHEET_ROWS,
) -> Written:
    """Stream an XLSX bank file (openpyxl's write-only mode: rows go to disk as they come). Every cell is
    text (an account or ID number as a number would lose digits; the amount as text keeps its two
    decimals), as in the CSV."""
    w = Written()
    wb = Workbook(write_only=True)
    sheets = 1
    ws = wb.create_sheet("银行代发")
    ws.append(HEADER)
    rows_here = 0
    for chunk in chunks:
        cells = detail_rows(chunk, note)
        w.digest.update(_csv_text(cells).encode("utf-8"))
        for row in cells:
            if rows_here == sheet_rows:
                sheets += 1
                ws = wb.create_sheet(f"银行代发{sheets}")
                ws.append(HEADER)
                rows_here = 0
            ws.append(row)
            rows_here += 1
        _count(w, chunk, progress)
    w.checksum = w.digest.hexdigest()
    for last in trailer(w, note):
        ws.append(last)
    wb.save(out)
    return w


def checksum_of(details: Iterable[list[str]]) -> str:
    """The checksum of detail lines given as their five cells (as a bank recomputes it)."""
    return hashlib.sha256(_csv_text(details).encode("utf-8")).hexdigest()


# --- return files (回盘) ----------------------------------------------------------------------------------

RETURN_FEED = Feed(
    "bank_return",
    "银行回盘",
    "银行",
    (
        Column("account", "账号", "str"),
        Column("id_number", "身份证号码", "str", required=False),
        Column("amount", "金额", "decimal"),
        Column("status", "状态", "str"),
        Column("reference", "银行流水号", "str", required=False),
        Column("message", "说明", "str", required=False),
        Column("settled_on", "到账日期", "date", required=False),
    ),
    key=("account",),
)
RETURN_HEADER = [c.label for c in RETURN_FEED.columns]
# What the 状态 column may say, and the line status each means.
STATUS_WORDS = {
    "成功": "paid",
    "已到账": "paid",
    "到账": "paid",
    "paid": "paid",
    "失败": "failed",
    "发放失败": "failed",
    "failed": "failed",
    "退回": "returned",
    "退票": "returned",
    "资金退回": "returned",
    "returned": "returned",
}
REFERENCE_MAX = 60
MESSAGE_MAX = 200


@dataclass
class ReturnRow:
    """One row of a return file, read; ``reasons`` says why it cannot be applied (empty when it can)."""

    row: int
    account: str = ""
    id_number: str = ""
    amount: Decimal | None = None
    status: str = ""
    reference: str = ""
    message: str = ""
    settled_on: date | None = None
    raw: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def cents(self) -> int:
        assert self.amount is not None
        return int(self.amount * 100)

    def unmatched(self, *reasons: str) -> dict[str, Any]:
        """The row as the return's list of unmatched rows keeps it."""
        return {"row": self.row, **self.raw, "reasons": "；".join([*self.reasons, *reasons])}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return date.fromisoformat(text[:10])


def parse_return_row(line: int, values: dict[str, Any], *, today: date) -> ReturnRow:
    """A row of a return file, checked: the account, the amount (yuan, two decimals at most), the status
    word, texts within their lengths, a date not in the future."""
    raw = {c.name: _text(values.get(c.name)) for c in RETURN_FEED.columns if c.name in values}
    r = ReturnRow(row=line, raw=raw)
    account = values.get("account")
    r.account = raw.get("account", "").replace(" ", "")
    if not r.account:
        r.reasons.append("账号为空")
    elif isinstance(account, int | float) and not isinstance(account, bool) and abs(account) >= 1e15:
        # Excel keeps numbers to 15 significant digits: a 16–19 digit account typed as a number has lost some.
        r.reasons.append(
            "账号不是文本格式（Excel 中超过 15 位的数字会丢失位数），请将账号列设为文本后重新导出"
        )
    r.id_number = raw.get("id_number", "").upper()
    try:
        amount = Decimal(raw.get("amount", "").replace(",", ""))
        if not amount.is_finite() or amount != amount.quantize(FEN) or amount <= 0:
            raise InvalidOperation
        r.amount = amount.quantize(FEN)
    except InvalidOperation:
        r.reasons.append(f"金额无效：{raw.get('amount', '')[:20]}")
    status = raw.get("status", "")
    r.status = STATUS_WORDS.get(status, STATUS_WORDS.get(status.lower(), ""))
    if not r.status:
        r.reasons.append(f"状态应为 成功、失败 或 退回，而不是：{status[:20] or '（空）'}")
    r.reference = raw.get("reference", "")
    if len(r.reference) > REFERENCE_MAX:
        r.reasons.append(f"银行流水号超过 {REFERENCE_MAX} 个字符")
    r.message = raw.get("message", "")
    if len(r.message) > MESSAGE_MAX:
        r.reasons.append(f"说明超过 {MESSAGE_MAX} 个字")
    if any(ch in (r.reference + r.message) for ch in "\x00"):
        r.reasons.append("含有空字符")
    try:
        r.settled_on = _date(values.get("settled_on"))
    except ValueError:
        r.reasons.append(f"到账日期无效：{raw.get('settled_on', '')[:20]}")
    if r.settled_on is not None and r.settled_on > today:
        r.reasons.append("到账日期晚于今天")
    return r


def is_trailer(values: dict[str, Any]) -> bool:
    """A totals or checksum line echoed back by the bank: not a payment."""
    return _text(values.get("account")) in (TOTALS_MARK, CHECKSUM_MARK)


def return_csv(rows: Iterable[list[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    """A return file in our own layout (for tests, the demo and the page's template)."""
    return _csv_text([RETURN_HEADER, *rows]).encode(encoding)


def read_chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    """Detail lines (account, holder, ID number, fen, lines: integers, as the query casts them) in chunks."""
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
