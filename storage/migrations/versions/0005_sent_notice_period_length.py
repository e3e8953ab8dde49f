"""sent_notice.period up to 32 characters (a ticket's due-day period is 19)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 07:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.alter_column('period', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=32), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.alter_column('period', existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                              type_=sa.String(length=16), existing_nullable=False)
