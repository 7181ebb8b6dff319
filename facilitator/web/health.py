"""For load balancers and operators: is the process alive, is it ready, what does it do.

/healthz  the process answers (no database, no Redis): 200.
/readyz   the database answers, its schema is at the code's migration, and the message
          queue (when REDIS_URL is set) answers: 200, else 503 with what failed.
/metrics  Prometheus text (facilitator/metrics.py), only with METRICS_TOKEN set and sent as
          a bearer token; without the setting the address does not exist (404).
"""
from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from .. import metrics
from ..database import current_revision, head_revision
from ..extensions import db
from ..i18n import t

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _database_check() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        current, head = current_revision(db.engine), head_revision()
    except Exception as error:  # noqa: BLE001 - any failure means not ready; said below
        db.session.rollback()
        return f"unreachable: {type(error).__name__}"
    finally:
        db.session.rollback()
    if current != head:
        return f"not migrated: at {current or 'no revision'}, the code needs {head}"
    return "ok"


def _queue_check() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis
    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 - any failure means not ready; said below
        return f"unreachable: {type(error).__name__}"
    return "ok"


@bp.get("/readyz")
def readyz():
    checks = {"database": _database_check()}
    queue = _queue_check()
    if queue is not None:
        checks["message_queue"] = queue
    ready = all(value == "ok" for value in checks.values())
    return jsonify({"status": "ready" if ready else "not ready", "checks": checks}), \
        200 if ready else 503


@bp.get("/metrics")
def metrics_text():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        return jsonify({"error": {"code": "auth.bad_token", "message": t("auth.bad_token")}}), \
            401, {"WWW-Authenticate": "Bearer"}
    return generate_latest(metrics.registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}
