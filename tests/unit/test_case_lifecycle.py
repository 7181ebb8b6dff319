"""The life of a case (docs/api.md, "Life-cycle steps") as a state machine.

The expected transitions are written out here by hand, independently of the module's own
table; every (state, event) pair is then tried: the listed ones lead where they should, every
other one is refused with ``case.invalid_transition`` and changes nothing.
"""
from __future__ import annotations

import itertools

import pytest

from facilitator.domain.case_lifecycle import (
    ACTIVE_STAGES,
    CaseState,
    Event,
    Level,
    Stage,
    allowed_transitions,
    initial_state,
    transition,
)
from facilitator.errors import DomainError

REASON = "原因：已说明"

# (from, event, to, needs a reason) — the main line, by hand from docs/api.md
# ("Life-cycle steps"), not from the code under test.
MAIN = [
    ("received", "start_screening", "screening", False),
    ("screening", "accept", "accepted", False),
    ("screening", "redirect", "redirected", True),
    ("screening", "reject", "rejected", True),
    ("accepted", "start_investigation", "investigation", False),
    ("investigation", "start_preparation", "preparation", False),
    ("preparation", "open_meeting", "meeting", False),
    ("meeting", "adjourn_meeting", "preparation", False),
    ("meeting", "draft_minutes", "minutes_drafted", False),
    ("minutes_drafted", "sign_minutes", "minutes_signed", False),
    ("minutes_signed", "publish_minutes", "published", False),
    ("published", "notice_owners_decision", "decision_notice", False),
    ("published", "start_implementation", "implementation", False),
    ("decision_notice", "open_decision_vote", "decision_voting", False),
    ("decision_voting", "record_decided", "decided", False),
    ("decision_voting", "record_not_decided", "not_decided", False),
    ("decided", "start_implementation", "implementation", False),
    ("not_decided", "notice_owners_decision", "decision_notice", False),
    ("not_decided", "schedule_meeting", "preparation", False),
    ("not_decided", "close", "closed", True),
    ("implementation", "complete_works", "acceptance", False),
    ("acceptance", "accept_works", "feedback", False),
    ("acceptance", "reject_works", "implementation", True),
    ("feedback", "start_monitoring", "monitoring", False),
    ("monitoring", "close", "closed", False),
    ("closed", "reopen", "reopened", True),
    ("reopened", "start_screening", "screening", False),
    ("reopened", "start_investigation", "investigation", False),
]
MAIN_STAGES = ["received", "screening", "accepted", "redirected", "rejected", "investigation", "preparation",
               "meeting", "minutes_drafted", "minutes_signed", "published", "decision_notice",
               "decision_voting", "decided", "not_decided", "implementation", "acceptance", "feedback",
               "monitoring", "closed", "reopened"]
FINAL = {"redirected", "rejected", "closed"}
ACTIVE = [s for s in MAIN_STAGES if s not in FINAL]


def expected_from(state: CaseState) -> dict[str, tuple[CaseState, bool, dict | None]]:
    """event -> (next state, needs a reason, context) for every event that applies."""
    stage = str(state.stage)
    out: dict[str, tuple[CaseState, bool, dict | None]] = {}
    if stage == "escalated":
        resume = state.resume
        if state.level == "street":
            out["escalate"] = (CaseState("escalated", "district", resume), True, None)
            out["return"] = (CaseState(resume), False, None)
        else:
            out["return"] = (CaseState("escalated", "street", resume), False, None)
        return out
    if stage == "emergency_review":
        out["confirm_emergency_repair"] = (CaseState("emergency_works", resume=state.resume), False,
                                           {"confirmed_by": "street_office"})
        out["decline_emergency_repair"] = (CaseState(state.resume), True, None)
        return out
    if stage == "emergency_works":
        out["settle_emergency_repair"] = (CaseState(state.resume), False, None)
        return out
    for origin, event, target, reason in MAIN:
        if origin == stage:
            out[event] = (CaseState(target), reason, None)
    if stage in ACTIVE:
        out["escalate"] = (CaseState("escalated", "street", stage), True, None)
        out["start_emergency_repair"] = (CaseState("emergency_review", resume=stage), True, None)
    return out


