"""Cells no spreadsheet will run. Names, notes and report entries come from people (a WeChat
display name, a cadre's entry) and may start with `=`, `+`, `-` or `@`: written as they are, Excel
and LibreOffice run them as formulas (CSV/Excel injection, e.g. `=HYPERLINK(...)` or a DDE call).

OWASP's guidance, applied to every file we write (tickets export, roster export, 附件5, 附件6):
a text value starting with `=`, `+`, `-`, `@`, tab or carriage return (or their full-width forms,
which Excel folds) gets a leading `'` in CSV; in .xlsx it is stored as a string cell with Excel's
quote prefix (shown without the `'`, still text when edited). Numbers stay numbers: ints, floats
and a text that is only a number (`-3`, `+2.5`) are left alone, since they cannot run."""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def dangerous(value: object) -> bool:
    """A text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value)


def csv_value(value: Any) -> Any:
    """A value for a CSV cell: a dangerous text escaped with a leading `'`, anything else as is."""
    return "'" + value if dangerous(value) else value


def csv_unescape(value: str) -> str:
    """What `csv_value` escaped, back as it was (reading our own export again)."""
    return value[1:] if value.startswith("'") and dangerous(value[1:]) else value


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """`sheet.cell(row, column, value)`, with a dangerous text kept as text."""
    cell = sheet.cell(row, column)
    cell.value = value
    _as_text(cell, value)
    return cell


def write_only(sheet: Any, value: Any) -> Any:
    """A cell for `sheet.append` in a write-only workbook: a dangerous text as a text cell."""
    if not dangerous(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    _as_text(cell, value)
    return cell


def _as_text(cell: Cell | WriteOnlyCell, value: Any) -> None:
    if dangerous(value):
        cell.data_type = "s"  # openpyxl stores a text starting with = as a formula otherwise
        cell.quotePrefix = True
