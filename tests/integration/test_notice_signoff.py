"""The result notice signed on phones like the minutes (docs/protocol.md §14, "Signing"):
after the meeting the chair sends the issued notice from its page to the phones of the
meeting; each asked phone reads it (its hash shown), types a name, may draw a signature and
signs, or refuses with a reason; the notice's PDF and its page list every answer. Who may
sign, and what is refused, each with nothing changed."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document as open_docx

from facilitator.actions import Actor, execute
from facilitator.actions.result_notice import notice_of
from facilitator.exports import labels as L
from facilitator.extensions import db
from facilitator.models import DocumentSignoff, Meeting, SignatureRequest, Vote
from tests.factories import (chair_of, command, connect, join_from_phone, make_meeting,
                             received_batches, run)
from tests.integration.test_minutes_signoff import REFUSAL, REPRESENTATIVES, _png
# The result notice's fixtures (meeting, closed, staff) and helpers.
from tests.integration.test_result_notice import (ZH, closed, issue, meeting,  # noqa: F401
                                                  pdf_text, staff, url)


@pytest.fixture
def notice(app, meeting, closed, staff):  # noqa: F811
    """The closed decision's notice, issued after the meeting ended: the three
    representatives' phones (client, participant id) by name."""
    phones = {name: join_from_phone(app, meeting, name=name, party=party)
              for name, party in REPRESENTATIVES}
    run(meeting, chair_of(meeting), "meeting.end", {})
    assert issue(staff, meeting, closed).status_code == 302
    db.session.expire_all()
    return phones


def _sign(app, meeting, phone_client, payload: dict) -> dict:  # noqa: F811
    sock = connect(app, meeting, "phone", http_client=phone_client)
    try:
        return command(sock, "notice.sign_on_phone", payload)
    finally:
        sock.disconnect(namespace="/live")


def _state(meeting_id: int) -> tuple:
    """What a refused command must leave as it was: the log, the sign-offs, the requests."""
    db.session.rollback()
    return (db.session.get(Meeting, meeting_id).last_seq,
            db.session.execute(db.select(db.func.count(DocumentSignoff.id))).scalar(),
            db.session.execute(db.select(db.func.count(SignatureRequest.id))).scalar())


def _card(phone_client, meeting) -> dict:  # noqa: F811
    answer = phone_client.get(f"/meetings/{meeting.id}/minutes/signing.json")
    assert answer.status_code == 200
    return answer.json


def test_three_phones_sign_the_notice_one_refuses_and_its_pdf_lists_them(
        app, meeting, closed, staff, notice):  # noqa: F811
    phones = notice
    page = staff.get(url(meeting, closed), headers=ZH).get_data(as_text=True)
    content_hash = re.search(r'data-testid="notice-hash">([0-9a-f]{64})<', page).group(1)
    assert 'data-testid="notice-sign-request"' in page
    assert _card(phones["李振宇"][0], meeting)["notices"] == []  # not sent yet
    projector = connect(app, meeting, "projector", token=meeting.projector_token)

    sent = staff.post(url(meeting, closed, "notice/signatures"), data={"everyone": "1"},
                      headers=ZH)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    card = _card(phones["李振宇"][0], meeting)
    assert not card["asked"]  # the minutes were not sent; the notice was
    [asked] = card["notices"]
    assert asked["content_hash"] == content_hash and asked["signoff"] is None
    read = phones["李振宇"][0].get(asked["read_url"])
    assert read.status_code == 200 and read.headers["X-Content-Hash"] == f"sha256:{content_hash}"
    assert "script-src" not in read.headers["Content-Security-Policy"]
    assert "default-src 'none'" in read.headers["Content-Security-Policy"]
    assert content_hash in read.get_data(as_text=True)
    assert phones["李振宇"][0].get(asked["pdf_url"]).data.startswith(b"%PDF")

    answers = {"李振宇": {"decision": "signed", "drawing": _png()},
               "周明": {"decision": "signed"},
               "高峰": {"decision": "refused", "note": REFUSAL}}
    for name, answer in answers.items():
        ack = _sign(app, meeting, phones[name][0],
                    {"notice_id": asked["notice_id"], "name": name, **answer})
        assert ack["ok"], ack
    own = _card(phones["高峰"][0], meeting)["notices"][0]["signoff"]
    assert (own["decision"], own["note"], own["method"]) == ("refused", REFUSAL, "phone")

    text = re.sub(r"\s+", "", pdf_text(staff.get(url(meeting, closed, "notice.pdf")).data))
    rows = text.split("公示发布后内容不再改变。")[1]
    for name, party in REPRESENTATIVES:
        assert name in rows and L.party(party, "zh") in rows, (name, rows)
    # The reason wraps in its cell (and the time column comes between its lines).
    assert "拒绝签字：对209,400元" in rows and "有保留意见" in rows
    assert rows.count("本人手机签字") >= 3
    word = open_docx(io.BytesIO(staff.get(url(meeting, closed, "notice.docx")).data))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    for name, _party in REPRESENTATIVES:
        assert name in cells
    assert cells.count("本人手机签字") == 3 and any(REFUSAL in cell for cell in cells)
    assert len(word.inline_shapes) == 1  # 李振宇's drawn signature
    english = re.sub(r"\s+", " ", pdf_text(staff.get(url(meeting, closed, "notice.pdf")
                                                      + "?lang=en").data))
    assert "On their own phone" in english and "Refused" in english

    page = staff.get(url(meeting, closed), headers=ZH).get_data(as_text=True)
    assert [a for a in re.findall(r'data-answer="(\w+)"', page)] == [
        "signed", "signed", "refused"]
    # The projector learns that phones were asked, never who signed.
    screen = [e["type"] for b in received_batches(projector) for e in b["events"]]
    assert "notice.signatures_requested" in screen and "notice.signed" not in screen
    projector.disconnect(namespace="/live")


