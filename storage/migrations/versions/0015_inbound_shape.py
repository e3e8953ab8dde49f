"""inbound_log.shape / shape_detail / addressed: how the normaliser read each message

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shape', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('shape_detail', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
        batch_op.add_column(sa.Column('addressed', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.drop_column('addressed')
        batch_op.drop_column('shape_detail')
        batch_op.drop_column('shape')
