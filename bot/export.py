"""Writing ticket exports as JSON lines, CSV (UTF-8 with BOM, so Excel shows Chinese) or xlsx; the
spreadsheet formats are inert (bot.forms.inert): a name starting with = is text, not a formula.
The .xlsx has one more column, "thumbnail": the ticket's first photo, small, in the cell."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.forms.inert import csv_value, write_only
from storage.export_store import EXPORT_FIELDS, THUMB

FORMATS = ("jsonl", "csv", "xlsx")
THUMB_COLUMN = "thumbnail"
THUMB_ROW_HEIGHT = 60  # points: a 240 px thumbnail shown at 80 px high

Thumbs = Callable[[str], Awaitable[bytes | None]]  # a thumbnail's key → its JPEG bytes (None: gone)


def _cell(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(timespec="seconds")
    return value


async def write_export(
    rows: AsyncIterator[dict[str, Any]], fmt: str, tz: ZoneInfo, *, out: TextIO | None = None,
    path: Path | None = None, thumbs: Thumbs | None = None,
) -> int:
    """Write rows to `path` (or the text stream `out` for jsonl/csv); returns the row count. For
    .xlsx, `thumbs` reads the photos' thumbnails from the media store (None: the column is empty)."""
    count = 0
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.drawing.image import Image as SheetImage
        from openpyxl.utils import get_column_letter

        assert path is not None, "xlsx needs --out FILE"
        book = Workbook(write_only=True)
        sheet = book.create_sheet("tickets")
        column = get_column_letter(len(EXPORT_FIELDS) + 1)
        sheet.column_dimensions[column].width = 14
        sheet.append([*EXPORT_FIELDS, THUMB_COLUMN])
        async for row in rows:
            count += 1
            picture = await thumbs(row[THUMB]) if thumbs is not None and row.get(THUMB) else None
            if picture:
                image = SheetImage(io.BytesIO(picture))
                image.height, image.width = 80, round(80 * image.width / max(image.height, 1))
                image.anchor = f"{column}{count + 1}"
                sheet.add_image(image)
                sheet.row_dimensions[count + 1].height = THUMB_ROW_HEIGHT
            sheet.append([*(write_only(sheet, _cell(row[f], tz)) for f in EXPORT_FIELDS), None])
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
