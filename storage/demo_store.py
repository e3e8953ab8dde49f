"""The demo's reset: every row of every table deleted (children first), schema kept."""

from __future__ import annotations

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.models  # noqa: F401  (the tables must be known to the metadata)


async def wipe(session: AsyncSession) -> None:
    for table in reversed(SQLModel.metadata.sorted_tables):
        await session.exec(table.delete())  # type: ignore[call-overload]
