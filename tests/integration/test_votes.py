"""Votes through the commands: eligibility and counting rules, one ballot per voter (in the
database), secret ballots, the demo's scripted numbers, and live tallies over sockets."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from facilitator.actions import Actor, execute
from facilitator.actions import counting
from facilitator.demo import demo_case_data, load_demo
from facilitator.demo_votes import replay_demo_votes
from facilitator.domain import voting
from facilitator.domain.voting import ART278_THREE_QUARTERS, Count, Method, Tally
from facilitator.extensions import db
from facilitator.live.tallies import coalescer
from facilitator.catalogue import has_message, message_for
from facilitator.models import (Ballot, MeetingEvent, RosterUnit, SealedBallot, SecretTally,
                                Vote, VoteParticipation)
from facilitator.clock import utcnow

from tests.factories import (chair_of, command, connect, join_from_phone, login, make_meeting,
                             make_user, received_batches, run, sync)

EXPECTED = demo_case_data()["expected"]
PLANS = {o["key"]: o for o in demo_case_data()["options"]}


def area(text: str) -> int:
    return voting.parse_area(text)


def count_of(entry: dict) -> dict:
    return {"owners": entry["owners"], "area": area(entry["area_m2"])}


def fail(meeting, actor, name, payload) -> str:
    outcome = execute(meeting.id, actor, name, payload)
    assert not outcome.ok, (name, payload)
    return outcome.error.code


def add_plans(meeting, keys=("A", "B", "C")) -> dict[str, int]:
    from facilitator.demo import demo_plan_payload
    chair = chair_of(meeting)
    return {key: run(meeting, chair, "plan.create", demo_plan_payload(PLANS[key]))["plan_id"]
            for key in keys}


def join(meeting, name: str, party: str = "owner", unit: str | None = None) -> Actor:
    """A phone joins (the meeting admits directly) and acts as that participant."""
    payload = {"name": name, "party": party}
    if unit:
        payload["unit"] = unit
    joined = run(meeting, Actor(role="visitor"), "participant.join", payload)
    if joined["status"] == "lobby":
        run(meeting, chair_of(meeting), "participant.admit", {"id": joined["participant_id"]})
    return Actor(role="phone", participant_id=joined["participant_id"])


def unit_area(meeting, unit: str) -> int:
    """The unit's area (hundredths of m²) on the roster the meeting uses."""
    from facilitator import rosters
    return db.session.execute(db.select(RosterUnit.area_hundredths).filter_by(
        version_id=rosters.meeting_version_id(meeting), unit=unit)).scalar_one()


def new_vote(meeting, **payload) -> int:
    values = {"kind": "straw_poll", "method": "single", "title": "意向表决",
              "plans": ["A", "B", "C"]}
    values.update(payload)
    vote_id = run(meeting, chair_of(meeting), "vote.create", values)["vote_id"]
    run(meeting, chair_of(meeting), "vote.open", {"id": vote_id})
    return vote_id


def cast(meeting, actor, vote_id, *choices, **extra) -> dict:
    return run(meeting, actor, "ballot.cast", {"vote_id": vote_id, "choices": list(choices),
                                               **extra})


def close(meeting, vote_id) -> dict:
    run(meeting, chair_of(meeting), "vote.close", {"id": vote_id})
    db.session.rollback()
    return db.session.get(Vote, vote_id).result


@pytest.fixture
def meeting(ctx):
    m = make_meeting(with_roster=True, direct_entry=True)
    add_plans(m)
    return m


# --- the demo's scripted ballots ------------------------------------------------------------

def test_the_demo_ballots_give_exactly_the_expected_numbers_and_outcomes(ctx):
    info = load_demo()
    votes = replay_demo_votes(info["meeting_id"])

    straw = db.session.get(Vote, votes["straw_poll"]).result
    expected = EXPECTED["straw_poll"]
    assert straw["binding"] is False and straw["kind"] == "straw_poll"
    assert straw["tally"]["participation"] == {"owners": expected["participating_owners"],
                                               "area": area(expected["participating_area_m2"])}
    for key in ("A", "B", "C", "abstain"):
        assert straw["tally"]["counts"][key] == count_of(expected[key]), key
    assert straw["outcome"] == {"passed": True, "options": ["C"], "tied": False}
    assert "12/22" in straw["explanation"]["zh"]

    decision = db.session.get(Vote, votes["owners_decision"]).result
    expected = EXPECTED["owners_decision"]
    assert decision["binding"] is True and decision["source"] == "ballots"
    assert decision["scope"] == {"owners": expected["scope_owners"],
                                 "area": area(expected["scope_area_m2"])}
    tally = decision["tally"]
    assert tally["participation"] == {"owners": expected["participating_owners"],
                                      "area": area(expected["participating_area_m2"])}
    for key in ("yes", "no", "abstain"):
        assert tally["counts"][key] == count_of(expected[key]), key
    [matter] = decision["decisions"][0]["matters"]
    assert matter["matter"] == expected["matter"] == "use_fund"
    assert matter["rule"] == "art278_majority"
    assert matter["gate_met"] is expected["participation_met"]
    assert matter["passed"] is expected["majority_rule_passes"]
    assert decision["outcome"]["passed"] is True
    assert "需双过半" in decision["explanation"]["zh"]
    assert "needed more than half of both" in decision["explanation"]["en"]

    # The same ballots under the three-quarters rule (raising the fund, altering): not passed.
    counts = {k: Count(**v) for k, v in tally["counts"].items()}
    recount = Tally(Method.YES_NO, ("yes", "no"), counts, Count(**tally["participation"]))
    scope = Count(**decision["scope"])
    three_quarters = voting.decide(recount, "yes", ART278_THREE_QUARTERS, scope)
    assert three_quarters.passed is expected["three_quarters_rule_passes"] is False


