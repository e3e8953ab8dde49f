"""The 微信客服 channel's memory in the database (`KfLedger`): the sync cursor and its reader
lease, and customers' entry scenes (their reply window is bot.services.passive's
`CustomerServiceWindow`). The transport (bot/transport/wecom_kf.py) knows only the `KfState`
protocol; this is its implementation, one short transaction per call."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from storage import kf_store
from storage.db import Database
from storage.kf_store import Claim

LEASE = timedelta(seconds=60)  # a reader that stops renewing for this long is taken over


class KfLedger:
    def __init__(self, db: Database, clock: Clock, lease: timedelta = LEASE) -> None:
        self.db, self.clock, self.lease = db, clock, lease

    async def claim(self, open_kfid: str, holder: str, token: str | None) -> Claim | None:
        async with self.db.transaction() as session:
            return await kf_store.claim(session, open_kfid, holder, token=token, now=self.clock.now(),
                                        lease=self.lease)

    async def advance(self, open_kfid: str, holder: str, cursor: str) -> bool:
        async with self.db.transaction() as session:
            return await kf_store.advance(session, open_kfid, holder, cursor, now=self.clock.now(), lease=self.lease)

    async def release(self, open_kfid: str, holder: str) -> Claim | None:
        async with self.db.transaction() as session:
            return await kf_store.release(session, open_kfid, holder, now=self.clock.now())

    async def drop(self, open_kfid: str, holder: str) -> None:
        async with self.db.transaction() as session:
            await kf_store.drop(session, open_kfid, holder)

    async def has_cursor(self, open_kfid: str) -> bool:
        async with self.db.session() as session:
            return await kf_store.has_cursor(session, open_kfid)

    async def entered(self, open_kfid: str, external_userid: str, scene: str | None, msgid: str,
                      at: datetime) -> bool:
        async with self.db.transaction() as session:
            return await kf_store.entered(session, open_kfid, external_userid, scene=scene, msgid=msgid, at=at)

    async def undelivered(self, outbox_id: int, note: str) -> bool:
        async with self.db.transaction() as session:
            return await kf_store.undelivered(session, outbox_id, note)

    async def servicer(self, open_kfid: str, external_userid: str, servicer: str | None, at: datetime) -> None:
        async with self.db.transaction() as session:
            await kf_store.servicer(session, open_kfid, external_userid, servicer=servicer, at=at)
