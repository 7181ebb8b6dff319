"""A sealed secret ballot: readable with the server's key for its own vote only, and the same
size whatever it says."""
import pytest

from facilitator import ballot_seal
from facilitator.errors import DomainError

KEY = "the-server-key"
OPTIONS = ["A", "B", "C"]


def test_a_sealed_ballot_opens_to_what_was_cast():
    sealed = ballot_seal.seal(7, ["B"], 11842, OPTIONS, KEY)
    assert ballot_seal.unseal(7, sealed, KEY) == (("B",), 11842)
    assert b"11842" not in sealed and b'"B"' not in sealed


def test_every_ballot_of_a_vote_has_one_size_from_the_shortest_to_the_longest():
    sizes = {len(ballot_seal.seal(7, choices, area, OPTIONS, KEY)) for choices, area in [
        (["A"], 0), (["abstain"], 1), (["C", "B", "A"], ballot_seal.LARGEST_AREA),
        (["A", "B", "C", "abstain"], 99_999_999)]}
    assert len(sizes) == 1


def test_the_same_choice_sealed_twice_differs():
    assert ballot_seal.seal(7, ["A"], 100, OPTIONS, KEY) != ballot_seal.seal(
        7, ["A"], 100, OPTIONS, KEY)


@pytest.mark.parametrize("vote_id, key, change", [
    (8, KEY, None),                 # moved to another vote
    (7, "another-key", None),       # SECRET_KEY changed
    (7, KEY, 20),                   # a byte altered
])
def test_a_ballot_that_is_not_this_votes_under_this_key_is_refused(vote_id, key, change):
    sealed = bytearray(ballot_seal.seal(7, ["A"], 100, OPTIONS, KEY))
    if change is not None:
        sealed[change] ^= 1
    with pytest.raises(DomainError) as refused:
        ballot_seal.unseal(vote_id, bytes(sealed), key)
    assert refused.value.code == "vote.seal_unreadable"


def test_a_ballot_longer_than_its_vote_allows_is_not_sealed():
    with pytest.raises(ValueError):
        ballot_seal.seal(7, ["A"] * 40, 1, OPTIONS, KEY)
