"""Recording a batch of 64 inbound messages: the recorder's `InboundWriter` (one raw statement in
the driver's autocommit, on a kept connection) beside the same INSERT through an ORM session
(BEGIN, statement, COMMIT). Prints event-loop CPU and wall time per batch, best of 3 runs of 50.

    .venv/bin/python bench/inbound_insert.py [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from itertools import count

from sqlalchemy.dialects import postgresql, sqlite

from bot.config import load_settings
from bot.events import InboundMessage
from storage import inbound_store
from storage.db import Database
from storage.migrate import upgrade
from storage.models import InboundLog, InboundStatus

BATCH, BATCHES = 64, 50


async def orm_session(db: Database, messages: list[InboundMessage], now: datetime) -> None:
    table = InboundLog.__table__  # type: ignore[attr-defined]
    dialect = postgresql if db.is_postgres else sqlite
    statement = (dialect.insert(table).on_conflict_do_nothing(index_elements=["platform", "msg_id"])
                 .returning(table.c.id, table.c.platform, table.c.msg_id))
    params = [{"platform": m.platform, "msg_id": m.msg_id, "chat_id": m.chat_id, "user_id": m.user_id,
               "user_name": m.user_name, "text": m.text, "mentions_bot": m.mentions_bot, "kind": str(m.kind),
               "received_at": now, "status": str(InboundStatus.received), "attempts": 0} for m in messages]
    async with db.transaction() as session:
        (await session.exec(statement, params=params)).all()  # type: ignore[call-overload]


async def main(url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, database__url=url or f"sqlite:///{tmp}/bench.db")
        db = Database(settings.database.url)
        await upgrade(db.engine)
        writer = inbound_store.InboundWriter(db)
        ids = count()
        run = time.time_ns()

        def batch() -> list[InboundMessage]:
            return [InboundMessage(platform="bench", msg_id=f"{run}-{next(ids)}", user_id="u", text="3号楼电梯又坏了")
                    for _ in range(BATCH)]

        async def writer_path(messages: list[InboundMessage], now: datetime) -> None:
            await writer.insert_new(messages, now=now)

        print(f"{db.engine.dialect.name}, batches of {BATCH}\n")
        print("| path | loop CPU ms / batch | wall ms / batch |\n|---|---:|---:|")
        for name, path in (("InboundWriter (raw, autocommit, kept connection)", writer_path),
                           ("ORM session (BEGIN, INSERT, COMMIT)", lambda m, n: orm_session(db, m, n))):
            cpu = wall = float("inf")
            for _ in range(3):
                began_cpu, began = time.thread_time(), time.perf_counter()
                for _ in range(BATCHES):
                    await path(batch(), datetime.now(UTC))
                cpu = min(cpu, (time.thread_time() - began_cpu) / BATCHES * 1000)
                wall = min(wall, (time.perf_counter() - began) / BATCHES * 1000)
            print(f"| {name} | {cpu:.2f} | {wall:.2f} |")
        await writer.close()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    asyncio.run(main(parser.parse_args().db))
