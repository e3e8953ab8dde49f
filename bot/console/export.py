"""The console's .xlsx downloads: the board's filtered list as a workbook (what the page shows, every
page of it), and the one way a workbook leaves the console (the board, 附件5 / 附件6, the roster).

Cells go through bot.forms.inert like every export: a reporter's words or a name starting with =, +,
- or @ stays words in Excel (no formula injection)."""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web
from openpyxl import Workbook

from bot.console.app import local_time
from bot.domain.categories import category
from bot.domain.tickets import OPEN, state_label
from bot.forms.inert import write_only
from bot.i18n import _
from bot.nlp.pii import mask
from storage.board_store import BoardRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(body: bytes, ascii_name: str, name: str) -> web.Response:
    """A workbook as a download: `name` is what the person sees (Chinese allowed, RFC 6266 filename*),
    `ascii_name` the fallback for clients that read only the plain filename."""
    return web.Response(body=body, headers={
        "Content-Type": XLSX,
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"})


async def written(write: Callable[[Path], object]) -> bytes:
    """The bytes of a workbook that `write` saves to the path it is given (the forms' and the roster's
    writers take a path): written in a temporary folder, off the event loop."""

    def run() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "book.xlsx"
            write(path)
            return path.read_bytes()

    return await asyncio.to_thread(run)


def board_workbook(rows: Sequence[BoardRow], tz: ZoneInfo, now: datetime) -> bytes:
    """One sheet, a header row in the current language, then one row per ticket."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Tickets"))
    headers = [_("Number"), _("State"), _("Category"), _("Urgency"), _("Community"), _("Grid"), _("Handler"),
               _("Reported"), _("Due"), _("Overdue"), _("Closed"), _("Rating"), _("Summary")]
    sheet.append([write_only(sheet, h) for h in headers])

    for row in rows:
        t = row.ticket
        overdue = t.state in OPEN and t.due_at is not None and t.due_at < now
        values = [t.no, state_label(t.state), category(t.category).name(), t.urgency, row.community or "",
                  row.grid or "", row.assignee or "", local_time(t.created_at, tz, ""), local_time(t.due_at, tz, ""),
                  _("yes") if overdue else "", local_time(t.closed_at, tz, ""), t.satisfaction or "",
                  mask(" ".join(t.text.split()), rooms=True) if row.acts else ""]
        sheet.append([write_only(sheet, v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
