"""kf_customer loses last_message_at / sent_in_window: 微信客服's reply window is kept like the
公众号's (the inbound log's last message, cs_send per message sent)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('kf_customer', schema=None) as batch_op:
        batch_op.drop_column('sent_in_window')
        batch_op.drop_column('last_message_at')


def downgrade() -> None:
    with op.batch_alter_table('kf_customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_message_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sent_in_window', sa.Integer(), nullable=False, server_default='0'))
