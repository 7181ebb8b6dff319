"""The API covers the record of a meeting (issue 14): its agenda, its people and check-in,
its plans and votes with their results, its minutes in every format; lists are paginated;
a token acts with its user's rights (a case the user is not a member of does not exist)."""
from __future__ import annotations

import io
import json

import pytest
from docx import Document

from facilitator.extensions import db
from facilitator.models import CaseMember

from tests.factories import make_case, make_user


def _token_client(app, user):
    token = user.issue_api_token()
    db.session.commit()
    http = app.test_client()

    class Api:
        def get(self, path):
            return http.get(path, headers={"Authorization": f"Bearer {token}"})
    return Api()


@pytest.fixture
def member_api(app, played):
    """A clerk who is a member of the demo case, with a token."""
    clerk = make_user("clerk")
    db.session.add(CaseMember(case_id=played.case_id, user_id=clerk.id))
    db.session.commit()
    return _token_client(app, clerk)


def test_the_agenda_in_its_order_with_its_timing(member_api, played):
    answer = member_api.get(f"/api/v1/meetings/{played.id}/agenda")
    assert answer.status_code == 200
    items = answer.json["items"]
    assert [i["position"] for i in items] == sorted(i["position"] for i in items)
    assert len(items) == 9 and all(i["title"] for i in items)
    assert answer.json["seq"] == played.last_seq


def test_the_votes_with_their_results_and_every_number_the_rule_used(member_api, played):
    answer = member_api.get(f"/api/v1/meetings/{played.id}/votes").json
    assert [p["key"] for p in answer["plans"] if p["status"] == "accepted"] == ["A", "B", "C"]
    closed = [v for v in answer["votes"] if v["status"] == "closed"]
    assert closed, "the played demo closes a straw poll"
    result = closed[0]["result"]
    assert result["tally"]["counts"] and result["explanation"]["zh"]
    assert [v["number"] for v in answer["votes"]] == sorted(v["number"] for v in answer["votes"])


def test_the_people_with_how_each_owner_was_verified_and_the_check_in_figures(
        member_api, played):
    answer = member_api.get(f"/api/v1/meetings/{played.id}/participants").json
    chair = answer["participants"][0]
    assert (chair["name"], chair["party"], chair["status"]) == ("陈立华", "community", "admitted")
    assert {"verified_via", "verified_by", "owner_key", "registered_owner"} <= set(chair)
    # the demo's 38 owners, 4,397.34 m²; the gate: two-thirds of both
    assert answer["checkin"]["scope"] == {"owners": 38, "area": 439734}
    assert answer["checkin"]["gate"]["needed"] == {"owners": 26, "area": 293156}
    (proxy,) = answer["proxies"]
    assert (proxy["owner_name"], proxy["units"], proxy["area"]) == ("宋海燕", ["3-1-402"], 11842)


def test_the_minutes_versions_with_links_to_every_format(member_api, played):
    answer = member_api.get(f"/api/v1/meetings/{played.id}/minutes").json
    (version,) = answer["versions"]
    assert version["number"] == 1 and len(version["content_hash"]) == 64
    assert set(version["links"]) == {"pdf", "docx", "md", "html", "json"}
    assert version["links"]["pdf"] == f"/api/v1/meetings/{played.id}/minutes.pdf?version=1"
    assert answer["draft"]["md"] == f"/api/v1/meetings/{played.id}/minutes.md?draft=1"


FORMATS = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats",
           "md": "text/markdown", "html": "text/html", "json": "application/json"}


def test_the_minutes_in_every_format_read_back_with_their_hash(member_api, played):
    versions = member_api.get(f"/api/v1/meetings/{played.id}/minutes").json["versions"]
    for fmt, media in FORMATS.items():
        answer = member_api.get(f"/api/v1/meetings/{played.id}/minutes.{fmt}")
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(media)
        assert answer.headers["X-Minutes-Version"] == "1"
        assert answer.headers["X-Minutes-Status"] == "final"
        assert answer.headers["X-Content-Hash"] == f"sha256:{versions[0]['content_hash']}"
        body = answer.data
        if fmt == "pdf":
            assert body.startswith(b"%PDF")
        elif fmt == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
            assert "协商" in text
        elif fmt == "json":
            minutes = json.loads(body)
            assert minutes["content_hash"] == answer.headers["X-Content-Hash"]
            assert minutes["minutes"]["header"]["version"] == 1
        else:
            assert "锦华苑" in body.decode("utf-8")


