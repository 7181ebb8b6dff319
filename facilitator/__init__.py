"""facilitator: runs a live consultation meeting (有事好商量) and leaves the record behind.

This module imports nothing heavy: the console script must monkey-patch (eventlet, gevent)
before Flask or any socket library is imported.
"""


def create_app(config: dict | None = None):
    """The app factory. `config` overrides the environment (tests pass their database)."""
    from .app import build_app
    return build_app(config)
