"""What someone holding the database files learns about a secret vote.

The finding: a secret vote's ballots were rows of their own with the voter's exact area;
whoever could read the database (a backup, a DBA, a copy of the SQLite file) matched them
with the rows saying who voted, through the transaction each shared (PostgreSQL's row
versions) or commit after commit of the SQLite write-ahead log, even after the close.

Each test plays the reader's attack: replay the files commit by commit (SQLite) or read every
row version in the table pages (PostgreSQL, pageinspect), and link each voter to a choice
written in the same commit. It first runs on a planted leak (ballots stored unsealed), where
it must find every link, so it cannot pass vacuously; then on the real storage, during the
vote and after the close, where it must find none.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import struct
from pathlib import Path

import pytest

from facilitator import ballot_seal
from facilitator.extensions import db
from facilitator.models import RosterUnit, SealedBallot

from tests.factories import chair_of, make_meeting, run
from tests.integration.test_votes import add_plans, cast, join, new_vote

VOTERS = (("3-1-101", "A"), ("3-1-102", "A"), ("3-1-201", "A"), ("3-1-202", "B"))
CHOICES = ("A", "B", "C", "abstain")


@pytest.fixture
def meeting(ctx):
    m = make_meeting(with_roster=True, direct_entry=True)
    add_plans(m)
    return m


@pytest.fixture
def planted_leak(monkeypatch):
    """Ballots stored in the clear beside their participation (what the attack must find)."""
    monkeypatch.setattr(ballot_seal, "seal", lambda vote_id, choices, area, keys, *a:
                        json.dumps({"c": list(choices), "a": area}).encode())


def cast_all(meeting, vote_id) -> dict[str, str]:
    """Each voter's choice, by the voter key the participation rows hold."""
    from facilitator import rosters
    chosen = {}
    for unit, choice in VOTERS:
        cast(meeting, join(meeting, f"业主{unit}", unit=unit), vote_id, choice)
        chosen[db.session.execute(db.select(RosterUnit.owner_key).filter_by(
            version_id=rosters.meeting_version_id(meeting), unit=unit)).scalar_one()] = choice
    return chosen


def close(meeting, vote_id) -> None:
    run(meeting, chair_of(meeting), "vote.close", {"id": vote_id})
    db.session.rollback()


def choices_in(value) -> set[str]:
    """The choices a stored value shows in the clear."""
    data = value if isinstance(value, bytes) else str(value).encode()
    return {choice for choice in CHOICES if f'"{choice}"'.encode() in data}


def sealed_blobs(vote_id: int) -> list[bytes]:
    blobs = [bytes(b) for b in db.session.execute(db.select(SealedBallot.sealed).filter_by(
        vote_id=vote_id)).scalars()]
    db.session.rollback()
    return blobs


# --- SQLite: the file and its write-ahead log -------------------------------------------------

WAL_HEADER, FRAME_HEADER = 32, 24


def commits_in_wal(wal: bytes) -> list[int]:
    """The byte length of the log after each commit frame still valid (salts of the header)."""
    if len(wal) < WAL_HEADER:
        return []
    page_size = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    ends, offset = [], WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(wal):
        header = wal[offset:offset + FRAME_HEADER]
        if header[8:16] != salts:
            break
        offset += FRAME_HEADER + page_size
        if struct.unpack(">I", header[4:8])[0]:  # database size set: a commit frame
            ends.append(offset)
    return ends


def every_row(connection) -> set[tuple]:
    rows = set()
    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        rows |= {(table, *row) for row in connection.execute(f'SELECT * FROM "{table}"')}
    return rows


