"""Agenda timing and join codes: pure rules every face relies on."""
from hypothesis import given, strategies as st

from facilitator.domain.agenda import countdown, neighbour, planned_schedule
from facilitator.domain.join_codes import new_join_code, normalise_join_code


def test_the_countdown_runs_from_the_time_box():
    start = 1_000_000
    assert countdown(600, 0, start, start).remaining_seconds == 600
    assert countdown(600, 0, start, start + 59_999).remaining_seconds == 541
    assert countdown(600, 0, start, start + 600_000) == countdown(600, 0, start, start + 600_000)
    at_zero = countdown(600, 0, start, start + 600_000)
    assert at_zero.remaining_seconds == 0 and not at_zero.overrun


def test_an_overrun_shows_as_such():
    over = countdown(600, 0, 0, 661_000)
    assert over.overrun and over.remaining_seconds == -61


def test_going_back_to_an_item_continues_from_the_time_it_used():
    assert countdown(600, 420_000, None, 10**9).remaining_seconds == 180  # not running
    assert countdown(600, 420_000, 0, 30_000).remaining_seconds == 150


def test_short_runs_add_up_to_the_millisecond():
    """Switching back and forth loses no time: 3 runs of 0.6 s are 1.8 s, shown as 1 s used."""
    assert countdown(600, 3 * 600, None, 0).remaining_seconds == 599
    assert countdown(600, 3 * 600, 0, 200).remaining_seconds == 598


@given(st.integers(0, 10**6), st.integers(0, 10**8), st.integers(0, 10**7))
def test_a_client_clock_that_is_wrong_does_not_matter_once_corrected(planned, used, elapsed_ms):
    """Clients compute with server time (their clock plus the measured offset): any offset
    cancels out, so two phones with different clocks show the same countdown."""
    start_server = 1_700_000_000_000
    for wrong_by in (-3_600_000, 0, 90_000):
        client_now = start_server + elapsed_ms + wrong_by
        offset = -wrong_by
        assert countdown(planned, used, start_server, client_now + offset) == \
            countdown(planned, used, start_server, start_server + elapsed_ms)


def test_planned_times_follow_the_time_boxes():
    assert planned_schedule(0, [600, 480, 600]) == [0, 600_000, 1_080_000]
    assert planned_schedule(None, [60]) == [None]


def test_next_and_previous_follow_agenda_order_not_ids():
    positions = {10: 2, 11: 1, 12: 3}
    assert neighbour(positions, None, +1) == 11
    assert neighbour(positions, 11, +1) == 10
    assert neighbour(positions, 12, +1) is None
    assert neighbour(positions, 10, -1) == 11
    assert neighbour(positions, 11, -1) is None
    assert neighbour({}, None, +1) is None


def test_join_codes_are_six_digits_without_a_leading_zero():
    for _ in range(200):
        code = new_join_code()
        assert len(code) == 6 and code.isdigit() and code[0] != "0"


def test_typed_codes_are_read_generously():
    assert normalise_join_code("123 456") == "123456"
    assert normalise_join_code("123-456") == "123456"
    assert normalise_join_code("１２３４５６") == "123456"
    for bad in ("12345", "1234567", "12a456", "", "١٢٣٤٥٦"):
        assert normalise_join_code(bad) is None, bad
