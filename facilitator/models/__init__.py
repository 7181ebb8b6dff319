"""SQLAlchemy models. The database is the truth: a meeting's state lives in these rows and
nowhere else, so any process can serve any client (docs/architecture.md §1)."""
from .users import SignInEvent, SignInThrottle, StaffSession, User
from .cases import Case, CaseMember, RosterUnit, RosterUpload, RosterVersion
from .meetings import Meeting, Participant, AgendaItem, Invitation, JoinGuesses
from .events import MeetingEvent
from .speakers import QueueEntry, Speech
from .votes import (Plan, PlanRevision, Proxy, Vote, VoteParticipation, Ballot, SealedBallot,
                    SecretTally, BallotReceipt, BallotPaper,
                    BallotPaperEntry, BallotPaperScan)
from .minutes import ActionItem, MinutesVersion
from .signing import DocumentSignoff, SignatureRequest
from .case_record import CaseTransition, ActionItemUpdate, CaseFeedback
from .notices import Objection, ResultNotice
from .questions import Question, QuestionUpvote

__all__ = ["User", "StaffSession", "SignInThrottle", "SignInEvent", "Case", "CaseMember", "RosterUnit", "RosterUpload", "RosterVersion", "Meeting", "Participant", "AgendaItem", "Invitation",
           "JoinGuesses", "MeetingEvent", "QueueEntry", "Speech", "Plan", "PlanRevision", "Proxy", "Vote",
           "VoteParticipation", "Ballot", "SealedBallot", "SecretTally", "BallotReceipt", "BallotPaper", "BallotPaperEntry", "BallotPaperScan", "ActionItem", "MinutesVersion", "DocumentSignoff", "SignatureRequest",
           "CaseTransition", "ActionItemUpdate", "CaseFeedback", "ResultNotice", "Objection",
           "Question", "QuestionUpvote"]
