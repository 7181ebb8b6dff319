"""An owner's own share of each plan, on their phone alone (docs/protocol.md §13, "shares").

The demo meeting (its roster and plans A, B, C, as `facilitator demo` loads them): the
figures a phone is given are the plans' own (the tables every screen shows), for the owner's
units, and no other phone ever hears of them.
"""
from __future__ import annotations

import json

import pytest

from facilitator.demo import demo_case_data, load_demo
from facilitator.domain.voting import format_yuan, parse_area, parse_yuan
from facilitator.extensions import db
from facilitator.models import Meeting, User

from tests.factories import command, connect, join_from_phone, sign_in_as, sync

PLANS = {o["key"]: o for o in demo_case_data()["options"]}


@pytest.fixture
def demo(app, ctx):
    """The demo meeting with its moderator's console connected; phones are admitted at once."""
    facts = load_demo()
    meeting = db.session.get(Meeting, facts["meeting_id"])
    http = app.test_client()
    sign_in_as(http, db.session.execute(db.select(User).filter_by(
        username=facts["username"])).scalar_one())
    console = connect(app, meeting, "console", http)
    assert command(console, "meeting.configure", {"allow_direct_entry": True})["ok"]
    return meeting, console


def phone_of(app, meeting, name, unit=None, party="owner"):
    http, participant_id = join_from_phone(app, meeting, name, party, unit)
    sock = connect(app, meeting, "phone", http)
    assert sock.is_connected("/live")
    return sock, participant_id


def shares_of(sock) -> dict:
    reply = sock.emit("shares", {}, namespace="/live", callback=True)
    assert reply["ok"], reply
    return reply["shares"]


def plans_by_key(sock) -> dict:
    return {p["key"]: p for p in sync(sock)["snapshot"]["plans"].values()}


def table_share(plan: dict, area: int) -> int:
    """What the plan's table of shares (shown on every screen) says `area` pays."""
    total = 0
    for key in ("fund_share", "levy_share"):
        if plan["money"][key]:
            total += {s["area"]: s["fen"] for s in plan["money"][key]["shares"]}[area]
    return total


def test_an_owner_of_89_76_m2_pays_4754_03_under_plan_c_and_sees_each_plan(app, demo):
    meeting, _ = demo
    phone, _ = phone_of(app, meeting, "张建国", "3-1-101")
    mine = shares_of(phone)
    assert mine["units"] == [{"unit": "3-1-101", "area": parse_area("89.76")}]
    plans = plans_by_key(phone)
    by_key = {share["key"]: share for share in mine["plans"].values()}
    assert set(by_key) == {"A", "B", "C"}
    c = by_key["C"]
    # case.json: "89.76 m2 pays 4,754.03" of the 232,900 CNY plan C draws from the fund.
    assert format_yuan(c["total"]) == "4,754.03" and c["levy"] == 0
    assert c["fund"] == c["total"]
    assert mine["plans"][str(plans["C"]["id"])] == c
    for key, plan in plans.items():
        # The same figure as the plan's own table (one rule, on the server).
        assert by_key[key]["total"] == table_share(plan, 8976), key
    # Plan B draws on the fund and levies the owners (about 219.57 CNY/m²): both parts.
    b = by_key["B"]
    assert b["fund"] > 0 and b["levy"] > 0 and b["total"] == b["fund"] + b["levy"]
    assert b["levy"] == {s["area"]: s["fen"] for s in plans["B"]["money"]["levy_share"]
                         ["shares"]}[8976]
    assert parse_yuan(PLANS["B"]["funding_cny"]["owner_levy"]) > b["levy"]


