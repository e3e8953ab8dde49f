"""inbound_log.kind: what a message carries (text, image, voice …), so a photo is answered too

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default='text'))


def downgrade() -> None:
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.drop_column('kind')
