"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 13:52:09.841357
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbound_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('msg_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('user_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('mentions_bot', sa.Boolean(), nullable=False),
    sa.Column('received_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('processed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_log')),
    sa.UniqueConstraint('platform', 'msg_id', name=op.f('uq_inbound_log_platform_msg_id'))
    )
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_log_status'), ['status'], unique=False)

    op.create_table('org_unit',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('parent_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org_unit.id'], name=op.f('fk_org_unit_parent_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_unit'))
    )
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('im_user', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('im_user', name=op.f('uq_person_im_user'))
    )
    op.create_table('ticket_sequence',
    sa.Column('day', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_ticket_sequence'))
    )
    op.create_table('chat_binding',
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('unit_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_chat_binding_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('platform', 'chat_id', name=op.f('pk_chat_binding'))
    )
    with op.batch_alter_table('chat_binding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_binding_unit_id'), ['unit_id'], unique=False)

    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_checkin_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin'))
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_checkin_person_id_at', ['person_id', 'at'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ticket_no', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('files', sa.JSON(), nullable=True),
    sa.Column('inbound_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['inbound_id'], ['inbound_log.id'], name=op.f('fk_outbox_inbound_id_inbound_log')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    op.create_table('role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('unit_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_role_grant_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_role_grant_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grant')),
    sa.UniqueConstraint('person_id', 'role', 'unit_id', name=op.f('uq_role_grant_person_id_role_unit_id'))
    )
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grant_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_grant_unit_id'), ['unit_id'], unique=False)

    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('no', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('nature', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('grid_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('community_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('assignee_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('reporter_platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reporter_user', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('reporter_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('location', sa.JSON(), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=True),
    sa.Column('requires_on_site', sa.Boolean(), nullable=False),
    sa.Column('report_to_street', sa.Boolean(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_count', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accept_due_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('on_site_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['person.id'], name=op.f('fk_ticket_assignee_id_person')),
    sa.ForeignKeyConstraint(['community_id'], ['org_unit.id'], name=op.f('fk_ticket_community_id_org_unit')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['ticket.id'], name=op.f('fk_ticket_duplicate_of_id_ticket')),
    sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id'], name=op.f('fk_ticket_grid_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('no', name=op.f('uq_ticket_no'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_reporter_user'), ['reporter_user'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_state'), ['state'], unique=False)

    op.create_table('sent_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_sent_notice_outbox_id_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_notice')),
    sa.UniqueConstraint('duty', 'period', 'recipient', name=op.f('uq_sent_notice_duty_period_recipient'))
    )
    op.create_table('ticket_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_event_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_event'))
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_ticket_id'))

    op.drop_table('ticket_event')
    op.drop_table('sent_notice')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_state'))
        batch_op.drop_index(batch_op.f('ix_ticket_reporter_user'))
        batch_op.drop_index(batch_op.f('ix_ticket_grid_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_due_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_created_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_community_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_category'))
        batch_op.drop_index(batch_op.f('ix_ticket_assignee_id'))

    op.drop_table('ticket')
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grant_unit_id'))
        batch_op.drop_index(batch_op.f('ix_role_grant_person_id'))

    op.drop_table('role_grant')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next_attempt_at')

    op.drop_table('outbox')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_person_id_at')
        batch_op.drop_index(batch_op.f('ix_checkin_kind'))

    op.drop_table('checkin')
    with op.batch_alter_table('chat_binding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_binding_unit_id'))

    op.drop_table('chat_binding')
    op.drop_table('ticket_sequence')
    op.drop_table('person')
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_parent_id'))
        batch_op.drop_index(batch_op.f('ix_org_unit_level'))

    op.drop_table('org_unit')
    with op.batch_alter_table('inbound_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_log_status'))

    op.drop_table('inbound_log')
