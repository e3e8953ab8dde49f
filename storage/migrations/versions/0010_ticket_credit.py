"""ticket.accepted_by_id, resolved_by_id, escalated_by_id: who did the work

Reports, the quarterly ranking and digests credit the people who accepted, resolved and escalated
a ticket, not whoever it was first routed to. Existing tickets are filled in from their audit
events (the last accept / resolve / escalate whose actor is a roster person).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {'accepted_by_id': 'accept', 'resolved_by_id': 'resolve', 'escalated_by_id': 'escalate'}


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.String(length=64), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_ticket_{column}_person'), 'person', [column], ['id'])
    for column, action in COLUMNS.items():
        op.execute(
            f"UPDATE ticket SET {column} = (SELECT person.id FROM ticket_event JOIN person "
            f"ON person.im_user = ticket_event.actor WHERE ticket_event.ticket_id = ticket.id "
            f"AND ticket_event.action = '{action}' ORDER BY ticket_event.id DESC LIMIT 1)"
        )


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_constraint(batch_op.f(f'fk_ticket_{column}_person'), type_='foreignkey')
            batch_op.drop_column(column)
