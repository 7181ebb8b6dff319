"""Fuzzing every input surface (issue 13, item 2): every page and API route (generated from
`app.url_map`) and every socket command (generated from the command registry), plus the
socket handshake and the other socket events, are sent hostile values: 2^31, 2^63, 10^30,
-1, NaN, floats, booleans, huge strings, lone surrogates, NUL and other control characters,
nested objects. Whatever they are sent:

* no answer is a 5xx, no ack is `error.server`, no handler raises;
* a refusal (4xx, an ack with ok: false, a refused handshake) changes nothing in the
  database (every table's rows compared, except those that record refusals themselves);
* the server keeps answering (a page, a clock sync, every socket still connected).

Seeded and bounded for CI (hypothesis, `derandomize`, a fixed number of examples): the same
cases on every run, well under a minute and a half on two cores. The number of cases run is
printed at the end of the session and written to test-artifacts/fuzz-cases.json.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import math
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.actions import Actor, execute, registry
from facilitator.extensions import db, socketio
from facilitator.live import namespace
from facilitator.validation import MAX_ID

from tests.factories import connect, join_from_phone, join_handshake, login, make_meeting, \
    make_user
from tests.support import REPO_ROOT

# Examples per route and method, per command, and of the handshake and the other events.
EXAMPLES = {"routes": 10, "commands": 12, "handshakes": 150, "events": 150}
SETTINGS = dict(derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
COUNTS: dict[str, int] = {}
COVERED: dict[str, set] = {"routes": set(), "commands": set()}

# --------------------------------------------------------------------------- hostile values

HOSTILE_NUMBERS = [2**31 - 1, 2**31, 2**53 + 1, MAX_ID, MAX_ID + 1, 2**64, 10**30, -1, 0,
                   -(2**63) - 1, float("nan"), float("inf"), -float("inf"), 1e30, 1.5, -0.0,
                   1.0, True, False]
HOSTILE_TEXT = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\x07\x1b[31m", "\x7f",
                "\x85", "\ufffe", "\u202e", "e\u0301", "١٢", "1e30", "NaN", "-1",
                "99999999999999999999", "9" * 5000, "𝕏" * 3000, "中" * 12000, "%00",
                "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --"]
# Every code point but the surrogates' pairs: lone surrogates are in.
characters = st.characters(codec=None, exclude_categories=())
scalars = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.sampled_from(HOSTILE_TEXT),
                    st.integers(), st.floats(), st.text(characters, max_size=30),
                    st.booleans(), st.none())
hostile = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(characters, max_size=8), inner, max_size=4)), max_leaves=8)
hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(characters, max_size=40))


def url_quoted(value) -> str:
    """A value as a URL, a query string or a form carries it: UTF-8, percent-encoded (a
    lone surrogate as the bytes a careless client would send for it)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def urlencoded(values: dict) -> str:
    return "&".join(f"{url_quoted(k)}={url_quoted(v)}" for k, v in values.items())


def count(kind: str) -> None:
    COUNTS[kind] = COUNTS.get(kind, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    total = sum(COUNTS.values())
    summary = {"cases": dict(COUNTS), "total": total,
               "routes": len(COVERED["routes"]), "commands": len(COVERED["commands"])}
    print(f"\nfuzzed inputs: {json.dumps(summary)}")
    out = REPO_ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "fuzz-cases.json").write_text(json.dumps(summary, indent=2) + "\n")


# --------------------------------------------------------------------------- the database

def unchanged_tables() -> list:
    """The tables a refusal must leave as they were: all but those whose rows record the
    refusals themselves (`__records_refusals__`, e.g. the join-code guesses)."""
    skipped = {mapper.class_.__table__.name for mapper in db.Model.registry.mappers
               if getattr(mapper.class_, "__records_refusals__", False)}
    return [table for table in db.metadata.sorted_tables if table.name not in skipped]


def fingerprint() -> str:
    """Every row of every table a refusal must not touch, as one hash."""
    db.session.rollback()
    digest = hashlib.sha256()
    for table in unchanged_tables():
        rows = db.session.execute(table.select()).all()
        digest.update(table.name.encode())
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode("utf-8", "surrogatepass"))
    db.session.rollback()
    return digest.hexdigest()


