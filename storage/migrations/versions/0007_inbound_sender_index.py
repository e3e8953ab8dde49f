"""inbound_log index on (platform, user_id, received_at)

A person's recent messages (the media hint asks for them on every picture) without scanning a log
that is never purged.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_inbound_log_sender_received', 'inbound_log', ['platform', 'user_id', 'received_at'])


def downgrade() -> None:
    op.drop_index('ix_inbound_log_sender_received', table_name='inbound_log')
