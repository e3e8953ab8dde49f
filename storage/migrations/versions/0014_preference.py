"""preference: per person (language) and demo (clock) settings kept between runs

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'preference',
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('subject', 'name', name='pk_preference'),
    )


def downgrade() -> None:
    op.drop_table('preference')
