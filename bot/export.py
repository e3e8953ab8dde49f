"""Writing ticket exports as JSON lines, CSV (UTF-8 with BOM, so Excel shows Chinese) or xlsx; the
spreadsheet formats are inert (bot.forms.inert): a name starting with = is text, not a formula."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.forms.inert import csv_value, write_only
from storage.export_store import EXPORT_FIELDS

FORMATS = ("jsonl", "csv", "xlsx")


def _cell(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(timespec="seconds")
    return value


async def write_export(
    rows: AsyncIterator[dict[str, Any]], fmt: str, tz: ZoneInfo, *, out: TextIO | None = None,
    path: Path | None = None,
) -> int:
    """Write rows to `path` (or the text stream `out` for jsonl/csv); returns the row count."""
    count = 0
    if fmt == "xlsx":
        from openpyxl import Workbook

        assert path is not None, "xlsx needs --out FILE"
        book = Workbook(write_only=True)
        sheet = book.create_sheet("tickets")
        sheet.append(list(EXPORT_FIELDS))
        async for row in rows:
            sheet.append([write_only(sheet, _cell(row[f], tz)) for f in EXPORT_FIELDS])
            count += 1
        book.save(path)
        return count
    stream = path.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") if path else out
    assert stream is not None
    try:
        writer = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
        if writer:
            writer.writerow(EXPORT_FIELDS)
        async for row in rows:
            values = {f: _cell(row[f], tz) for f in EXPORT_FIELDS}
            if writer:
                writer.writerow(["" if values[f] is None else csv_value(values[f]) for f in EXPORT_FIELDS])
            else:
                stream.write(json.dumps(values, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if path:
            stream.close()
    return count