def test_a_plan_that_also_raises_the_fund_must_pass_three_quarters_too(ctx):
    """Plan B uses the fund and levies the owners (raising): the same ballots pass the
    majority for using the fund but fail three-quarters for raising it, so B fails."""
    info = load_demo()
    meeting_id = info["meeting_id"]
    from facilitator.models import Meeting, Plan
    meeting = db.session.get(Meeting, meeting_id)
    plan_b = db.session.execute(db.select(Plan).filter_by(meeting_id=meeting_id, key="B")
                                ).scalar_one()
    chair = chair_of(meeting)
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "方案 B",
        "plan_id": plan_b.id, "channel": "elsewhere"})["vote_id"]
    assert db.session.get(Vote, vote_id).matters == ["use_fund", "raise_fund"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    from facilitator.demo_votes import demo_ballots
    for row in demo_ballots():
        if row["owners_decision"] != "absent":
            run(meeting, chair, "ballot.record", {"vote_id": vote_id, "owner_key": row["owner_key"],
                                                  "choices": [row["owners_decision"]]})
    result = close(meeting, vote_id)
    by_matter = {m["matter"]: m for m in result["decisions"][0]["matters"]}
    assert by_matter["use_fund"]["passed"] is True
    assert by_matter["raise_fund"]["passed"] is False
    assert by_matter["raise_fund"]["rule"] == "art278_three_quarters"
    assert result["outcome"]["passed"] is False
    assert "须每一事项均通过" in result["explanation"]["zh"]


# --- one ballot per voter -----------------------------------------------------------------

def test_one_ballot_per_voter_is_enforced_by_the_database(meeting):
    vote_id = new_vote(meeting)
    cast(meeting, join(meeting, "张建国", unit="3-1-101"), vote_id, "A")
    db.session.add(VoteParticipation(vote_id=vote_id, voter_key="P01", channel="phone"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Ballot(vote_id=vote_id, choices=["B"], heads=1, area=8976, voter_key="P01"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_second_ballot_of_the_same_owner_is_refused_with_a_clear_message(meeting):
    vote_id = new_vote(meeting)
    phone = join(meeting, "张建国", unit="3-1-101")
    cast(meeting, phone, vote_id, "A")
    assert fail(meeting, phone, "ballot.cast", {"vote_id": vote_id, "choices": ["B"]}) \
        == "vote.already_voted"
    assert "一票" in message_for("vote.already_voted", "zh")


def test_a_repeated_submission_with_the_same_command_id_is_applied_once(meeting):
    vote_id = new_vote(meeting)
    phone = join(meeting, "张建国", unit="3-1-101")
    payload = {"vote_id": vote_id, "choices": ["C"]}
    first = execute(meeting.id, phone, "ballot.cast", payload, "ballot-0000001")
    again = execute(meeting.id, phone, "ballot.cast", payload, "ballot-0000001")
    assert first.ok and again.ok and again.duplicate and again.seq == first.seq
    assert db.session.execute(db.select(db.func.count(VoteParticipation.id)).filter_by(
        vote_id=vote_id)).scalar() == 1
    assert db.session.execute(db.select(db.func.count(Ballot.id)).filter_by(
        vote_id=vote_id)).scalar() == 1


def test_racing_ballots_of_one_owner_store_exactly_one(app, meeting):
    """Two co-owners of 3-2-501 tap at the same moment on two threads."""
    vote_id = new_vote(meeting)
    phones = [join(meeting, name, unit="3-2-501") for name in ("王伟", "赵静")]
    meeting_id = meeting.id  # read here: the threads must not load the test session's row
    outcomes = []

    def vote(actor):
        with app.app_context():
            outcomes.append(execute(meeting_id, actor, "ballot.cast",
                                    {"vote_id": vote_id, "choices": ["A"]}))
            db.session.remove()

    threads = [threading.Thread(target=vote, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.ok for o in outcomes) == [False, True]
    # The unit has one vote: the co-owner who lost the race is told who cast it.
    assert [o.error.code for o in outcomes if not o.ok] == ["vote.household_voted"]
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Ballot.id)).filter_by(
        vote_id=vote_id)).scalar() == 1


def test_a_ballot_after_closing_or_after_the_countdown_is_refused(meeting):
    vote_id = new_vote(meeting, duration_seconds=60)
    phone = join(meeting, "张建国", unit="3-1-101")
    vote = db.session.get(Vote, vote_id)
    vote.deadline_at = utcnow() - timedelta(seconds=1)  # the countdown ran out a second ago
    db.session.commit()
    assert fail(meeting, phone, "ballot.cast", {"vote_id": vote_id, "choices": ["A"]}) \
        == "vote.closed"
    close(meeting, vote_id)
    vote_id2 = new_vote(meeting, title="第二次")
    close(meeting, vote_id2)
    assert fail(meeting, phone, "ballot.cast", {"vote_id": vote_id2, "choices": ["A"]}) \
        == "vote.closed"


def test_the_countdown_closes_the_vote_by_itself(app, meeting):
    vote_id = new_vote(meeting, duration_seconds=10)
    phone = join(meeting, "张建国", unit="3-1-101")
    cast(meeting, phone, vote_id, "B")
    deadline = utcnow() + timedelta(milliseconds=300)
    vote = db.session.get(Vote, vote_id)
    vote.deadline_at = deadline
    db.session.commit()
    from facilitator.clock import to_epoch_ms
    coalescer.arm_countdown(meeting.id, vote_id, to_epoch_ms(deadline), app=app)
    for _ in range(50):
        time.sleep(0.1)
        db.session.rollback()
        if db.session.get(Vote, vote_id).status == "closed":
            break
    vote = db.session.get(Vote, vote_id)
    assert vote.status == "closed" and vote.result["tally"]["counts"]["B"]["owners"] == 1
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="vote.closed")).scalar_one()
    assert event.actor == "system" and event.data["by_countdown"] is True


