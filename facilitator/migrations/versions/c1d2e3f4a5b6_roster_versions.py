"""roster versions: every import is a version; meetings and votes count on the one frozen
when they opened; a preview step keeps the uploaded file until the import is confirmed

Existing rosters become version 1 of their case (its hash is that of the roster written out
as CSV, since the original file was not kept); meetings already opened and votes already
opened are tied to it.

Revision ID: c1d2e3f4a5b6
Revises: eaeb1f43cd79
Create Date: 2026-12-06 08:00:00

"""
import hashlib

from alembic import op
import sqlalchemy as sa


revision = 'c1d2e3f4a5b6'
down_revision = 'eaeb1f43cd79'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source_format', sa.String(length=12), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('owners', sa.Integer(), nullable=False),
    sa.Column('area_hundredths', sa.BigInteger(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_name', sa.String(length=100), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_roster_versions_case_id_cases')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_roster_versions_imported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_versions')),
    sa.UniqueConstraint('case_id', 'number', name=op.f('uq_roster_versions_case_id_number'))
    )
    with op.batch_alter_table('roster_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_versions_case_id'), ['case_id'], unique=False)

    op.create_table('roster_uploads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_roster_uploads_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roster_uploads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_uploads'))
    )
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_uploads_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('roster_units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meetings_roster_version_id_roster_versions'),
                                    'roster_versions', ['roster_version_id'], ['id'])
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_votes_roster_version_id_roster_versions'),
                                    'roster_versions', ['roster_version_id'], ['id'])

    _existing_rosters_become_version_1()

    with op.batch_alter_table('roster_units', schema=None) as batch_op:
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_roster_units_case_id_unit', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_roster_units_version_id_unit'),
                                          ['version_id', 'unit'])
        batch_op.create_index(batch_op.f('ix_roster_units_version_id'), ['version_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_roster_units_version_id_roster_versions'),
                                    'roster_versions', ['version_id'], ['id'])


def _existing_rosters_become_version_1():
    connection = op.get_bind()
    units = sa.table('roster_units', sa.column('id'), sa.column('case_id'), sa.column('unit'),
                     sa.column('area_hundredths'), sa.column('owner_name'),
                     sa.column('owner_key'), sa.column('note'), sa.column('version_id'))
    versions = sa.table('roster_versions', sa.column('id'), sa.column('case_id'),
                        sa.column('number'), sa.column('status'), sa.column('filename'),
                        sa.column('sha256'), sa.column('source_format'), sa.column('units'),
                        sa.column('owners'), sa.column('area_hundredths'),
                        sa.column('imported_by_name'), sa.column('imported_at'))
    cases = sa.table('cases', sa.column('id'), sa.column('created_at'))
    meetings = sa.table('meetings', sa.column('id'), sa.column('case_id'), sa.column('status'),
                        sa.column('roster_version_id'))
    votes = sa.table('votes', sa.column('meeting_id'), sa.column('status'),
                     sa.column('roster_version_id'))
    case_ids = [row[0] for row in connection.execute(
        sa.select(units.c.case_id).distinct().order_by(units.c.case_id))]
    for case_id in case_ids:
        rows = connection.execute(sa.select(units).where(units.c.case_id == case_id)
                                  .order_by(units.c.id)).all()
        text = "unit,area_m2,owner,owner_key,note\n" + "".join(
            f"{r.unit},{r.area_hundredths // 100}.{r.area_hundredths % 100:02d},{r.owner_name},"
            f"{r.owner_key},{r.note}\n" for r in rows)
        created_at = connection.execute(sa.select(cases.c.created_at)
                                        .where(cases.c.id == case_id)).scalar()
        version_id = connection.execute(versions.insert().values(
            case_id=case_id, number=1, status="active", filename="",
            sha256=hashlib.sha256(text.encode()).hexdigest(), source_format="utf-8",
            units=len(rows), owners=len({r.owner_key for r in rows}),
            area_hundredths=sum(r.area_hundredths for r in rows), imported_by_name="",
            imported_at=created_at).returning(versions.c.id)).scalar()
        connection.execute(units.update().where(units.c.case_id == case_id)
                           .values(version_id=version_id))
        opened = [row[0] for row in connection.execute(
            sa.select(meetings.c.id).where(meetings.c.case_id == case_id,
                                           meetings.c.status.in_(("live", "ended"))))]
        if opened:
            connection.execute(meetings.update().where(meetings.c.id.in_(opened))
                               .values(roster_version_id=version_id))
            connection.execute(votes.update().where(votes.c.meeting_id.in_(opened),
                                                    votes.c.status.in_(("open", "closed")))
                               .values(roster_version_id=version_id))


def downgrade():
    # Only the newest version of each case's roster is kept.
    connection = op.get_bind()
    connection.execute(sa.text(
        "DELETE FROM roster_units WHERE version_id NOT IN "
        "(SELECT MAX(id) FROM roster_versions GROUP BY case_id)"))
    with op.batch_alter_table('roster_units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_roster_units_version_id_roster_versions'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_roster_units_version_id'))
        batch_op.drop_constraint(batch_op.f('uq_roster_units_version_id_unit'), type_='unique')
        batch_op.create_unique_constraint('uq_roster_units_case_id_unit', ['case_id', 'unit'])
        batch_op.drop_column('version_id')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_votes_roster_version_id_roster_versions'),
                                 type_='foreignkey')
        batch_op.drop_column('roster_version_id')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetings_roster_version_id_roster_versions'),
                                 type_='foreignkey')
        batch_op.drop_column('roster_version_id')
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_uploads_case_id'))
    op.drop_table('roster_uploads')
    with op.batch_alter_table('roster_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_versions_case_id'))
    op.drop_table('roster_versions')
