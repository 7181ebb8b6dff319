"""The Flask app: extensions, blueprints, the live namespace, the migration check."""

from flask import Flask

from .config import PROJECT_ROOT, from_environment


def build_app(config: dict | None = None) -> Flask:
    """The app factory. `config` overrides the environment (tests pass their database)."""
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    app.config.update(from_environment())
    if config:
        app.config.update(config)

    from .web.security import SessionInterface, check_frame_ancestors
    app.config["PROJECTOR_FRAME_ANCESTORS"] = check_frame_ancestors(
        app.config["PROJECTOR_FRAME_ANCESTORS"])
    for name in ("SIGN_IN_FREE_FAILURES", "SIGN_IN_ADDRESS_FREE_FAILURES",
                 "SIGN_IN_FIRST_DELAY_SECONDS", "SIGN_IN_MAX_DELAY_SECONDS"):
        if app.config[name] < 1:
            raise ValueError(f"{name} must be at least 1")
    app.session_interface = SessionInterface()

    from .extensions import csrf, db, migrate, socketio
    from .database import configure_engine, pool_options, require_migrated
    from .live.namespace import init_live
    from .live.pings import spread_pings

    # hide_parameters: a database error logs its statement without the values (names,
    # texts people typed, tokens' hashes).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True, **pool_options(app.config),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "facilitator" / "migrations"))
    from .web import upload_limits
    app.before_request(upload_limits)  # before the CSRF check, which reads the body
    csrf.init_app(app)
    init_live()
    spread_pings()
    queue = {}
    if app.config.get("REDIS_URL"):
        # Redis between the processes, kept going through an outage (live/queue.py).
        from .live.queue import LiveQueue
        queue["client_manager"] = LiveQueue(app.config["REDIS_URL"])
    socketio.init_app(
        app,
        async_mode=app.config.get("ASYNC_MODE"),
        **queue,
        # Phones on flaky networks: notice a dead connection within ~25 s. Each connection's
        # pings keep a phase of their own (live/pings.py), not in step with the others'.
        ping_interval=10, ping_timeout=15,
        max_http_buffer_size=64 * 1024,
        # cors_allowed_origins stays at its default: same origin only, so another site cannot
        # open a socket with a signed-in moderator's cookie.
    )
    with app.app_context():
        configure_engine(db.engine)
        if app.config["REQUIRE_MIGRATED_DATABASE"]:
            require_migrated(app)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    from .web import register_web
    from .web.static_files import init_static_files
    register_web(app)
    init_static_files(app)
    return app
