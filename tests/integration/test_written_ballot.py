"""A written ballot (书面征求意见): an owners' decision that misses the participation gate in
the meeting continues for days; owners vote by personal link (with a receipt they can check)
or on paper; the vote closes by itself at the deadline, also after a server restart."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
import time_machine

from facilitator import clock, rosters
from facilitator.actions import Actor, execute
from facilitator.actions import invitations as invitation_actions
from facilitator.actions import written_ballot
from facilitator.extensions import db
from facilitator.live.deadlines import close_overdue
from facilitator.models import (BallotReceipt, Invitation, MeetingEvent, RosterUnit, Vote,
                                VoteParticipation)

from tests.factories import chair_of, login, make_meeting, make_user, run
from tests.integration.test_votes import add_plans, new_vote
from tests.support import REPO_ROOT, free_port

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def meeting(ctx):
    m = make_meeting(with_roster=True, direct_entry=True)
    add_plans(m)
    run(m, chair_of(m), "invitations.issue", {})
    return m


def owners(meeting) -> dict[str, int]:
    """Owner key → area (hundredths of m²) in the meeting's roster, in unit order."""
    areas: dict[str, int] = {}
    for key, area in db.session.execute(db.select(RosterUnit.owner_key, RosterUnit.area_hundredths)
                                        .filter_by(version_id=rosters.meeting_version_id(meeting))
                                        .order_by(RosterUnit.id)):
        areas[key] = areas.get(key, 0) + area
    return areas


def decision(meeting, **settings) -> int:
    return new_vote(meeting, kind="owners_decision", method="single", title="业主共同决定",
                    **settings)


def record_paper(meeting, vote_id, owner_key, choice) -> dict:
    return run(meeting, chair_of(meeting), "ballot.record",
               {"vote_id": vote_id, "choices": [choice], "owner_key": owner_key})


def local_iso(moment: datetime) -> str:
    """A stored (naive UTC) time as a person types it: local, to the minute."""
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


def continue_written(meeting, vote_id, days=7) -> datetime:
    deadline = clock.utcnow() + timedelta(days=days)
    run(meeting, chair_of(meeting), "vote.continue_written",
        {"id": vote_id, "deadline": local_iso(deadline)})
    db.session.expire_all()
    return db.session.get(Vote, vote_id).deadline_at


def token_of(meeting, owner_key) -> str:
    invitation = db.session.execute(db.select(Invitation).filter_by(
        meeting_id=meeting.id, owner_key=owner_key)).scalar_one()
    return invitation_actions.link_token(invitation)


def vote_by_link(client, meeting, owner_key, vote_id, *choices, headers=ZH):
    return client.post(f"/i/{token_of(meeting, owner_key)}/ballot",
                       data={"vote_id": str(vote_id), "choice": list(choices)}, headers=headers)


def receipt_in(page: str) -> str:
    return re.search(r'data-testid="receipt-code">([A-Z2-7-]+)<', page).group(1)


def fail(meeting, actor, name, payload) -> str:
    outcome = execute(meeting.id, actor, name, payload)
    assert not outcome.ok, (name, payload)
    return outcome.error.code


def participation(vote_id) -> set[str]:
    db.session.expire_all()
    return set(db.session.execute(db.select(VoteParticipation.voter_key)
                                  .filter_by(vote_id=vote_id)).scalars())


# --------------------------------------------------------------------------- the story

