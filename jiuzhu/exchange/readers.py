"""Row readers for CSV, XLSX and JSON feed files. Each yields (row number as a person would count it,
{column: raw value}); headers may be the catalogue's column names or their Chinese labels."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from jiuzhu.core.errors import ValidationFailed

from .catalogue import Feed

FORMATS = ("csv", "xlsx", "json")
# The encodings a CSV may come in: UTF-8 (with or without a BOM), else GB18030 — what Excel on a Chinese
# Windows machine and most departmental systems write (a superset of GBK and GB2312). The Python codec
# names, and the names shown on the batch page.
ENCODINGS = {"utf-8-sig": "UTF-8", "gb18030": "GB18030"}


class FileProblem(ValidationFailed):
    def __init__(self, message: str) -> None:
        super().__init__({"file": message}, message=message)


def detect_format(file_name: str) -> str:
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if ext in ("jsonl", "ndjson"):
        return "json"
    if ext not in FORMATS:
        raise FileProblem(f"不支持的文件格式：.{ext or '（无扩展名）'}；请使用 CSV、XLSX 或 JSON")
    return ext


def csv_encoding(fh: IO[bytes]) -> str:
    """The codec of a CSV file (a key of ``ENCODINGS``): UTF-8 when the whole file decodes as UTF-8,
    else GB18030 when it decodes as that; the file is left at its start. Not a guess from letter
    frequencies: a file that is valid UTF-8 is read as UTF-8, and GB18030 decodes only well-formed
    sequences, so a file that is neither is refused rather than read as garbage."""
    try:
        for codec in ENCODINGS:
            decoder = codecs.getincrementaldecoder(codec)("strict")
            try:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                fh.seek(0)
                continue
            return codec
    finally:
        fh.seek(0)
    raise FileProblem("无法识别文件编码：请另存为 UTF-8 或 GBK/GB18030 编码的 CSV")


def header_map(feed: Feed, header: list[str]) -> list[str | None]:
    by_label = {c.label: c.name for c in feed.columns}
    # A byte-order mark survives in the first name when a GB18030 file starts with one.
    names = [h.strip().lstrip("\ufeff") if isinstance(h, str) else "" for h in header]
    mapped = [n if n in feed.column_map else by_label.get(n) for n in names]
    missing = [c.label for c in feed.columns if c.required and c.name not in mapped]
    if missing:
        raise FileProblem(f"文件缺少必需的列：{'、'.join(missing)}（{feed.name}）")
    return mapped


def _csv(feed: Feed, fh: IO[bytes], encoding: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    # ``encoding`` as ``csv_encoding`` found it, which decoded the whole file strictly: no decoding error
    # can occur here.
    text = io.TextIOWrapper(fh, encoding=encoding or csv_encoding(fh), newline="")
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise FileProblem("文件为空")
        cols = header_map(feed, header)
        # An empty line is not a record (as in the bulk reader); a whitespace-only record is counted
        # but skipped.
        for i, row in enumerate((r for r in reader if r), start=2):
            if not any(cell.strip() for cell in row):
                continue
            yield i, {c: (row[j] if j < len(row) else "") for j, c in enumerate(cols) if c}
    finally:
        text.detach()


def _excel_date(value: Any) -> Any:
    """A date cell that Excel stores as its serial number (days since 1899-12-30, a fraction for the time
    of day) when the cell is not formatted as a date; other values as they are."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2_958_466:
        moment = from_excel(value)
        return moment if isinstance(moment, datetime) else value
    return value


def _xlsx(feed: Feed, fh: IO[bytes], encoding: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a broken file
        raise FileProblem("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileProblem("文件为空")
        cols = header_map(feed, [str(h) if h is not None else "" for h in header])
        dates = {c.name for c in feed.columns if c.type in ("date", "month")}
        for i, row in enumerate(rows, start=2):
            if all(v is None or v == "" for v in row):
                continue
            yield (
                i,
                {
                    c: ("" if row[j] is None else _excel_date(row[j]) if c in dates else row[j])
                    for j, c in enumerate(cols)
                    if c and j < len(row)
                },
            )
    finally:
        wb.close()


def _json(feed: Feed, fh: IO[bytes], encoding: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem("文件不是 UTF-8 编码") from None
    stripped = text.lstrip()
    try:
        items = (
            json.loads(text)
            if stripped.startswith("[")
            else [json.loads(line) for line in text.splitlines() if line.strip()]
        )
    except json.JSONDecodeError as exc:
        raise FileProblem(f"JSON 格式错误（第{exc.lineno}行）：{exc.msg}") from None
    if not items:
        raise FileProblem("文件为空")
    if not all(isinstance(it, dict) for it in items):
        raise FileProblem("JSON 文件应为对象数组，或每行一个对象")
    keys = list(dict.fromkeys(k for it in items for k in it))
    cols = header_map(feed, keys)
    mapping = dict(zip(keys, cols, strict=True))
    for i, item in enumerate(items, start=1):
        yield i, {mapping[k]: ("" if v is None else v) for k, v in item.items() if mapping.get(k)}


def read_rows(
    feed: Feed, fh: IO[bytes], fmt: str, encoding: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of a file; ``encoding`` (CSV only) as ``csv_encoding`` found it, detected when not given."""
    reader = {"csv": _csv, "xlsx": _xlsx, "json": _json}[fmt]
    return reader(feed, fh, encoding)


# Public name for the other importers (存量对象导入 reads XLSX date cells the same way).
excel_date = _excel_date
