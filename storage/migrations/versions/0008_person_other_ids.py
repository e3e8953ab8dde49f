"""person_other_id: a roster person's ids on bridge and 公众号 (roster column other_ids)

Identity is per platform: im_user is the WeCom id (app and smart robot, demo, replay); a sender on
another platform is a roster person only through a row here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'person_other_id',
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name='fk_person_other_id_person_id_person'),
        sa.PrimaryKeyConstraint('platform', 'user_id', name='pk_person_other_id'),
    )
    op.create_index('ix_person_other_id_person_id', 'person_other_id', ['person_id'])


def downgrade() -> None:
    op.drop_index('ix_person_other_id_person_id', table_name='person_other_id')
    op.drop_table('person_other_id')