def test_a_decision_short_of_the_gate_continues_in_writing_and_closes_at_its_deadline(
        app, client, meeting):
    """20 of the roster's owners vote in the meeting (short of two-thirds), the decision
    continues for 7 days, 8 owners vote by personal link and 4 on paper, and the vote closes
    by itself at the deadline with every ballot counted, to the hundredth of a m²."""
    areas = owners(meeting)
    keys = list(areas)
    assert len(keys) == 38
    vote_id = decision(meeting)
    in_meeting, by_link, on_paper = keys[:20], keys[20:28], keys[28:32]
    for number, key in enumerate(in_meeting):
        record_paper(meeting, vote_id, key, "ABC"[number % 3])
    db.session.expire_all()
    # Below the gate: 20 owners of 38 cannot reach two-thirds.
    assert not written_ballot.progress(db.session.get(Vote, vote_id))["gate"]["met"]

    deadline = continue_written(meeting, vote_id)
    run(meeting, chair_of(meeting), "meeting.end", {})

    receipts = {}
    for key in by_link:
        page = vote_by_link(client, meeting, key, vote_id, "B")
        assert page.status_code == 200, page.get_data(as_text=True)
        receipts[key] = receipt_in(page.get_data(as_text=True))
    for key in on_paper:
        record_paper(meeting, vote_id, key, "A")
    assert participation(vote_id) == set(in_meeting + by_link + on_paper)

    check = client.get("/receipt", query_string={"code": receipts[by_link[0]]}, headers=ZH)
    assert check.status_code == 200 and 'data-state="recorded"' in check.get_data(as_text=True)
    assert re.search(r'data-testid="receipt-choices">[^<]*B<', check.get_data(as_text=True))

    # A day before the deadline nothing closes; after it, the sweep closes the vote.
    with time_machine.travel(clock.local(deadline) - timedelta(days=1), tick=False):
        assert close_overdue(app) == 0
    with time_machine.travel(clock.local(deadline) + timedelta(seconds=1), tick=False):
        late = vote_by_link(client, meeting, keys[32], vote_id, "C")
        assert late.status_code == 409  # after the deadline: refused, nothing stored
        assert keys[32] not in participation(vote_id)
        assert close_overdue(app) == 1
        assert close_overdue(app) == 0
    db.session.expire_all()
    vote = db.session.get(Vote, vote_id)
    assert vote.status == "closed"
    voted = in_meeting + by_link + on_paper
    counted = vote.result["tally"]["participation"]
    assert counted == {"owners": 32, "area": sum(areas[k] for k in voted)}
    assert vote.result["tally"]["counts"]["B"]["owners"] == \
        sum(1 for n, k in enumerate(in_meeting) if n % 3 == 1) + len(by_link)
    assert vote.result["gate"]["met"] is (32 * 3 >= 38 * 2 and
                                          3 * sum(areas[k] for k in voted) >= 2 * sum(areas.values()))
    check = client.get("/receipt", query_string={"code": receipts[by_link[3]].lower()}, headers=EN)
    assert 'data-state="counted"' in check.get_data(as_text=True)
    assert "Counted in the result." in check.get_data(as_text=True)


def test_the_vote_closes_at_its_deadline_when_the_server_starts_after_it(app, meeting, tmp_path):
    """No process was running at the deadline: the next server to start reads the deadline
    from the database and closes the vote."""
    from tests import frozen_time
    vote_id = decision(meeting)
    record_paper(meeting, vote_id, next(iter(owners(meeting))), "A")
    deadline = continue_written(meeting, vote_id, days=3)
    run(meeting, chair_of(meeting), "meeting.end", {})
    db.session.commit()
    with time_machine.travel(clock.local(deadline) + timedelta(minutes=5), tick=True):
        env = frozen_time.subprocess_env()
    env.update(DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
               SECRET_KEY=app.config["SECRET_KEY"], FACILITATOR_INSTANCE=str(tmp_path),
               PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.frozen_time", "serve", "--host", "127.0.0.1", "--port",
         str(free_port()), "--async-mode", "eventlet"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            db.session.rollback()
            if db.session.get(Vote, vote_id).status == "closed":
                break
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    vote = db.session.get(Vote, vote_id)
    assert vote.status == "closed", (tmp_path / "server.log").read_text()
    closed = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="vote.closed")).scalar_one()
    assert closed.actor == "system" and closed.data["by_countdown"] is True


# --------------------------------------------------------------------------- who may, and abuse

