"""web console: accounts, sessions, login failures, signing key, personal-data views

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'console_account',
        sa.Column('im_user', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('im_user', name=op.f('pk_console_account')),
    )
    op.create_table(
        'console_session',
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('im_user', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('flash', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_console_session')),
    )
    op.create_index('ix_console_session_im_user', 'console_session', ['im_user'])
    op.create_index('ix_console_session_expires_at', 'console_session', ['expires_at'])
    op.create_table(
        'console_login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_login_failure')),
    )
    op.create_index('ix_console_login_failure_key_at', 'console_login_failure', ['key', 'at'])
    op.create_table(
        'console_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_key')),
    )
    op.create_table(
        'personal_data_view',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('viewer', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_personal_data_view_ticket_id_ticket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_view')),
    )
    op.create_index('ix_personal_data_view_at', 'personal_data_view', ['at'])
    op.create_index('ix_personal_data_view_viewer', 'personal_data_view', ['viewer'])
    op.create_index('ix_personal_data_view_ticket_id', 'personal_data_view', ['ticket_id'])


def downgrade() -> None:
    op.drop_table('personal_data_view')
    op.drop_table('console_key')
    op.drop_table('console_login_failure')
    op.drop_table('console_session')
    op.drop_table('console_account')