def every_state() -> list[CaseState]:
    states = [CaseState(s) for s in MAIN_STAGES]
    for stage in ACTIVE:
        states += [CaseState("escalated", "street", stage), CaseState("escalated", "district", stage),
                   CaseState("emergency_review", resume=stage), CaseState("emergency_works", resume=stage)]
    return states


def test_the_vocabulary_is_the_one_written_here():
    assert {str(s) for s in Stage} == set(MAIN_STAGES) | {"escalated", "emergency_review", "emergency_works"}
    assert {str(s) for s in ACTIVE_STAGES} == set(ACTIVE)
    assert initial_state() == CaseState("received")


@pytest.mark.parametrize("origin,event,target,reason", MAIN, ids=[f"{o}-{e}" for o, e, _, _ in MAIN])
def test_every_main_transition_leads_where_the_life_of_a_case_says(origin, event, target, reason):
    assert transition(origin, event, note=REASON if reason else None) == CaseState(target)
    if reason:
        for blank in (None, "", "   \n"):
            with pytest.raises(DomainError) as refused:
                transition(origin, event, note=blank)
            assert refused.value.code == "case.reason_required"
            assert refused.value.params == {"event": event}


@pytest.mark.parametrize("state", every_state(), ids=lambda s: s.encode())
def test_every_state_and_event_is_either_expected_or_refused(state):
    expected = expected_from(state)
    assert {str(e): s for e, s in allowed_transitions(state).items()} == \
        {event: target for event, (target, _, _) in expected.items()}
    for event in Event:
        if str(event) in expected:
            target, reason, context = expected[str(event)]
            assert transition(state, event, note=REASON if reason else None, context=context) == target
            continue
        with pytest.raises(DomainError) as refused:
            transition(state, event, note=REASON, context={"confirmed_by": "appraisal"})
        if state.stage == Stage.ESCALATED and state.level == Level.DISTRICT and event == Event.ESCALATE:
            assert refused.value.code == "case.escalation_top"
            assert refused.value.params == {"level": "district"}
            continue
        assert refused.value.code == "case.invalid_transition"
        params = refused.value.params
        assert params["from_state"] == state.encode() and params["event"] == str(event)
        assert params["allowed"] == [str(e) for e in allowed_transitions(state)]


def test_a_refusal_names_where_the_event_would_have_led():
    with pytest.raises(DomainError) as refused:
        transition("received", "publish_minutes")
    assert refused.value.params["to"] == "published"
    assert refused.value.params["allowed"] == ["start_screening", "escalate", "start_emergency_repair"]


def test_the_final_states_go_nowhere_except_a_closed_case_that_is_reopened():
    assert allowed_transitions("redirected") == {} and allowed_transitions("rejected") == {}
    assert list(allowed_transitions("closed")) == [Event.REOPEN]


def test_the_demo_case_lives_its_whole_life():
    steps = [("start_screening", None), ("accept", None), ("start_investigation", None),
             ("start_emergency_repair", "4个排水口堵塞，雨天积水"), ("confirm_emergency_repair", None),
             ("settle_emergency_repair", None), ("start_preparation", None), ("open_meeting", None),
             ("draft_minutes", None), ("sign_minutes", None), ("publish_minutes", None),
             ("notice_owners_decision", None), ("open_decision_vote", None), ("record_decided", None),
             ("escalate", "建设单位逾期未签署维修责任确认书"), ("escalate", "街道协调未果"), ("return", None),
             ("return", None), ("start_implementation", None), ("complete_works", None),
             ("reject_works", "闭水试验仍有渗漏"), ("complete_works", None), ("accept_works", None),
             ("start_monitoring", None), ("close", None), ("reopen", "2027年雨季复漏"),
             ("start_investigation", None)]
    state = initial_state()
    seen = [state.encode()]
    for event, note in steps:
        state = transition(state, event, note=note, context={"confirmed_by": "street_office"})
        seen.append(state.encode())
    assert seen[3:7] == ["investigation", "emergency_review/investigation", "emergency_works/investigation",
                         "investigation"]
    assert seen[14:19] == ["decided", "escalated/street/decided", "escalated/district/decided",
                           "escalated/street/decided", "decided"]
    assert state == CaseState("investigation")