def test_only_an_open_owners_decision_of_the_scope_continues_and_only_the_chair_continues_it(meeting):
    chair = chair_of(meeting)
    vote_id = decision(meeting)
    soon = local_iso(clock.utcnow() + timedelta(days=7))
    phone = Actor(role="phone", participant_id=1)
    assert fail(meeting, phone, "vote.continue_written", {"id": vote_id, "deadline": soon}) \
        == "auth.forbidden"
    assert fail(meeting, Actor(role="owner_link", owner_key="P01"), "vote.continue_written",
                {"id": vote_id, "deadline": soon}) == "auth.forbidden"
    straw = run(meeting, chair, "vote.create", {"kind": "straw_poll", "method": "single",
                                                "title": "意向", "plans": ["A", "B"]})["vote_id"]
    assert fail(meeting, chair, "vote.continue_written", {"id": straw, "deadline": soon}) \
        == "written.owners_decision_only"
    for deadline in (local_iso(clock.utcnow()), local_iso(clock.utcnow() - timedelta(days=1)),
                     local_iso(clock.utcnow() + timedelta(days=91))):
        assert fail(meeting, chair, "vote.continue_written",
                    {"id": vote_id, "deadline": deadline}) == "written.deadline_range"
    for deadline in ("tomorrow", "", 20261213, None, "2026-13-40T25:00", "x" * 10_000):
        assert fail(meeting, chair, "vote.continue_written",
                    {"id": vote_id, "deadline": deadline}).startswith("validation.")
    for bad_id in (2 ** 63, -1, 0, "one", True, 1.5):
        assert fail(meeting, chair, "vote.continue_written",
                    {"id": bad_id, "deadline": soon}).startswith("validation.")
    assert fail(meeting, chair, "vote.continue_written", {"id": 2 ** 31 - 1, "deadline": soon}) \
        == "vote.not_found"
    db.session.expire_all()
    assert db.session.get(Vote, vote_id).written_since is None  # nothing changed
    continue_written(meeting, vote_id)
    assert fail(meeting, chair, "vote.continue_written", {"id": vote_id, "deadline": soon}) \
        == "written.already"


def test_the_deadline_moves_only_later_with_a_reason_that_the_record_keeps(client, meeting):
    chair = chair_of(meeting)
    vote_id = decision(meeting)
    assert fail(meeting, chair, "vote.extend", {"id": vote_id, "reason": "x",
                                                "deadline": local_iso(clock.utcnow() + timedelta(days=9))}) \
        == "written.not_written"
    deadline = continue_written(meeting, vote_id)
    later = local_iso(deadline + timedelta(days=5))
    assert fail(meeting, chair, "vote.extend", {"id": vote_id, "deadline": later, "reason": ""}) \
        == "validation.required"
    assert fail(meeting, chair, "vote.extend", {"id": vote_id, "deadline": later, "reason": "x" * 501}) \
        == "validation.too_long"
    assert fail(meeting, chair, "vote.extend", {"id": vote_id, "reason": "早一点",
                                                "deadline": local_iso(deadline - timedelta(days=1))}) \
        == "written.deadline_range"
    assert fail(meeting, chair, "vote.extend", {"id": vote_id, "reason": "太久",
                                                "deadline": local_iso(deadline + timedelta(days=90))}) \
        == "written.deadline_range"
    assert fail(meeting, Actor(role="phone", participant_id=1), "vote.extend",
                {"id": vote_id, "deadline": later, "reason": "x"}) == "auth.forbidden"
    run(meeting, chair, "vote.extend", {"id": vote_id, "deadline": later, "reason": "春节期间业主外出"})
    db.session.expire_all()
    assert local_iso(db.session.get(Vote, vote_id).deadline_at) == later
    extended = db.session.execute(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="vote.extended")).scalar_one()
    assert extended.data["reason"] == "春节期间业主外出" and extended.actor.startswith("user:")
    login(client, meeting.moderator)
    page = client.get(f"/meetings/{meeting.id}/votes/{vote_id}/written", headers=ZH)
    assert "春节期间业主外出" in page.get_data(as_text=True)


def test_the_chair_cannot_close_a_written_ballot_before_its_deadline_but_may_cancel_it(meeting):
    chair = chair_of(meeting)
    vote_id = decision(meeting)
    continue_written(meeting, vote_id)
    assert fail(meeting, chair, "vote.close", {"id": vote_id}) == "written.closes_at_deadline"
    run(meeting, chair, "vote.cancel", {"id": vote_id, "reason": "方案需重新测算"})
    db.session.expire_all()
    assert db.session.get(Vote, vote_id).status == "cancelled"