def test_co_owners_see_their_units_share_and_an_owner_of_two_units_once_verified(app, demo):
    meeting, console = demo
    wang, _ = phone_of(app, meeting, "王伟", "3-2-501")
    zhao, _ = phone_of(app, meeting, "赵静", "3-2-501")
    assert shares_of(wang) == shares_of(zhao)  # one unit: one share, whoever asks
    assert shares_of(wang)["area"] == parse_area("118.42")

    hu, hu_id = phone_of(app, meeting, "胡丽华", "3-1-301")
    # A claim alone shows the claimed unit only: it must not tell whoever typed the unit
    # which other units its owner holds.
    claimed = shares_of(hu)
    assert [u["unit"] for u in claimed["units"]] == ["3-1-301"]
    assert command(console, "checkin.verify", {"id": hu_id, "note": "房产证"})["ok"]
    verified = shares_of(hu)
    assert verified["units"] == [{"unit": "3-1-301", "area": 8976},
                                 {"unit": "3-1-302", "area": 11842}]
    assert verified["area"] == 8976 + 11842
    plans = plans_by_key(hu)
    c = verified["plans"][str(plans["C"]["id"])]
    assert [format_yuan(u["total"]) for u in c["units"]] == ["4,754.03", "6,271.98"]
    # The owner's total is the share of the summed area, as the plan's table gives owners.
    assert c["total"] == table_share(plans["C"], 8976 + 11842)


def test_a_phone_without_a_unit_has_no_share_and_an_edited_plan_changes_the_share(app, demo):
    meeting, console = demo
    expert, _ = phone_of(app, meeting, "刘工", party="expert")
    assert shares_of(expert) is None  # it shows the sample shares of the plans' tables
    owner, _ = phone_of(app, meeting, "张建国", "3-1-101")
    c = plans_by_key(owner)["C"]
    edited = command(console, "plan.edit", {
        "id": c["id"], "total": "482300.00", "note": "物业多承担 2 万元",
        "funding": {"developer": "209400", "property_company": "60000",
                    "maintenance_fund": "212900"}})
    assert edited["ok"], edited
    share = shares_of(owner)["plans"][str(c["id"])]
    assert share["total"] == table_share(plans_by_key(owner)["C"], 8976)
    assert format_yuan(share["total"]) == "4,345.79"  # 212,900 × 89.76 / 4,397.34


def test_no_other_phone_ever_receives_an_owners_share(app, demo):
    """Everything the second phone receives — welcome, batches, its own entry, tallies, its
    sync and shares answers — while the first asks for its share, is verified (all its units)
    and votes: nothing names the first owner's units or carries their shares."""
    meeting, console = demo
    other, _ = phone_of(app, meeting, "刘秀英", "3-1-102")
    other.get_received("/live")
    hu, hu_id = phone_of(app, meeting, "胡丽华", "3-1-301")
    assert command(console, "checkin.verify", {"id": hu_id})["ok"]
    assert len(shares_of(hu)["units"]) == 2
    vote = command(console, "vote.create", {"kind": "straw_poll", "method": "single",
                                            "title": "意向表决", "plans": ["A", "B", "C"]})
    assert command(console, "vote.open", {"id": vote["result"]["vote_id"]})["ok"]
    assert command(hu, "ballot.cast", {"vote_id": vote["result"]["vote_id"],
                                       "choices": ["C"]})["ok"]
    answers = [sync(other, since=None), other.emit("shares", {}, namespace="/live",
                                                    callback=True)]
    received = other.get_received("/live")
    assert any(m["name"] == "batch" for m in received)  # it did hear the meeting go on
    text = json.dumps([*received, *answers], ensure_ascii=False)
    for unit in ("3-1-301", "3-1-302"):
        assert unit not in text
    assert "胡丽华" not in text
    # The only owner's share it got is its own answer's, for its own unit.
    assert list(owner_shares_in([*received, answers[0]])) == []
    assert answers[1]["shares"]["units"] == [{"unit": "3-1-102", "area": 11842}]


def owner_shares_in(value):
    """Every owner's share (fund, levy and total of a plan) anywhere in a message."""
    if isinstance(value, dict):
        if {"fund", "levy", "total"} <= value.keys():
            yield value
        for item in value.values():
            yield from owner_shares_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from owner_shares_in(item)


def test_only_phones_ask_for_shares(app, demo):
    _, console = demo
    reply = console.emit("shares", {}, namespace="/live", callback=True)
    assert reply["error"]["code"] == "auth.forbidden"
