"""The Alembic migrations create exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from typer.testing import CliRunner

import storage.models  # noqa: F401
from bot.cli import app
from storage import migrate
from storage.db import Database


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_upgrade_creates_the_models_schema_and_is_idempotent(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert await migrate.current_revision(db.engine) is None
        await migrate.upgrade(db.engine)
        await migrate.upgrade(db.engine)  # a second run changes nothing
        assert await migrate.current_revision(db.engine) == migrate.head_revision()
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert tables >= {
            "org_unit", "person", "role_grant", "chat_binding", "ticket", "ticket_event",
            "checkin", "inbound_log", "outbox", "sent_notice", "ticket_sequence",
        }
    finally:
        await db.dispose()


def test_db_upgrade_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/cli.db"
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert f"database at revision {migrate.head_revision()}" in result.output
