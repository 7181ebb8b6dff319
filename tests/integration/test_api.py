"""The JSON API for case systems, authenticated with a per-user token."""
from __future__ import annotations

import re

import pytest

from facilitator.demo_played import load_played_demo
from facilitator.domain.live_state import apply_events, empty_state
from facilitator.extensions import db

from tests.factories import chair_of, make_meeting, make_user, run


@pytest.fixture
def api(app, ctx):
    user = make_user("admin")
    token = user.issue_api_token()
    db.session.commit()
    http = app.test_client()

    class Api:
        def get(self, path, **kw):
            return http.get(path, headers={"Authorization": f"Bearer {token}", **kw})

        def post(self, path, body, **kw):
            return http.post(path, json=body, headers={"Authorization": f"Bearer {token}", **kw})
    return Api()


def test_the_api_needs_a_valid_token(app, ctx):
    http = app.test_client()
    for headers in ({}, {"Authorization": "Bearer fct_wrong"}, {"Authorization": "Basic x"}):
        response = http.get("/api/v1/cases", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "auth.bad_token"


def test_only_a_hash_of_the_token_is_stored(ctx):
    user = make_user()
    token = user.issue_api_token()
    assert token not in user.api_token_hash and len(user.api_token_hash) == 64


def test_create_read_and_list_cases(api):
    created = api.post("/api/v1/cases", {"number": "API-1", "title": "车库渗漏",
                                         "community": "锦华苑", "received_on": "2026-09-03"})
    assert created.status_code == 201
    case = created.json
    assert case["number"] == "API-1" and case["dates"]["received_on"] == "2026-09-03"
    assert case["roster"] == {"version": None, "sha256": None, "units": 0, "owners": 0,
                              "area_m2": "0.00"}
    assert api.get(f"/api/v1/cases/{case['id']}").json == case
    assert [c["number"] for c in api.get("/api/v1/cases").json["cases"]] == ["API-1"]


@pytest.mark.parametrize("body,code", [
    ({"title": "x", "community": "y"}, "validation.required"),
    ({"number": "N", "title": "x", "community": "y", "received_on": "soon"}, "validation.date"),
    ({"number": "N", "title": "x", "community": "y", "admin": True}, "validation.unknown_field"),
    ({"number": 5, "title": "x", "community": "y"}, "validation.type"),
])
def test_a_bad_case_is_refused_with_a_clear_error(api, body, code):
    response = api.post("/api/v1/cases", body, **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == code and response.json["error"]["message"]
    assert api.get("/api/v1/cases").json["cases"] == []


def test_a_body_that_is_not_a_json_object_is_refused(api):
    response = api.post("/api/v1/cases", ["not", "an", "object"])
    assert response.status_code == 400


def test_create_and_list_meetings_of_a_case(api):
    case = api.post("/api/v1/cases", {"number": "API-2", "title": "t", "community": "c"}).json
    created = api.post(f"/api/v1/cases/{case['id']}/meetings",
                       {"title": "协商会", "scheduled_start": "2026-12-05T06:30:00",
                        "language": "zh"})
    assert created.status_code == 201
    meeting = created.json
    assert meeting["status"] == "scheduled" and "projector_token" not in meeting
    listed = api.get(f"/api/v1/cases/{case['id']}/meetings").json["meetings"]
    assert [m["id"] for m in listed] == [meeting["id"]]
    assert api.get(f"/api/v1/meetings/{meeting['id']}").json["title"] == "协商会"
    assert api.post("/api/v1/cases/999/meetings", {"title": "x"}).status_code == 404


def test_a_meetings_snapshot_and_its_events_since_a_sequence_number(api):
    meeting = make_meeting()
    run(meeting, chair_of(meeting), "agenda.next", {})
    snapshot = api.get(f"/api/v1/meetings/{meeting.id}/snapshot").json
    assert snapshot["seq"] == 5  # three items added, opened, first item started
    assert "projector_token" not in snapshot["meeting"]
    assert [i["title"] for i in sorted(snapshot["agenda"].values(),
                                       key=lambda i: i["position"])] == ["开场", "讨论", "总结"]
    events = api.get(f"/api/v1/meetings/{meeting.id}/events?since=3").json
    assert [e["seq"] for e in events["events"]] == list(range(4, snapshot["seq"] + 1))
    assert events["events"][-1]["type"] == "agenda.item_started"
    assert events["events"][-1]["data"]["title"] == "开场"
    limited = api.get(f"/api/v1/meetings/{meeting.id}/events?since=0&limit=2").json
    assert [e["seq"] for e in limited["events"]] == [1, 2]


@pytest.mark.parametrize("query", ["since=-1", "since=abc", "since=99999"])
def test_events_with_a_bad_sequence_number_are_refused(api, query):
    meeting = make_meeting()
    assert api.get(f"/api/v1/meetings/{meeting.id}/events?{query}").status_code == 400


def test_unknown_ids_are_404_with_an_error_object(api):
    for path in ("/api/v1/cases/999", "/api/v1/meetings/999", "/api/v1/meetings/999/snapshot",
                 "/api/v1/meetings/999/events", "/api/v1/nothing"):
        response = api.get(path)
        assert response.status_code == 404 and response.json["error"]["code"]


def test_the_openapi_document_is_served(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json["openapi"].startswith("3.")


def test_the_token_scheme_is_case_insensitive(app, ctx):
    user = make_user()
    token = user.issue_api_token()
    db.session.commit()
    response = app.test_client().get("/api/v1/cases", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_blank_optional_text_is_accepted_and_offsets_are_converted(api):
    case = api.post("/api/v1/cases", {"number": "API-3", "title": "t", "community": "c",
                                      "source": "", "description": "", "scope": ""})
    assert case.status_code == 201 and case.json["source"] == ""
    meeting = api.post(f"/api/v1/cases/{case.json['id']}/meetings",
                       {"title": "m", "scheduled_start": "2026-12-05T14:30:00+08:00"}).json
    assert meeting["scheduled_start"] == 1796452200000  # 2026-12-05T06:30:00Z


def test_an_event_limit_must_be_between_1_and_1000(api):
    meeting = make_meeting()
    for limit in ("0", "1001", "x"):
        assert api.get(f"/api/v1/meetings/{meeting.id}/events?limit={limit}").status_code == 400


def test_a_method_an_address_does_not_take_is_405_with_the_allowed_ones(app):
    """Every route, generated from the app's URL map: PATCH (which none takes) answers 405
    with Allow naming the methods the address takes, and a message in the user's language."""
    client = app.test_client()
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "PATCH" in rule.methods:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule.rule)
        if not adapter.allowed_methods(path):  # a converter that takes no "1" (a file format)
            continue
        response = client.patch(path, headers={"Accept-Language": "en"})
        assert response.status_code == 405, path
        allowed = set(response.headers["Allow"].split(", "))
        assert allowed == set(adapter.allowed_methods(path)), path
        if path.startswith("/api/"):
            assert response.json["error"]["code"] == "error.method_not_allowed"
            assert "Allow header" in response.json["error"]["message"]
        checked += 1
    assert checked > 40


def test_a_case_number_already_used_is_a_conflict_and_saves_nothing(api):
    """A valid case whose number another case has is refused as a conflict with what is
    stored (409), not as a malformed request, in the caller's language."""
    body = {"number": "API-9", "title": "车库渗漏", "community": "锦华苑"}
    assert api.post("/api/v1/cases", body).status_code == 201
    again = api.post("/api/v1/cases", {**body, "title": "电梯更新"}, **{"Accept-Language": "en"})
    assert again.status_code == 409
    assert again.json["error"] == {"code": "case.number_taken", "field": None,
                                   "message": "Case number API-9 is already used."}
    assert [c["title"] for c in api.get("/api/v1/cases").json["cases"]] == ["车库渗漏"]


@pytest.mark.parametrize("case_id", ["0", "2147483648", "9999999999"])
def test_a_write_to_an_id_out_of_range_is_404_as_a_read_is(api, case_id):
    """An id that is not a whole number from 1 to 2147483647 names nothing, whatever the
    method: 404, not a 405 that says the address would take a GET."""
    answer = api.post(f"/api/v1/cases/{case_id}/meetings", {"title": "协商会"},
                      **{"Accept-Language": "en"})
    assert answer.status_code == 404 and "Allow" not in answer.headers
    assert answer.json["error"]["code"] == "error.not_found"


def test_the_whole_event_feed_applied_to_an_empty_state_gives_the_snapshot(api):
    """A case system that keeps its own copy from the first event on (docs/protocol.md §7):
    the played demo's events through the API, page by page, applied by the clients' reducer
    to an empty state give the API's snapshot, less the derived speakers' list and the case
    (no event set it: the case was not edited during the meeting; it has its own endpoint)."""
    meeting_id = load_played_demo()["meeting_id"]
    state, since = empty_state(), 0
    while True:
        page = api.get(f"/api/v1/meetings/{meeting_id}/events?since={since}&limit=50").json
        if not page["events"]:
            break
        state = apply_events(state, page["events"])
        since = state["seq"]
    snapshot = api.get(f"/api/v1/meetings/{meeting_id}/snapshot").json
    assert state["seq"] == snapshot["seq"] == page["last_seq"] > 200
    not_logged = ("speakers", "case")
    assert {part: value for part, value in state.items() if part not in not_logged} == {
        part: value for part, value in snapshot.items() if part not in not_logged}
    assert state["speakers"] is None and snapshot["speakers"]["order"] == []
    assert state["case"] is None and snapshot["case"]["number"] == "JH-YSHSL-2026-014"