def states_of(database: Path, vote_id: int, scratch: Path) -> list[tuple[set, set]]:
    """The database as it was after each commit still in the log (the file plus the log cut
    after that commit), as (every row of every table, who had voted in the vote)."""
    wal_path = database.parent / (database.name + "-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    states = []
    for number, end in enumerate([0, *commits_in_wal(wal)]):
        copy = scratch / f"state{number}.db"
        shutil.copyfile(database, copy)
        if end:
            (scratch / f"state{number}.db-wal").write_bytes(wal[:end])
        connection = sqlite3.connect(copy)
        try:
            voted = {key for (key,) in connection.execute(
                "SELECT voter_key FROM vote_participations WHERE vote_id = ?", (vote_id,))}
            states.append((every_row(connection), voted))
        finally:
            connection.close()
    return states


def sqlite_links(database: Path, vote_id: int, scratch: Path) -> dict[str, set[str]]:
    """The attack: each commit that added one voter, and the choices readable in the rows
    that commit wrote anywhere."""
    links, states = {}, states_of(database, vote_id, scratch)
    for (rows_before, voted_before), (rows_after, voted_after) in zip(states, states[1:]):
        new_voters = voted_after - voted_before
        if len(new_voters) == 1:
            shown = set().union(*(choices_in(row) for row in rows_after - rows_before))
            if shown:
                links[new_voters.pop()] = shown
    return links


@pytest.fixture
def sqlite_file(meeting):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite files (PostgreSQL: the tests below)")
    from facilitator.database import scrub_secret_ballots
    assert scrub_secret_ballots()  # the log starts empty: earlier tests leave nothing in it
    return Path(db.engine.url.database)


def test_the_sqlite_attack_finds_a_planted_leak(meeting, sqlite_file, planted_leak, tmp_path):
    vote_id = new_vote(meeting, secret=True)
    chosen = cast_all(meeting, vote_id)
    assert sqlite_links(sqlite_file, vote_id, tmp_path) == {
        voter: {choice} for voter, choice in chosen.items()}


def test_the_sqlite_files_never_link_a_voter_to_a_secret_choice(meeting, sqlite_file,
                                                                tmp_path):
    vote_id = new_vote(meeting, secret=True)
    cast_all(meeting, vote_id)
    (tmp_path / "open").mkdir()
    assert sqlite_links(sqlite_file, vote_id, tmp_path / "open") == {}  # during the vote
    blobs = sealed_blobs(vote_id)
    assert len(blobs) == 4 and len({len(blob) for blob in blobs}) == 1  # one size for all

    close(meeting, vote_id)
    wal = sqlite_file.parent / (sqlite_file.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the log was copied in and cut
    (tmp_path / "closed").mkdir()
    assert sqlite_links(sqlite_file, vote_id, tmp_path / "closed") == {}
    # Not even the sealed ballots are left in the file's free space (a freed cell keeps all
    # but its first four bytes): whoever later learns the key has nothing to open.
    contents = sqlite_file.read_bytes()
    assert not any(blob[8:] in contents for blob in blobs)


# --- PostgreSQL: row versions -----------------------------------------------------------------

def row_versions(table: str) -> list[tuple[str, bool, bytes]]:
    """Every version of the table's rows in its pages, live or dead, as (the transaction
    that wrote it, whether it is live, its bytes): what whoever reads the files sees."""
    text = db.text
    db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    blocks = db.session.execute(text(
        f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int")).scalar()
    versions = []
    for block in range(blocks):
        versions += [(xmin, xmax == "0", bytes(data)) for xmin, xmax, data in db.session.execute(
            text("SELECT t_xmin::text, t_xmax::text, t_data FROM heap_page_items("
                 f"get_raw_page('{table}', :block)) WHERE t_data IS NOT NULL"),
            {"block": block})]
    db.session.rollback()
    return versions


def postgresql_links(vote_id: int) -> dict[str, set[str]]:
    """The attack: each voter's transaction, and the choices readable in any row version it
    wrote in the tables that hold ballots."""
    voters = dict(db.session.execute(db.text(
        "SELECT xmin::text, voter_key FROM vote_participations WHERE vote_id = :v"),
        {"v": vote_id}).all())
    db.session.rollback()
    links = {}
    for table in ("sealed_ballots", "secret_tallies", "ballots"):
        for xmin, _live, data in row_versions(table):
            if xmin in voters and choices_in(data):
                links.setdefault(voters[xmin], set()).update(choices_in(data))
    return links


@pytest.fixture
def postgresql(meeting):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's row versions (SQLite: the tests above)")


def test_the_postgresql_attack_finds_a_planted_leak(meeting, postgresql, planted_leak):
    vote_id = new_vote(meeting, secret=True)
    chosen = cast_all(meeting, vote_id)
    assert postgresql_links(vote_id) == {voter: {choice} for voter, choice in chosen.items()}


def test_no_postgresql_row_version_links_a_voter_to_a_secret_choice(meeting, postgresql):
    vote_id = new_vote(meeting, secret=True)
    cast_all(meeting, vote_id)
    assert postgresql_links(vote_id) == {}  # during the vote
    blobs = sealed_blobs(vote_id)
    assert len(blobs) == 4 and len({len(blob) for blob in blobs}) == 1

    close(meeting, vote_id)
    assert postgresql_links(vote_id) == {}
    # No dead version is left in the pages: the sealed ballots are gone, not just deleted.
    sealed = row_versions("sealed_ballots")
    assert not any(blob[8:] in data for blob in blobs for _xmin, _live, data in sealed)
    assert all(live for _xmin, live, _data in sealed + row_versions("secret_tallies"))


# --- a crash mid-vote -------------------------------------------------------------------------

def test_every_acknowledged_secret_ballot_survives_a_kill_mid_vote(app, meeting):
    """A process casting ballots is killed (SIGKILL) after some acknowledgements: each
    acknowledged ballot is stored, sealed with its participation or not at all, and the close
    counts exactly the ballots whose participation is stored."""
    import subprocess
    import sys

    from facilitator import rosters
    from facilitator.models import Participant, Vote, VoteParticipation
    from tests import frozen_time
    from tests.support import REPO_ROOT

    vote_id = new_vote(meeting, secret=True)
    unit_of_owner = {}  # one unit per owner: an owner has one vote
    for unit, owner_key in db.session.execute(db.select(RosterUnit.unit, RosterUnit.owner_key)
                                              .filter_by(version_id=rosters.meeting_version_id(
                                                  meeting)).order_by(RosterUnit.unit)):
        unit_of_owner.setdefault(owner_key, unit)
    units = sorted(unit_of_owner.values())
    ballots = [f"{join(meeting, f'业主{unit}', unit=unit).participant_id}:{'ABC'[number % 3]}"
               for number, unit in enumerate(units)]
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.ballot_writer",
         db.engine.url.render_as_string(hide_password=False), app.config["SECRET_KEY"],
         str(meeting.id), str(vote_id), *ballots],
        cwd=REPO_ROOT, env=frozen_time.subprocess_env(), stdout=subprocess.PIPE, text=True)
    acknowledged = []
    for line in writer.stdout:
        acknowledged.append(line.split()[1:])
        if len(acknowledged) == len(ballots) // 2:
            writer.kill()  # SIGKILL: no cleanup, possibly mid-transaction
            break
    writer.wait(timeout=30)
    db.session.rollback()

    voted = {row.voter_key for row in db.session.execute(
        db.select(VoteParticipation).filter_by(vote_id=vote_id)).scalars()}
    owner_of = {str(p.id): p.owner_key for p in db.session.execute(
        db.select(Participant).filter_by(meeting_id=meeting.id)).scalars()}
    assert {owner_of[pid] for pid, _choice in acknowledged} <= voted
    assert len(voted) < len(ballots)  # killed mid-vote indeed
    assert len(sealed_blobs(vote_id)) == len(voted)  # each sealed with its participation

    close(meeting, vote_id)
    tally = db.session.get(Vote, vote_id).result["tally"]
    assert tally["participation"]["owners"] == len(voted)
    cast_choice = dict(ballot.split(":") for ballot in ballots)
    for choice in "ABC":
        stored = [pid for pid in cast_choice if owner_of[pid] in voted
                  and cast_choice[pid] == choice]
        assert tally["counts"][choice]["owners"] == len(stored)