# --- who may vote and how they count ----------------------------------------------------------

def test_ineligible_voters_are_refused_with_a_clear_message(meeting):
    vote_id = new_vote(meeting, recused=["P02", "party:developer"])
    tenant = join(meeting, "3-2-902 租户", party="observer")
    engineer = join(meeting, "周明", party="property_company")
    recused = join(meeting, "刘秀英", unit="3-1-102")
    payload = {"vote_id": vote_id, "choices": ["A"]}
    assert fail(meeting, tenant, "ballot.cast", payload) == "vote.observer_cannot_vote"
    assert fail(meeting, engineer, "ballot.cast", payload) == "vote.owners_only"
    assert fail(meeting, recused, "ballot.cast", payload) == "vote.recused"
    for code in ("vote.observer_cannot_vote", "vote.owners_only", "vote.recused"):
        assert has_message(code)
    run(meeting, chair_of(meeting), "meeting.configure", {"allow_direct_entry": False})
    waiting = run(meeting, Actor(role="visitor"), "participant.join",
                  {"name": "赵伟", "party": "owner", "unit": "3-1-201"})["participant_id"]
    assert fail(meeting, Actor(role="phone", participant_id=waiting), "ballot.cast", payload) \
        == "participant.not_admitted"


def test_everyone_present_counts_non_owners_once_each_and_owners_by_owner(meeting):
    vote_id = new_vote(meeting, eligibility="present", method="yes_no", plans=None,
                       show_results="live")
    cast(meeting, join(meeting, "周明", party="property_company"), vote_id, "yes")
    cast(meeting, join(meeting, "胡丽华", unit="3-1-301"), vote_id, "yes")  # two units
    result = close(meeting, vote_id)
    assert result["tally"]["counts"]["yes"] == {"owners": 2, "area": 8976 + 11842}


def test_a_straw_poll_with_two_plans_sharing_the_top_is_a_tie_not_a_rejection(app, meeting):
    vote_id = new_vote(meeting, eligibility="present")
    cast(meeting, join(meeting, "周明", party="property_company"), vote_id, "A")
    cast(meeting, join(meeting, "李强", party="community"), vote_id, "C")
    result = close(meeting, vote_id)
    assert result["outcome"] == {"passed": False, "options": [], "tied": True}
    # One more for C: C wins, no tie.
    vote_id = new_vote(meeting, eligibility="present", title="再次意向表决")
    for name, plan in (("王芳", "A"), ("赵军", "C"), ("孙丽", "C")):
        cast(meeting, join(meeting, name, party="community"), vote_id, plan)
    assert close(meeting, vote_id)["outcome"] == {"passed": True, "options": ["C"],
                                                   "tied": False}


def test_a_majority_vote_with_as_many_yes_as_no_is_not_passed_and_not_a_tie(meeting):
    vote_id = new_vote(meeting, eligibility="present", method="yes_no", plans=None,
                       rule="simple_majority")
    cast(meeting, join(meeting, "周明", party="property_company"), vote_id, "yes")
    cast(meeting, join(meeting, "李强", party="community"), vote_id, "no")
    assert close(meeting, vote_id)["outcome"] == {"passed": False, "options": [],
                                                   "tied": False}


def test_parties_vote_only_when_chosen(meeting):
    vote_id = new_vote(meeting, eligibility="parties", parties=["property_company", "owner"],
                       method="yes_no", plans=None)
    cast(meeting, join(meeting, "周明", party="property_company"), vote_id, "no")
    cast(meeting, join(meeting, "张建国", unit="3-1-101"), vote_id, "yes")
    assert fail(meeting, join(meeting, "何军", party="street_office"), "ballot.cast",
                {"vote_id": vote_id, "choices": ["yes"]}) == "vote.party_not_eligible"


