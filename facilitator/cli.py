"""Command-line interface: `facilitator --help`."""
from __future__ import annotations

import getpass
import logging
import os

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .extensions import db
from .server_log import announce, configure as configure_log


def _create_app_for_cli():
    from . import create_app
    # Commands that migrate or create the database must run on an unmigrated one.
    return create_app({"REQUIRE_MIGRATED_DATABASE": False})


@click.group(cls=FlaskGroup, create_app=_create_app_for_cli, add_version_option=False,
             add_default_commands=False, load_dotenv=False,
             help="Run live consultation meetings (有事好商量) and keep their record.\n\n"
                  "The database is DATABASE_URL (default: SQLite in the instance folder, "
                  "FACILITATOR_INSTANCE, by default instance/ in the project).")
def cli():
    pass


def upgrade_database() -> None:
    from flask_migrate import upgrade
    upgrade(directory=current_app.extensions["migrate"].directory)


@cli.command("upgrade-db")
@with_appcontext
def upgrade_db_command():
    """Migrate the database to the newest schema (safe to run again)."""
    upgrade_database()
    click.echo("Database is up to date.")


@cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "moderator", "clerk"]), default="moderator",
              show_default=True, help="What the user may do.")
@click.option("--name", "display_name", help="Name shown to others (default: the username).")
@click.option("--password", help="Password (asked for when not given).")
@with_appcontext
def create_user_command(username, role, display_name, password):
    """Create a sign-in for a moderator, clerk or administrator."""
    from .models import User
    if db.session.execute(db.select(User).filter_by(username=username)).first():
        raise click.ClickException(f"User {username!r} already exists.")
    if not password:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            raise click.ClickException("The passwords differ.")
    if len(password) < 8:
        raise click.ClickException("The password needs at least 8 characters.")
    user = User(username=username, display_name=display_name or username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {username!r}.")


@cli.command("create-token")
@click.argument("username")
@click.option("--read-only", is_flag=True,
              help="The token may read what the user may read, and change nothing.")
@with_appcontext
def create_token_command(username, read_only):
    """Issue a new API token for a user (the old one stops working). Shown once. It acts
    with the user's rights: the cases the user is a member of (all, for an administrator)."""
    from .models import User
    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    token = user.issue_api_token(read_only=read_only)
    db.session.commit()
    click.echo(token)


@cli.command("demo")
@click.option("--base-url", default=None,
              help="Address to print (default: http://127.0.0.1:$PORT, PORT default 5000).")
@click.option("--played", is_flag=True,
              help="Load the demo meeting already held (replayed from a script) with its "
                   "minutes final, and print their download addresses.")
@with_appcontext
def demo_command(base_url, played):
    """Load the demo case (锦华苑 garage leaks): migrates first, then prints how to start."""
    from .demo import load_demo
    upgrade_database()
    base = (base_url or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}").rstrip("/")
    if played:
        _played_demo(base)
        return
    info = load_demo()
    click.echo(f"Demo case {info['case_number']} is loaded.")
    click.echo(f"  Console:   {base}/meetings/{info['meeting_id']}/console")
    click.echo(f"  Login:     {info['username']} / {info['password']}  "
               f"(clerk: {info['clerk_username']} / {info['password']})")
    click.echo(f"  Join code: {info['join_code']}  (typed on {base}/join)")
    click.echo(f"  QR link:   {base}/j/{info['join_code']}?k={info['join_key']}")
    click.echo(f"  Projector: {base}/p/{info['projector_token']}")
    if not base_url:  # 127.0.0.1 is this computer only: say what phones in the room can use
        from .addresses import local_network_addresses
        lan = local_network_addresses()
        port = os.environ.get("PORT", "5000")
        if lan:
            click.echo(f"  Phones:    http://{lan[0]}:{port}/j/{info['join_code']}"
                       f"?k={info['join_key']}  (the QR link, from phones on this network)")
        else:
            click.echo("  Phones cannot open 127.0.0.1: connect this computer to the room's "
                       "network, or set PUBLIC_URL")


def _played_demo(base: str) -> None:
    from .demo import CLERK_USERNAME, DEMO_PASSWORD, MODERATOR_USERNAME
    from .demo_played import AlreadyLive, load_played_demo, minutes_urls
    try:
        info = load_played_demo()
    except AlreadyLive as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Demo case {info['case_number']} is loaded with its meeting held and the "
               "minutes final.")
    click.echo(f"  Meeting:   {base}/meetings/{info['meeting_id']}/console")
    click.echo(f"  Case:      {base}/cases/{info['case_id']}")
    click.echo(f"  Login:     {MODERATOR_USERNAME} / {DEMO_PASSWORD}  "
               f"(clerk: {CLERK_USERNAME} / {DEMO_PASSWORD})")
    click.echo("  Minutes (signed in as the moderator or the clerk):")
    for url in minutes_urls(base, info["meeting_id"]):
        click.echo(f"    {url}")


