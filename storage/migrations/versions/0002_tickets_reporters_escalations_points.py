"""tickets: reporters, escalations, points

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 14:06:28.282961
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.Column('whistled_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('feedback_due', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reported_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('feedback_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('feedback', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name=op.f('fk_escalation_department_id_org_unit')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_escalation_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation')),
    sa.UniqueConstraint('ticket_id', 'department_id', name=op.f('uq_escalation_ticket_id_department_id'))
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_feedback_due'), ['feedback_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('points_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['org_unit.id'], name=op.f('fk_points_entry_department_id_org_unit')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_points_entry_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entry')),
    sa.UniqueConstraint('department_id', 'ticket_id', 'kind', name=op.f('uq_points_entry_department_id_ticket_id_kind'))
    )
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_entry_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_points_entry_year'), ['year'], unique=False)

    op.create_table('ticket_reporter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('user_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('original', sa.Boolean(), nullable=False),
    sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_reporter_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_reporter')),
    sa.UniqueConstraint('ticket_id', 'platform', 'user_id', name=op.f('uq_ticket_reporter_ticket_id_platform_user_id'))
    )
    with op.batch_alter_table('ticket_reporter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_reporter_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_reporter_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rework_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('extension_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('supervised', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('resolved_at', storage.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('supervised')
        batch_op.drop_column('extension_days')
        batch_op.drop_column('rework_count')

    with op.batch_alter_table('ticket_reporter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_reporter_user_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_reporter_ticket_id'))

    op.drop_table('ticket_reporter')
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_entry_year'))
        batch_op.drop_index(batch_op.f('ix_points_entry_department_id'))

    op.drop_table('points_entry')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_escalation_feedback_due'))
        batch_op.drop_index(batch_op.f('ix_escalation_department_id'))

    op.drop_table('escalation')