def test_an_owner_with_two_units_counts_once_and_co_owners_share_one_vote(meeting):
    vote_id = new_vote(meeting)
    cast(meeting, join(meeting, "胡丽华", unit="3-1-301"), vote_id, "A")
    second_unit = join(meeting, "胡丽华", unit="3-1-302")
    assert fail(meeting, second_unit, "ballot.cast", {"vote_id": vote_id, "choices": ["B"]}) \
        == "vote.household_voted"
    cast(meeting, join(meeting, "王伟", unit="3-2-501"), vote_id, "C")
    co_owner = join(meeting, "赵静", unit="3-2-501")
    refused = execute(meeting.id, co_owner, "ballot.cast", {"vote_id": vote_id, "choices": ["A"]})
    assert refused.error.code == "vote.household_voted" and refused.error.params == {"name": "王伟"}
    # Her phone says who of the unit has voted, not "you voted".
    from facilitator.actions.votes import phone_ballot_status
    (identity,) = phone_ballot_status(meeting.id, co_owner.participant_id)[str(vote_id)]
    assert identity["voted"] and not identity["cast_by_me"] and identity["cast_by"] == "王伟"
    result = close(meeting, vote_id)
    assert result["tally"]["counts"]["A"] == {"owners": 1, "area": 8976 + 11842}
    assert result["tally"]["participation"]["owners"] == 2


def test_a_proxy_with_a_recorded_authorisation_votes_for_the_owner(meeting):
    chair = chair_of(meeting)
    son = join(meeting, "宋宇", party="observer")
    proxy_id = run(meeting, chair, "proxy.record", {
        "participant_id": son.participant_id, "owner_key": "P07",
        "note": "书面委托书"})["proxy_id"]
    developer = join(meeting, "高峰", party="developer")
    developer_proxy = run(meeting, chair, "proxy.record", {
        "participant_id": developer.participant_id, "owner_key": "P38",
        "note": "授权委托书"})["proxy_id"]
    assert fail(meeting, chair, "proxy.record", {"participant_id": developer.participant_id,
                                                 "owner_key": "P07", "note": "x"}) \
        == "proxy.already_held"
    vote_id = new_vote(meeting, recused=["P38"])
    payload = {"vote_id": vote_id, "choices": ["B"]}
    # Without the authorisation the observer may not vote; with it, for the owner.
    assert fail(meeting, son, "ballot.cast", payload) == "vote.observer_cannot_vote"
    assert cast(meeting, son, vote_id, "B", proxy_id=proxy_id)["changed"] is False
    assert fail(meeting, developer, "ballot.cast", {**payload, "proxy_id": developer_proxy}) \
        == "vote.recused"
    # The owner herself arrives: her vote is already cast.
    owner = join(meeting, "宋海燕", unit="3-1-402")
    assert fail(meeting, owner, "ballot.cast", payload) == "vote.household_voted"
    assert fail(meeting, son, "ballot.cast", {**payload, "proxy_id": developer_proxy}) \
        == "proxy.not_found"
    result = close(meeting, vote_id)
    assert result["tally"]["counts"]["B"] == {"owners": 1, "area": 11842}
    run(meeting, chair, "proxy.revoke", {"id": proxy_id})
    vote2 = new_vote(meeting, title="第二次")
    assert fail(meeting, son, "ballot.cast", {"vote_id": vote2, "choices": ["A"],
                                              "proxy_id": proxy_id}) == "proxy.revoked"


def test_the_chair_records_a_paper_ballot_for_a_person_without_a_phone(meeting):
    chair = chair_of(meeting)
    person = run(meeting, chair, "participant.add", {"name": "邓桂芳", "party": "owner",
                                                     "unit": "3-1-602"})["participant_id"]
    vote_id = new_vote(meeting)
    run(meeting, chair, "ballot.record", {"vote_id": vote_id, "participant_id": person,
                                          "choices": ["C"]})
    assert fail(meeting, chair, "ballot.record", {"vote_id": vote_id, "owner_key": "P01",
                                                  "choices": ["C"]}) == "vote.participant_required"
    event = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="ballot.recorded")).scalar_one()
    assert event.data["channel"] == "paper" and event.data["voter_key"] == "P11"
    assert close(meeting, vote_id)["tally"]["counts"]["C"] == {"owners": 1, "area": 11842}


def test_changing_a_named_ballot_until_the_vote_closes(meeting):
    vote_id = new_vote(meeting, allow_change=True, show_results="live")
    phone = join(meeting, "张建国", unit="3-1-101")
    assert cast(meeting, phone, vote_id, "A")["changed"] is False
    assert cast(meeting, phone, vote_id, "C")["changed"] is True
    assert fail(meeting, phone, "ballot.cast", {"vote_id": vote_id, "choices": ["C"]}) \
        == "command.no_change"
    result = close(meeting, vote_id)
    assert result["tally"]["counts"]["C"]["owners"] == 1
    assert result["tally"]["counts"]["A"]["owners"] == 0
    closed = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="vote.closed")).scalar_one()
    # A named vote: the minutes list who chose what.
    assert closed.data["ballots"] == [{"voter_key": "P01", "name": "张建国", "units": ["3-1-101"],
                                       "choices": ["C"], "heads": 1, "area": 8976,
                                       "channel": "phone", "cast_by": "张建国",
                                       "verified_via": None}]