class Database:
    """The database as the last case left it: a refusal must leave it so."""
    def __init__(self):
        self.state = fingerprint()

    def unchanged_unless(self, accepted: bool) -> bool:
        before, self.state = self.state, fingerprint()
        return accepted or self.state == before


@pytest.fixture
def world(app, ctx):
    """A live meeting with a roster: an administrator signed in (pages), an API token, the
    moderator's console, the projector and two admitted phones."""
    admin = make_user("admin")
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True)
    token = admin.issue_api_token()
    db.session.commit()
    http = app.test_client()
    login(http, admin)
    console_http = app.test_client()
    login(console_http, moderator)
    console = connect(app, meeting, "console", console_http)
    phones = []
    for name, unit in (("张建国", "3-1-101"), ("李娜", "3-1-102")):
        phone_http, person = join_from_phone(app, meeting, name, "owner", unit)
        assert execute(meeting.id, Actor(role="moderator", user_id=moderator.id),
                       "participant.admit", {"id": person}).ok
        phones.append(connect(app, meeting, "phone", phone_http))
    projector = connect(app, meeting, "projector", token=meeting.projector_token)
    sockets = {"console": console, "phone": phones[0], "phone_b": phones[1],
               "projector": projector}
    for sock in sockets.values():
        assert sock.is_connected("/live")
    # The fuzz sends hundreds of commands a second: not what the flood limits are about.
    for conn in namespace.connections.values():
        conn.commands = namespace.Bucket(rate=1e9, burst=1e9)
        conn.syncs = namespace.Bucket(rate=1e9, burst=1e9)
    return {"app": app, "admin": admin, "moderator": moderator, "meeting": meeting,
            "token": token, "http": http, "sockets": sockets}


def stay_signed_in(world) -> None:
    """Sign the administrator in again when a case signed them out (sign-out, sign out
    everywhere), so the next cases reach the pages behind the sign-in."""
    if world["http"].get("/cases").status_code != 200:
        login(world["http"], world["admin"])


def still_answering(world) -> None:
    assert world["http"].get("/cases").status_code == 200
    for name, sock in world["sockets"].items():
        assert sock.is_connected("/live"), f"{name}'s socket was closed"
        sock.get_received("/live")
    reply = world["sockets"]["console"].emit("clock", {"t": 1}, namespace="/live",
                                              callback=True)
    assert reply["server_time"] > 0


# --------------------------------------------------------------------------- HTTP routes

_ARG = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")
_READS = re.compile(r"request\.(args|form)\.get\(\s*[\"'](\w+)[\"']")
_SCHEMAS = re.compile(r"\b([A-Z][A-Z_]*_SCHEMA)\b")


