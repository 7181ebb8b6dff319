"""The test that keeps live sync honest (docs/architecture.md §3): for every event type and every
role, applying the events to an old snapshot equals a fresh snapshot read from the rows, and
so does the snapshot the server folds from the event log."""
from __future__ import annotations

import base64
from datetime import timedelta

from facilitator import clock
from facilitator.actions import Actor, execute, registry
from facilitator.actions import core
from facilitator.domain.live_state import apply_batch, apply_events
from facilitator.extensions import db
from facilitator.live.redaction import CLIENT_ROLES, redact_event, redact_snapshot
from facilitator.live import snapshot
from facilitator.live.snapshot import catch_up, snapshot_for
from facilitator.models import Meeting

from tests.factories import chair_of, make_meeting, make_user, run
from tests.snapshot_from_rows import snapshot_from_rows

ROLES = CLIENT_ROLES + ("api",)
# A scan of a signed paper: the smallest PNG there is (its first bytes are what is checked).
PNG_SCAN = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(64)).decode()


def _scenario(meeting) -> list[tuple[str, Actor, dict]]:
    """Every command there is, in an order a real meeting could run them."""
    chair = chair_of(meeting)
    visitor = Actor(role="visitor")
    # Papers are entered twice by two users, and a third decides what they disagree on.
    second_clerk, decider = (Actor(role="admin", user_id=make_user("admin").id) for _ in range(2))
    soon, later = (clock.local(clock.utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
                   for days in (7, 9))
    return [
        ("agenda.add", chair, {"title": "临时议题", "minutes": 5, "segment": "questions"}),
        ("agenda.edit", chair, {"id": "<item:last>", "title": "提问", "minutes": 7}),
        ("agenda.reorder", chair, {"ids": "<items:reversed>"}),
        ("participant.add", chair, {"name": "王奶奶", "party": "owner", "unit": "3-1-102"}),
        ("meeting.configure", chair, {"allow_direct_entry": True}),
        ("meeting.configure", chair, {"allow_direct_entry": False}),
        ("meeting.case_changed", Actor(role="system"), {}),
        ("invitations.issue", chair, {}),
        ("meeting.open", chair, {}),
        ("participant.join_invited", visitor, {"invitation_id": "<invitation:P03>"}),
        ("invitation.reissue", chair, {"owner_key": "P03"}),
        ("participant.join", visitor, {"name": "张建国", "party": "owner", "unit": "3-1-101"}),
        ("participant.join", visitor, {"name": "路人", "party": "observer"}),
        ("participant.admit", chair, {"id": "<person:张建国>"}),
        ("participant.reject", chair, {"id": "<person:路人>"}),
        # The check-in desk (actions/checkin.py).
        ("checkin.verify", chair, {"id": "<person:张建国>", "note": "身份证"}),
        ("participant.join", visitor, {"name": "李明", "party": "owner", "unit": "3-1-201"}),
        ("checkin.relabel", chair, {"id": "<person:李明>", "party": "observer",
                                    "note": "业主之子"}),
        ("participant.join", visitor, {"name": "冒名者", "party": "owner", "unit": "3-1-202"}),
        ("checkin.reject", chair, {"id": "<person:冒名者>", "reason": "证件不符"}),
        ("checkin.add_owner", chair, {"unit": "3-2-101", "name": "刘奶奶", "note": "房产证"}),
        ("checkin.revoke", chair, {"id": "<person:刘奶奶>", "reason": "核验错了户"}),
        ("participant.rename", chair, {"id": "<person:张建国>", "name": "张建国（3-1-101）"}),
        ("participant.set_party", chair, {"id": "<person:王奶奶>", "party": "owners_committee"}),
        ("agenda.next", chair, {}),
        ("speakers.configure", chair, {"speech_seconds": 150}),
        ("hand.raise", "<phone:张建国（3-1-101）>", {"kind": "speech", "stance": "for"}),
        ("queue.add", chair, {"participant_id": "<person:王奶奶>", "kind": "speech",
                              "stance": "against"}),
        ("queue.add", chair, {"participant_id": "<person:王奶奶>",
                              "kind": "point_of_information"}),
        ("queue.move", chair, {"entry_id": "<entry:last>", "position": 0}),
        ("floor.give", chair, {}),
        ("speech.pause", chair, {}),
        ("speech.resume", chair, {}),
        ("speech.extend", chair, {"seconds": 30}),
        ("speech.note", chair, {"speech_id": "<speech:last>", "notes": "先修排水"}),
        ("speech.end", chair, {}),
        ("queue.remove", chair, {"entry_id": "<entry:last>"}),
        # Written questions from phones (actions/questions.py): asked, upvoted (and the
        # upvote taken back and given again), put on the speakers' list, answered; one
        # dismissed as a duplicate, one withdrawn by its asker.
        ("question.ask", "<phone:张建国（3-1-101）>", {"text": "排水口什么时候疏通？"}),
        ("question.upvote", "<phone:王奶奶>", {"question_id": "<question:last>"}),
        ("question.withdraw_upvote", "<phone:王奶奶>", {"question_id": "<question:last>"}),
        ("question.upvote", "<phone:王奶奶>", {"question_id": "<question:last>"}),
        ("question.to_queue", chair, {"question_id": "<question:last>"}),
        ("question.answer", chair, {"question_id": "<question:last>", "answer": "下周一疏通"}),
        ("question.ask", "<phone:张建国（3-1-101）>", {"text": "排水口什么时候疏通"}),
        ("question.dismiss", chair, {"question_id": "<question:last>", "reason": "duplicate"}),
        ("question.ask", "<phone:张建国（3-1-101）>", {"text": "维修期间能否照常停车？"}),
        ("question.withdraw", "<phone:张建国（3-1-101）>", {"question_id": "<question:last>"}),
        ("queue.set_open", chair, {"open": False}),
        ("hand.raise", "<phone:张建国（3-1-101）>", {"kind": "point_of_order"}),
        ("floor.give", chair, {}),
        ("point.rule", chair, {"speech_id": "<speech:last>", "ruling": "not_upheld"}),
        ("hand.raise", "<phone:张建国（3-1-101）>", {"kind": "point_of_order"}),
        ("hand.withdraw", "<phone:张建国（3-1-101）>", {"kind": "point_of_order"}),
        ("agenda.next", chair, {}),
        ("agenda.previous", chair, {}),
        ("agenda.start", chair, {"id": "<item:at_the_end>"}),
        ("agenda.remove", chair, {"id": "<item:unstarted>"}),
        # Plans, proxies and votes (actions/plans.py, actions/votes.py).
        ("plan.create", chair, {"title": "内侧注浆堵漏", "total": "387900", "duration_days": 35,
                                "funding": {"developer": "209400", "property_company": "28000",
                                            "maintenance_fund": "150500"},
                                "matters": ["use_fund"]}),
        ("plan.create", chair, {"title": "综合治理", "total": "482300",
                                "funding": {"developer": "209400", "property_company": "40000",
                                            "maintenance_fund": "232900"},
                                "matters": ["use_fund"]}),
        ("plan.edit", chair, {"id": "<plan:A>", "risks": "排水不通时可能复漏", "note": "会上补充"}),
        ("plan.propose", "<phone:张建国（3-1-101）>", {"title": "先疏通排水口", "total": "20000",
                                                     "funding": {"property_company": "20000"}}),
        ("plan.decline", chair, {"id": "<plan:proposed>", "reason": "已含在方案 B 中"}),
        ("plan.propose", "<phone:张建国（3-1-101）>", {"title": "增设水位监测", "total": "0"}),
        ("plan.accept", chair, {"id": "<plan:proposed>"}),
        ("proxy.record", chair, {"participant_id": "<person:王奶奶>", "owner_key": "P07",
                                 "note": "书面委托书"}),
        ("vote.create", chair, {"kind": "straw_poll", "method": "single", "title": "意向表决",
                                "plans": ["A", "B", "C"], "show_results": "live"}),
        ("vote.open", chair, {"id": "<vote:last>"}),
        ("ballot.cast", "<phone:张建国（3-1-101）>", {"vote_id": "<vote:last>", "choices": ["B"]}),
        ("vote.close", chair, {"id": "<vote:last>"}),
        # The room's screen (actions/screen.py): a plan, the result, the QR code alone; the
        # meeting's end takes the last one down.
        ("screen.focus", chair, {"show": "plan", "id": "<plan:A>"}),
        ("screen.focus", chair, {"show": "vote", "id": "<vote:last>"}),
        ("screen.focus", chair, {"show": "none"}),
        ("screen.focus", chair, {"show": "questions"}),
        ("screen.focus", chair, {"show": "qr"}),
        ("vote.create", chair, {"kind": "owners_decision", "method": "yes_no", "secret": True,
                                "title": "使用维修资金", "plan_id": "<plan:B>",
                                "channel": "elsewhere"}),
        ("vote.open", chair, {"id": "<vote:last>"}),
        ("ballot.record", chair, {"vote_id": "<vote:last>", "owner_key": "P02",
                                  "choices": ["yes"]}),
        ("vote.close", chair, {"id": "<vote:last>"}),
        ("vote.create", chair, {"kind": "owners_decision", "method": "yes_no",
                                "title": "使用维修资金（电子投票系统）", "plan_id": "<plan:B>",
                                "channel": "elsewhere"}),
        ("vote.open", chair, {"id": "<vote:last>"}),
        ("vote.enter_totals", chair, {"id": "<vote:last>", "totals": {
            "yes": {"owners": 21, "area": "2661.08"}, "no": {"owners": 6, "area": "605.60"},
            "abstain": {"owners": 3, "area": "297.94"}}}),
        ("vote.close", chair, {"id": "<vote:last>"}),
        ("vote.create", chair, {"kind": "straw_poll", "method": "yes_no", "title": "是否延期"}),
        ("vote.cancel", chair, {"id": "<vote:last>"}),
        # A decision short of the gate continues in writing (actions/written_ballot.py,
        # actions/ballot_papers.py): a ballot by personal link, papers entered twice.
        ("vote.create", chair, {"kind": "owners_decision", "method": "single",
                                "title": "选择维修方案", "plans": ["A", "B"]}),
        ("vote.open", chair, {"id": "<vote:last>"}),
        ("ballot.record", chair, {"vote_id": "<vote:last>", "owner_key": "P04", "choices": ["A"]}),
        ("vote.continue_written", chair, {"id": "<vote:last>", "deadline": soon}),
        ("vote.extend", chair, {"id": "<vote:last>", "deadline": later, "reason": "春节"}),
        ("ballot.issue_papers", chair, {"vote_id": "<vote:last>", "double_entry": True}),
        ("ballot.cast_by_link", Actor(role="owner_link", owner_key="P06"),
         {"vote_id": "<vote:last>", "choices": ["B"]}),
        ("ballot.record_paper", chair, {"vote_id": "<vote:last>", "owner_key": "P05",
                                        "choices": ["B"]}),
        ("ballot.record_paper", second_clerk, {"vote_id": "<vote:last>", "owner_key": "P05",
                                               "choices": ["A"]}),
        ("ballot.resolve_paper", decider, {"vote_id": "<vote:last>", "serial": "<serial:P05>",
                                           "choices": ["B"], "reason": "以纸质原件为准"}),
        ("ballot.record_paper", chair, {"vote_id": "<vote:last>", "owner_key": "P06",
                                        "choices": ["A"]}),
        ("ballot.record_paper", second_clerk, {"vote_id": "<vote:last>", "owner_key": "P06",
                                               "choices": ["A"]}),
        ("ballot.settle_paper", decider, {"vote_id": "<vote:last>", "serial": "<serial:P06>",
                                          "counts": "paper", "reason": "业主本人确认以纸质票为准"}),
        ("ballot.attach_scan", chair, {"vote_id": "<vote:last>", "serial": "<serial:P06>",
                                       "scan": PNG_SCAN}),
        ("proxy.revoke", chair, {"id": "<proxy:last>"}),
        ("participant.remove", chair, {"id": "<person:王奶奶>"}),
        # The minutes (actions/minutes.py): the clerk's text and the agreed items, then after
        # the end the final version, a correction and a sign-off.
        ("minutes.write", chair, {"section": "summary", "text": "各方同意先疏通排水口。"}),
        ("action_item.add", chair, {"what": "疏通排水口", "party": "property_company",
                                    "person": "周明", "due": "2026-12-20", "amount": "8000",
                                    "funding_source": "property_company"}),
        ("action_item.add", chair, {"what": "书面答复是否属于改建", "party": "housing_bureau"}),
        ("action_item.edit", chair, {"id": "<action_item:last>", "person": "林晓",
                                     "due": "2026-12-12"}),
        ("action_item.remove", chair, {"id": "<action_item:last>"}),
        ("agenda.next", chair, {}),
        ("meeting.end", chair, {}),
        ("minutes.finalise", chair, {}),
        ("minutes.write", chair, {"section": "follow_up", "text": "督办：锦华街道"}),
        ("minutes.correct", chair, {"note": "补充后续安排"}),
        ("minutes.request_signatures", chair, {}),
        ("minutes.sign_on_phone", "<phone:张建国（3-1-101）>", {"version": 2, "name": "张建国",
                                                             "decision": "signed"}),
        ("minutes.record_signoff", chair, {"name": "周明", "party": "property_company",
                                           "decision": "signed"}),
        # The result notice of the first owners' decision, issued on its page, signed likewise.
        ("notice.request_signatures", chair, {"notice_id": "<notice:issued>"}),
        ("notice.sign_on_phone", "<phone:张建国（3-1-101）>", {"notice_id": "<notice:issued>",
                                                              "name": "张建国",
                                                              "decision": "signed"}),
    ]


def _actor(actor, meeting_id: int) -> Actor:
    """A phone named in the scenario acts as that participant."""
    if isinstance(actor, Actor):
        return actor
    name = actor[len("<phone:"):-1]
    people = snapshot_for(meeting_id, "chair")["participants"].values()
    return Actor(role="phone", participant_id=next(p["id"] for p in people if p["name"] == name))


def _resolve(payload: dict, meeting_id: int) -> dict:
    snapshot = snapshot_for(meeting_id, "chair")
    items = sorted(snapshot["agenda"].values(), key=lambda i: i["position"])
    entries = sorted(int(e) for e in snapshot["queue"])
    speeches = sorted(int(s) for s in snapshot["speeches"])
    people = {p["name"]: p["id"] for p in snapshot["participants"].values()}
    resolved = {}
    for key, value in payload.items():
        if value == "<item:last>":
            value = max(i["id"] for i in items)
        elif value == "<item:at_the_end>":
            value = items[-1]["id"]
        elif value == "<items:reversed>":
            value = [i["id"] for i in reversed(items)]
        elif value == "<item:unstarted>":
            value = next(i["id"] for i in items if i["started_at"] is None)
        elif value == "<entry:last>":
            value = entries[-1]
        elif value == "<speech:last>":
            value = speeches[-1]
        elif value == "<question:last>":
            value = max(int(q) for q in snapshot["questions"])
        elif isinstance(value, str) and value.startswith("<person:"):
            value = people[value[len("<person:"):-1]]
        elif isinstance(value, str) and value.startswith("<plan:"):
            wanted = value[len("<plan:"):-1]
            plans = sorted(snapshot["plans"].values(), key=lambda p: p["id"])
            value = next(p["id"] for p in reversed(plans)
                         if p["key"] == wanted or p["status"] == wanted)
        elif value == "<action_item:last>":
            from facilitator.models import ActionItem
            value = db.session.execute(db.select(db.func.max(ActionItem.id)).filter_by(
                meeting_id=meeting_id)).scalar()
        elif isinstance(value, str) and value.startswith("<invitation:"):
            from facilitator.models import Invitation
            value = db.session.execute(db.select(Invitation.id).filter_by(
                meeting_id=meeting_id, owner_key=value[len("<invitation:"):-1])).scalar_one()
        elif isinstance(value, str) and value.startswith("<serial:"):
            from facilitator.models import BallotPaper
            vote_id = max(int(k) for k in snapshot["votes"])
            value = db.session.execute(db.select(BallotPaper.serial).filter_by(
                vote_id=vote_id, owner_key=value[len("<serial:"):-1])).scalar_one()
        elif value == "<notice:issued>":
            value = _issued_notice(meeting_id).id
        elif value in ("<vote:last>", "<proxy:last>"):
            value = max(int(k) for k in snapshot["votes" if "vote" in value else "proxies"])
        resolved[key] = value
    return resolved


def _issued_notice(meeting_id: int):
    """The result notice of the meeting's first closed owners' decision (issued from its web
    page, not by a command: issued here the first time it is named)."""
    from facilitator.actions.result_notice import issue_notice, notice_of
    from facilitator.models import Vote
    meeting = db.session.get(Meeting, meeting_id)
    vote = db.session.execute(db.select(Vote).filter_by(
        meeting_id=meeting_id, kind="owners_decision", status="closed").order_by(Vote.id)
        ).scalars().first()
    if vote is None:
        raise LookupError("no closed owners' decision to publish yet")
    return notice_of(vote) or issue_notice(vote, {
        "posted_on": clock.today().isoformat(), "period_days": 7,
        "where_to_object": "锦华社区居委会"}, meeting.moderator)


def fresh_snapshots(meeting_id: int, roles=ROLES) -> dict[str, dict]:
    """Each role's state read from the rows now (the truth), not from the event log, and
    leaving the cache alone: the rows read once, cut for each role."""
    db.session.rollback()
    full = snapshot_from_rows(db.session.get(Meeting, meeting_id))
    return {role: redact_snapshot(full, role) for role in roles}


def fresh_snapshot(meeting_id: int, role: str) -> dict:
    return fresh_snapshots(meeting_id, (role,))[role]


def test_applying_events_to_any_old_snapshot_equals_a_fresh_snapshot_for_every_role(
        ctx, monkeypatch):
    published: list[dict] = []  # what connected clients receive, commit by commit
    monkeypatch.setattr(core, "publishers", [published.extend])
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, live=False, with_roster=True)
    history = {role: [state] for role, state in fresh_snapshots(meeting.id).items()}
    commands_run = set()
    for name, actor, payload in _scenario(meeting):
        outcome = execute(meeting.id, _actor(actor, meeting.id), name,
                          _resolve(payload, meeting.id))
        assert outcome.ok, (name, outcome.error)
        commands_run.add(name)
        for role, state in fresh_snapshots(meeting.id).items():
            history[role].append(state)
    assert commands_run == set(registry), "a command is missing from the sync scenario"

    event_types = {event["type"] for event in published}
    for role in ROLES:
        final = history[role][-1]
        for old in history[role][:-1]:
            # One by one, as a client that never missed a message...
            missed = [redact_event(e, role) for e in published if e["seq"] > old["seq"]]
            assert apply_events(old, missed) == final, (role, old["seq"])
            # ...and as one compacted batch, as a reconnecting client catches up.
            batch = catch_up(meeting.id, old["seq"], role)["batch"]
            assert apply_batch(old, batch) == final, (role, old["seq"])
    assert {"agenda.item_added", "agenda.item_edited", "agenda.reordered", "agenda.item_removed",
            "agenda.item_started", "agenda.finished", "participant.joined",
            "participant.added", "participant.admitted", "participant.rejected",
            "participant.renamed", "participant.party_changed", "participant.removed",
            "meeting.opened", "meeting.configured", "meeting.case_changed",
            "meeting.ended"} <= event_types
    assert {"plan.created", "plan.edited", "plan.proposed", "plan.declined", "plan.accepted",
            "proxy.recorded", "proxy.revoked", "vote.created", "vote.opened", "vote.closed",
            "vote.cancelled", "vote.totals_entered", "ballot.cast",
            "ballot.recorded"} <= event_types
    assert {"minutes.written", "action_item.added", "action_item.edited", "action_item.removed",
            "minutes.finalised", "minutes.corrected", "minutes.signatures_requested",
            "minutes.signed"} <= event_types
    assert {"question.asked", "question.upvoted", "question.upvote_withdrawn",
            "question.queued", "question.answered", "question.dismissed",
            "question.withdrawn"} <= event_types


