"""The API answers as its OpenAPI document says (issue 14): schemathesis generates requests
from /api/v1/openapi.json — valid ones and, as negative data, ones the document forbids — and
every built-in check holds on every answer: no server error, only documented status codes,
content types and headers, bodies that match their schemas, valid data accepted and invalid
data refused, a method an address does not take answered 405 with Allow.

It runs against the played demo (a case with its roster, a meeting held, minutes final) as
three callers, each generated request sent by all three: the demo's moderator with a full
token, another member of the case with a read-only token (every write is 403), and a moderator
who is not a member (all of the demo case is 404). Path ids are the demo's own half the time,
so the answers with data are checked too. Derandomised (the same requests on every run) and
bounded to MAX_EXAMPLES generated requests per operation: about a minute for all 17.
"""
from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from facilitator.demo import MODERATOR_USERNAME
from facilitator.demo_played import load_played_demo
from facilitator.extensions import db
from facilitator.models import CaseMember, Meeting, User
from facilitator.web.api import OPENAPI_FILE

from tests.factories import make_user

MAX_EXAMPLES = 50


@pytest.fixture
def demo(app):
    """The played demo and three callers' tokens."""
    with app.app_context():
        ids = load_played_demo()
        ids["last_seq"] = db.session.get(Meeting, ids["meeting_id"]).last_seq
        moderator = db.session.execute(db.select(User).filter_by(
            username=MODERATOR_USERNAME)).scalar_one()
        ids["moderator_id"] = moderator.id
        tokens = {"member": moderator.issue_api_token()}
        # A second user stands in for the moderator's read-only token (one token a user).
        reader = make_user("moderator")
        db.session.add(CaseMember(case_id=ids["case_id"], user_id=reader.id))
        tokens["read_only"] = reader.issue_api_token(read_only=True)
        tokens["outsider"] = make_user("moderator").issue_api_token()
        db.session.commit()
    return ids, tokens


OPENAPI = schemathesis.openapi.from_dict(json.loads(OPENAPI_FILE.read_text()))
# The callers' tokens are sent by the test; a request without one is the ignored_auth check's.
OPENAPI.config.generation.update(modes=list(GenerationMode), max_examples=MAX_EXAMPLES,
                                 deterministic=True, with_security_parameters=False)
# The demo's ids are only known once it is loaded, after the requests are generated: a
# generated request asks for the demo's case or meeting with this id, which the test swaps in.
THE_DEMOS = 1_999_999_999
BASE_URL = "http://localhost/api/v1"
DEMO_KEYS = ("case_id", "meeting_id")
PEOPLE = ("moderator_id", "clerk_id")


@OPENAPI.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the requests with a valid id ask for the demo's, so the answers with data get
    checked (an invalid id, negative data, stays as generated)."""
    valid = [key for key in DEMO_KEYS if type((path_parameters or {}).get(key)) is int
             and 1 <= path_parameters[key] < 2**31]
    if not valid:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters,
                            {**path_parameters, **{key: THE_DEMOS for key in valid}}])


@OPENAPI.hook
def map_body(context, body):
    """A meeting's moderator and clerk are existing users (an unknown id is 422, which no
    schema can state): a valid id in a generated body names the demo's moderator."""
    if isinstance(body, dict):
        for key in PEOPLE:
            if type(body.get(key)) is int and 1 <= body[key] < 2**31:
                body = {**body, key: THE_DEMOS}
    return body


@OPENAPI.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_openapi_document(app, demo, case):
    ids, tokens = demo
    asks_for_the_demo = False
    for key in DEMO_KEYS:
        if (case.path_parameters or {}).get(key) == THE_DEMOS:
            case.path_parameters[key] = ids[key]
            asks_for_the_demo = True
    if isinstance(case.body, dict):
        for key in PEOPLE:
            if case.body.get(key) == THE_DEMOS:
                case.body[key] = ids["moderator_id"]
    # The session's app exists only once pytest runs: the checks that send requests of their
    # own (a wrong token, a method the address does not take) send them to it as well.
    case.operation.schema.app = case.operation.app = app
    answers = {}
    for who in ("read_only", "outsider", "member"):  # the member last: it may write
        headers = {"Authorization": f"Bearer {tokens[who]}", "Accept-Language": "en"}
        answers[who] = case.call(base_url=BASE_URL, headers=headers)
        case.validate_response(answers[who], headers=headers, transport_kwargs={"app": app},
                               excluded_checks=[positive_data_acceptance]
                               if refused_by_a_rule(case, answers[who], ids) else [])
    if case.method.upper() == "POST" and answers["member"].status_code not in (404, 405):
        assert answers["read_only"].status_code == 403, answers["read_only"].text
    if asks_for_the_demo and answers["member"].status_code < 300:
        assert answers["outsider"].status_code == 404, answers["outsider"].text


# Refusals of schema-valid bodies by rules no schema can state: a case's dates tell a story
# (nothing of the past in the future, delivery not before completion …, docs/api.md).
DATE_RULES = frozenset({"validation.future_date", "date.before_other",
                        "date.received_after_record", "date.before_received"})


def refused_by_a_rule(case, response, ids) -> bool:
    """Whether the answer is a refusal the API makes on purpose of a schema-valid request:
    a `since` above the meeting's last_seq (400 validation.range), a date rule (422), or an
    id written as a float (422 validation.type)."""
    since = (case.query or {}).get("since")
    if case.operation.path == "/meetings/{meeting_id}/events" and type(since) is int:
        return since > ids["last_seq"]
    if response.status_code == 422:
        error = response.json()["error"]
        # JSON Schema counts 100.0 as an integer; the API takes integer literals only.
        sent = case.body.get(error.get("field")) if isinstance(case.body, dict) else None
        return error["code"] in DATE_RULES or (error["code"] == "validation.type"
                                               and isinstance(sent, float))
    return False