def test_a_personal_link_votes_once_only_for_its_owner_and_only_in_a_written_ballot(client, meeting):
    keys = list(owners(meeting))
    vote_id = decision(meeting)
    # Not (yet) a written ballot: the link cannot vote.
    assert fail(meeting, Actor(role="owner_link", owner_key=keys[0]), "ballot.cast_by_link",
                {"vote_id": vote_id, "choices": ["A"]}) == "written.not_written"
    record_paper(meeting, vote_id, keys[1], "C")  # voted in the meeting, on paper
    continue_written(meeting, vote_id)
    old = token_of(meeting, keys[3])
    run(meeting, chair_of(meeting), "invitation.reissue", {"owner_key": keys[3]})  # a lost letter
    run(meeting, chair_of(meeting), "meeting.end", {})

    first = vote_by_link(client, meeting, keys[0], vote_id, "A")
    assert first.status_code == 200
    again = vote_by_link(client, meeting, keys[0], vote_id, "B")
    assert again.status_code == 409 and "一票" in again.get_data(as_text=True)
    # The owner who voted in the meeting sees it, and no form.
    page = client.get(f"/i/{token_of(meeting, keys[1])}", headers=ZH).get_data(as_text=True)
    assert 'data-testid="you-voted"' in page and "纸质表决票" in page
    assert 'data-testid="ballot-submit"' not in page
    # A phone's role and a visitor cannot use the link's command.
    for actor in (Actor(role="phone", participant_id=1), Actor(role="visitor")):
        assert fail(meeting, actor, "ballot.cast_by_link", {"vote_id": vote_id, "choices": ["A"]}) \
            == "auth.forbidden"
    # Bad input: nothing stored, a message in the page's language.
    before = participation(vote_id)
    for form in ({"vote_id": "abc", "choice": ["A"]}, {"vote_id": str(2 ** 63), "choice": ["A"]},
                 {"vote_id": str(vote_id), "choice": ["Z"]}, {"vote_id": str(vote_id)},
                 {"vote_id": str(vote_id), "choice": ["A", "B"]}):
        answer = client.post(f"/i/{token_of(meeting, keys[2])}/ballot", data=form, headers=EN)
        assert answer.status_code in (400, 409), form
        assert 'data-testid="ballot-error"' in answer.get_data(as_text=True)
    assert participation(vote_id) == before
    # A wrong or reissued link opens nothing.
    assert client.post("/i/" + "A" * 22 + "/ballot", data={"vote_id": str(vote_id),
                                                           "choice": ["A"]}).status_code == 404
    assert client.post(f"/i/{old}/ballot", data={"vote_id": str(vote_id), "choice": ["A"]}
                       ).status_code == 404
    assert keys[3] not in participation(vote_id)


def test_a_changed_choice_gets_a_new_receipt_and_the_old_one_says_it_was_replaced(client, meeting):
    key = list(owners(meeting))[5]
    vote_id = decision(meeting, allow_change=True)
    continue_written(meeting, vote_id)
    first = receipt_in(vote_by_link(client, meeting, key, vote_id, "A").get_data(as_text=True))
    second_page = vote_by_link(client, meeting, key, vote_id, "C").get_data(as_text=True)
    second = receipt_in(second_page)
    assert first != second
    old = client.get("/receipt", query_string={"code": first}, headers=ZH).get_data(as_text=True)
    assert 'data-state="replaced"' in old and "data-testid=\"receipt-choices\"" not in old
    new = client.get("/receipt", query_string={"code": second}, headers=ZH).get_data(as_text=True)
    assert 'data-state="recorded"' in new and "C" in new
    assert db.session.execute(db.select(db.func.count()).select_from(BallotReceipt)).scalar() == 2


def test_a_receipt_code_that_is_wrong_malformed_or_huge_finds_nothing(client, meeting):
    for code in ("", "ABCD-EFGH-IJKL-MNOP", "0000-0000-0000-0000", "x" * 100_000, "é" * 16,
                 "ABCD EFGH IJKL MNO"):
        answer = client.get("/receipt", query_string={"code": code}, headers=EN)
        assert answer.status_code == 404, code
        assert "No ballot has this receipt code" in answer.get_data(as_text=True)