@cli.command("export-minutes")
@click.argument("meeting_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "md", "html", "json"]),
              default="pdf", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The file to write.")
@click.option("--version", "version", type=int, default=None,
              help="A final version (default: the latest; the live draft when none is final).")
@with_appcontext
def export_minutes_command(meeting_id, fmt, output, version):
    """Write a meeting's minutes to a file (PDF, DOCX, Markdown, HTML or JSON)."""
    from .minutes.load import minutes_for
    from .minutes.versions import document_of, latest_version, version_number
    from .models import Meeting
    from .web.minutes import RENDERERS, signoffs_of
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"No meeting {meeting_id}.")
    row = version_number(meeting_id, version) if version else latest_version(meeting_id)
    if version and row is None:
        raise click.ClickException(f"Meeting {meeting_id} has no version {version} of its minutes.")
    document = document_of(row) if row is not None else minutes_for(meeting)
    data = RENDERERS[fmt].render(document, document.language,
                                 signoffs=signoffs_of(row) if row is not None else ())
    with open(output, "wb") as handle:
        handle.write(data)
    state = f"version {row.number} (final)" if row is not None else "the live draft"
    click.echo(f"Wrote {output}: {state}, {len(data):,} bytes, sha256:{document.content_hash()}")


@cli.command("contract", with_appcontext=False)
@click.option("--write", is_flag=True, help="Rewrite the generated parts (default: only check).")
def contract_command(write):
    """Check (or rewrite) the parts of docs/protocol.md and the OpenAPI document generated
    from the command and event declarations."""
    from .contract_docs import PROTOCOL, stale_files, write_files
    if not PROTOCOL.exists():
        raise click.ClickException("docs/protocol.md is not here: run this in a source checkout.")
    if write:
        for path in write_files():
            click.echo(f"rewrote {path}")
        return
    stale = stale_files()
    for path in stale:
        click.echo(f"not current: {path} (run: facilitator contract --write)", err=True)
    if stale:
        raise SystemExit(1)
    click.echo("docs/protocol.md and openapi.json match the declarations")


def _serve_workers(app, host: str, port: int, async_mode: str, max_connections: int,
                   backlog: int, workers: int, worker_ports: int | None) -> None:
    from .workers import WorkerGroup, group_refusal, port_is_free, this_program
    refusal = group_refusal(workers, app.config["SQLALCHEMY_DATABASE_URI"],
                            app.config.get("REDIS_URL"))
    if refusal is None and async_mode == "threading":
        refusal = "--workers needs --async-mode eventlet or gevent."
    own_ports = [] if worker_ports is None else [worker_ports + n for n in range(workers)]
    if refusal is None and port in own_ports:
        refusal = f"--worker-ports {worker_ports} would give a worker the shared port {port}."
    for taken in [port, *own_ports]:
        if refusal is None and not port_is_free(host, taken):
            refusal = f"Port {taken} is in use: another server listens on it."
    if refusal is None:
        refusal = _connections_refusal(app, workers)
    if refusal:
        raise click.ClickException(refusal)
    announce(f"facilitator serving on http://{host}:{port} ({async_mode}, {workers} workers)",
             event="serving", port=port, workers=workers)
    if own_ports:
        announce(f"each worker also listens on a port of its own, for a proxy that keeps a "
                 f"polling client on one worker: {own_ports[0]}–{own_ports[-1]}",
                 event="worker_ports", ports=own_ports)
    _say_where_phones_join(app, host, port)

    def worker_command(number: int) -> list[str]:
        own = ["--own-port", str(own_ports[number - 1])] if own_ports else []
        return [*this_program(), "serve", "--host", host, "--port",
                str(port), "--async-mode", async_mode, "--max-connections",
                str(max_connections), "--backlog", str(backlog), "--shared-port", *own]
    raise SystemExit(WorkerGroup(worker_command, workers, announce).run())


