"""The whole written-ballot story of issue 15, on injected clocks: 20 of the 38 owners take
part in the meeting (the gate is missed), the decision continues for 7 days, the minutes are
signed on three phones, 8 owners vote by personal link and 4 on paper (entered by serial),
no server runs at the deadline and the next one to start closes the vote, the result and
its public notice carry the exact numbers, and the notice too is signed on the three phones."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import timedelta

import time_machine

from facilitator import clock
from facilitator.actions.ballot_papers import papers_of
from facilitator.domain.voting import format_area, percent
from facilitator.extensions import db
from facilitator.minutes.versions import version_number
from facilitator.models import Vote

from tests.factories import chair_of, command, connect, join_from_phone, login, run
from tests.integration.test_result_notice import pdf_text
from tests.integration.test_written_ballot import (ZH, continue_written, decision, owners,
                                                   receipt_in, record_paper, vote_by_link)
from tests.support import REPO_ROOT, free_port

SIGNERS = (("李振宇", "owners_committee"), ("周明", "property_company"), ("何军", "street_office"))


def restart_after(app, tmp_path, moment, until) -> None:
    """A server process started at `moment` (no process ran before): wait until `until()`."""
    from tests import frozen_time
    with time_machine.travel(moment, tick=True):
        env = frozen_time.subprocess_env()
    env.update(DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
               SECRET_KEY=app.config["SECRET_KEY"], FACILITATOR_INSTANCE=str(tmp_path))
    env.pop("REDIS_URL", None)
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.frozen_time", "serve", "--host", "127.0.0.1",
             "--port", str(free_port()), "--async-mode", "eventlet"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            give_up = time.monotonic() + 60
            while not until() and time.monotonic() < give_up:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_a_decision_short_of_the_gate_is_won_in_writing_over_seven_days(app, client, ctx, tmp_path):
    from tests.factories import make_meeting
    from tests.integration.test_votes import add_plans
    meeting = make_meeting(with_roster=True, direct_entry=True)
    add_plans(meeting)
    chair = chair_of(meeting)
    run(meeting, chair, "invitations.issue", {})
    phones = {name: join_from_phone(app, meeting, name=name, party=party)[0]
              for name, party in SIGNERS}
    areas = owners(meeting)
    keys = list(areas)
    in_meeting, by_link, on_paper = keys[:20], keys[20:28], keys[28:32]
    choice = {key: "ABC"[n % 3] for n, key in enumerate(keys)}

    # The meeting: 20 owners vote at the desk; two-thirds (26 owners) is not reached.
    vote_id = decision(meeting)
    for key in in_meeting:
        record_paper(meeting, vote_id, key, choice[key])
    deadline = continue_written(meeting, vote_id, days=7)
    run(meeting, chair, "meeting.end", {})

    # The minutes, final, signed on the three representatives' phones.
    run(meeting, chair, "minutes.finalise", {})
    assert run(meeting, chair, "minutes.request_signatures", {})["asked"] == 3
    for name, _party in SIGNERS:
        sock = connect(app, meeting, "phone", http_client=phones[name])
        try:
            ack = command(sock, "minutes.sign_on_phone", {"version": 1, "name": name,
                                                          "decision": "signed"})
            assert ack["ok"], ack
        finally:
            sock.disconnect(namespace="/live")
    assert [s.name for s in version_number(meeting.id, 1).signoffs] == [n for n, _ in SIGNERS]

    # Over the next days: papers printed, 8 owners vote by link, 4 papers come back.
    run(meeting, chair, "ballot.issue_papers", {"vote_id": vote_id})
    serial = {paper.owner_key: paper.serial for paper in papers_of(db.session.get(Vote, vote_id))}
    receipts = []
    for day, key in enumerate(by_link):
        with time_machine.travel(clock.local(clock.utcnow()) + timedelta(days=day % 6, hours=1),
                                 tick=True):
            page = vote_by_link(client, meeting, key, vote_id, choice[key])
            assert page.status_code == 200, page.get_data(as_text=True)
            receipts.append(receipt_in(page.get_data(as_text=True)))
    for key in on_paper:
        run(meeting, chair, "ballot.record_paper", {"vote_id": vote_id, "serial": serial[key],
                                                    "choices": [choice[key]]})

    # Nobody's server runs at the deadline; the next one to start closes the vote.
    def closed() -> bool:
        db.session.rollback()
        return db.session.get(Vote, vote_id).status == "closed"
    restart_after(app, tmp_path, clock.local(deadline) + timedelta(hours=2), closed)
    assert closed(), (tmp_path / "server.log").read_text()

    vote = db.session.get(Vote, vote_id)
    voted = in_meeting + by_link + on_paper
    tally = vote.result["tally"]
    assert tally["participation"] == {"owners": 32, "area": sum(areas[k] for k in voted)}
    for option in "ABC":
        chose = [k for k in voted if choice[k] == option]
        assert tally["counts"][option] == {"owners": len(chose),
                                           "area": sum(areas[k] for k in chose)}
    scope_area = sum(areas.values())
    assert vote.result["scope"] == {"owners": 38, "area": scope_area}
    assert vote.result["gate"]["met"] is (3 * 32 >= 2 * 38
                                          and 3 * tally["participation"]["area"] >= 2 * scope_area)
    for code in receipts:
        check = client.get("/receipt", query_string={"code": code}, headers=ZH)
        assert 'data-state="counted"' in check.get_data(as_text=True)

    # The next morning, the public notice: the same numbers.
    login(client, meeting.moderator)
    with time_machine.travel(clock.local(deadline) + timedelta(hours=15), tick=True):
        answer = client.post(f"/meetings/{meeting.id}/votes/{vote_id}/notice", headers=ZH, data={
            "posted_on": clock.today().isoformat(), "period_days": "7",
            "where_to_object": "书面异议请交至锦华社区居委会"})
        assert answer.status_code == 302, answer.get_data(as_text=True)
        text = re.sub(r"\s+", "", pdf_text(client.get(
            f"/meetings/{meeting.id}/votes/{vote_id}/notice.pdf").data))
    part = tally["participation"]
    assert f"32位业主（占{percent(32, 38, 1)}）" in text
    assert f"面积{format_area(part['area'])}m²（占{percent(part['area'], scope_area, 2)}）" in text
    for option in "ABC":
        assert format_area(tally["counts"][option]["area"]) in text

    # The same morning the notice is sent to the three phones, and each signs it there; its
    # PDF lists them under the notice.
    with time_machine.travel(clock.local(deadline) + timedelta(hours=16), tick=True):
        sent = client.post(f"/meetings/{meeting.id}/votes/{vote_id}/notice/signatures",
                           data={"everyone": "1"}, headers=ZH)
        assert sent.status_code == 302, sent.get_data(as_text=True)
        for name, _party in SIGNERS:
            [card] = phones[name].get(f"/meetings/{meeting.id}/minutes/signing.json").json[
                "notices"]
            sock = connect(app, meeting, "phone", http_client=phones[name])
            try:
                ack = command(sock, "notice.sign_on_phone", {
                    "notice_id": card["notice_id"], "name": name, "decision": "signed"})
                assert ack["ok"], ack
            finally:
                sock.disconnect(namespace="/live")
        signed = re.sub(r"\s+", "", pdf_text(client.get(
            f"/meetings/{meeting.id}/votes/{vote_id}/notice.pdf").data))
    rows = signed.split("公示发布后内容不再改变。")[1]
    assert [name for name, _ in SIGNERS if name in rows] == [name for name, _ in SIGNERS]
    assert rows.count("本人手机签字") == len(SIGNERS)