def test_the_progress_page_shows_participation_by_building_to_its_link_only(client, meeting):
    keys = list(owners(meeting))
    vote_id = decision(meeting)
    record_paper(meeting, vote_id, keys[0], "A")
    continue_written(meeting, vote_id)
    vote = db.session.get(Vote, vote_id)
    with client.application.test_request_context():
        key = written_ballot.progress_key(vote)
    assert client.get(f"/votes/{vote_id}/progress").status_code == 404
    assert client.get(f"/votes/{vote_id}/progress", query_string={"k": key[:-1] + "x"}).status_code == 404
    assert client.get(f"/votes/{2 ** 63}/progress", query_string={"k": key}).status_code == 404
    page = client.get(f"/votes/{vote_id}/progress", query_string={"k": key}, headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Taken part: 1 of 38 owners" in text
    assert "Still missing 25 owners" in text
    assert "How owners chose is not shown before voting closes." in text
    vote_by_link(client, meeting, keys[1], vote_id, "B")
    after = client.get(f"/votes/{vote_id}/progress", query_string={"k": key}, headers=EN)
    assert "Taken part: 2 of 38 owners" in after.get_data(as_text=True)  # drawn again after the ballot


def test_the_owners_still_missing_are_for_the_meetings_staff_only(app, client, meeting):
    keys = list(owners(meeting))
    vote_id = decision(meeting)
    record_paper(meeting, vote_id, keys[0], "A")
    continue_written(meeting, vote_id)
    url = f"/meetings/{meeting.id}/votes/{vote_id}/missing"
    assert client.get(url).status_code == 302  # to the sign-in
    stranger = app.test_client()
    login(stranger, make_user("moderator"))
    assert stranger.get(url).status_code == 404
    login(client, meeting.moderator)
    page = client.get(url, headers=ZH).get_data(as_text=True)
    voted_unit = db.session.execute(db.select(RosterUnit.unit).filter_by(
        version_id=rosters.meeting_version_id(meeting), owner_key=keys[0])).scalars().first()
    missing_unit = db.session.execute(db.select(RosterUnit.unit).filter_by(
        version_id=rosters.meeting_version_id(meeting), owner_key=keys[1])).scalars().first()
    assert missing_unit in page and f"<td>{voted_unit}</td>" not in page


def test_the_chair_continues_and_extends_from_the_meetings_page_after_it_ended(client, meeting):
    vote_id = decision(meeting)
    run(meeting, chair_of(meeting), "meeting.end", {})
    login(client, meeting.moderator)
    case_page = client.get(f"/cases/{meeting.case_id}", headers=ZH).get_data(as_text=True)
    assert f'data-testid="written-{vote_id}"' in case_page  # from the case page, afterwards
    url = f"/meetings/{meeting.id}/votes/{vote_id}/written"
    assert "written-continue" in client.get(url, headers=ZH).get_data(as_text=True)
    deadline = local_iso(clock.utcnow() + timedelta(days=10))
    answer = client.post(url, data={"action": "continue", "deadline": deadline}, headers=ZH,
                         follow_redirects=True)
    assert "表决已转为书面征求意见。" in answer.get_data(as_text=True)
    answer = client.post(url, data={"action": "extend", "deadline": deadline, "reason": "x"},
                         headers=ZH, follow_redirects=True)
    assert "截止时间应晚于" in answer.get_data(as_text=True)  # not later: refused, said so
    db.session.expire_all()
    assert local_iso(db.session.get(Vote, vote_id).deadline_at) == deadline


def test_a_lost_letter_is_reissued_after_the_meeting_only_while_a_vote_continues_in_writing(
        client, meeting):
    keys = list(owners(meeting))
    vote_id = decision(meeting)
    run(meeting, chair_of(meeting), "meeting.end", {})
    # Ended, nothing continues in writing: no more invitations.
    assert fail(meeting, chair_of(meeting), "invitation.reissue", {"owner_key": keys[0]}) \
        == "meeting.is_ended"
    continue_written(meeting, vote_id)
    old = token_of(meeting, keys[0])
    run(meeting, chair_of(meeting), "invitation.reissue", {"owner_key": keys[0]})
    assert client.post(f"/i/{old}/ballot", data={"vote_id": str(vote_id), "choice": ["A"]}
                       ).status_code == 404
    assert vote_by_link(client, meeting, keys[0], vote_id, "A").status_code == 200
    login(client, meeting.moderator)
    page = client.get(f"/meetings/{meeting.id}/invitations", headers=ZH).get_data(as_text=True)
    assert 'name="owner_key"' in page  # the reissue buttons are back while the vote continues


def test_a_deadline_days_ahead_leaves_no_thread_waiting_for_it(app, meeting):
    """Reading a written ballot's tallies arms no countdown (a thread asleep for a week would
    also keep a process from ending): the sweep closes it."""
    from facilitator.live.tallies import coalescer
    vote_id = decision(meeting)
    continue_written(meeting, vote_id)
    coalescer.full_tallies(meeting.id, fresh=True)
    deadline_ms = clock.to_epoch_ms(db.session.get(Vote, vote_id).deadline_at)
    assert (meeting.id, vote_id, deadline_ms) not in coalescer._countdowns
