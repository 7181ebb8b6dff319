"""A process that casts ballots one after another and prints each acknowledgement, for a test
to kill with SIGKILL mid-vote (tests/integration/test_secret_ballots_at_rest.py):

    python -m tests.ballot_writer <database url> <secret key> <meeting id> <vote id> \\
        <participant id>:<choice> ...

It runs on the clock of the test that started it (tests/frozen_time.py)."""
from __future__ import annotations

import sys

from tests.frozen_time import subprocess_now


def main(argv: list[str]) -> None:
    import time_machine
    time_machine.travel(subprocess_now(), tick=True).start()
    from facilitator import create_app
    from facilitator.actions import Actor, execute
    url, secret_key, meeting_id, vote_id, *ballots = argv
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key,
                      "TESTING": True, "ASYNC_MODE": "threading",
                      "REQUIRE_MIGRATED_DATABASE": False, "LIVE_BATCH_INTERVAL_MS": 0})
    with app.app_context():
        for ballot in ballots:
            participant_id, choice = ballot.split(":")
            outcome = execute(int(meeting_id), Actor(role="phone",
                                                     participant_id=int(participant_id)),
                              "ballot.cast", {"vote_id": int(vote_id), "choices": [choice]})
            assert outcome.ok, outcome.error
            print(f"ack {participant_id} {choice}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