@pytest.mark.parametrize("values,code", [
    ({"secret": True, "allow_change": True}, "vote.secret_no_change"),
    ({"secret": True, "show_results": "live"}, "vote.secret_live_results"),
    ({"kind": "owners_decision", "method": "ranked"}, "vote.method_not_for_kind"),
    ({"kind": "owners_decision", "rule": "plurality"}, "vote.rule_not_for_kind"),
    ({"method": "ranked", "rule": "two_thirds"}, "vote.rule_not_for_method"),
    ({"plans": ["A", "Z"]}, "plan.not_found"),
    ({"plans": ["A", "A"]}, "vote.duplicate_option"),
    ({"plans": ["A"]}, "vote.too_few_options"),
    ({"method": "yes_no"}, "vote.plans_not_for_yes_no"),
    ({"max_choices": 2}, "vote.bad_max_choices"),
    ({"eligibility": "parties"}, "vote.parties_required"),
    ({"channel": "elsewhere"}, "vote.elsewhere_owners_decision"),
    ({"kind": "owners_decision", "method": "yes_no", "plans": None}, "vote.matters_required"),
    ({"recused": ["P01", ""]}, "validation.item"),
])
def test_vote_settings_that_cannot_work_are_refused(meeting, values, code):
    payload = {"kind": "straw_poll", "method": "single", "title": "意向表决",
               "plans": ["A", "B", "C"], **values}
    payload = {k: v for k, v in payload.items() if v is not None}
    assert fail(meeting, chair_of(meeting), "vote.create", payload) == code
    assert has_message(code)


# --- methods ---------------------------------------------------------------------------------

def test_ranked_choice_shows_every_round_of_the_instant_runoff(meeting):
    vote_id = new_vote(meeting, method="ranked")
    # Round 1: A 2, B 2, C 1 (no majority of 5); C is eliminated and its ballot goes to B.
    ballots = [("3-1-101", ["A"]), ("3-1-102", ["A", "C"]), ("3-1-201", ["B"]),
               ("3-1-202", ["B", "A"]), ("3-1-401", ["C", "B"])]
    for n, (unit, ranking) in enumerate(ballots):
        cast(meeting, join(meeting, f"业主{n}", unit=unit), vote_id, *ranking)
    result = close(meeting, vote_id)
    rounds = result["tally"]["rounds"]
    assert len(rounds) == 2 and rounds[0]["eliminated"] == "C"
    assert rounds[1]["counts"]["B"]["owners"] == 3
    assert rounds[-1]["winner"] == result["tally"]["winner"] == "B"
    assert result["outcome"] == {"passed": True, "options": ["B"], "tied": False}
    assert "即时决选" in result["explanation"]["zh"]


def test_approval_counts_every_option_a_voter_approves(meeting):
    vote_id = new_vote(meeting, method="approval", max_choices=2)
    cast(meeting, join(meeting, "张建国", unit="3-1-101"), vote_id, "A", "C")
    cast(meeting, join(meeting, "刘秀英", unit="3-1-102"), vote_id, "C")
    assert fail(meeting, join(meeting, "赵伟", unit="3-1-201"), "ballot.cast",
                {"vote_id": vote_id, "choices": ["A", "B", "C"]}) == "vote.too_many_choices"
    result = close(meeting, vote_id)
    assert result["tally"]["counts"]["C"]["owners"] == 2
    assert result["tally"]["participation"]["owners"] == 2


