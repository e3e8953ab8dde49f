"""The board's filtered list as an .xlsx workbook (what the page shows, every page of it).

Cells go through bot.forms.inert like every export: a reporter's words or a name starting with =, +,
- or @ stays words in Excel (no formula injection)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.domain.categories import category
from bot.domain.tickets import OPEN, state_label
from bot.forms.inert import write_only
from bot.i18n import _
from bot.nlp.pii import mask
from storage.board_store import BoardRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def board_workbook(rows: Sequence[BoardRow], tz: ZoneInfo, now: datetime) -> bytes:
    """One sheet, a header row in the current language, then one row per ticket."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Tickets"))
    headers = [_("Number"), _("State"), _("Category"), _("Urgency"), _("Community"), _("Grid"), _("Handler"),
               _("Reported"), _("Due"), _("Overdue"), _("Closed"), _("Rating"), _("Summary")]
    sheet.append([write_only(sheet, h) for h in headers])

    def when(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    for row in rows:
        t = row.ticket
        overdue = t.state in OPEN and t.due_at is not None and t.due_at < now
        values = [t.no, state_label(t.state), category(t.category).name(), t.urgency, row.community or "",
                  row.grid or "", row.assignee or "", when(t.created_at), when(t.due_at),
                  _("yes") if overdue else "", when(t.closed_at), t.satisfaction or "",
                  mask(" ".join(t.text.split()), rooms=True) if row.acts else ""]
        sheet.append([write_only(sheet, v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
