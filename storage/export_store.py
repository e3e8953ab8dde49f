"""Rows for `gridbot tickets export`: one per ticket, with names resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import photo_store
from storage.models import OrgUnit, Person, Ticket

EXPORT_FIELDS = (
    "no", "state", "resolution", "category", "department", "urgency", "nature", "grid",
    "community", "assignee", "reporter", "created_at", "accept_due_at", "due_at", "on_site_at",
    "resolved_at", "closed_at", "location", "duplicate_count", "satisfaction", "reopen_count",
    "requires_on_site", "report_to_street", "supervised", "photos",
)
THUMB = "_thumb"  # the media store key of the ticket's first photo's thumbnail (the .xlsx shows it)


async def ticket_rows(session: AsyncSession, batch: int = 1000) -> AsyncIterator[dict[str, Any]]:
    grid, community = aliased(OrgUnit), aliased(OrgUnit)
    query = (
        select(Ticket, grid.name, community.name, Person.name)
        .outerjoin(grid, grid.id == Ticket.grid_id)
        .outerjoin(community, community.id == Ticket.community_id)
        .outerjoin(Person, Person.id == Ticket.assignee_id)
        .order_by(col(Ticket.id))
    )
    last = 0
    while True:
        rows = (await session.exec(query.where(col(Ticket.id) > last).limit(batch))).all()
        if not rows:
            return
        ids = [t.id for t, *_ in rows if t.id is not None]
        photos, thumbs = await photo_store.counts(session, ids), await photo_store.first_thumbs(session, ids)
        for ticket, grid_name, community_name, assignee in rows:
            last = ticket.id or last
            yield {
                "no": ticket.no, "state": ticket.state, "resolution": ticket.resolution,
                "category": ticket.category, "department": ticket.department,
                "urgency": ticket.urgency, "nature": ticket.nature, "grid": grid_name,
                "community": community_name, "assignee": assignee,
                "reporter": ticket.reporter_name or ticket.reporter_user,
                "created_at": ticket.created_at, "accept_due_at": ticket.accept_due_at,
                "due_at": ticket.due_at, "on_site_at": ticket.on_site_at,
                "resolved_at": ticket.resolved_at, "closed_at": ticket.closed_at,
                "location": (ticket.location or {}).get("text"),
                "duplicate_count": ticket.duplicate_count, "satisfaction": ticket.satisfaction,
                "reopen_count": ticket.reopen_count, "requires_on_site": ticket.requires_on_site,
                "report_to_street": ticket.report_to_street, "supervised": ticket.supervised,
                "photos": photos.get(ticket.id or 0, 0), THUMB: thumbs.get(ticket.id or 0),
            }