def test_who_may_sign_the_notice_and_what_is_refused_with_nothing_changed(
        app, meeting, closed, staff):  # noqa: F811
    chair = chair_of(meeting)
    other = make_meeting(direct_entry=True)
    stranger, stranger_id = join_from_phone(app, other, name="外人", party="owner", unit="1-101")
    asked_client, asked_id = join_from_phone(app, meeting, name="周明", party="property_company")
    late_client, _ = join_from_phone(app, meeting, name="高峰", party="developer")
    removed_client, removed_id = join_from_phone(app, meeting, name="李振宇",
                                                 party="owners_committee")
    run(meeting, chair, "participant.remove", {"id": removed_id})
    run(meeting, chair, "meeting.end", {})
    assert issue(staff, meeting, closed).status_code == 302
    db.session.expire_all()
    vote_id = closed.id
    notice_id = notice_of(db.session.get(Vote, vote_id)).id
    outcome = execute(meeting.id, chair, "notice.request_signatures",
                      {"notice_id": notice_id, "participant_ids": [removed_id]})
    assert outcome.error.code == "notice.no_phone_to_sign" and "李振宇" in outcome.error.params["name"]
    outcome = execute(meeting.id, chair, "notice.request_signatures",
                      {"notice_id": notice_id, "participant_ids": [stranger_id]})
    assert outcome.error.code == "participant.not_found"
    run(meeting, chair, "notice.request_signatures",
        {"notice_id": notice_id, "participant_ids": [asked_id]})
    good = {"notice_id": notice_id, "name": "周明", "decision": "signed"}

    before = _state(meeting.id)
    # A phone of another meeting.
    outcome = execute(meeting.id, Actor(role="phone", participant_id=stranger_id),
                      "notice.sign_on_phone", good)
    assert outcome.error.code == "auth.not_joined"
    assert stranger.get(f"/meetings/{meeting.id}/votes/{vote_id}/notice.html").status_code == 302
    # The removed participant.
    outcome = execute(meeting.id, Actor(role="phone", participant_id=removed_id),
                      "notice.sign_on_phone", {**good, "name": "李振宇"})
    assert outcome.error.code == "auth.participant_removed"
    assert removed_client.get(f"/meetings/{meeting.id}/minutes/signing.json").status_code == 403
    assert removed_client.get(f"/meetings/{meeting.id}/votes/{vote_id}/notice.html"
                              ).status_code == 403
    # Present but not asked.
    ack = _sign(app, meeting, late_client, {**good, "name": "高峰"})
    assert ack["error"]["code"] == "notice.not_asked" and ack["error"]["message"]
    assert _card(late_client, meeting)["notices"] == []
    # The projector and a visitor may not sign; the chair's command is not a phone's.
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    assert command(projector, "notice.sign_on_phone", good)["error"]["code"] == "auth.forbidden"
    projector.disconnect(namespace="/live")
    for actor in (Actor(role="visitor"), chair):
        assert execute(meeting.id, actor, "notice.sign_on_phone", good).error.code == \
            "auth.forbidden"
    # Bad input from the phone that was asked.
    for payload, code in (
            ({**good, "notice_id": 2**63}, "validation.range"),
            ({**good, "notice_id": 2**31 - 1}, "notice.not_found"),
            ({**good, "name": "周" * 10_000}, "validation.too_long"),
            ({**good, "decision": "maybe"}, "validation.choice"),
            ({**good, "decision": "refused"}, "notice.refusal_needs_note"),
            ({**good, "drawing": _png(fmt="JPEG")}, "minutes.bad_drawing")):
        ack = _sign(app, meeting, asked_client, payload)
        assert not ack["ok"] and ack["error"]["code"] == code, (payload.keys(), ack)
        assert ack["error"]["message"]
    for payload, code in (
            ({"notice_id": notice_id, "participant_ids": [2**63]}, "validation.range"),
            ({"notice_id": 2**63}, "validation.range"),
            ({"notice_id": notice_id, "participant_ids": []}, "notice.nobody_to_ask")):
        assert execute(meeting.id, chair, "notice.request_signatures", payload).error.code == code
    refused = staff.post(url(meeting, closed, "notice/signatures"),
                         data={"participant_ids": ["abc"]}, headers=ZH)
    assert refused.status_code == 400 and 'data-testid="notice-error"' in refused.get_data(
        as_text=True)
    assert _state(meeting.id) == before
    # Signed once; a second answer is refused and changes nothing.
    assert _sign(app, meeting, asked_client, good)["ok"]
    before = _state(meeting.id)
    ack = _sign(app, meeting, asked_client, {**good, "decision": "refused", "note": "改主意"})
    assert ack["error"]["code"] == "notice.already_signed"
    assert _state(meeting.id) == before
    assert execute(meeting.id, chair, "notice.request_signatures",
                   {"notice_id": notice_id, "participant_ids": [asked_id]}).error.code == \
        "command.no_change"
