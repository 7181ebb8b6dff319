"""For any interleaving of roster imports, joins, check-ins, proxies, ballots, the meeting's
end and the close, a closed owners' decision counts exactly the verified ballots on its own
roster version: no import made before or after changes who counted or what their area
weighed. Seeded and bounded (hypothesis, derandomized) to run in seconds."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.actions import Actor, execute
from facilitator.actions.roster_import import import_roster
from facilitator.extensions import db
from facilitator.models import (Ballot, Meeting, Participant, RosterUnit, RosterVersion, Vote,
                                VoteParticipation)

from tests.factories import chair_of, demo_roster_csv, make_meeting, run

ROWS = [line for line in demo_roster_csv().strip().split("\n")[1:] if '"' not in line]
UNITS = [line.split(",")[0] for line in ROWS]
HEADER = "unit,area_m2,owner,owner_key,note\n"


def roster_variant(seed: int) -> str:
    """A roster of the demo's units (some left out), areas changed by the seed."""
    lines = []
    for n, line in enumerate(ROWS):
        unit, area, owner, key, note = line.split(",")
        if (n + seed) % 7 == 3:
            continue
        hundredths = int(area.replace(".", "")) + (seed * 13 + n) % 500
        lines.append(f"{unit},{hundredths // 100}.{hundredths % 100:02d},{owner},{key},{note}")
    return HEADER + "\n".join(lines) + "\n"


operation = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(UNITS)),
    st.tuples(st.just("verify"), st.integers(0, 30)),
    st.tuples(st.just("proxy"), st.integers(0, 30), st.sampled_from(UNITS)),
    st.tuples(st.just("cast"), st.integers(0, 30), st.sampled_from(["yes", "no", "abstain"]),
              st.booleans()),
    st.tuples(st.just("paper"), st.sampled_from(UNITS), st.sampled_from(["yes", "no"])),
    st.tuples(st.just("import"), st.integers(1, 50)),
    st.tuples(st.just("end"),),
)


def apply(meeting, vote_id: int, people: list[int], proxies: dict[int, int], op) -> None:
    chair = chair_of(meeting)
    kind = op[0]
    if kind == "join":
        joined = execute(meeting.id, Actor(role="visitor"), "participant.join",
                         {"name": "业主", "party": "owner", "unit": op[1]})
        if joined.ok:
            people.append(joined.result["participant_id"])
        guest = execute(meeting.id, Actor(role="visitor"), "participant.join",
                        {"name": "受托人", "party": "observer"})
        if guest.ok:
            people.append(guest.result["participant_id"])
    elif kind == "verify" and people:
        execute(meeting.id, chair, "checkin.verify", {"id": people[op[1] % len(people)]})
    elif kind == "proxy" and people:
        holder = people[op[1] % len(people)]
        unit = db.session.execute(db.select(RosterUnit).filter_by(
            version_id=db.session.get(Meeting, meeting.id).roster_version_id, unit=op[2])
        ).scalar_one_or_none()
        if unit is not None:
            done = execute(meeting.id, chair, "proxy.record", {
                "participant_id": holder, "owner_key": unit.owner_key, "note": "委托书"})
            if done.ok:
                proxies[holder] = done.result["proxy_id"]
    elif kind == "cast" and people:
        person = people[op[1] % len(people)]
        payload = {"vote_id": vote_id, "choices": [op[2]]}
        if op[3] and person in proxies:
            payload["proxy_id"] = proxies[person]
        execute(meeting.id, Actor(role="phone", participant_id=person), "ballot.cast", payload)
    elif kind == "paper":
        unit = db.session.execute(db.select(RosterUnit).filter_by(
            version_id=db.session.get(Meeting, meeting.id).roster_version_id, unit=op[1])
        ).scalar_one_or_none()
        if unit is not None:
            execute(meeting.id, chair, "ballot.record", {
                "vote_id": vote_id, "owner_key": unit.owner_key, "choices": [op[2]]})
    elif kind == "import":
        try:
            import_roster(meeting.case, roster_variant(op[1]))
        except Exception as error:  # refused while the meeting is live
            db.session.rollback()
            assert getattr(error, "code", "") == "roster.meeting_live"
    elif kind == "end":
        execute(meeting.id, chair, "meeting.end", {})


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(first=st.integers(1, 50), operations=st.lists(operation, max_size=40))
def test_a_closed_vote_counts_its_verified_ballots_on_its_own_roster_version(
        ctx, first, operations):
    meeting = make_meeting(direct_entry=True, live=False)
    import_roster(meeting.case, roster_variant(first))
    run(meeting, chair_of(meeting), "meeting.open", {})
    vote_id = run(meeting, chair_of(meeting), "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "matters": ["use_fund"]})["vote_id"]
    run(meeting, chair_of(meeting), "vote.open", {"id": vote_id})
    people: list[int] = []
    proxies: dict[int, int] = {}
    for op in operations:
        apply(meeting, vote_id, people, proxies, op)
    run(meeting, chair_of(meeting), "vote.close", {"id": vote_id})

    db.session.expire_all()
    vote = db.session.get(Vote, vote_id)
    version = db.session.get(RosterVersion, vote.roster_version_id)
    assert version.number == 1  # the version in force when the vote opened
    areas: dict[str, int] = {}
    for unit in db.session.execute(db.select(RosterUnit).filter_by(version_id=version.id)).scalars():
        areas[unit.owner_key] = areas.get(unit.owner_key, 0) + unit.area_hundredths
    counted = {p.voter_key: p for p in db.session.execute(
        db.select(VoteParticipation).filter_by(vote_id=vote_id)).scalars()}
    assert all(p.verified_via in ("desk", "personal_link", "proxy", "paper")
               for p in counted.values())  # verified owners only
    for person in db.session.execute(db.select(Participant).filter_by(
            meeting_id=meeting.id, verified_via=None)).scalars():
        cast = [p for p in counted.values() if p.cast_by_id == person.id]
        assert all(p.verified_via == "proxy" for p in cast)  # an unverified one only by proxy
    expected = {"yes": [0, 0], "no": [0, 0], "abstain": [0, 0]}
    for ballot in db.session.execute(db.select(Ballot).filter_by(vote_id=vote_id)).scalars():
        assert ballot.voter_key in counted and ballot.area == areas[ballot.voter_key]
        expected[ballot.choices[0]][0] += 1
        expected[ballot.choices[0]][1] += ballot.area
    tally = vote.result["tally"]
    for choice, (owners, area) in expected.items():
        assert tally["counts"][choice] == {"owners": owners, "area": area}
    assert tally["participation"] == {"owners": len(counted),
                                      "area": sum(areas[key] for key in counted)}
    assert vote.result["scope"] == {"owners": len(areas), "area": sum(areas.values())}
