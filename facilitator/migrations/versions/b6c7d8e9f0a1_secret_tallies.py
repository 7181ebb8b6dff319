"""secret votes: sealed ballots while open, tallies per choice after; existing secret ballots are added up

Revision ID: b6c7d8e9f0a1
Revises: c4e7a9d2f1b3
Create Date: 2026-12-06 16:00:00

"""
import json
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'b6c7d8e9f0a1'
down_revision = 'c4e7a9d2f1b3'
branch_labels = None
depends_on = None


def _tally_key(choices) -> str:
    # The same canonical JSON as actions/votes.py tally_key (a migration does not import the
    # app: it must keep working whatever the code becomes).
    return json.dumps(list(choices), ensure_ascii=False, separators=(",", ":"))


def upgrade():
    op.create_table('secret_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.String(length=400), nullable=False),
    sa.Column('heads', sa.Integer(), nullable=False),
    sa.Column('area', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_secret_tallies_vote_id_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_tallies')),
    sa.UniqueConstraint('vote_id', 'choices', name=op.f('uq_secret_tallies_vote_id_choices'))
    )
    with op.batch_alter_table('secret_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_secret_tallies_vote_id'), ['vote_id'], unique=False)

    op.create_table('sealed_ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_sealed_ballots_vote_id_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_ballots')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('sealed_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_ballots_vote_id'), ['vote_id'], unique=False)

    # Secret ballots already stored (open votes too) become their vote's tallies: an open
    # vote counts its tallies and its sealed ballots together.
    connection = op.get_bind()
    ballots = sa.table('ballots', sa.column('vote_id', sa.Integer),
                       sa.column('choices', sa.JSON), sa.column('heads', sa.Integer),
                       sa.column('area', sa.BigInteger))
    votes = sa.table('votes', sa.column('id', sa.Integer), sa.column('secret', sa.Boolean))
    tallies = {}
    for vote_id, choices, heads, area in connection.execute(
            sa.select(ballots.c.vote_id, ballots.c.choices, ballots.c.heads, ballots.c.area)
            .where(ballots.c.vote_id.in_(sa.select(votes.c.id).where(votes.c.secret)))):
        key = (vote_id, _tally_key(choices))
        total = tallies.setdefault(key, [0, 0])
        total[0] += heads
        total[1] += area
    if tallies:
        op.bulk_insert(sa.table('secret_tallies', sa.column('vote_id', sa.Integer),
                                sa.column('choices', sa.String), sa.column('heads', sa.Integer),
                                sa.column('area', sa.BigInteger)),
                       [{"vote_id": vote_id, "choices": choices, "heads": heads, "area": area}
                        for (vote_id, choices), (heads, area) in tallies.items()])
    connection.execute(sa.delete(ballots).where(
        ballots.c.vote_id.in_(sa.select(votes.c.id).where(votes.c.secret))))


def downgrade():
    # Tallies cannot be split back into ballots that hold one voter each: a secret vote's
    # totals come back as one ballot row per choice carrying its headcount and area. Sealed
    # ballots of open votes cannot be opened here (the key is the app's): the downgrade is
    # refused while any exist, rather than losing them.
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT count(*) FROM sealed_ballots")).scalar():
        raise RuntimeError("Secret votes are open (their sealed ballots cannot be converted): "
                           "close or cancel them, then downgrade.")
    tallies = sa.table('secret_tallies', sa.column('vote_id', sa.Integer),
                       sa.column('choices', sa.String), sa.column('heads', sa.Integer),
                       sa.column('area', sa.BigInteger))
    rows = connection.execute(sa.select(tallies.c.vote_id, tallies.c.choices, tallies.c.heads,
                                        tallies.c.area).where(tallies.c.heads > 0)).all()
    if rows:
        op.bulk_insert(sa.table('ballots', sa.column('id', sa.String), sa.column('vote_id', sa.Integer),
                                sa.column('choices', sa.JSON), sa.column('heads', sa.Integer),
                                sa.column('area', sa.BigInteger)),
                       [{"id": secrets.token_hex(16), "vote_id": vote_id,
                         "choices": json.loads(choices), "heads": heads, "area": area}
                        for vote_id, choices, heads, area in rows])
    with op.batch_alter_table('sealed_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_ballots_vote_id'))
    op.drop_table('sealed_ballots')
    with op.batch_alter_table('secret_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_secret_tallies_vote_id'))
    op.drop_table('secret_tallies')