def _connections_refusal(app, workers: int) -> str | None:
    """Whether the workers' pools fit in PostgreSQL's connections (docs/deployment.md §6)."""
    from .database import connection_refusal, connections_per_process, postgres_connection_room
    from .extensions import db
    with app.app_context():
        room = postgres_connection_room(db.engine)
        db.engine.dispose()  # the parent keeps no connection open while it watches
    return connection_refusal(workers, connections_per_process(app.config), *room)


# After SIGTERM: time for the last batches and the `restarting` messages to leave and for
# commands under way to commit (milliseconds each); a command cut off later is sent again by
# its client, with the same id, to another process.
STOP_GRACE_SECONDS = 1.0


def _stop_gracefully_on_sigterm(app, async_mode: str) -> None:
    """SIGTERM (the group's parent, systemd, a platform's deploy): the events committed here
    leave at once, the live clients are told to reconnect elsewhere, and the process ends."""
    import signal
    from .extensions import socketio
    from .live.namespace import stop_gracefully
    stopping = []

    def stop() -> None:
        with app.app_context():
            told = stop_gracefully()
        announce(f"stopping: {told} live connections told to reconnect", event="stopping",
                 told=told)
        socketio.sleep(STOP_GRACE_SECONDS)
        os._exit(0)

    def on_sigterm(*_args) -> None:
        if not stopping:
            stopping.append(True)
            socketio.start_background_task(stop)

    if async_mode == "gevent":
        import gevent
        gevent.signal_handler(signal.SIGTERM, on_sigterm)
    else:
        signal.signal(signal.SIGTERM, on_sigterm)


def _say_where_phones_join(app, host: str, port: int) -> None:
    """The addresses phones in the room can use; a console opened on this computer as
    127.0.0.1 gives phones the first of them (web/links.py)."""
    from .addresses import addresses_for_phones
    app.config["LAN_ADDRESSES"] = addresses_for_phones(host)
    if app.config.get("PUBLIC_URL"):
        announce(f"phones join at {app.config['PUBLIC_URL']} (PUBLIC_URL)",
                 event="join_address", address=app.config["PUBLIC_URL"])
    elif app.config["LAN_ADDRESSES"]:
        for address in app.config["LAN_ADDRESSES"]:
            announce(f"phones on this network can join at http://{address}:{port}",
                     event="join_address", address=f"http://{address}:{port}")
    else:
        announce("warning: phones cannot reach this server: it has no address on a local "
                 "network or listens on this computer only (--host); set PUBLIC_URL to the "
                 "address phones use", level=logging.WARNING, event="no_join_address")


@cli.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")),
              help="Port (default: $PORT or 5000).")
@click.option("--async-mode", type=click.Choice(["eventlet", "gevent", "threading"]),
              default=lambda: os.environ.get("ASYNC_MODE") or "eventlet",
              help="Async server (default: $ASYNC_MODE or eventlet).")
@click.option("--max-connections", type=int, default=10000, show_default=True,
              help="Concurrent connections (eventlet's own default of 1024 is too few).")
@click.option("--backlog", type=int, default=2048, show_default=True,
              help="Listen backlog, so a reconnect storm of phones is not refused.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes on this port, restarted when one ends (2 or more need "
                   "REDIS_URL and a PostgreSQL DATABASE_URL; docs/deployment.md §5).")
@click.option("--worker-ports", type=click.IntRange(1, 65535), default=None, metavar="FIRST",
              help="With --workers N: worker n also listens on FIRST+n-1 alone, so that a "
                   "sticky proxy can keep a long-polling client on one worker "
                   "(docs/deployment.md §6).")
