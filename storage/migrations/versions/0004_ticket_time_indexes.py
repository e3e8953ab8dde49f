"""indexes on ticket.resolved_at and ticket.closed_at for monthly reports and digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_resolved_at'), ['resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_closed_at'), ['closed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_closed_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_resolved_at'))