def test_every_step_of_a_fresh_meeting_replays_from_the_first_snapshot(ctx):
    """A client that connected before anything happened and never missed an event."""
    meeting = make_meeting(live=False, with_roster=True, agenda=())
    first = {role: snapshot_for(meeting.id, role) for role in ROLES}
    for name, actor, payload in _scenario(meeting)[:13]:
        if name in ("agenda.edit", "agenda.reorder"):
            continue
        assert execute(meeting.id, _actor(actor, meeting.id), name,
                       _resolve(payload, meeting.id)).ok, name
    for role in ROLES:
        batch = catch_up(meeting.id, first[role]["seq"], role)["batch"]
        assert apply_batch(first[role], batch) == snapshot_for(meeting.id, role), role


def test_the_log_folded_gives_what_the_rows_give_after_every_command(ctx, monkeypatch):
    """The server builds snapshots by folding the event log (brought forward from the state
    it cached with the events since, not folded again from the start): after every command
    of every kind, for every role, that equals the state read from the rows; and so does a
    fold from the first event, with nothing cached."""
    folded = []
    real_fold = snapshot.fold
    monkeypatch.setattr(snapshot, "fold",
                        lambda state, events: folded.append(len(events)) or real_fold(
                            state, events))
    meeting = make_meeting(live=False, with_roster=True)
    for role in ROLES:
        assert snapshot_for(meeting.id, role) == fresh_snapshot(meeting.id, role), role
    for name, actor, payload in _scenario(meeting):
        assert execute(meeting.id, _actor(actor, meeting.id), name,
                       _resolve(payload, meeting.id)).ok, name
        folded.clear()
        for role, fresh in fresh_snapshots(meeting.id).items():
            assert snapshot_for(meeting.id, role) == fresh, (name, role)
        assert folded == [1], (name, folded)  # one fold of the one new event, for all roles
    snapshot.forget_all()
    for role in ROLES:
        assert snapshot_for(meeting.id, role) == fresh_snapshot(meeting.id, role), role
    assert folded[-1] == db.session.get(Meeting, meeting.id).last_seq