@click.option("--shared-port", is_flag=True, hidden=True,
              help="One worker of a group: share the port with the others (SO_REUSEPORT).")
@click.option("--own-port", type=int, default=None, hidden=True,
              help="One worker of a group: its port of its own (--worker-ports).")
def serve_command(host, port, async_mode, max_connections, backlog, workers, worker_ports,
                  shared_port, own_port):
    """Run the production server (reads PORT, DATABASE_URL, REDIS_URL, SECRET_KEY)."""
    from . import create_app
    from .database import DatabaseNotMigrated
    os.environ["ASYNC_MODE"] = async_mode
    try:
        app = create_app({"ASYNC_MODE": async_mode})
    except DatabaseNotMigrated as error:
        raise click.ClickException(str(error)) from None
    configure_log(app.config["LOG_FORMAT"])
    if worker_ports is not None and workers < 2:
        raise click.ClickException("--worker-ports goes with --workers 2 or more.")
    if workers > 1:
        _serve_workers(app, host, port, async_mode, max_connections, backlog, workers,
                       worker_ports)
        return
    announce(f"facilitator serving on http://{host}:{port} ({async_mode})", event="serving",
             port=port, workers=1)
    _say_where_phones_join(app, host, port)
    if async_mode in ("eventlet", "gevent"):
        # Freeze the start-up objects now and keep long full collections off the broadcasts.
        from .live.gc_policy import start_gc_policy
        try:
            runner = start_gc_policy(app)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        if runner is not None:
            policy = runner.policy
            announce(f"garbage collection: freeze every {policy.freeze_interval:g} s, full "
                     f"collection every {policy.full_collect_interval:g} s when quiet "
                     f"for {policy.quiet:g} s", event="gc_policy")
    # Votes close at their deadline even with no one watching (a written ballot runs for days).
    from .extensions import socketio
    from .live.deadlines import run_deadline_sweep
    socketio.start_background_task(run_deadline_sweep, app)
    if async_mode in ("eventlet", "gevent"):
        _stop_gracefully_on_sigterm(app, async_mode)
    if app.config.get("REDIS_URL"):
        # Clients of this process learn the other processes' events even while the message
        # queue is down (live/heartbeat.py).
        from .live.heartbeat import run_heartbeat
        socketio.start_background_task(run_heartbeat, app)
        announce(f"message queue: REDIS_URL; heartbeat to the clients every "
                 f"{app.config['LIVE_HEARTBEAT_SECONDS']:g} s", event="message_queue")
    if async_mode == "eventlet":
        import eventlet
        import eventlet.wsgi
        # reuse_port only among the workers of one group: a second server on the same port
        # must fail, not share it silently.
        listener = eventlet.listen((host, port), backlog=backlog, reuse_port=shared_port)
        connections = eventlet.GreenPool(max_connections)  # one limit for both ports
        if own_port is not None:
            eventlet.spawn(eventlet.wsgi.server, eventlet.listen((host, own_port),
                                                                 backlog=backlog),
                           app, custom_pool=connections, log_output=False)
        eventlet.wsgi.server(listener, app, custom_pool=connections, log_output=False)
    elif async_mode == "gevent":
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIServer
        listener = (host, port)
        if shared_port:
            from gevent import socket as green_socket
            listener = green_socket.socket(green_socket.AF_INET, green_socket.SOCK_STREAM)
            listener.setsockopt(green_socket.SOL_SOCKET, green_socket.SO_REUSEADDR, 1)
            listener.setsockopt(green_socket.SOL_SOCKET, green_socket.SO_REUSEPORT, 1)
            listener.bind((host, port))
            listener.listen(backlog)
        connections = Pool(max_connections)  # one limit for both ports
        if own_port is not None:
            WSGIServer((host, own_port), app, spawn=connections, backlog=backlog,
                       log=None).start()
        WSGIServer(listener, app, spawn=connections, backlog=backlog,
                   log=None).serve_forever()
    else:
        from .extensions import socketio
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