def routes(app) -> list[tuple]:
    """(rule, method, query names, body names) of every route but the static files: the
    names a view reads, found in its source (request.args/form.get) and in the schemas it
    validates with."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        source = inspect.getsource(view)
        query = {name for kind, name in _READS.findall(source) if kind == "args"}
        body = {name for kind, name in _READS.findall(source) if kind == "form"}
        for schema in _SCHEMAS.findall(source):
            body |= set(view.__globals__.get(schema, {}))
        query |= {"lang", "next"}
        body |= {"command_id"}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule, method, sorted(query), sorted(body)))
    return sorted(found, key=lambda r: (r[0].rule, r[1]))


def path_value(converter_name: str, world):
    if converter_name == "IdConverter":
        known = [world["meeting"].id, world["meeting"].case_id, 1]
        return st.one_of(st.sampled_from(known), st.sampled_from(
            [n for n in HOSTILE_NUMBERS if isinstance(n, int)]).map(str),
            hostile_text).map(lambda v: url_quoted(str(v)))
    if converter_name == "AnyConverter":
        return st.sampled_from(["open", "end", "x\x00"]).map(url_quoted)
    return st.one_of(hostile_text, st.sampled_from([world["meeting"].join_code,
                                                    world["meeting"].projector_token])) \
        .map(url_quoted)


@st.composite
def requests(draw, world, route):
    rule, method, query_names, body_names = route
    values = {name: draw(path_value(type(rule._converters[name]).__name__, world))
              for name in rule.arguments}
    path = _ARG.sub(lambda m: values[m.group(1)], rule.rule)
    query = draw(st.dictionaries(st.sampled_from(query_names + ["x\x00"]), hostile,
                                 max_size=3))
    body = draw(st.dictionaries(st.sampled_from(body_names + ["\x00"]), hostile, max_size=4))
    return path, query, body


# The fuzz's requests come from an address of their own: the wrong codes and sign-ins it
# sends may be counted against it (joining.py), never against the signing in of the test.
FUZZ_ADDRESS = {"REMOTE_ADDR": "203.0.113.7"}


def send(world, method, path, query, body):
    http = world["http"]
    url = f"{path}?{urlencoded(query)}" if query else path
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world['token']}"}
        return http.open(url, method=method, headers=headers, environ_overrides=FUZZ_ADDRESS,
                         data=json.dumps(body, allow_nan=True), content_type="application/json")
    if method != "POST":
        return http.open(url, method=method, environ_overrides=FUZZ_ADDRESS)
    return http.open(url, method=method, data=urlencoded(body), environ_overrides=FUZZ_ADDRESS,
                     content_type="application/x-www-form-urlencoded")


def test_every_route_answers_hostile_input_without_a_server_error(world):
    def check_route(route):
        rule, method = route[:2]

        @settings(max_examples=EXAMPLES["routes"], **SETTINGS)
        @given(requests(world, route))
        def check(request_):
            path, query, body = request_
            response = send(world, method, path, query, body)
            count("routes")
            COVERED["routes"].add((rule.rule, method))
            assert response.status_code < 500, (method, path, query, body,
                                                response.get_data(as_text=True)[:500])
            assert database.unchanged_unless(response.status_code < 400), \
                f"{method} {path} refused ({response.status_code}) but changed the database"
            if response.status_code < 400:  # accepted: it may have signed the admin out
                stay_signed_in(world)
                database.state = fingerprint()  # a new sign-in is not the case's doing

        check()
        still_answering(world)

    database = Database()
    table = routes(world["app"])
    for route in table:
        check_route(route)
    assert len(COVERED["routes"]) == len(table)


# --------------------------------------------------------------------------- socket commands

NUMBER_TEXT = ["99999999999999999999", "9223372036854775808", "9" * 5000, "-1", "1e30",
               "1.5", "١٢", " 7 ", "0x10", "NaN"]


def hostile_for(field):
    """A hostile value aimed at the field's kind (numbers at a number, text at text), or any
    hostile value."""
    if field.kind in ("int", "money", "id_list", "money_map", "object"):
        aimed = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.sampled_from(NUMBER_TEXT))
        if field.kind == "id_list":
            aimed = st.lists(aimed, min_size=1, max_size=3)
        elif field.kind in ("money_map", "object"):
            aimed = st.dictionaries(st.sampled_from(list(field.choices or ()) + ["A", "yes",
                                                                                  "abstain"]),
                                    st.one_of(aimed, st.fixed_dictionaries(
                                        {"owners": aimed, "area": aimed})), max_size=3)
    else:
        aimed = hostile_text
        if field.kind == "str_list":
            aimed = st.lists(aimed, min_size=1, max_size=3)
    return st.one_of(aimed, hostile)


def plausible(field, world):
    """A value the field may well accept, to reach the fields after it."""
    kind = field.kind
    if field.choices:
        if kind in ("str_list", "money_map"):
            return st.just([field.choices[0]] if kind == "str_list" else {field.choices[0]: "1"})
        return st.sampled_from(list(field.choices))
    return {"int": st.integers(1, 6), "str": st.sampled_from(["x", "3-1-101", "summary"]),
            "text": st.just("说明"), "bool": st.booleans(), "date": st.just("2026-12-01"),
            "datetime": st.just("2026-12-01T10:00"), "money": st.just("100"),
            "id_list": st.just([1, 2]), "str_list": st.just(["A"]),
            "money_map": st.just({}), "object": st.just({})}[kind]


@st.composite
def commands(draw, world, name):
    spec = registry[name]
    payload = {}
    for field_name, field in spec.schema.items():
        choice = draw(st.sampled_from(["plausible", "hostile", "omitted"]))
        if choice == "plausible":
            payload[field_name] = draw(plausible(field, world))
        elif choice == "hostile":
            payload[field_name] = draw(hostile_for(field))
    # At least one hostile part: a field, an unknown field, or the envelope.
    part = draw(st.sampled_from(["field", "unknown", "payload", "id", "type"]))
    if part == "field" and spec.schema:
        field_name = draw(st.sampled_from(sorted(spec.schema)))
        payload[field_name] = draw(hostile_for(spec.schema[field_name]))
    elif part in ("field", "unknown"):
        payload[draw(st.text(characters, min_size=1, max_size=10))] = draw(hostile)
    envelope = {"id": f"fuzz-{draw(st.integers(0, 10**12)):012d}", "type": name,
                "payload": payload}
    if part == "payload":
        envelope["payload"] = draw(hostile)
    elif part == "id":
        envelope["id"] = draw(hostile)
    elif part == "type":
        envelope["type"] = draw(hostile)
    return envelope


def sender(spec) -> str:
    if spec.roles & {"admin", "moderator", "clerk"}:
        return "console"
    return "phone" if "phone" in spec.roles else "console"  # a visitor's or the system's: refused


def test_every_command_answers_hostile_payloads_without_a_server_error(world):
    database = Database()

    def check_command(name):
        spec = registry[name]

        @settings(max_examples=EXAMPLES["commands"], **SETTINGS)
        @given(commands(world, name))
        def check(envelope):
            sock = world["sockets"][sender(spec)]
            ack = sock.emit("command", envelope, namespace="/live", callback=True)
            count("commands")
            COVERED["commands"].add(name)
            assert isinstance(ack, dict) and "ok" in ack, ack
            if not ack["ok"]:
                assert ack["error"]["code"] != "error.server", (envelope, ack)
                assert ack["error"]["message"]
            assert database.unchanged_unless(ack["ok"]), \
                f"{name} refused ({ack['error']['code']}) but changed the database"

        check()
        still_answering(world)

    for name in sorted(registry):
        check_command(name)
    assert COVERED["commands"] == set(registry)


# --------------------------------------------------------------------------- the handshake

@st.composite
def handshakes(draw, world):
    meeting = world["meeting"]
    auth = draw(st.one_of(
        # (The Socket.IO protocol's auth is an object: a bare number would be read as part
        # of the packet's header by the library, before the app sees it.)
        hostile.filter(lambda value: not isinstance(value, (int, float))),
        st.fixed_dictionaries({}, optional={
            "meeting_id": st.one_of(st.just(meeting.id), hostile),
            "face": st.one_of(st.sampled_from(["console", "projector", "phone"]), hostile),
            "token": st.one_of(st.just(meeting.projector_token), hostile_text, hostile),
            "sync": st.one_of(st.fixed_dictionaries({"since": hostile}), hostile)}),
        st.builds(lambda join, extra: {**join_handshake(meeting), "join": {
            **join_handshake(meeting)["join"], **extra}},
            st.just(None), st.dictionaries(st.sampled_from(
                ["code", "key", "invitation", "name", "party", "unit", "command_id"]),
                hostile, min_size=1, max_size=3))))
    return auth


def test_the_handshake_refuses_hostile_credentials_without_a_server_error(world):
    app = world["app"]

    @settings(max_examples=EXAMPLES["handshakes"], **SETTINGS)
    @given(handshakes(world))
    def check(auth):
        sock = socketio.test_client(app, namespace="/live", auth=auth,
                                    flask_test_client=app.test_client())
        count("handshakes")
        joined = sock.is_connected("/live")
        if joined:
            sock.disconnect(namespace="/live")
        assert database.unchanged_unless(joined), "a refused handshake changed the database"

    database = Database()
    check()
    still_answering(world)


@st.composite
def events(draw):
    name = draw(st.sampled_from(["sync", "clock", "ballots", "command"]))
    who = draw(st.sampled_from(["console", "phone", "projector"]))
    data = draw(st.one_of(hostile, st.fixed_dictionaries({"since": hostile}),
                          st.fixed_dictionaries({"t": hostile})))
    return name, who, data


def test_the_other_socket_events_answer_hostile_data(world):
    @settings(max_examples=EXAMPLES["events"], **SETTINGS)
    @given(events())
    def check(event):
        name, who, data = event
        reply = world["sockets"][who].emit(name, data, namespace="/live", callback=True)
        count("events")
        assert isinstance(reply, dict), reply
        if reply.get("ok") is False:
            assert reply["error"]["code"] != "error.server", reply
        assert database.unchanged_unless(reply.get("ok") is True)
        if name == "clock":
            client_time = reply["client_time"]
            assert client_time is None or (isinstance(client_time, int)
                                           and not math.isnan(client_time))

    database = Database()
    check()
    still_answering(world)