def test_many_meetings_at_once_bring_their_state_forward_rather_than_fold_it_again(
        ctx, monkeypatch):
    """More meetings than the snapshot cache holds (here 4 entries for 6 meetings and 3
    roles): each still folds only the event it has not seen, from its own newest state."""
    folded = []
    real_fold = snapshot.fold
    monkeypatch.setattr(snapshot, "fold", lambda state, events: folded.append(
        (state["seq"], len(events))) or real_fold(state, events))
    monkeypatch.setattr(snapshot, "_CACHE_SIZE", 4)
    meetings = [make_meeting() for _ in range(6)]
    for meeting in meetings:
        snapshot_for(meeting.id, "phone")
    for round_ in range(3):
        folded.clear()
        for meeting in meetings:
            run(meeting, chair_of(meeting), "agenda.add", {"title": f"议题{round_}", "minutes": 5})
            for role, fresh in fresh_snapshots(meeting.id, CLIENT_ROLES).items():
                assert snapshot_for(meeting.id, role) == fresh
        assert [events for _, events in folded] == [1] * len(meetings), folded


def test_a_phones_catch_up_in_a_room_joining_is_one_read_of_the_seq_and_the_new_events(
        ctx, monkeypatch, sql_statements):
    """Each phone of a room joining at once asks for its snapshot at a new seq: one statement
    gives the seq and the joins since the state this process holds, which it brings forward;
    a phone a few events behind gets them as a batch from the same one read."""
    folded = []
    real_fold = snapshot.fold
    monkeypatch.setattr(snapshot, "fold", lambda state, events: folded.append(
        (state["seq"], len(events))) or real_fold(state, events))
    meeting = make_meeting(direct_entry=True)
    meeting_id = meeting.id
    first = catch_up(meeting_id, None, "phone")["snapshot"]
    for number in range(4):
        run(meeting, Actor(role="visitor"), "participant.join",
            {"name": f"居民{number}", "party": "observer"})
        folded.clear()
        with sql_statements.recording() as statements:
            answer = catch_up(meeting_id, None, "phone")
        assert folded == [(first["seq"] + number, 1)]
        assert answer["snapshot"] == fresh_snapshot(meeting_id, "phone")
        if number > 0:  # (the first participant read also learns the shape of their view)
            assert len(statements) == 1, [s[:70] for s in statements]
    with sql_statements.recording() as statements:
        behind = catch_up(meeting_id, first["seq"], "phone")
    assert len(statements) == 1, [s[:70] for s in statements]
    assert apply_batch(first, behind["batch"]) == fresh_snapshot(meeting_id, "phone")


