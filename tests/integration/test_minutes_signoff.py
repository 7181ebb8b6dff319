"""Sign-off on phones (docs/protocol.md §14, "Signing"): the chair sends the final minutes to
the phones of the meeting, each asked phone reads the version, types a name, may draw a
signature and signs, or refuses with a reason; the chair records only the sign-offs of people
without a phone; the documents list every sign-off with how it was made. Who may sign, and
what is refused, each with nothing changed."""
from __future__ import annotations

import base64
import io

import pytest
from docx import Document as open_docx
from PIL import Image, ImageDraw

from facilitator.actions import Actor, execute
from facilitator.clock import local
from facilitator.exports import labels as L
from facilitator.extensions import db
from facilitator.models import Meeting, DocumentSignoff, SignatureRequest
from facilitator.minutes.versions import version_number
from tests.factories import (chair_of, command, connect, join_from_phone, make_meeting, make_user,
                             received_batches, run, sign_in_as)
from tests.unit.test_minutes_renderers import extract_pdf_text, squash

REPRESENTATIVES = (("李振宇", "owners_committee"), ("周明", "property_company"),
                   ("高峰", "developer"))
REFUSAL = "对209,400元以外的费用有保留意见"


def _png(width: int = 300, height: int = 120, fmt: str = "PNG") -> str:
    """A signature drawn on a canvas, as the phone sends it (a data: URL)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, height - 20), (width // 2, 15), (width - 10, height - 30)],
                               fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.convert("RGB" if fmt == "JPEG" else "RGBA").save(out, format=fmt)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


@pytest.fixture
def signing(ctx, app):
    """A meeting held with three representatives on their phones and one at the table
    without a phone (何军, added by the chair), ended, its minutes final (version 1)."""
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, direct_entry=True)
    phones = {name: join_from_phone(app, meeting, name=name, party=party)
              for name, party in REPRESENTATIVES}
    chair = chair_of(meeting)
    table = run(meeting, chair, "participant.add", {"name": "何军", "party": "street_office"})
    run(meeting, chair, "meeting.end", {})
    run(meeting, chair, "minutes.finalise", {})
    console = app.test_client()
    sign_in_as(console, moderator)
    return meeting, phones, table["participant_id"], console


def _sign(app, meeting, phone_client, payload: dict) -> dict:
    sock = connect(app, meeting, "phone", http_client=phone_client)
    try:
        return command(sock, "minutes.sign_on_phone", payload)
    finally:
        sock.disconnect(namespace="/live")


def _state(meeting_id: int) -> tuple:
    """What a refused command must leave as it was: the log, the sign-offs, the requests."""
    db.session.rollback()
    return (db.session.get(Meeting, meeting_id).last_seq,
            db.session.execute(db.select(db.func.count(DocumentSignoff.id))).scalar(),
            db.session.execute(db.select(db.func.count(SignatureRequest.id))).scalar())


def test_three_phones_sign_one_refuses_and_the_documents_list_how_each_signed(signing, app):
    meeting, phones, table_id, console = signing
    chair = chair_of(meeting)
    # Not asked yet: the phone's card has nothing to sign.
    assert phones["李振宇"][0].get(f"/meetings/{meeting.id}/minutes/signing.json").json[
        "asked"] is False
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    desk = connect(app, meeting, "console", http_client=console)
    assert run(meeting, chair, "minutes.request_signatures", {}) == {"version": 1, "asked": 3}
    card = phones["李振宇"][0].get(f"/meetings/{meeting.id}/minutes/signing.json").json
    assert card["asked"] and card["version"] == 1 and card["signoff"] is None
    read = phones["李振宇"][0].get(card["read_url"])
    assert read.status_code == 200 and read.headers["X-Minutes-Version"] == "1"

    answers = {"李振宇": {"decision": "signed", "drawing": _png()},
               "周明": {"decision": "signed"},
               "高峰": {"decision": "refused", "note": REFUSAL}}
    for name, answer in answers.items():
        ack = _sign(app, meeting, phones[name][0], {"version": 1, "name": name, **answer})
        assert ack["ok"], ack
    run(meeting, chair, "minutes.record_signoff", {"name": "何军", "party": "street_office",
                                                   "decision": "signed",
                                                   "participant_id": table_id})

    signoffs = version_number(meeting.id, 1).signoffs
    assert [(s.name, s.party, s.decision, s.method, s.drawing is not None) for s in signoffs] == [
        ("李振宇", "owners_committee", "signed", "phone", True),
        ("周明", "property_company", "signed", "phone", False),
        ("高峰", "developer", "refused", "phone", False),
        ("何军", "street_office", "signed", "chair", False)]
    assert [s.participant_id for s in signoffs[:3]] == [phones[n][1] for n in answers]
    # The stored drawing is the app's own small greyscale PNG, not the bytes sent.
    with Image.open(io.BytesIO(signoffs[0].drawing)) as image:
        assert (image.format, image.mode) == ("PNG", "L") and image.size[0] <= 600

    # The PDF (read back with pdftotext) lists every sign-off: name, party, time, how.
    pdf = console.get(f"/meetings/{meeting.id}/minutes.pdf")
    text = squash(extract_pdf_text(pdf.data))
    assert "签字确认记录" in text
    for s in signoffs:
        for part in (s.name, L.party(s.party, "zh"), squash(L.fmt_datetime(local(s.at), "zh"))):
            assert part in text, part
    rows = text.split("纪要更正后须重新签字。")[1]  # after the record's explanation
    assert rows.count("本人手机签字") == 3 and rows.count("主持方代为登记") == 1
    assert squash(f"拒绝签字：{REFUSAL}") in text
    assert "李振宇（业主委员会）的手写签名" in text and b"/Subtype /Image" in pdf.data
    # The other formats too; the drawing is an image in the DOCX and the HTML.
    docx = open_docx(io.BytesIO(console.get(f"/meetings/{meeting.id}/minutes.docx").data))
    assert len(docx.inline_shapes) == 1
    html = console.get(f"/meetings/{meeting.id}/minutes.html").get_data(as_text=True)
    assert html.count('<img src="data:image/png;base64,') == 1 and "主持方代为登记" in html
    markdown = console.get(f"/meetings/{meeting.id}/minutes.md").get_data(as_text=True)
    assert "本人手机签字" in markdown and "高峰" in markdown
    files = console.get(f"/meetings/{meeting.id}/minutes.json").json
    assert [(s["name"], s["method"], s["drawn"]) for s in files["signoffs"]][0] == (
        "李振宇", "phone", True)

    # The console sees who was asked and who answered, live.
    panel = console.get(f"/meetings/{meeting.id}/minutes/draft.json").json["versions"][0]
    assert [(r["name"], r["answer"]) for r in panel["requests"]] == [
        ("李振宇", "signed"), ("周明", "signed"), ("高峰", "refused")]
    console_events = [e["type"] for b in received_batches(desk) for e in b["events"]]
    assert console_events.count("minutes.signed") == 4
    # The projector (like any phone) heard that signatures were asked, not who signed.
    screen_events = [e["type"] for b in received_batches(projector) for e in b["events"]]
    assert "minutes.signatures_requested" in screen_events
    assert "minutes.signed" not in screen_events
    # A phone's card shows its own answer and no one else's.
    own = phones["高峰"][0].get(f"/meetings/{meeting.id}/minutes/signing.json").json
    assert own["signoff"]["decision"] == "refused" and own["signoff"]["note"] == REFUSAL
    assert "李振宇" not in str(own) and "周明" not in str(own)
    for sock in (projector, desk):
        sock.disconnect(namespace="/live")


def test_the_chair_cannot_sign_for_a_phone_nor_change_what_a_phone_signed(signing, app):
    meeting, phones, table_id, _ = signing
    chair = chair_of(meeting)
    run(meeting, chair, "minutes.request_signatures", {"parties": ["property_company"]})
    assert _sign(app, meeting, phones["周明"][0], {"version": 1, "name": "周明",
                                                   "decision": "signed"})["ok"]
    before = _state(meeting.id)
    for payload, code in (
            ({"participant_id": phones["李振宇"][1], "name": "李振宇"}, "minutes.signs_on_phone"),
            ({"name": "周明"}, "minutes.signed_on_phone")):
        outcome = execute(meeting.id, chair, "minutes.record_signoff",
                          {"party": "owners_committee", "decision": "refused", **payload})
        assert not outcome.ok and outcome.error.code == code
        assert payload["name"] in outcome.error.params["name"]
    assert _state(meeting.id) == before
    assert [(s.name, s.decision) for s in version_number(meeting.id, 1).signoffs] == [
        ("周明", "signed")]


def test_a_correction_needs_new_signatures_and_the_old_ones_stay_with_the_old_version(signing, app):
    meeting, phones, _, console = signing
    chair = chair_of(meeting)
    run(meeting, chair, "minutes.request_signatures", {})
    assert _sign(app, meeting, phones["李振宇"][0], {"version": 1, "name": "李振宇",
                                                     "decision": "signed"})["ok"]
    run(meeting, chair, "minutes.write", {"section": "summary", "text": "各方同意先疏通排水口。"})
    assert run(meeting, chair, "minutes.correct", {"note": "补充归纳共识"})["version"] == 2
    # Version 1 can no longer be signed, nor sent again; version 2 was sent to nobody yet.
    before = _state(meeting.id)
    ack = _sign(app, meeting, phones["周明"][0], {"version": 1, "name": "周明",
                                                  "decision": "signed"})
    assert ack["error"]["code"] == "minutes.version_superseded"
    assert "2" in ack["error"]["message"]
    ack = _sign(app, meeting, phones["周明"][0], {"version": 2, "name": "周明",
                                                  "decision": "signed"})
    assert ack["error"]["code"] == "minutes.not_asked"
    outcome = execute(meeting.id, chair, "minutes.request_signatures", {"version": 1})
    assert outcome.error.code == "minutes.version_superseded"
    assert _state(meeting.id) == before
    card = phones["周明"][0].get(f"/meetings/{meeting.id}/minutes/signing.json").json
    assert card["asked"] is False and card["superseded"] is True
    # Asked again, for version 2: signed there; version 1 keeps its own signature.
    run(meeting, chair, "minutes.request_signatures", {"version": 2})
    assert _sign(app, meeting, phones["周明"][0], {"version": 2, "name": "周明",
                                                   "decision": "signed"})["ok"]
    assert [s.name for s in version_number(meeting.id, 1).signoffs] == ["李振宇"]
    assert [s.name for s in version_number(meeting.id, 2).signoffs] == ["周明"]
    first = squash(extract_pdf_text(console.get(f"/meetings/{meeting.id}/minutes.pdf?version=1").data))
    second = squash(extract_pdf_text(console.get(f"/meetings/{meeting.id}/minutes.pdf").data))
    first_rows = first.split("纪要更正后须重新签字。")[1].split("附录")[0]
    second_rows = second.split("纪要更正后须重新签字。")[1].split("附录")[0]
    assert "李振宇" in first_rows and "周明" not in first_rows
    assert "周明" in second_rows and "李振宇" not in second_rows


def test_who_may_sign_and_what_is_refused_with_nothing_changed(ctx, app):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, direct_entry=True)
    other = make_meeting(direct_entry=True)
    stranger, stranger_id = join_from_phone(app, other, name="外人", party="owner", unit="1-101")
    phone, phone_id = join_from_phone(app, meeting, name="周明", party="property_company")
    removed, removed_id = join_from_phone(app, meeting, name="王五", party="owner", unit="1-102")
    late, late_id = join_from_phone(app, meeting, name="赵六", party="owner", unit="1-103")
    chair = chair_of(meeting)
    run(meeting, chair, "participant.remove", {"id": removed_id})
    for m in (meeting, other):
        run(m, chair_of(m), "meeting.end", {})
        run(m, chair_of(m), "minutes.finalise", {})
    # The removed participant cannot be asked; the others are asked by name.
    outcome = execute(meeting.id, chair, "minutes.request_signatures",
                      {"participant_ids": [removed_id]})
    assert outcome.error.code == "minutes.no_phone_to_sign" and "王五" in outcome.error.params["name"]
    outcome = execute(meeting.id, chair, "minutes.request_signatures",
                      {"participant_ids": [stranger_id]})
    assert outcome.error.code == "participant.not_found"
    run(meeting, chair, "minutes.request_signatures", {"participant_ids": [phone_id]})
    good = {"version": 1, "name": "周明", "decision": "signed"}

    before = _state(meeting.id)
    # A phone of another meeting: its token is not this meeting's.
    sock = connect(app, meeting, "phone", http_client=app.test_client(),
                   token=stranger.get_cookie(f"phone-{other.id}").value)
    assert not sock.is_connected("/live")
    outcome = execute(meeting.id, Actor(role="phone", participant_id=stranger_id),
                      "minutes.sign_on_phone", good)
    assert outcome.error.code == "auth.not_joined"
    # The removed participant: refused at the socket and by the command.
    sock = connect(app, meeting, "phone", http_client=removed)
    assert not sock.is_connected("/live")
    outcome = execute(meeting.id, Actor(role="phone", participant_id=removed_id),
                      "minutes.sign_on_phone", {**good, "name": "王五"})
    assert outcome.error.code == "auth.participant_removed"
    assert removed.get(f"/meetings/{meeting.id}/minutes/signing.json").status_code == 403
    # A participant present but not asked.
    ack = _sign(app, meeting, late, {**good, "name": "赵六"})
    assert ack["error"]["code"] == "minutes.not_asked" and "1" in ack["error"]["message"]
    # The projector and a visitor may not sign at all.
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    assert command(projector, "minutes.sign_on_phone", good)["error"]["code"] == "auth.forbidden"
    projector.disconnect(namespace="/live")
    outcome = execute(meeting.id, Actor(role="visitor"), "minutes.sign_on_phone", good)
    assert outcome.error.code == "auth.forbidden"
    # Bad input from the phone that was asked.
    jpeg = _png(fmt="JPEG")
    for payload, code in (
            ({**good, "version": 2**63}, "validation.range"),
            ({**good, "version": 7}, "minutes.version_not_found"),
            ({**good, "name": "周" * 10_000}, "validation.too_long"),
            ({**good, "name": "周\x07明"}, "validation.control_chars"),
            ({**good, "name": "  "}, "validation.required"),
            ({**good, "decision": "maybe"}, "validation.choice"),
            ({**good, "decision": "refused"}, "minutes.refusal_needs_note"),
            ({**good, "note": "\x00"}, "validation.control_chars"),
            ({**good, "drawing": jpeg}, "minutes.bad_drawing"),
            ({**good, "drawing": "data:image/png;base64,bm90IGEgcG5n"}, "minutes.bad_drawing"),
            ({**good, "drawing": "%%%"}, "minutes.bad_drawing"),
            ({**good, "drawing": _png(2000, 20)}, "minutes.bad_drawing"),
            ({**good, "drawing": "A" * 60_000}, "validation.too_long")):
        ack = _sign(app, meeting, phone, payload)
        assert not ack["ok"] and ack["error"]["code"] == code, (payload.keys(), ack)
        assert ack["error"]["message"]
    outcome = execute(meeting.id, chair, "minutes.request_signatures", {"participant_ids": [2**63]})
    assert outcome.error.code == "validation.range"
    outcome = execute(meeting.id, chair, "minutes.request_signatures", {"participant_ids": []})
    assert outcome.error.code == "minutes.nobody_to_ask"
    assert _state(meeting.id) == before
    # Signed once; a second answer is refused and changes nothing.
    assert _sign(app, meeting, phone, good)["ok"]
    before = _state(meeting.id)
    ack = _sign(app, meeting, phone, {**good, "decision": "refused", "note": "改主意"})
    assert ack["error"]["code"] == "minutes.already_signed"
    assert _state(meeting.id) == before
    assert execute(meeting.id, chair, "minutes.request_signatures",
                   {"participant_ids": [phone_id]}).error.code == "command.no_change"