def test_the_live_draft_and_a_version_by_number(member_api, played):
    draft = member_api.get(f"/api/v1/meetings/{played.id}/minutes.md?draft=1")
    assert draft.status_code == 200 and draft.headers["X-Minutes-Status"] == "draft"
    assert member_api.get(f"/api/v1/meetings/{played.id}/minutes.md?version=1").status_code == 200


def test_a_bad_version_is_refused_with_a_clear_error(member_api, played):
    for query, status, code in (("?version=2", 404, "minutes.version_not_found"),
                                ("?version=0", 400, "validation.range"),
                                (f"?version={2**63}", 400, "validation.range"),
                                ("?version=abc", 400, "validation.range"),
                                ("?draft=2", 400, "validation.range")):
        answer = member_api.get(f"/api/v1/meetings/{played.id}/minutes.pdf{query}")
        assert (answer.status_code, answer.json["error"]["code"]) == (status, code), query


def test_an_unknown_format_is_404(member_api, played):
    answer = member_api.get(f"/api/v1/meetings/{played.id}/minutes.exe")
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "minutes.format_not_found"


def test_minutes_not_yet_final_are_not_served_as_final(app, ctx):
    from tests.factories import make_meeting
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator)
    api = _token_client(app, moderator)
    answer = api.get(f"/api/v1/meetings/{meeting.id}/minutes.pdf")
    assert answer.status_code == 404 and answer.json["error"]["code"] == "minutes.not_final"
    assert api.get(f"/api/v1/meetings/{meeting.id}/minutes.pdf?draft=1").status_code == 200


RECORD_PATHS = ("agenda", "participants", "votes", "minutes", "minutes.pdf",
                "minutes.json?draft=1")


def test_a_user_who_is_not_a_member_of_the_case_gets_404(app, played):
    outsider = _token_client(app, make_user("moderator"))
    for path in RECORD_PATHS:
        answer = outsider.get(f"/api/v1/meetings/{played.id}/{path}")
        assert answer.status_code == 404 and answer.json["error"]["code"] == "meeting.not_found"


def test_a_meeting_id_out_of_range_is_404(member_api, played):
    for path in RECORD_PATHS:
        for meeting_id in (0, 2**31, 2**63):
            assert member_api.get(f"/api/v1/meetings/{meeting_id}/{path}").status_code == 404


def test_cases_come_a_page_at_a_time(app, ctx):
    admin = make_user("admin")
    for _ in range(5):
        make_case()
    api = _token_client(app, admin)
    first = api.get("/api/v1/cases?per_page=2").json
    assert (first["page"], first["pages"], first["total"], len(first["cases"])) == (1, 3, 5, 2)
    last = api.get("/api/v1/cases?per_page=2&page=3").json
    assert len(last["cases"]) == 1
    seen = [c["id"] for p in (1, 2, 3)
            for c in api.get(f"/api/v1/cases?per_page=2&page={p}").json["cases"]]
    assert seen == sorted(seen) and len(set(seen)) == 5
    assert api.get("/api/v1/cases?page=9").json["cases"] == []
    for bad in ("per_page=0", "per_page=101", f"page={2**63}", "page=x"):
        answer = api.get(f"/api/v1/cases?{bad}")
        assert answer.status_code == 400 and answer.json["error"]["code"] == "validation.range"


def test_a_member_lists_only_the_cases_of_which_they_are_a_member(app, ctx):
    clerk = make_user("clerk")
    mine = make_case(members=[clerk])
    make_case()
    answer = _token_client(app, clerk).get("/api/v1/cases").json
    assert [c["id"] for c in answer["cases"]] == [mine.id] and answer["total"] == 1


def test_every_route_of_the_api_is_in_the_openapi_document_with_its_methods(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    documented = {path: {m.upper() for m in item} for path, item in document["paths"].items()}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{") \
            .replace(">", "}")
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert path in documented, path
        assert methods <= documented[path], (path, methods)