def test_a_snapshot_asked_at_a_seq_another_client_has_passed_folds_from_a_state_before_it(
        ctx, monkeypatch):
    """Phones read the seq, then fold: one that read it a moment before another brought the
    state further starts from the newest state cached before its seq, not from the start."""
    meeting = make_meeting(direct_entry=True)
    start = snapshot_for(meeting.id, "chair")["seq"]
    for number in range(3):
        run(meeting, Actor(role="visitor"), "participant.join",
            {"name": f"居民{number}", "party": "observer"})
    snapshot.full_state(meeting.id, start + 1)
    snapshot.full_state(meeting.id, start + 3)  # the newest state is past the next one asked
    folded = []
    real_fold = snapshot.fold
    monkeypatch.setattr(snapshot, "fold", lambda state, events: folded.append(
        (state["seq"], len(events))) or real_fold(state, events))
    state = snapshot.full_state(meeting.id, start + 2)
    assert folded == [(start + 1, 1)]
    assert redact_snapshot(state, "chair")["participants"].keys() == {
        str(p) for p in _participants_at(meeting.id, start + 2)}


def _participants_at(meeting_id: int, seq: int) -> list[int]:
    from facilitator.models import MeetingEvent
    return [row.result["participant_id"] for row in db.session.execute(
        db.select(MeetingEvent).filter(MeetingEvent.meeting_id == meeting_id,
                                       MeetingEvent.seq <= seq,
                                       MeetingEvent.type == "participant.joined")).scalars()]
