"""The only code that changes a meeting: one handler per command, each
recorded as one event (docs/architecture.md §2).

Importing this package registers every command.
"""
from .core import Actor, CommandOutcome, execute, registry  # noqa: F401
from . import meetings, participants, agenda, speakers  # noqa: F401  (registration)
from . import plans, votes  # noqa: F401  (registration)
from . import minutes  # noqa: F401  (registration)
from . import checkin, invitations  # noqa: F401  (registration)
from . import screen  # noqa: F401  (registration)
from . import ballot_papers, written_ballot  # noqa: F401  (registration)
from . import result_notice  # noqa: F401  (registration)
from . import questions  # noqa: F401  (registration)
