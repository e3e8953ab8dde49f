"""Composition root: builds the database, calendar, handler table, dispatcher, outbox and jobs from
the settings. Servers, the demo, replay and tests all assemble the bot here, the same way."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from bot.delivery import OutboxWorker
from bot.dispatch import Dispatcher
from bot.domain.duties import load_calendar
from bot.domain.workdays import WorkCalendar
from bot.i18n import set_default_locale
from bot.nlp.parser import set_cache_dir
from bot.registry import Registry
from bot.roster import Roster
from bot.services.photos import PhotoDesk
from bot.transport.base import Transport
from handlers import register_all
from scheduler.base import Job, JobContext
from scheduler.jobs import all_jobs
from storage import migrate
from storage.db import Database
from storage.media_store import media_store
from storage.roster_store import replace_roster, roster_is_empty

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    clock: Clock
    db: Database
    calendar: WorkCalendar
    registry: Registry
    dispatcher: Dispatcher
    outbox: OutboxWorker
    jobs: list[Job]
    job_context: JobContext
    transports: dict[str, Transport] = field(default_factory=dict)

    async def close(self) -> None:
        await self.dispatcher.recorder.close()  # its connection is kept out of the pool: returned first
        if self.dispatcher.photos is not None:
            await self.dispatcher.photos.store.close()
        await self.db.dispose()


async def build_app(
    settings: Settings,
    clock: Clock,
    transports: dict[str, Transport],
    *,
    people_platform: str,
    roster: Roster | None = None,
    roster_if_empty: Roster | None = None,
) -> App:
    """Open the database (creating or upgrading the schema), load a roster if given, wire it up.

    `people_platform` is where private notices to roster people go (wecom_app in production,
    demo in the simulator)."""
    set_default_locale(settings.locale)
    set_cache_dir(settings.cache_dir)
    calendar = WorkCalendar.from_file(settings.calendar.holidays_file)
    db = Database(settings.database.url)
    await migrate.upgrade(db.engine)
    if roster is not None or roster_if_empty is not None:
        async with db.transaction() as session:
            if roster is not None:
                await replace_roster(session, roster)
            elif await roster_is_empty(session):
                assert roster_if_empty is not None
                await replace_roster(session, roster_if_empty)
    registry = register_all(Registry())
    dispatcher = Dispatcher(db, clock, settings, registry, calendar, people_platform)
    dispatcher.photos = PhotoDesk(settings, media_store(settings), transports)
    duties = tuple(load_calendar(settings.duties.calendar_file))
    job_context = JobContext(db, clock, settings, calendar, people_platform, duties, dispatcher.photos)
    return App(
        settings=settings, clock=clock, db=db, calendar=calendar, registry=registry,
        dispatcher=dispatcher, outbox=OutboxWorker(db, clock, transports, write_turn=dispatcher.turns.write),
        jobs=all_jobs(job_context), job_context=job_context, transports=transports,
    )
