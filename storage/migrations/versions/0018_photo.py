"""photo: pictures on tickets (kept in the media store); inbound_log.media: a message's MediaRef

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        'photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column('inbound_id', sa.Integer(), nullable=True),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('thumb_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('attached_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['inbound_id'], ['inbound_log.id'], name=op.f('fk_photo_inbound_id_inbound_log')),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_photo_ticket_id_ticket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
        sa.UniqueConstraint('inbound_id', name=op.f('uq_photo_inbound_id')),
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index('ix_photo_sender_created', ['platform', 'user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_photo_key'))
        batch_op.drop_index(batch_op.f('ix_photo_created_at'))
        batch_op.drop_index('ix_photo_sender_created')
    op.drop_table('photo')
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.drop_column('media')
