"""Rules of the speaker queue, one test per rule (facilitator.domain.speaker_queue).

Example tests pin down the rules on small meetings a moderator would recognise;
hypothesis property tests check that the rules hold for every queue, history and
setting, including the simulation of a meeting where hands keep being raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from facilitator.domain.speaker_queue import (
    POINT_OF_INFORMATION,
    POINT_OF_ORDER,
    SPEECH,
    QueueEntry,
    QueueSettings,
    SpeakingTally,
    SpeechRecord,
    can_raise,
    clear_manual_order,
    find_waiting,
    move_entry,
    next_entry,
    order_queue,
    placement_of,
    raise_hand,
    remove_entry,
    speaking_stats,
    speech_timing,
    times_passed_over,
)
from facilitator.errors import DomainError

PARTIES = ("owners", "property", "developer", "street")
KIND_CHOICES = (SPEECH, SPEECH, SPEECH, POINT_OF_ORDER, POINT_OF_INFORMATION)
STANCE_CHOICES = ("for", "against", "neutral", "question")

#: Settings where aging never interferes, to look at the other rules alone.
NO_AGING = 10_000


def party_of(participant_id: int) -> str:
    return PARTIES[participant_id % len(PARTIES)]


def hand(
    entry_id: int,
    participant_id: int,
    stance: str | None = "for",
    *,
    kind: str = SPEECH,
    seq: int | None = None,
    party: str | None = None,
    manual: int | None = None,
) -> QueueEntry:
    return QueueEntry(
        id=entry_id,
        participant_id=participant_id,
        party=party if party is not None else party_of(participant_id),
        kind=kind,  # type: ignore[arg-type]
        stance=None if kind != SPEECH else stance,  # type: ignore[arg-type]
        raised_seq=entry_id if seq is None else seq,
        manual_position=manual,
    )


def spoke(
    participant_id: int,
    stance: str | None = "for",
    *,
    seq: int,
    kind: str = SPEECH,
    seconds: int = 60,
    party: str | None = None,
) -> SpeechRecord:
    return SpeechRecord(
        participant_id=participant_id,
        party=party if party is not None else party_of(participant_id),
        kind=kind,  # type: ignore[arg-type]
        stance=None if kind != SPEECH else stance,  # type: ignore[arg-type]
        seconds=seconds,
        started_seq=seq,
    )


def ids(entries: Sequence[QueueEntry]) -> list[int]:
    return [e.id for e in entries]


def give_floor(
    entries: list[QueueEntry], history: list[SpeechRecord], settings: QueueSettings, seq: int
) -> tuple[QueueEntry, list[QueueEntry], list[SpeechRecord]]:
    """The moderator gives the floor to the head of the queue (what the app suggests)."""
    head = next_entry(entries, history, settings)
    assert head is not None
    record = SpeechRecord(
        participant_id=head.participant_id,
        party=head.party,
        kind=head.kind,
        stance=head.stance,
        seconds=60,
        started_seq=seq,
    )
    return head, [e for e in entries if e.id != head.id], [*history, record]


# ------------------------------------------------------------------- strategies


@st.composite
def scenarios(draw, *, max_entries: int = 10, max_history: int = 10, manual: bool = False):
    """Waiting entries and the item's history, sequence numbers unique and interleaved.

    At most one waiting entry per participant and kind, as ``raise_hand`` guarantees.
    """
    n_entries = draw(st.integers(0, max_entries))
    n_history = draw(st.integers(0, max_history))
    seqs = draw(
        st.lists(
            st.integers(0, 400), min_size=n_entries + n_history, max_size=n_entries + n_history,
            unique=True,
        )
    )
    keys = draw(
        st.lists(
            st.tuples(st.integers(0, 9), st.sampled_from(KIND_CHOICES)),
            min_size=n_entries, max_size=n_entries, unique=True,
        )
    )
    entries = []
    for i, ((pid, kind), seq) in enumerate(zip(keys, seqs[:n_entries])):
        stance = draw(st.sampled_from(STANCE_CHOICES)) if kind == SPEECH else None
        position = draw(st.none() | st.integers(0, 4)) if manual else None
        entries.append(hand(1000 + i, pid, stance, kind=kind, seq=seq, manual=position))
    history = []
    for seq in seqs[n_entries:]:
        pid = draw(st.integers(0, 9))
        kind = draw(st.sampled_from(KIND_CHOICES))
        stance = draw(st.sampled_from(STANCE_CHOICES)) if kind == SPEECH else None
        history.append(spoke(pid, stance, seq=seq, kind=kind, seconds=draw(st.integers(0, 300))))
    return entries, history


def settings_strategy(**fixed):
    fields = dict(
        points_of_order_first=st.booleans(),
        not_yet_spoken_first=st.booleans(),
        alternate_stance=st.booleans(),
        balance_by_party=st.booleans(),
        party_time_budget_seconds=st.none() | st.integers(1, 600),
        max_turns_per_item=st.integers(1, 3),
        information_before_speeches=st.booleans(),
        overdue_after_floors=st.integers(1, 12),
    )
    fields.update({name: st.just(value) for name, value in fixed.items()})
    return st.builds(QueueSettings, **fields)


# ------------------------------------------------------------ points of order


def test_a_point_of_order_is_always_first_example():
    history = [spoke(9, "for", seq=0)]
    entries = [
        hand(1, 1, "against"),
        hand(2, 2, "neutral", manual=0),
        hand(3, 3, kind=POINT_OF_INFORMATION),
        hand(4, 4, kind=POINT_OF_ORDER),
        hand(5, 5, kind=POINT_OF_ORDER),
    ]
    assert ids(order_queue(entries, history, QueueSettings()))[:2] == [4, 5]


@given(scenarios(manual=True), settings_strategy(points_of_order_first=True))
def test_a_point_of_order_is_always_first(scenario, settings):
    entries, history = scenario
    ordered = order_queue(entries, history, settings)
    kinds = [e.kind == POINT_OF_ORDER for e in ordered]
    assert kinds == sorted(kinds, reverse=True), "a point of order stands behind another entry"
    points = [e.raised_seq for e in ordered if e.kind == POINT_OF_ORDER]
    assert points == sorted(points), "points of order are taken in the order raised"


def test_a_point_of_order_is_an_ordinary_entry_when_the_setting_is_off():
    settings = QueueSettings(points_of_order_first=False, overdue_after_floors=NO_AGING)
    entries = [hand(1, 1, "for"), hand(2, 2, kind=POINT_OF_ORDER)]
    assert ids(order_queue(entries, [], settings)) == [1, 2]


# ---------------------------------------------------------- not yet spoken first


def test_nobody_who_has_not_spoken_waits_behind_someone_who_has_example():
    history = [spoke(1, "for", seq=0)]
    entries = [hand(1, 1, "for", seq=1), hand(2, 2, "for", seq=2)]
    assert ids(order_queue(entries, history, QueueSettings())) == [2, 1]


@given(
    scenarios(),
    settings_strategy(not_yet_spoken_first=True, balance_by_party=False,
                      party_time_budget_seconds=None),
)
def test_nobody_who_has_not_spoken_waits_behind_someone_who_has(scenario, settings):
    """Among the automatically ordered entries (not overdue, not placed by hand)."""
    entries, history = scenario
    speakers = {r.participant_id for r in history if r.kind == SPEECH}
    debate = [
        e for e in order_queue(entries, history, settings)
        if placement_of(e, history, settings) == "debate"
    ]
    has_spoken = [e.participant_id in speakers for e in debate]
    assert has_spoken == sorted(has_spoken)


def test_people_who_have_spoken_keep_arrival_order_when_the_rule_is_off():
    settings = QueueSettings(not_yet_spoken_first=False)
    history = [spoke(1, "for", seq=0)]
    entries = [hand(1, 1, "against", seq=1), hand(2, 2, "against", seq=2)]
    assert ids(order_queue(entries, history, settings)) == [1, 2]


# ------------------------------------------------------------------ alternation


def test_for_and_against_alternate_when_both_wait_example():
    history = [spoke(9, "for", seq=0)]
    entries = [
        hand(1, 1, "for"), hand(2, 2, "for"), hand(3, 3, "against"), hand(4, 4, "against"),
    ]
    settings = QueueSettings()
    floors = []
    seq = 10
    while entries:
        head, entries, history = give_floor(entries, history, settings, seq)
        floors.append(head.stance)
        seq += 1
    assert floors == ["against", "for", "against", "for"]


def test_the_list_shows_the_side_whose_turn_it_is_first():
    """Documented choice: the list groups the next side first; the zig-zag happens per floor."""
    history = [spoke(9, "for", seq=0)]
    entries = [hand(1, 1, "against"), hand(2, 2, "for"), hand(3, 3, "for"), hand(4, 4, "against")]
    assert ids(order_queue(entries, history, QueueSettings())) == [1, 4, 2, 3]


@given(
    st.lists(st.sampled_from(STANCE_CHOICES), min_size=1, max_size=14),
    st.sampled_from([None, "for", "against"]),
    st.randoms(use_true_random=False),
)
def test_for_and_against_alternate_when_both_wait(stances, last_side, rnd):
    """Newcomers only, aging out of the way: the sides alternate until one runs out."""
    history = [] if last_side is None else [spoke(99, last_side, seq=0)]
    seqs = list(range(1, len(stances) + 1))
    rnd.shuffle(seqs)
    entries = [hand(i, i, s, seq=q) for i, (s, q) in enumerate(zip(stances, seqs))]
    settings = QueueSettings(overdue_after_floors=NO_AGING)
    sides = [] if last_side is None else [last_side]
    seq = 100
    while entries:
        head, entries, history = give_floor(entries, history, settings, seq)
        seq += 1
        if head.stance in ("for", "against"):
            sides.append(head.stance)
    for i in range(1, len(sides)):
        if sides[i] == sides[i - 1]:
            other = "for" if sides[i] == "against" else "against"
            assert other not in sides[i:], f"{sides}: same side twice while the other waited"


def test_neutral_and_question_speeches_do_not_break_alternation():
    """The side to yield is the last *for/against* speech; neutral/question are skipped."""
    settings = QueueSettings()
    history = [spoke(8, "for", seq=0), spoke(9, "neutral", seq=1), spoke(7, "question", seq=2)]
    entries = [hand(10, 1, "for"), hand(11, 2, "against")]
    assert ids(order_queue(entries, history, settings)) == [11, 10]


def test_neutral_and_question_go_with_the_side_whose_turn_it_is():
    """Documented choice: only the side that spoke last yields; neutral is never deferred."""
    history = [spoke(9, "for", seq=0)]
    entries = [
        hand(1, 1, "for"), hand(2, 2, "neutral"), hand(3, 3, "against"), hand(4, 4, "question"),
    ]
    settings = QueueSettings()
    assert ids(order_queue(entries, history, settings)) == [2, 3, 4, 1]
    floors = []
    seq = 10
    while entries:
        head, entries, history = give_floor(entries, history, settings, seq)
        floors.append(head.stance)
        seq += 1
    # once "against" has spoken, "for" is the side whose turn it is, and it was raised first
    assert floors == ["neutral", "against", "for", "question"]


def test_no_alternation_when_the_rule_is_off():
    settings = QueueSettings(alternate_stance=False)
    history = [spoke(9, "for", seq=0)]
    entries = [hand(1, 1, "for"), hand(2, 2, "against")]
    assert ids(order_queue(entries, history, settings)) == [1, 2]


# ----------------------------------------------------------- first come, first served


@given(scenarios(), st.booleans())
def test_first_come_first_served_otherwise(scenario, points_first):
    """With every fairness rule off, arrival order alone decides (points of order aside)."""
    entries, history = scenario
    settings = QueueSettings(
        points_of_order_first=points_first, not_yet_spoken_first=False, alternate_stance=False,
        information_before_speeches=False, overdue_after_floors=NO_AGING,
    )
    ordered = order_queue(entries, history, settings)
    rest = [e.raised_seq for e in ordered if not (points_first and e.kind == POINT_OF_ORDER)]
    assert rest == sorted(rest)


def _rule_flags(entry: QueueEntry, history: list[SpeechRecord], settings: QueueSettings):
    """The debate rules as the module docstring states them, recomputed independently."""
    speeches = sorted((r for r in history if r.kind == SPEECH), key=lambda r: r.started_seq)
    party_seconds = sum(r.seconds for r in speeches if r.party == entry.party)
    sides = [r.stance for r in speeches if r.stance in ("for", "against")]
    budget = settings.party_time_budget_seconds
    return (
        entry.kind == SPEECH and budget is not None and party_seconds >= budget,
        settings.balance_by_party and bool(speeches) and speeches[-1].party == entry.party,
        settings.not_yet_spoken_first
        and any(r.participant_id == entry.participant_id for r in speeches),
        settings.alternate_stance and entry.kind == SPEECH and bool(sides)
        and entry.stance == sides[-1],
    )


@given(scenarios(), settings_strategy())
def test_debate_follows_budget_then_party_then_spoken_then_side_then_arrival(scenario, settings):
    """The full precedence of the automatic rules, checked against an independent oracle."""
    entries, history = scenario
    debate = [
        e for e in order_queue(entries, history, settings)
        if placement_of(e, history, settings) == "debate"
    ]
    keys = [(*_rule_flags(e, history, settings), e.raised_seq) for e in debate]
    assert keys == sorted(keys)


# ---------------------------------------------------------- balance and budget


@given(
    st.lists(st.tuples(st.integers(0, 11), st.sampled_from(STANCE_CHOICES)),
             min_size=1, max_size=12, unique_by=lambda t: t[0]),
    st.integers(0, 11),
)
def test_no_party_gets_two_turns_in_a_row_while_another_waits(hands, last_speaker):
    settings = QueueSettings(balance_by_party=True, overdue_after_floors=NO_AGING)
    history = [spoke(last_speaker, "neutral", seq=0)]
    entries = [hand(100 + i, pid, stance) for i, (pid, stance) in enumerate(hands)]
    seq = 1000
    while entries:
        last_party = history[-1].party
        others_wait = any(e.party != last_party for e in entries)
        head, entries, history = give_floor(entries, history, settings, seq)
        seq += 1
        if others_wait:
            assert head.party != last_party


def test_a_party_over_its_time_budget_goes_after_all_others():
    settings = QueueSettings(party_time_budget_seconds=120)
    history = [
        spoke(0, "for", seq=0, seconds=90, party="owners"),
        spoke(4, "against", seq=1, seconds=30, party="owners"),
        spoke(1, "for", seq=2, seconds=30, party="property"),
    ]
    entries = [
        hand(10, 8, "against", party="owners"),  # not yet spoken, opposite side, first...
        hand(11, 1, "for", party="property"),  # ...but owners used their 120 s
        hand(12, 9, kind=POINT_OF_INFORMATION, party="owners"),
    ]
    assert ids(order_queue(entries, history, settings)) == [12, 11, 10]


def test_the_budget_charges_speeches_only():
    settings = QueueSettings(party_time_budget_seconds=100)
    history = [spoke(0, seq=0, kind=POINT_OF_ORDER, seconds=500, party="owners")]
    entries = [
        hand(1, 1, "against", party="property", seq=1),
        hand(2, 2, "for", party="owners", seq=2),
    ]
    assert ids(order_queue(entries, history, settings)) == [1, 2]


# ------------------------------------------------------------ points of information


def test_points_of_information_come_before_the_debate_by_default():
    history = [spoke(1, "for", seq=0)]
    entries = [hand(1, 2, "against", seq=1), hand(2, 1, kind=POINT_OF_INFORMATION, seq=2)]
    assert ids(order_queue(entries, history, QueueSettings())) == [2, 1]


def test_points_of_information_take_their_turn_in_the_debate_when_the_setting_is_off():
    settings = QueueSettings(information_before_speeches=False)
    history = [spoke(1, "for", seq=0)]
    entries = [hand(1, 2, "against", seq=1), hand(2, 1, kind=POINT_OF_INFORMATION, seq=2)]
    assert ids(order_queue(entries, history, settings)) == [1, 2]


# ------------------------------------------------------------------ bounded wait


def test_an_entry_passed_over_k_times_goes_before_the_automatic_order():
    settings = QueueSettings(overdue_after_floors=3)
    history = [spoke(1, "for", seq=0)]
    veteran = hand(1, 1, "for", seq=1)  # has spoken, same side as last: last in line
    entries = [veteran, hand(2, 2, "against", seq=2)]
    for seq in (3, 4):
        assert ids(order_queue(entries, history, settings))[-1] == 1
        history.append(spoke(50 + seq, "against", seq=seq))
    history.append(spoke(60, "against", seq=5))
    assert times_passed_over(veteran, history) == 3
    assert placement_of(veteran, history, settings) == "overdue"
    assert ids(order_queue(entries, history, settings)) == [1, 2]


@st.composite
def meetings(draw):
    """A queue, a history, settings, and per step: new hands and maybe a withdrawal."""
    entries, history = draw(scenarios(max_entries=8, max_history=6))
    settings = draw(settings_strategy(overdue_after_floors=draw(st.integers(1, 6))))
    steps = draw(
        st.lists(
            st.tuples(
                st.lists(
                    st.tuples(st.integers(0, 14), st.sampled_from(KIND_CHOICES),
                              st.sampled_from(STANCE_CHOICES)),
                    max_size=3,
                ),
                st.none() | st.integers(0, 20),
            ),
            min_size=1, max_size=30,
        )
    )
    return entries, history, settings, steps


@hyp_settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(meetings())
def test_bounded_wait_every_entry_gets_the_floor_within_k_plus_w(meeting):
    """Documented bound: at most K + W floors to others outside the point-of-order section.

    K = settings.overdue_after_floors; W = entries outside that section already waiting
    when the entry was raised. Hands keep being raised (including by people who spoke,
    and endless points of information) and some are withdrawn; the floor always goes to
    the head. The bound is checked after every floor, then the queue is drained.
    """
    entries, history, settings, steps = meeting

    def in_order_section(entry: QueueEntry) -> bool:
        return settings.points_of_order_first and entry.kind == POINT_OF_ORDER

    seq = 1 + max([e.raised_seq for e in entries] + [r.started_seq for r in history] + [0])
    next_id = 5000
    allowance: dict[int, int] = {}
    for e in entries:
        earlier = [x for x in entries if x.id != e.id and not in_order_section(x)
                   and (x.raised_seq, x.id) < (e.raised_seq, e.id)]
        allowance[e.id] = settings.overdue_after_floors + len(earlier)
    passed = {e.id: 0 for e in entries}
    originals = {e.id for e in entries}
    served: set[int] = set()

    def floor() -> None:
        nonlocal entries, history, seq
        head, entries, history = give_floor(entries, history, settings, seq)
        seq += 1
        served.add(head.id)
        if not in_order_section(head):
            for e in entries:
                passed[e.id] += 1
                assert passed[e.id] <= allowance[e.id], f"entry {e.id} waited too long"

    for arrivals, withdraw in steps:
        for pid, kind, stance in arrivals:
            try:
                outcome = raise_hand(
                    entries, history, settings, True, entry_id=next_id, participant_id=pid,
                    party=party_of(pid), kind=kind, stance=stance if kind == SPEECH else None,
                    raised_seq=seq,
                )
            except DomainError as refused:
                assert refused.code == "queue.turns_exhausted"
                continue
            if outcome.created:
                waiting_before = sum(1 for x in entries if not in_order_section(x))
                allowance[next_id] = settings.overdue_after_floors + waiting_before
                passed[next_id] = 0
                entries = [*entries, outcome.entry]
                next_id += 1
                seq += 1
        if withdraw is not None and withdraw < len(entries):
            gone = entries[withdraw]
            entries = remove_entry(entries, gone.id)
            originals.discard(gone.id)
        if entries:
            floor()
    while entries:
        floor()
    assert originals <= served


# ------------------------------------------------------------------ manual moves


def test_a_manual_move_puts_the_entry_exactly_where_the_moderator_put_it_example():
    history = [spoke(9, "for", seq=0)]
    entries = [hand(1, 1, "against"), hand(2, 2, "for"), hand(3, 3, "for"), hand(4, 4, "against"),
               hand(5, 5, kind=POINT_OF_ORDER)]
    settings = QueueSettings()
    assert ids(order_queue(entries, history, settings)) == [5, 1, 4, 2, 3]
    moved = move_entry(entries, history, settings, entry_id=3, to_position=1)
    assert ids(order_queue(moved, history, settings)) == [5, 1, 3, 4, 2]
    assert {e.id: e.manual_position for e in moved} == {1: 0, 2: None, 3: 1, 4: None, 5: None}
    assert ids(moved) == ids(entries), "entries come back in the caller's order"


@given(scenarios(manual=True), settings_strategy(), st.data())
def test_a_manual_move_puts_the_entry_exactly_where_the_moderator_put_it(scenario, settings, data):
    entries, history = scenario
    before = order_queue(entries, history, settings)
    movable = [e for e in before if placement_of(e, history, settings) != "point_of_order"]
    if not movable:
        return
    target = data.draw(st.sampled_from(movable))
    position = data.draw(st.integers(0, len(movable) - 1))
    after = order_queue(move_entry(entries, history, settings, target.id, position),
                        history, settings)
    expected = [e.id for e in movable if e.id != target.id]
    expected.insert(position, target.id)
    assert [e.id for e in after if placement_of(e, history, settings) != "point_of_order"] \
        == expected
    assert [e.id for e in after if placement_of(e, history, settings) == "point_of_order"] \
        == [e.id for e in before if placement_of(e, history, settings) == "point_of_order"]


@hyp_settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios(manual=True),
    settings_strategy(),
    st.data(),
    st.lists(st.sampled_from(["floor", "arrive", "withdraw"]), max_size=12),
)
def test_a_moved_entry_keeps_its_place_relative_to_the_others(scenario, settings, data, ops):
    """Whatever happens after the move, who was ahead stays ahead, who was behind stays behind.

    New arrivals go behind the moved entry, except points of order.
    """
    entries, history = scenario
    movable = [e for e in order_queue(entries, history, settings)
               if placement_of(e, history, settings) != "point_of_order"]
    if not movable:
        return
    target = data.draw(st.sampled_from(movable))
    position = data.draw(st.integers(0, len(movable) - 1))
    entries = move_entry(entries, history, settings, target.id, position)
    shown = ids(order_queue(entries, history, settings))
    ahead = set(shown[: shown.index(target.id)])
    seq = 1 + max([e.raised_seq for e in entries] + [r.started_seq for r in history])
    arrived: set[int] = set()  # every hand raised after the move
    newcomers: set[int] = set()  # those of them that must stay behind the moved entry
    for op in ops:
        if op == "floor":
            head = next_entry(entries, history, settings)
            if head is None or head.id == target.id:
                break
            _, entries, history = give_floor(entries, history, settings, seq)
        elif op == "arrive":
            pid = data.draw(st.integers(20, 40))
            kind = data.draw(st.sampled_from(KIND_CHOICES))
            new = hand(9000 + seq, pid, data.draw(st.sampled_from(STANCE_CHOICES)), kind=kind,
                       seq=seq)
            entries = [*entries, new]
            arrived.add(new.id)
            if not (settings.points_of_order_first and kind == POINT_OF_ORDER):
                newcomers.add(new.id)
        else:
            others = [e for e in entries if e.id != target.id]
            if others:
                gone = data.draw(st.sampled_from(others))
                entries = remove_entry(entries, gone.id)
        seq += 1
        now = ids(order_queue(entries, history, settings))
        now_ahead = set(now[: now.index(target.id)])
        waiting_since_move = set(now) - arrived
        assert now_ahead & waiting_since_move <= ahead
        assert (waiting_since_move - now_ahead - {target.id}).isdisjoint(ahead)
        assert not (now_ahead & newcomers), "a newcomer jumped ahead of a manual placement"


def test_new_hands_go_behind_the_manually_placed_entries():
    settings = QueueSettings()
    history = [spoke(1, "for", seq=0)]
    entries = [hand(1, 1, "for", seq=1), hand(2, 2, "against", seq=2)]
    assert ids(order_queue(entries, history, settings)) == [2, 1]
    entries = move_entry(entries, history, settings, entry_id=1, to_position=0)
    entries = [*entries, hand(3, 3, "against", seq=3), hand(4, 4, kind=POINT_OF_ORDER, seq=4)]
    assert ids(order_queue(entries, history, settings)) == [4, 1, 2, 3]


def test_moving_an_entry_down_pins_those_ahead_of_it():
    settings = QueueSettings()
    entries = [hand(1, 1, "for"), hand(2, 2, "against"), hand(3, 3, "neutral")]
    moved = move_entry(entries, [], settings, entry_id=1, to_position=1)
    assert ids(order_queue(moved, [], settings)) == [2, 1, 3]
    assert [e.manual_position for e in moved] == [1, 0, None]
    # The meeting goes on: 2 speaks "against"; 1 still goes before 3.
    _, rest, history = give_floor(moved, [], settings, seq=10)
    assert ids(order_queue(rest, history, settings)) == [1, 3]


def test_clearing_the_manual_order_hands_the_queue_back_to_the_rules():
    settings = QueueSettings()
    entries = [hand(1, 1, "for"), hand(2, 2, "against")]
    moved = move_entry(entries, [], settings, entry_id=2, to_position=0)
    assert ids(order_queue(moved, [], settings)) == [2, 1]
    assert ids(order_queue(clear_manual_order(moved), [], settings)) == [1, 2]


def test_moving_an_unknown_entry_is_refused():
    with pytest.raises(DomainError) as refused:
        move_entry([hand(1, 1)], [], QueueSettings(), entry_id=7, to_position=0)
    assert refused.value.code == "queue.entry_not_found"
    assert refused.value.params == {"entry_id": 7}


def test_a_point_of_order_cannot_be_moved():
    entries = [hand(1, 1), hand(2, 2, kind=POINT_OF_ORDER)]
    with pytest.raises(DomainError) as refused:
        move_entry(entries, [], QueueSettings(), entry_id=2, to_position=1)
    assert refused.value.code == "queue.point_of_order_not_movable"


@pytest.mark.parametrize("position", [-1, 2])
def test_moving_outside_the_speakers_list_is_refused(position):
    entries = [hand(1, 1), hand(2, 2), hand(3, 3, kind=POINT_OF_ORDER)]
    with pytest.raises(DomainError) as refused:
        move_entry(entries, [], QueueSettings(), entry_id=1, to_position=position)
    assert refused.value.code == "queue.position_out_of_range"
    assert refused.value.params == {"position": position, "size": 2}


# ------------------------------------------------------- removal and determinism


@given(scenarios(manual=True), settings_strategy(), st.data())
def test_removing_or_withdrawing_any_entry_leaves_the_others_in_the_same_order(
    scenario, settings, data
):
    entries, history = scenario
    ordered = ids(order_queue(entries, history, settings))
    for entry in entries:
        rest = remove_entry(entries, entry.id)
        assert ids(order_queue(rest, history, settings)) == [i for i in ordered if i != entry.id]
    keep = data.draw(st.lists(st.booleans(), min_size=len(entries), max_size=len(entries)))
    subset = [e for e, k in zip(entries, keep) if k]
    kept = {e.id for e in subset}
    assert ids(order_queue(subset, history, settings)) == [i for i in ordered if i in kept]


def test_removing_an_unknown_entry_is_refused():
    with pytest.raises(DomainError) as refused:
        remove_entry([hand(1, 1)], 2)
    assert refused.value.code == "queue.entry_not_found"


@given(scenarios(manual=True), settings_strategy(), st.randoms(use_true_random=False))
def test_the_order_is_deterministic_whatever_the_input_order(scenario, settings, rnd):
    entries, history = scenario
    expected = order_queue(entries, history, settings)
    shuffled_entries, shuffled_history = list(entries), list(history)
    rnd.shuffle(shuffled_entries)
    rnd.shuffle(shuffled_history)
    assert order_queue(shuffled_entries, shuffled_history, settings) == expected
    assert sorted(ids(expected)) == sorted(ids(entries)), "the order is a permutation"


def test_two_entries_with_the_same_id_are_refused():
    with pytest.raises(DomainError) as refused:
        order_queue([hand(1, 1), hand(1, 2)], [], QueueSettings())
    assert refused.value.code == "queue.duplicate_entry"


def test_an_empty_queue_has_no_next_speaker():
    assert next_entry([], [], QueueSettings()) is None
    assert order_queue([], [], QueueSettings()) == []


# ----------------------------------------------------------------- raising hands


def _raise(entries, history=(), *, pid=1, kind=SPEECH, stance="for", list_open=True,
           settings=None, entry_id=50, seq=50):
    return raise_hand(
        entries, list(history), settings or QueueSettings(), list_open, entry_id=entry_id,
        participant_id=pid, party=party_of(pid), kind=kind, stance=stance, raised_seq=seq,
    )


def test_raising_twice_is_one_entry():
    first = _raise([])
    assert first.created
    entries = [first.entry]
    second = _raise(entries, entry_id=51, seq=51, stance="against")
    assert not second.created
    assert second.entry is first.entry
    assert find_waiting(1, SPEECH, entries) is first.entry


def test_raising_twice_returns_the_waiting_entry_even_once_the_list_is_closed():
    entries = [hand(1, 1, "for")]
    assert can_raise(1, SPEECH, entries, [], QueueSettings(), list_open=False) is entries[0]


def test_one_person_may_wait_with_a_speech_and_a_point_of_information():
    entries = [hand(1, 1, "for")]
    outcome = _raise(entries, kind=POINT_OF_INFORMATION, stance=None)
    assert outcome.created and outcome.entry.kind == POINT_OF_INFORMATION


def test_the_limit_of_turns_refuses_with_turns_exhausted():
    history = [spoke(1, "for", seq=1), spoke(1, "against", seq=2)]
    with pytest.raises(DomainError) as refused:
        can_raise(1, SPEECH, [], history, QueueSettings(), list_open=True)
    assert refused.value.code == "queue.turns_exhausted"
    assert refused.value.params == {"participant_id": 1, "turns": 2, "max_turns": 2}
    assert can_raise(1, SPEECH, [], history, QueueSettings(max_turns_per_item=3), True) is None
    assert can_raise(2, SPEECH, [], history, QueueSettings(), True) is None


def test_points_of_information_and_order_do_not_use_up_a_turn():
    history = [
        spoke(1, seq=1, kind=POINT_OF_INFORMATION),
        spoke(1, seq=2, kind=POINT_OF_ORDER),
        spoke(1, seq=3, kind=POINT_OF_INFORMATION),
    ]
    settings = QueueSettings(max_turns_per_item=1)
    assert can_raise(1, SPEECH, [], history, settings, list_open=True) is None
    history.append(spoke(1, "for", seq=4))
    for kind in (POINT_OF_INFORMATION, POINT_OF_ORDER):
        assert can_raise(1, kind, [], history, settings, list_open=True) is None
    with pytest.raises(DomainError, match="queue.turns_exhausted"):
        can_raise(1, SPEECH, [], history, settings, list_open=True)


@pytest.mark.parametrize("kind", [SPEECH, POINT_OF_INFORMATION])
def test_a_closed_list_refuses_speeches_and_points_of_information(kind):
    with pytest.raises(DomainError) as refused:
        can_raise(3, kind, [], [], QueueSettings(), list_open=False)
    assert refused.value.code == "queue.list_closed"
    assert refused.value.params == {"participant_id": 3, "kind": kind}


def test_a_point_of_order_may_be_raised_when_the_list_is_closed():
    assert can_raise(3, POINT_OF_ORDER, [], [], QueueSettings(), list_open=False) is None


@pytest.mark.parametrize(
    ("kind", "stance", "code"),
    [
        ("motion", None, "queue.invalid_kind"),
        (SPEECH, None, "queue.invalid_stance"),
        (SPEECH, "maybe", "queue.invalid_stance"),
        (POINT_OF_ORDER, "for", "queue.invalid_stance"),
        (POINT_OF_INFORMATION, "question", "queue.invalid_stance"),
    ],
)
def test_a_hand_needs_a_known_kind_and_a_stance_for_speeches_only(kind, stance, code):
    with pytest.raises(DomainError) as refused:
        _raise([], kind=kind, stance=stance)
    assert refused.value.code == code
    with pytest.raises(DomainError) as refused_entry:
        QueueEntry(id=1, participant_id=1, party="owners", kind=kind, stance=stance, raised_seq=1)
    assert refused_entry.value.code == code


def test_can_raise_refuses_an_unknown_kind():
    with pytest.raises(DomainError, match="queue.invalid_kind"):
        can_raise(1, "motion", [], [], QueueSettings(), list_open=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("speech_seconds", 0),
        ("max_turns_per_item", 0),
        ("overdue_after_floors", 0),
        ("party_time_budget_seconds", 0),
        ("speech_seconds", 1.5),
    ],
)
def test_settings_out_of_range_are_refused(field, value):
    with pytest.raises(DomainError) as refused:
        QueueSettings(**{field: value})
    assert refused.value.code == "queue.invalid_setting"
    assert refused.value.params == {"field": field, "value": value}


def test_a_record_with_negative_seconds_is_refused():
    with pytest.raises(DomainError, match="queue.invalid_seconds"):
        spoke(1, seq=1, seconds=-1)


# ------------------------------------------------------------------- statistics


def test_speaking_stats_count_turns_and_seconds_per_participant_party_and_total():
    history = [
        spoke(1, "for", seq=3, seconds=100, party="owners"),
        spoke(2, "against", seq=1, seconds=50, party="property"),
        spoke(1, seq=2, kind=POINT_OF_INFORMATION, seconds=20, party="owners"),
        spoke(5, seq=4, kind=POINT_OF_ORDER, seconds=10, party="owners"),
        spoke(1, "neutral", seq=5, seconds=30, party="owners"),
    ]
    stats = speaking_stats(history)
    assert list(stats.by_participant) == [2, 1, 5], "speaking order"
    assert stats.by_participant[1] == SpeakingTally(
        turns=2, speech_seconds=130, points_of_information=1, points_of_order=0, seconds=150
    )
    assert stats.by_party["owners"] == SpeakingTally(
        turns=2, speech_seconds=130, points_of_information=1, points_of_order=1, seconds=160
    )
    assert stats.by_party["property"] == SpeakingTally(turns=1, speech_seconds=50, seconds=50)
    assert stats.total == SpeakingTally(
        turns=3, speech_seconds=180, points_of_information=1, points_of_order=1, seconds=210
    )


def test_speaking_stats_of_an_empty_item_are_zero():
    stats = speaking_stats([])
    assert stats.total == SpeakingTally() and not stats.by_participant and not stats.by_party


def _sum(tallies):
    total = SpeakingTally()
    for t in tallies:
        total = SpeakingTally(*(a + b for a, b in zip(
            (total.turns, total.speech_seconds, total.points_of_information,
             total.points_of_order, total.seconds),
            (t.turns, t.speech_seconds, t.points_of_information, t.points_of_order, t.seconds),
        )))
    return total


@given(scenarios(max_entries=0, max_history=25))
def test_speaking_stats_add_up(scenario):
    _, history = scenario
    stats = speaking_stats(history)
    assert _sum(stats.by_participant.values()) == stats.total
    assert _sum(stats.by_party.values()) == stats.total
    assert stats.total.turns == sum(1 for r in history if r.kind == SPEECH)
    assert stats.total.seconds == sum(r.seconds for r in history)


# ---------------------------------------------------------------------- timing


@pytest.mark.parametrize(
    ("elapsed_ms", "state", "remaining", "overrun"),
    [
        (0, "running", 180, 0),
        (149_999, "running", 31, 0),  # 30.001 s left
        (150_000, "warning", 30, 0),  # exactly 30 s left is a warning
        (150_001, "warning", 30, 0),
        (179_999, "warning", 1, 0),  # 1 ms left still shows 1 s
        (180_000, "overrun", 0, 0),  # exactly 0 left is overrun
        (180_999, "overrun", 0, 0),
        (181_000, "overrun", 0, 1),
        (245_500, "overrun", 0, 65),
    ],
)
def test_timing_states_at_the_boundaries(elapsed_ms, state, remaining, overrun):
    timing = speech_timing(1_000, [], 0, 1_000 + elapsed_ms, speech_seconds=180)
    assert (timing.state, timing.remaining_seconds, timing.overrun_seconds) == (
        state, remaining, overrun,
    )
    assert timing.elapsed_ms == elapsed_ms


def test_paused_time_does_not_count_and_an_open_pause_shows_paused():
    timing = speech_timing(0, [(10_000, 20_000), (50_000, None)], 0, 70_000, speech_seconds=60)
    assert timing.elapsed_ms == 40_000
    assert (timing.state, timing.remaining_seconds) == ("paused", 20)


def test_paused_wins_over_overrun():
    timing = speech_timing(0, [(70_000, None)], 0, 90_000, speech_seconds=60)
    assert (timing.state, timing.overrun_seconds) == ("paused", 10)


def test_a_closed_pause_still_in_progress_at_now_is_paused_and_a_future_one_is_ignored():
    assert speech_timing(0, [(5_000, 9_000)], 0, 6_000).state == "paused"
    timing = speech_timing(0, [(8_000, 9_000)], 0, 6_000)
    assert (timing.state, timing.elapsed_ms) == ("running", 6_000)


def test_the_extension_adds_to_the_allowance():
    timing = speech_timing(0, [], 60, 200_000, speech_seconds=180)
    assert (timing.allowed_ms, timing.remaining_seconds, timing.state) == (240_000, 40, "running")


def test_pauses_are_taken_in_time_order_whatever_the_input_order():
    a = speech_timing(0, [(30_000, 40_000), (10_000, 20_000)], 0, 50_000)
    b = speech_timing(0, [(10_000, 20_000), (30_000, 40_000)], 0, 50_000)
    assert a == b and a.elapsed_ms == 30_000


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (dict(started_at_ms=0.0), "timing.not_integer"),
        (dict(now_ms=True), "timing.not_integer"),
        (dict(extension_seconds=1.5), "timing.not_integer"),
        (dict(paused_intervals=[(1.0, 2)]), "timing.not_integer"),
        (dict(extension_seconds=-1), "timing.invalid_duration"),
        (dict(speech_seconds=0), "timing.invalid_duration"),
        (dict(warning_seconds=-1), "timing.invalid_duration"),
        (dict(now_ms=-1), "timing.clock_before_start"),
        (dict(paused_intervals=[(-5, 10)]), "timing.invalid_pause"),
        (dict(paused_intervals=[(10, 5)]), "timing.invalid_pause"),
        (dict(paused_intervals=[(10, 30), (20, 40)]), "timing.invalid_pause"),
        (dict(paused_intervals=[(10, None), (20, 30)]), "timing.invalid_pause"),
    ],
)
def test_timing_refuses_bad_input(kwargs, code):
    args = dict(started_at_ms=0, paused_intervals=[], extension_seconds=0, now_ms=100)
    args.update(kwargs)
    with pytest.raises(DomainError) as refused:
        speech_timing(**args)
    assert refused.value.code == code


@given(
    start=st.integers(0, 10**9),
    speech=st.integers(1, 600),
    extension=st.integers(0, 300),
    now_offset=st.integers(0, 10**6),
    later=st.integers(0, 10**5),
    pause=st.none() | st.tuples(st.integers(0, 10**6), st.integers(0, 10**5)),
)
def test_timing_is_consistent_and_never_runs_backwards(
    start, speech, extension, now_offset, later, pause
):
    pauses = [] if pause is None else [(start + pause[0], start + pause[0] + pause[1])]
    now = start + now_offset
    t1 = speech_timing(start, pauses, extension, now, speech_seconds=speech)
    t2 = speech_timing(start, pauses, extension, now + later, speech_seconds=speech)
    assert 0 <= t1.elapsed_ms <= t2.elapsed_ms
    assert t1.remaining_ms == t1.allowed_ms - t1.elapsed_ms
    for t in (t1, t2):
        assert (t.remaining_seconds == 0) == (t.remaining_ms <= 0)
        assert t.remaining_seconds * 1000 >= t.remaining_ms > (t.remaining_seconds - 1) * 1000 \
            or t.remaining_ms <= 0
        assert t.overrun_seconds == max(0, -t.remaining_ms) // 1000
        if t.state != "paused":
            expected = ("overrun" if t.remaining_seconds == 0
                        else "warning" if t.remaining_seconds <= 30 else "running")
            assert t.state == expected


def test_entries_are_immutable_values():
    """Entries are frozen: changes go through ``dataclasses.replace``, never in place."""
    entry = hand(1, 1)
    with pytest.raises(AttributeError):
        entry.manual_position = 3  # type: ignore[misc]
    assert replace(entry, manual_position=3).manual_position == 3
