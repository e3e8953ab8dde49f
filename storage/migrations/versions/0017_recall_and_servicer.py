"""ticket_event.inbound_id (the message an event came from, so a recalled message leads back to
what it filed) and kf_customer.servicer / servicer_since (who holds a 微信客服 conversation)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inbound_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ticket_event_inbound_id'), ['inbound_id'], unique=False)
        batch_op.create_foreign_key('fk_ticket_event_inbound_id', 'inbound_log', ['inbound_id'], ['id'])
    with op.batch_alter_table('kf_customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('servicer', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('servicer_since', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kf_customer', schema=None) as batch_op:
        batch_op.drop_column('servicer_since')
        batch_op.drop_column('servicer')
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ticket_event_inbound_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ticket_event_inbound_id'))
        batch_op.drop_column('inbound_id')
