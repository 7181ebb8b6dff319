"""Settings, read from the environment with safe defaults for a laptop.

DATABASE_URL  SQLAlchemy URL; default: SQLite file instance/facilitator.db (WAL mode)
REDIS_URL     when set, the Socket.IO message queue (several server processes)
SECRET_KEY    signs sessions and CSRF tokens; generated into instance/ when unset
ASYNC_MODE    eventlet (default for `facilitator serve`), gevent or threading
PUBLIC_URL    the address phones use to join (the QR code); default: the request's host
              https:// here makes every cookie Secure and sends HSTS (web/security.py)
METRICS_TOKEN when set, /metrics answers Prometheus scrapes that send it as a bearer token;
              unset, /metrics does not exist (404)
PROXY_COUNT   how many reverse proxies stand in front (their X-Forwarded-* headers are
              trusted, so the limits count real client addresses and a request that came
              over HTTPS is known as such); default 0
PROJECTOR_FRAME_ANCESTORS  origins that may show the projector page in a frame; default 'self'
LOG_FORMAT    text (default) or json: `facilitator serve`'s log as JSON lines (server_log.py)

Sign-in throttling (facilitator/sign_in_throttle.py):
SIGN_IN_FREE_FAILURES          failed sign-ins in a row one account may make; the one that
                               reaches it locks the account; default 5
SIGN_IN_ADDRESS_FREE_FAILURES  the same for one client address (IPv6: its /64); default 20
SIGN_IN_FIRST_DELAY_SECONDS    the first lock; each further failure doubles it; default 60
SIGN_IN_MAX_DELAY_SECONDS      the longest lock; default 3600
TIMEZONE      the zone of times typed into forms and shown on pages; default Asia/Shanghai
JOIN_DEVICE_LIMIT            people one browser may join as, per meeting; default 3
JOIN_ADDRESS_LIMIT           people joined from one client address per meeting within
JOIN_ADDRESS_WINDOW_SECONDS  this window; defaults 500 in 600 s (a room behind one NAT)
ROSTER_WORKER_BYTES          a roster file larger than this is read and imported by a
                             separate process; default 262144 (256 KB)

PostgreSQL connections of each server process (SQLAlchemy's pool; docs/deployment.md §6
sizes them against the server's max_connections, which `serve --workers N` checks):
DATABASE_POOL_SIZE     connections kept open once opened; default 15
DATABASE_MAX_OVERFLOW  further connections opened at a peak and closed after; default 0
DATABASE_POOL_TIMEOUT  seconds a request waits for a free connection before it fails;
                       default 10

Join codes and live connections (facilitator/joining.py, live/namespace.py; the QR code's
link carries a key that the JOIN_CODE_LIMIT_* limits do not count):
JOIN_CODE_LIMIT_PER_ADDRESS     wrong join codes one client address may try per window;
                                default 60 (a room of phones behind one NAT shares it)
JOIN_CODE_LIMIT_WINDOW_SECONDS  the window; default 600 (fixed windows of 10 minutes)
JOIN_CODE_LIMIT_PER_MINUTE      wrong join codes the whole server takes per minute; at this
                                many, typed codes are refused everywhere until the minute
                                ends and the live consoles say so; default 120
SOCKETS_PER_PARTICIPANT         live connections one phone's participant may hold; a newer
                                one closes the oldest, which is told why; default 3
HANDSHAKES_AT_ONCE              live connections a server process takes through their
                                handshake at once (who it is, a phone's join, its
                                catch-up); the others wait their turn; default 50
QUESTIONS_PER_MINUTE            written questions one participant may ask in any minute
                                (actions/questions.py; withdrawn ones count); default 3

Garbage collection on `facilitator serve` (eventlet or gevent; facilitator/live/gc_policy.py):
GC_FREEZE_INTERVAL_SECONDS         collect the young objects and freeze the survivors this
                                   often, so Python's collections skip the long-lived ones;
                                   default 5; 0 turns the policy off (Python's default)
GC_FULL_COLLECT_SECONDS            this often, unfreeze and run a full collection (frees the
                                   cyclic garbage frozen meanwhile) at a quiet moment;
                                   default 300
GC_QUIET_SECONDS                   quiet = no broadcast for this long; default 2
GC_FULL_COLLECT_MAX_DELAY_SECONDS  a full collection due but never quiet runs anyway after
                                   this much longer; default 300
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("FACILITATOR_INSTANCE", PROJECT_ROOT / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in instance/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Heroku-style postgres:// URLs and bare postgresql:// go to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def default_database_url() -> str:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'facilitator.db'}"


def from_environment() -> dict:
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url()),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "DATABASE_POOL_SIZE": _count("DATABASE_POOL_SIZE", 15),
        "DATABASE_MAX_OVERFLOW": _count("DATABASE_MAX_OVERFLOW", 0),
        "DATABASE_POOL_TIMEOUT": _seconds("DATABASE_POOL_TIMEOUT", 10),
        "ASYNC_MODE": os.environ.get("ASYNC_MODE") or None,
        "PUBLIC_URL": (os.environ.get("PUBLIC_URL") or "").rstrip("/") or None,
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "LOG_FORMAT": os.environ.get("LOG_FORMAT") or "text",
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT") or 0),
        "PROJECTOR_FRAME_ANCESTORS": os.environ.get("PROJECTOR_FRAME_ANCESTORS") or "'self'",
        "SIGN_IN_FREE_FAILURES": _count("SIGN_IN_FREE_FAILURES", 5),
        "SIGN_IN_ADDRESS_FREE_FAILURES": _count("SIGN_IN_ADDRESS_FREE_FAILURES", 20),
        "SIGN_IN_FIRST_DELAY_SECONDS": _count("SIGN_IN_FIRST_DELAY_SECONDS", 60),
        "SIGN_IN_MAX_DELAY_SECONDS": _count("SIGN_IN_MAX_DELAY_SECONDS", 3600),
        "TIMEZONE": os.environ.get("TIMEZONE") or "Asia/Shanghai",
        # The days a decision's result stays on the notice board (公示) unless the notice
        # says otherwise (actions/result_notice.py).
        "RESULT_NOTICE_DAYS": _count("RESULT_NOTICE_DAYS", 7),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Staff sessions end this long after sign-in (staff_sessions.py), used or not.
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # The app refuses to start on a database that is not at the newest migration.
        "REQUIRE_MIGRATED_DATABASE": True,
        # Join-code guessing (joining.py; the docstring above).
        "JOIN_CODE_LIMIT_PER_ADDRESS": _count("JOIN_CODE_LIMIT_PER_ADDRESS", 60),
        "JOIN_CODE_LIMIT_WINDOW_SECONDS": _count("JOIN_CODE_LIMIT_WINDOW_SECONDS", 600),
        "JOIN_CODE_LIMIT_PER_MINUTE": _count("JOIN_CODE_LIMIT_PER_MINUTE", 120),
        "SOCKETS_PER_PARTICIPANT": _count("SOCKETS_PER_PARTICIPANT", 3),
        "HANDSHAKES_AT_ONCE": _count("HANDSHAKES_AT_ONCE", 50),
        "QUESTIONS_PER_MINUTE": _count("QUESTIONS_PER_MINUTE", 3),
        # `sync` calls per connection: a burst of this many, then this many per second
        # (a client syncs on connect, on a gap and on a heartbeat that shows it behind).
        "SYNC_BURST": 5,
        "SYNC_PER_SECOND": 1.0,
        # With a message queue (several processes), each process tells its clients every
        # this many seconds the last sequence number of their meetings (live/heartbeat.py).
        "LIVE_HEARTBEAT_SECONDS": 2.0,
        # People joined from one browser (its device cookie) per meeting, and from one client
        # address per meeting per window: a whole room behind one NAT fits, a script does not.
        "JOIN_DEVICE_LIMIT": int(os.environ.get("JOIN_DEVICE_LIMIT") or 3),
        "JOIN_ADDRESS_LIMIT": int(os.environ.get("JOIN_ADDRESS_LIMIT") or 500),
        "JOIN_ADDRESS_WINDOW_SECONDS": _seconds("JOIN_ADDRESS_WINDOW_SECONDS", 600),
        # A roster file larger than this is read and imported by a separate process.
        "ROSTER_WORKER_BYTES": int(os.environ.get("ROSTER_WORKER_BYTES") or 256 * 1024),
        # A client further behind than this gets a fresh snapshot instead of events.
        "CATCH_UP_MAX_EVENTS": 500,
        # Events committed within this long after a broadcast leave together (coalesced fan-out).
        "LIVE_BATCH_INTERVAL_MS": 100,
        # Garbage collection on `facilitator serve` (live/gc_policy.py; the docstring above).
        "GC_FREEZE_INTERVAL_SECONDS": _seconds("GC_FREEZE_INTERVAL_SECONDS", 5),
        "GC_FULL_COLLECT_SECONDS": _seconds("GC_FULL_COLLECT_SECONDS", 300),
        "GC_QUIET_SECONDS": _seconds("GC_QUIET_SECONDS", 2),
        "GC_FULL_COLLECT_MAX_DELAY_SECONDS": _seconds("GC_FULL_COLLECT_MAX_DELAY_SECONDS", 300),
    }


def _count(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else float(default)
