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
