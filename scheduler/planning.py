"""What the scheduler would send on given days, without sending it (`gridbot schedule list`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

from bot.services.digests import plan_digests
from bot.services.reminders import plan_day
from scheduler.base import JobContext
from scheduler.jobs import plan_context


async def plan_range(ctx: JobContext, first: date, last: date) -> AsyncIterator[dict[str, str]]:
    """Reminders and digests day by day, as {at, duty, period, to, text}, in time order per day."""
    day = first
    while day <= last:
        async with ctx.db.session() as session:
            planned = await plan_day(plan_context(ctx, session), day)
            planned += await plan_digests(session, ctx, day)
        for notice in sorted(planned, key=lambda p: (p.at, p.duty, p.to)):
            yield notice.as_json()
        day += timedelta(days=1)
