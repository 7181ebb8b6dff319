import hashlib
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..clock import utcnow

ROLES = ("admin", "moderator", "clerk")


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, nullable=False)
    display_name = db.Column(db.String(100), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    # Only a hash is stored: the token is shown once, when it is issued.
    api_token_hash = db.Column(db.String(64), unique=True)
    # A read-only token may read what its user may read, and change nothing.
    api_token_read_only = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def issue_api_token(self, read_only: bool = False) -> str:
        """A new API token (the old one stops working); shown once, only its hash kept."""
        token = "fct_" + secrets.token_urlsafe(32)
        self.api_token_hash = hash_token(token)
        self.api_token_read_only = read_only
        return token

    @property
    def runs_meetings(self) -> bool:
        return self.role in ROLES


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffSession(db.Model):
    """A signed-in browser of a staff user (facilitator/staff_sessions.py). The cookie
    carries a random token; only its hash is kept, so the table cannot be replayed. Deleting
    the row signs that browser out, whoever holds a copy of its cookie."""
    __tablename__ = "staff_sessions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    token_hash = db.Column(db.String(64), unique=True, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    address = db.Column(db.String(64), nullable=False)


class SignInThrottle(db.Model):
    """Consecutive failed sign-ins of one account ("account:<name>") or one client address
    ("address:<address or IPv6 /64>"), and until when it may not try again
    (facilitator/sign_in_throttle.py). In the database, so every server process counts the
    same tries; a try is counted (and the row locked) before its password is checked."""
    __tablename__ = "sign_in_throttles"
    # A failed sign-in is refused and counted: tests that check a refusal changes nothing
    # skip this table (tests/integration/test_fuzz_inputs.py).
    __records_refusals__ = True

    key = db.Column(db.String(80), primary_key=True)
    failures = db.Column(db.Integer, nullable=False)
    locked_until = db.Column(db.DateTime)
    last_try_at = db.Column(db.DateTime, nullable=False, index=True)


class SignInEvent(db.Model):
    """The sign-in log, shown to administrators: every password checked (a refusal by the
    throttle checks none and is not logged; the locks themselves are shown)."""
    __tablename__ = "sign_in_events"
    __records_refusals__ = True  # a failed sign-in is logged (see SignInThrottle)

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    username = db.Column(db.String(64), nullable=False)  # as typed: the account may not exist
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    address = db.Column(db.String(64), nullable=False)
    success = db.Column(db.Boolean, nullable=False)
