"""微信客服: the sync cursor per KF account and what the bot knows of each customer (scene, window)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'kf_cursor',
        sa.Column('open_kfid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('cursor', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('lease_until', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('pending', sa.Boolean(), nullable=False),
        sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column('token_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('open_kfid', name=op.f('pk_kf_cursor')),
    )
    op.create_table(
        'kf_customer',
        sa.Column('external_userid', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('open_kfid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('scene', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('entered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('entry_msgid', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('last_message_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_in_window', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('external_userid', name=op.f('pk_kf_customer')),
    )


def downgrade() -> None:
    op.drop_table('kf_customer')
    op.drop_table('kf_cursor')
