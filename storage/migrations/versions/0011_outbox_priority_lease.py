"""outbox priority, merge key and lease holder; inbound_log unique per sender

Priority lets a P0 notice overtake a flood; `merge_key` merges repeated notices about one ticket
to one person; `claimed_by` fences a row whose lease was taken over so its old sender can neither
send nor mark it. `cs_send` counts the 公众号 customer-service calls that really went out. The inbound log's key becomes (platform, user_id, msg_id): two members'
messages with the same MsgId are two messages.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'cs_send',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('openid', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_cs_send_outbox_id_outbox')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cs_send')),
    )
    op.create_index('ix_cs_send_openid_sent_at', 'cs_send', ['openid', 'sent_at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('merge_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('merge_window', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index('ix_outbox_merge_key', ['merge_key'], unique=False)
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inbound_log_platform_msg_id', type_='unique')
        batch_op.create_unique_constraint('uq_inbound_log_platform_user_id_msg_id', ['platform', 'user_id', 'msg_id'])


def downgrade() -> None:
    op.drop_index('ix_cs_send_openid_sent_at', table_name='cs_send')
    op.drop_table('cs_send')
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inbound_log_platform_user_id_msg_id', type_='unique')
        batch_op.create_unique_constraint('uq_inbound_log_platform_msg_id', ['platform', 'msg_id'])
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_merge_key')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('merge_window')
        batch_op.drop_column('merge_key')
        batch_op.drop_column('priority')