def test_an_owners_decision_entered_as_totals_from_an_e_voting_system(meeting):
    chair = chair_of(meeting)
    from facilitator.models import Plan
    plan_c = db.session.execute(db.select(Plan).filter_by(meeting_id=meeting.id, key="C")
                                ).scalar_one()
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "plan_id": plan_c.id, "channel": "elsewhere",
        "channel_note": "杭州市业主电子投票系统"})["vote_id"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    expected = EXPECTED["owners_decision"]
    totals = {k: {"owners": expected[k]["owners"], "area": expected[k]["area_m2"]}
              for k in ("yes", "no", "abstain")}
    assert fail(meeting, chair, "vote.enter_totals", {"id": vote_id, "totals": {
        "yes": {"owners": 40, "area": "4000.00"}}}) == "vote.totals_exceed_scope"
    assert fail(meeting, chair, "vote.enter_totals", {"id": vote_id, "totals": {
        "yes": {"owners": 3, "area": "12.345"}}}) == "vote.bad_totals"
    run(meeting, chair, "vote.enter_totals", {"id": vote_id, "totals": totals})
    assert fail(meeting, chair, "ballot.record", {"vote_id": vote_id, "owner_key": "P01",
                                                  "choices": ["yes"]}) == "vote.ballots_with_totals"
    result = close(meeting, vote_id)
    assert result["source"] == "entered_totals"
    assert result["tally"]["counts"]["yes"] == count_of(expected["yes"])
    assert result["outcome"]["passed"] is True


def test_a_vote_held_elsewhere_can_be_recorded_after_the_meeting_ended(meeting):
    chair = chair_of(meeting)
    run(meeting, chair, "meeting.end", {})
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "matters": ["use_fund"], "channel": "elsewhere"})["vote_id"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    run(meeting, chair, "ballot.record", {"vote_id": vote_id, "owner_key": "P01",
                                          "choices": ["yes"]})
    result = close(meeting, vote_id)
    assert result["gate"]["missing"]["owners"] == 26 - 1  # 2/3 of 38 owners is 26
    assert fail(meeting, chair, "vote.create", {"kind": "straw_poll", "method": "single",
                                                "title": "x", "plans": ["A", "B"]}) \
        == "meeting.is_ended"


# --- secret ballots ---------------------------------------------------------------------------

def test_a_secret_vote_keeps_who_voted_but_never_who_chose_what(meeting):
    vote_id = new_vote(meeting, secret=True)
    phones = {unit: join(meeting, f"业主{unit}", unit=unit)
              for unit in ("3-1-101", "3-1-102", "3-1-201", "3-1-202")}
    for (unit, phone), choice in zip(phones.items(), ("A", "B", "A", "C")):
        cast(meeting, phone, vote_id, choice)
    # No ballot rows: while the vote is open each ballot is sealed (encrypted, one size).
    assert db.session.execute(db.select(Ballot).filter_by(vote_id=vote_id)).first() is None
    sealed = db.session.execute(db.select(SealedBallot.sealed).filter_by(vote_id=vote_id)
                                ).scalars().all()
    assert len(sealed) == 4 and len({len(blob) for blob in sealed}) == 1
    assert not any(b'"A"' in blob or b'"B"' in blob for blob in sealed)
    assert {c.name for c in SealedBallot.__table__.columns} == {"id", "vote_id", "sealed"}
    # Who voted is kept (one row each, with the moment and the channel), not what.
    assert db.session.execute(db.select(db.func.count()).select_from(VoteParticipation)
                              .filter_by(vote_id=vote_id)).scalar() == 4
    from facilitator.actions.votes import phone_ballot_status
    status = phone_ballot_status(meeting.id, phones["3-1-101"].participant_id)
    assert status[str(vote_id)] == [{"proxy_id": None, "eligible": True, "reason": None,
                                     "voted": True, "cast_by_me": True, "cast_by": "",
                                     "choices": None}]
    # A secret ballot cannot be changed: nothing links the voter to it any more.
    assert fail(meeting, phones["3-1-101"], "ballot.cast",
                {"vote_id": vote_id, "choices": ["B"]}) == "vote.already_voted"
    result = close(meeting, vote_id)
    assert result["tally"]["participation"]["owners"] == 4
    # Closed: the sealed ballots are opened and added up, one tally per choice, and gone.
    areas = {unit: unit_area(meeting, unit) for unit in phones}
    tallies = {json.loads(row.choices)[0]: (row.heads, row.area) for row in db.session.execute(
        db.select(SecretTally).filter_by(vote_id=vote_id)).scalars()}
    assert tallies == {"A": (2, areas["3-1-101"] + areas["3-1-201"]),
                       "B": (1, areas["3-1-102"]), "C": (1, areas["3-1-202"])}
    assert {c.name for c in SecretTally.__table__.columns} == {
        "id", "vote_id", "choices", "heads", "area"}
    assert db.session.execute(db.select(SealedBallot).filter_by(vote_id=vote_id)).first() is None
    assert result["tally"]["counts"]["A"] == {"owners": 2, "area": tallies["A"][1]}

    # Nothing stored about the vote's ballots names a choice: events (data, changes, result).
    for event in db.session.execute(db.select(MeetingEvent).filter(
            MeetingEvent.meeting_id == meeting.id,
            MeetingEvent.type.in_(("ballot.cast", "vote.closed")))).scalars():
        if event.type == "ballot.cast":
            text = json.dumps([event.data, event.changes, event.result])
            assert '"A"' not in text and '"B"' not in text and '"C"' not in text
            assert "choices" not in event.data
        else:
            assert "ballots" not in event.data


def test_a_changed_secret_key_keeps_the_sealed_ballots_and_says_why_the_vote_cannot_close(
        app, meeting):
    vote_id = new_vote(meeting, secret=True)
    for unit, choice in (("3-1-101", "A"), ("3-1-102", "B")):
        cast(meeting, join(meeting, f"业主{unit}", unit=unit), vote_id, choice)
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-different-key"
    try:
        assert fail(meeting, chair_of(meeting), "vote.close", {"id": vote_id}) \
            == "vote.seal_unreadable"
        assert "SECRET_KEY" in message_for("vote.seal_unreadable", "zh")
        assert coalescer.full_tallies(meeting.id, fresh=True) == {}  # no tally, no crash
    finally:
        app.config["SECRET_KEY"] = original
    db.session.rollback()
    assert db.session.get(Vote, vote_id).status == "open"
    assert db.session.execute(db.select(db.func.count()).select_from(SealedBallot)
                              .filter_by(vote_id=vote_id)).scalar() == 2  # nothing lost
    result = close(meeting, vote_id)  # the key restored: every ballot counted
    assert result["tally"]["counts"]["A"]["owners"] == 1
    assert result["tally"]["counts"]["B"]["owners"] == 1


@pytest.mark.parametrize("method, ballots, expected", [
    ("approval", [["A", "B"], ["B"], ["A", "B"]], {"A": 2, "B": 3, "C": 0}),
    ("ranked", [["A", "B", "C"], ["B", "A", "C"], ["A", "C", "B"]], None),
])
def test_a_secret_approval_or_ranked_vote_counts_as_the_same_vote_named(meeting, method,
                                                                        ballots, expected):
    units = ("3-1-101", "3-1-102", "3-1-201")
    results = {}
    for secret in (False, True):
        vote_id = new_vote(meeting, method=method, secret=secret,
                           **({} if secret else {"show_results": "live"}))
        for unit, choices in zip(units, ballots):
            cast(meeting, join(meeting, f"业主{unit}{secret}", unit=unit), vote_id, *choices)
        results[secret] = close(meeting, vote_id)
    assert results[True]["tally"] == results[False]["tally"]
    assert results[True]["outcome"] == results[False]["outcome"]
    if expected:
        assert {key: count["owners"] for key, count in results[True]["tally"]["counts"].items()
                if key in expected} == expected


def test_the_tally_is_recomputed_from_the_ballots_not_kept_as_a_counter(meeting):
    vote_id = new_vote(meeting, show_results="live")
    for unit, choice in (("3-1-101", "A"), ("3-1-102", "A"), ("3-1-201", "B")):
        cast(meeting, join(meeting, f"业主{unit}", unit=unit), vote_id, choice)
    vote = db.session.get(Vote, vote_id)
    assert counting.live_tally(vote)["tally"]["counts"]["A"]["owners"] == 2
    # Whatever is in the ballots table is what is counted.
    db.session.execute(db.delete(Ballot).filter(Ballot.vote_id == vote_id,
                                                Ballot.voter_key == "P02"))
    db.session.commit()
    live = counting.live_tally(db.session.get(Vote, vote_id))
    assert live["tally"]["counts"]["A"]["owners"] == 1
    assert live["tally"]["participation"]["owners"] == 2


def test_the_straw_poll_participation_and_gate_of_an_owners_decision(meeting):
    vote_id = new_vote(meeting)
    phone = join(meeting, "张建国", unit="3-1-101")
    join(meeting, "刘秀英", unit="3-1-102")
    join(meeting, "周明", party="property_company")
    cast(meeting, phone, vote_id, "A")
    live = counting.live_tally(db.session.get(Vote, vote_id))
    assert live["eligible"] == {"owners": 2, "area": 8976 + 11842}
    assert live["participation"] == {"owners": 1, "area": 8976}
    assert live["gate"] is None
    close(meeting, vote_id)
    decision = new_vote(meeting, kind="owners_decision", method="yes_no", plans=None,
                        matters=["use_fund"], title="使用维修资金")
    run(meeting, chair_of(meeting), "checkin.verify", {"id": phone.participant_id})
    cast(meeting, phone, decision, "yes")
    live = counting.live_tally(db.session.get(Vote, decision))
    assert live["scope"] == {"owners": 38, "area": 439734}
    # Two-thirds of 38 owners is 26 (25.33 rounded up); of 4,397.34 m² it is 2,931.56 m².
    assert live["gate"]["needed"] == {"owners": 26, "area": 293156}
    assert live["gate"]["missing"] == {"owners": 25, "area": 293156 - 8976}


# --- live over sockets ------------------------------------------------------------------------

def tallies_in(sock) -> list[dict]:
    return [m["args"][0] for m in sock.get_received("/live") if m["name"] == "tally"]


@pytest.fixture
def room(app, ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True, direct_entry=True)
    add_plans(meeting)
    console_http = app.test_client()
    login(console_http, moderator)
    console = connect(app, meeting, "console", console_http)
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    phones = []
    for n, unit in enumerate(("3-1-101", "3-1-102", "3-1-201", "3-1-202", "3-1-301")):
        http, _ = join_from_phone(app, meeting, f"业主{n}", "owner", unit)
        phones.append(connect(app, meeting, "phone", http))
    for sock in [console, projector, *phones]:
        assert sock.is_connected("/live")
        sock.get_received("/live")
    return meeting, console, projector, phones


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_phones_vote_and_every_screen_gets_coalesced_tallies_and_the_result(app, room):
    meeting, console, projector, phones = room
    app.config["TALLY_INTERVAL_MS"] = 300
    try:
        vote_id = command(console, "vote.create", {
            "kind": "straw_poll", "method": "single", "title": "意向表决",
            "plans": ["A", "B", "C"]})["result"]["vote_id"]
        assert command(console, "vote.open", {"id": vote_id})["ok"]
        choices = ["C", "C", "A", "B", "abstain"]
        for phone, choice in zip(phones, choices):
            ack = command(phone, "ballot.cast", {"vote_id": vote_id, "choices": [choice]})
            assert ack["ok"], ack
        seen = {"projector": [], "console": [], "phone": []}

        def final_tally_arrived():
            seen["projector"] += tallies_in(projector)
            seen["console"] += tallies_in(console)
            seen["phone"] += tallies_in(phones[0])
            last = seen["projector"][-1]["votes"].get(str(vote_id)) if seen["projector"] else None
            return last is not None and last["participation"]["owners"] == 5

        assert wait_for(final_tally_arrived)
        # Coalesced: fewer tally messages than ballots (7 commands marked the meeting).
        assert len(seen["projector"]) < 5
        on_projector = seen["projector"][-1]["votes"][str(vote_id)]
        assert "tally" not in on_projector and "voted" not in on_projector  # hidden results
        assert on_projector["eligible"]["owners"] == 5
        # (The console's copy leaves just after the projector's: it may still be on its way.)
        assert wait_for(lambda: (seen["console"].extend(tallies_in(console)) or True)
                        and bool(seen["console"])
                        and seen["console"][-1]["votes"][str(vote_id)]["ballots"] == 5)
        on_console = seen["console"][-1]["votes"][str(vote_id)]
        assert on_console["voted"] == ["P01", "P02", "P03", "P04", "P05"]
        assert on_console["tally"]["counts"]["C"]["owners"] == 2

        # The ballots left no records in the projector's batches, only their sequence range.
        batches = received_batches(projector)
        assert not any(e["type"].startswith("ballot.") for b in batches for e in b["events"])

        # A sync answer carries the live tallies too.
        reply = sync(phones[1], since=None)
        assert reply["tallies"]["votes"][str(vote_id)]["participation"]["owners"] == 5
        mine = phones[1].emit("ballots", {}, namespace="/live", callback=True)
        assert mine["votes"][str(vote_id)][0]["voted"] is True

        assert command(console, "vote.close", {"id": vote_id})["ok"]
        state = sync(projector)["snapshot"]
        result = state["votes"][str(vote_id)]["result"]
        assert result["tally"]["counts"]["C"] == {"owners": 2, "area": 8976 + 11842}
        assert result["explanation"]["zh"].startswith("通过（选项 C）")
    finally:
        app.config.pop("TALLY_INTERVAL_MS", None)


def test_a_phone_sees_live_counts_only_when_the_vote_shows_them(app, room):
    meeting, console, projector, phones = room
    vote_id = command(console, "vote.create", {
        "kind": "straw_poll", "method": "yes_no", "title": "是否先疏通排水口",
        "show_results": "live"})["result"]["vote_id"]
    command(console, "vote.open", {"id": vote_id})
    command(phones[0], "ballot.cast", {"vote_id": vote_id, "choices": ["yes"]})
    coalescer.flush(meeting.id)
    assert wait_for(lambda: any(t["votes"].get(str(vote_id), {}).get("tally")
                                for t in tallies_in(phones[1])))
    tally = sync(phones[1])["tallies"]["votes"][str(vote_id)]
    assert tally["tally"]["counts"]["yes"]["owners"] == 1 and "voted" not in tally
    assert tally["provisional"]["explanation"]["en"].startswith("passed")


def test_a_burst_of_ballots_is_stored_once_each_and_the_tally_equals_the_database(app, ctx):
    """40 phones vote at once on 8 threads: every ballot stored and acknowledged once, and
    the final tally broadcast equals the database count."""
    meeting = make_meeting(with_roster=True, direct_entry=True)
    add_plans(meeting)
    vote_id = new_vote(meeting, eligibility="present")
    voters = [join(meeting, f"居民{n}", party="community") for n in range(40)]
    acks, lock = [], threading.Lock()
    # Read here, not in the threads: the row object belongs to this thread's session, and
    # loading an expired attribute from another thread would use that session concurrently.
    meeting_id = meeting.id

    def vote(batch):
        with app.app_context():
            for n, actor in batch:
                outcome = execute(meeting_id, actor, "ballot.cast",
                                  {"vote_id": vote_id, "choices": ["ABC"[n % 3]]},
                                  f"burst-{n:04d}-ballot")
                with lock:
                    acks.append(outcome.ok)
            db.session.remove()

    batches = [[(n, voters[n]) for n in range(i, 40, 8)] for i in range(8)]
    threads = [threading.Thread(target=vote, args=(b,)) for b in batches]
    sent_before = coalescer.messages_sent
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert acks.count(True) == 40
    db.session.rollback()
    stored = db.session.execute(db.select(db.func.count(Ballot.id)).filter_by(
        vote_id=vote_id)).scalar()
    assert stored == 40
    time.sleep(0.6)
    # Coalesced: far fewer tally messages than ballots (3 rooms per message).
    assert (coalescer.messages_sent - sent_before) // 3 < 20
    result = close(meeting, vote_id)
    assert result["tally"]["participation"]["owners"] == 40
    assert sum(result["tally"]["counts"][k]["owners"] for k in "ABC") == 40
