"""The result notice signed on phones like the minutes: a signature request or sign-off names
either a minutes version or a result notice

Revision ID: d0e1f2a3b4c5
Revises: c9d0e1f2a3b4
Create Date: 2026-12-06 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd0e1f2a3b4c5'
down_revision = 'c9d0e1f2a3b4'
branch_labels = None
depends_on = None

ONE_DOCUMENT = '(version_id IS NULL) <> (notice_id IS NULL)'


def upgrade():
    # SQLite cannot drop a NOT NULL in place, so these two tables are copied (batch
    # "recreate"). That is safe here, unlike for votes (f3a4b5c6d7e8): no foreign key refers
    # to either table, so dropping the old copy breaks nothing.
    with op.batch_alter_table('minutes_signature_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_minutes_signature_requests_notice_id'), ['notice_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_minutes_signature_requests_notice_id_participant_id'), ['notice_id', 'participant_id'])
        batch_op.create_foreign_key(batch_op.f('fk_minutes_signature_requests_notice_id_result_notices'), 'result_notices', ['notice_id'], ['id'])
        batch_op.create_check_constraint('one_document', ONE_DOCUMENT)
    with op.batch_alter_table('minutes_signoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_minutes_signoffs_notice_id'), ['notice_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_minutes_signoffs_notice_id_result_notices'), 'result_notices', ['notice_id'], ['id'])
        batch_op.create_check_constraint('one_document', ONE_DOCUMENT)


def downgrade():
    # The notice's sign-offs and requests have no place in the older tables.
    op.execute('DELETE FROM minutes_signoffs WHERE notice_id IS NOT NULL')
    op.execute('DELETE FROM minutes_signature_requests WHERE notice_id IS NOT NULL')
    with op.batch_alter_table('minutes_signoffs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_minutes_signoffs_one_document'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_minutes_signoffs_notice_id_result_notices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_minutes_signoffs_notice_id'))
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('notice_id')
    with op.batch_alter_table('minutes_signature_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_minutes_signature_requests_one_document'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_minutes_signature_requests_notice_id_result_notices'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_minutes_signature_requests_notice_id_participant_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_minutes_signature_requests_notice_id'))
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('notice_id')
