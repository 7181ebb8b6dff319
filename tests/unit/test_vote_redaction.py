"""What each role sees of plans, votes, proxies and live tallies (live/redaction.py)."""
from facilitator.live.redaction import (redact_batch, redact_tally,
                                        redact_value, results_visible)

TALLY = {"vote_id": 3, "status": "open", "ballots": 2,
         "participation": {"owners": 2, "area": 17952}, "eligible": {"owners": 5, "area": 0},
         "scope": None, "gate": None, "source": "ballots",
         "tally": {"counts": {"A": {"owners": 2, "area": 17952}}},
         "provisional": {"outcome": {"passed": True}}, "voted": ["P01", "P03"]}


def vote(**values):
    return {"id": 3, "status": "open", "secret": False, "show_results": "after_close",
            "recused": ["P38"], **values}


def test_a_secret_vote_shows_no_counts_while_open_to_anyone():
    for role in ("chair", "phone", "projector", "api"):
        seen = redact_tally(TALLY, vote(secret=True), role)
        assert "tally" not in seen and "provisional" not in seen
        assert seen["participation"] == {"owners": 2, "area": 17952}
    # Who has voted (never what) is the chair's, to know who still needs a paper ballot.
    assert redact_tally(TALLY, vote(secret=True), "chair")["voted"] == ["P01", "P03"]
    assert "voted" not in redact_tally(TALLY, vote(secret=True), "phone")


def test_hidden_results_are_the_chairs_until_the_vote_closes():
    assert results_visible(vote(), "chair") and not results_visible(vote(), "projector")
    assert results_visible(vote(show_results="live"), "phone")
    assert redact_tally(TALLY, vote(show_results="live"), "projector")["tally"] == TALLY["tally"]
    assert "voted" not in redact_tally(TALLY, vote(show_results="live"), "projector")


def test_screens_see_opened_votes_accepted_plans_and_active_proxies_only():
    assert redact_value("votes", vote(status="draft"), "phone") is None
    assert redact_value("votes", vote(status="cancelled"), "projector") is None
    assert redact_value("votes", vote(), "phone")["recused"] == []
    assert redact_value("votes", vote(status="draft"), "chair")["recused"] == ["P38"]
    assert redact_value("plans", {"status": "proposed"}, "phone") is None
    assert redact_value("plans", {"status": "accepted", "key": "A"}, "projector") == {
        "status": "accepted", "key": "A"}
    proxy = {"id": 1, "owner_key": "P07", "note": "委托书", "status": "active",
             "owner_name": "宋海燕"}
    assert redact_value("proxies", proxy, "phone") == {"id": 1, "status": "active",
                                                       "owner_name": "宋海燕"}
    assert redact_value("proxies", {**proxy, "status": "revoked"}, "phone") is None


def test_ballots_leave_no_record_in_the_screens_batches():
    batch = {"from": 5, "to": 7, "changes": [],
             "events": [{"seq": 5, "type": "ballot.cast", "at": 1, "data": {"voter_key": "P01"}},
                        {"seq": 6, "type": "ballot.recorded", "at": 1, "data": {}},
                        {"seq": 7, "type": "vote.opened", "at": 1, "data": {"vote_id": 1}}]}
    for role in ("phone", "projector"):
        seen = redact_batch(batch, role)
        assert (seen["from"], seen["to"]) == (5, 7)
        assert seen["events"] == []  # screens follow the changes; no record of any ballot
    assert len(redact_batch(batch, "chair")["events"]) == 3
