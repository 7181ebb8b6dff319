"""The process that reads and imports a large roster file (actions/roster_import.py starts it
as `python -m facilitator.roster_worker`): the task as JSON on stdin, its answer as JSON on
stdout, in an app of its own on the server's database."""
from __future__ import annotations

import json
import os
import sys

WORKER_NICENESS = 19  # the lowest priority: the scheduler favours the server ~70:1


def _give_way_to_the_server() -> None:
    """The live meetings' process comes first when both want a core: the import may wait.
    On Linux the worker runs only on a core nothing else wants (SCHED_IDLE: a waking server
    takes the core at once); elsewhere at the lowest priority."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(WORKER_NICENESS)


def main(stdin=sys.stdin, stdout=sys.stdout) -> None:
    _give_way_to_the_server()  # before it reads anything
    from .actions.roster_import import work
    from . import create_app
    task = json.load(stdin)
    app = create_app({"SQLALCHEMY_DATABASE_URI": task["database"], "ASYNC_MODE": "threading",
                      "REQUIRE_MIGRATED_DATABASE": False})
    with app.app_context():
        print(json.dumps(work(task)), file=stdout)


if __name__ == "__main__":
    main()