def test_escalation_goes_up_one_level_at_a_time_and_comes_back_where_it_left():
    state = transition("minutes_signed", "escalate", note="需街道协调")
    assert (state.stage, state.level, state.resume) == (Stage.ESCALATED, Level.STREET, Stage.MINUTES_SIGNED)
    state = transition(state, "escalate", note="需区住建局答复")
    assert state.level == Level.DISTRICT
    with pytest.raises(DomainError) as refused:
        transition(state, "escalate", note="再上报")
    assert refused.value.code == "case.escalation_top"
    assert transition(transition(state, "return"), "return") == CaseState("minutes_signed")


def test_an_emergency_repair_is_confirmed_by_the_street_office_or_an_appraisal():
    review = transition("published", "start_emergency_repair", note="顶板渗水进入配电间")
    for context in (None, {}, {"confirmed_by": "owners_committee"}, {"confirmed_by": ""}):
        with pytest.raises(DomainError) as refused:
            transition(review, "confirm_emergency_repair", context=context)
        assert refused.value.code == "case.confirmation_required"
        assert refused.value.params == {"allowed": ["street_office", "appraisal"]}
    for who in ("street_office", "appraisal"):
        works = transition(review, "confirm_emergency_repair", context={"confirmed_by": who})
        assert works == CaseState("emergency_works", resume="published")
        assert transition(works, "settle_emergency_repair") == CaseState("published")
    assert transition(review, "decline_emergency_repair", note="非紧急，走常规程序") == CaseState("published")


def test_one_side_branch_at_a_time():
    escalated = transition("meeting", "escalate", note="x")
    emergency = transition("meeting", "start_emergency_repair", note="x")
    for state, event in ((escalated, "start_emergency_repair"), (emergency, "escalate")):
        with pytest.raises(DomainError) as refused:
            transition(state, event, note="x")
        assert refused.value.code == "case.invalid_transition"


def test_a_reason_that_is_too_long_is_refused():
    with pytest.raises(DomainError) as refused:
        transition("screening", "reject", note="很" * 2001)
    assert refused.value.code == "validation.too_long"


def test_unknown_states_and_events_are_refused_clearly():
    for bad in ("", "archived", "escalated/nowhere/meeting", "escalated/street", "meeting/received/x/y"):
        with pytest.raises(DomainError) as refused:
            transition(bad, "accept")
        assert refused.value.code == "case.unknown_state"
    with pytest.raises(DomainError) as refused:
        transition("received", "approve")
    assert refused.value.code == "case.unknown_event" and refused.value.params == {"event": "approve"}


def test_an_inconsistent_state_cannot_be_built():
    for args in (("escalated",), ("meeting", "street"), ("emergency_works",), ("meeting", "community", "screening"),
                 ("escalated", "street", "closed"), ("emergency_review", "community", "emergency_works")):
        with pytest.raises(ValueError):
            CaseState(*args)


def test_every_state_reads_back_from_its_text_and_fits_a_short_column():
    states = every_state()
    for state in states:
        assert CaseState.decode(state.encode()) == state
        assert allowed_transitions(state.encode()) == allowed_transitions(state)
    assert max(len(s.encode()) for s in states) == len("escalated/district/minutes_drafted") == 34


def test_every_state_is_reachable_from_received():
    reached = {initial_state()}
    frontier = [initial_state()]
    while frontier:
        state = frontier.pop()
        for target in allowed_transitions(state).values():
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(every_state())


def test_transitions_are_pure():
    state = CaseState("meeting")
    results = {transition(state, "draft_minutes") for _ in range(3)}
    assert results == {CaseState("minutes_drafted")} and state == CaseState("meeting")
    assert all(a == b for a, b in itertools.pairwise([allowed_transitions(state)] * 3))
