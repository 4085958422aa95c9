"""Row readers for CSV, XLSX and JSON feed files. Each yields (row number as a person would count it,
{column: raw value}); headers may be the catalogue's column names or their Chinese labels."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import load_workbook

from jiuzhu.core.errors import ValidationFailed

from .catalogue import Feed

FORMATS = ("csv", "xlsx", "json")


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


def header_map(feed: Feed, header: list[str]) -> list[str | None]:
    by_label = {c.label: c.name for c in feed.columns}
    names = [h.strip() if isinstance(h, str) else "" for h in header]
    mapped = [n if n in feed.column_map else by_label.get(n) for n in names]
    missing = [c.label for c in feed.columns if c.required and c.name not in mapped]
    if missing:
        raise FileProblem(f"文件缺少必需的列：{'、'.join(missing)}（{feed.name}）")
    return mapped


def _csv(feed: Feed, fh: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
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
    except UnicodeDecodeError:
        raise FileProblem("文件不是 UTF-8 编码，请另存为 UTF-8 的 CSV") from None
    finally:
        text.detach()


def _xlsx(feed: Feed, fh: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
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
        for i, row in enumerate(rows, start=2):
            if all(v is None or v == "" for v in row):
                continue
            yield i, {c: ("" if row[j] is None else row[j]) for j, c in enumerate(cols) if c and j < len(row)}
    finally:
        wb.close()


def _json(feed: Feed, fh: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
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


def read_rows(feed: Feed, fh: IO[bytes], fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = {"csv": _csv, "xlsx": _xlsx, "json": _json}[fmt]
    return reader(feed, fh)
