"""The owners' roster as staff import it: the files they have, a preview before anything is
saved, versions that never change, and meetings and votes that count on their own version."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile

import pytest

from facilitator.actions import Actor
from facilitator.extensions import db
from facilitator.models import Meeting, RosterUnit, RosterUpload, RosterVersion, Vote

from tests.factories import (chair_of, demo_roster_csv, join_from_phone, login, make_case,
                             make_meeting, make_user, run)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
HEADER = "unit,area_m2,owner,owner_key,note\n"


@pytest.fixture
def staff(app, ctx):
    user = make_user("moderator")
    http = app.test_client()
    login(http, user)
    http.user = user
    return http


def text(response) -> str:
    return response.get_data(as_text=True)


def preview(http, case, data: bytes, filename="owners.csv", headers=ZH):
    return http.post(f"/cases/{case.id}/roster/preview", headers=headers,
                     data={"roster": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def confirm(http, case, page: str, headers=ZH):
    upload = re.search(r'name="upload" value="([0-9a-f]+)"', page).group(1)
    return http.post(f"/cases/{case.id}/roster/import", data={"upload": upload},
                     headers=headers)


def imported(http, case, data: bytes, filename="owners.csv"):
    shown = preview(http, case, data, filename)
    assert shown.status_code == 200, text(shown)[-2000:]
    done = confirm(http, case, text(shown))
    assert done.status_code == 302, text(done)[-2000:]
    return db.session.execute(db.select(RosterVersion).filter_by(case_id=case.id)
                              .order_by(RosterVersion.number.desc())).scalars().first()


def versions(case) -> list[RosterVersion]:
    db.session.expire_all()
    return list(db.session.execute(db.select(RosterVersion).filter_by(case_id=case.id)
                                   .order_by(RosterVersion.number)).scalars())


# --- reading real files ----------------------------------------------------------------------

def test_a_file_is_previewed_and_nothing_is_saved_before_the_import_is_confirmed(staff):
    case = make_case(members=[staff.user])
    shown = preview(staff, case, demo_roster_csv().encode())
    page = text(shown)
    assert shown.status_code == 200
    assert re.search(r'data-testid="preview-units">40<', page)
    assert re.search(r'data-testid="preview-owners">38<', page)  # 胡丽华 and the developer once
    assert re.search(r'data-testid="preview-area">4,397.34<', page)
    assert "3-1-101" in page and "张建国" in page and "确认导入为第 1 版" in page
    assert versions(case) == []
    assert confirm(staff, case, page).status_code == 302
    (version,) = versions(case)
    assert (version.number, version.units, version.owners, version.area_hundredths) == (
        1, 40, 38, 439734)
    assert version.filename == "owners.csv" and version.imported_by_id == staff.user.id
    assert version.source_format == "utf-8" and len(version.sha256) == 64
    case_page = text(staff.get(f"/cases/{case.id}", headers=ZH))
    assert re.search(r'data-testid="roster-units">40<', case_page)
    assert re.search(r'data-testid="roster-area">4,397.34<', case_page)
    assert "第 1 版" in case_page
    assert db.session.execute(db.select(RosterUpload)).first() is None  # the file is not kept


def _demo_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(demo_roster_csv())))[1:]


def _gbk_with_chinese_header() -> bytes:
    body = demo_roster_csv().split("\n", 1)[1]
    return ("房号,面积,业主,业主编号,备注\n" + body).encode("gbk")


def _tab_separated() -> str:
    out = io.StringIO()
    csv.writer(out, delimiter="\t").writerows([HEADER.strip().split(","), *_demo_rows()])
    return out.getvalue()


def _workbook() -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["房号", "建筑面积", "业主姓名", "业主编号", "备注"])
    for unit, area, owner, key, note in _demo_rows():
        sheet.append([unit, float(area), owner, key, note or None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data,filename,source_format", [
    (demo_roster_csv().encode("utf-8-sig"), "owners.csv", "utf-8"),  # Excel's "CSV UTF-8"
    (_gbk_with_chinese_header(), "业主名册.csv", "gb18030"),  # Excel's plain "CSV" in China
    (_tab_separated().encode("utf-16"), "owners.txt", "utf-16"),
    (_workbook(), "业主名册.xlsx", "xlsx"),
], ids=["utf-8 with BOM", "GBK with a Chinese header", "UTF-16 tab-separated", "xlsx"])
def test_the_files_excel_saves_are_read_without_asking(staff, data, filename, source_format):
    case = make_case(members=[staff.user])
    version = imported(staff, case, data, filename)
    assert (version.units, version.owners, version.area_hundredths) == (40, 38, 439734)
    assert version.source_format == source_format and version.filename == filename
    owner = db.session.execute(db.select(RosterUnit).filter_by(
        version_id=version.id, unit="3-1-102")).scalar_one()
    assert (owner.owner_name, owner.area_hundredths) == ("刘秀英", 11842)


def test_every_bad_line_is_reported_and_nothing_can_be_imported(staff):
    case = make_case(members=[staff.user], with_roster=True)
    bad = (HEADER + "3-1-101,89.76,张建国,P01,\n"
                    "3-1-102,-5,刘秀英,P02,\n"
                    "3-1-101,89.76,赵伟,P03,\n"
                    "3-1-201,89.765,吴静,P04,\n"
                    ",89.76,胡丽华,P05,\n"
                    "3-1-301,89.76,马敏,P01,\n"
                    "3-1-401,12,x\n")
    shown = preview(staff, case, bad.encode())
    page = text(shown)
    assert shown.status_code == 400
    assert re.findall(r"<li>第 (\d+) 行：", page) == ["3", "4", "5", "6", "7", "8"]
    assert "与第 2 行重复" in page and "89.765" in page and "名册未导入：6 行有错误" in page
    assert 'name="upload"' not in page  # no confirmation offered
    upload_id = db.session.execute(db.select(RosterUpload.id)).scalar_one()
    forced = staff.post(f"/cases/{case.id}/roster/import", data={"upload": upload_id},
                        headers=ZH)
    assert forced.status_code == 400 and "名册未导入：6 行有错误" in text(forced)
    assert [v.number for v in versions(case)] == [1]  # the earlier roster is untouched


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize("data,message", [
    (b"", "文件是空的"),
    (HEADER.encode() + b"x" * (5 * 1024 * 1024), "名册文件最大 5 MB"),
    ((HEADER + "".join(f"U{i},10,业主{i},K{i},\n" for i in range(50_001))).encode(),
     "名册最多 50000 行"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "无法识别文件编码"),
    (b"PK\x03\x04 not really a workbook", "无法读取此文件"),
    (_bomb(), "解压后超过 100 MB"),
    ("unit,area\n1,2\n".encode(), "表头须包含房号、面积、业主、业主编号四列"),
], ids=["empty", "over 5 MB", "over 50,000 lines", "an image", "a broken workbook",
        "a zip bomb", "wrong header"])
def test_files_that_cannot_be_a_roster_are_refused_with_the_reason(staff, data, message):
    case = make_case(members=[staff.user], with_roster=True)
    response = preview(staff, case, data)
    assert response.status_code == 400 and message in text(response)
    assert [v.number for v in versions(case)] == [1]


def test_a_refusal_is_in_the_users_language(staff):
    case = make_case(members=[staff.user])
    response = preview(staff, case, b"", headers=EN)
    assert response.status_code == 400 and "The file is empty." in text(response)


def _large_file(lines: int) -> bytes:
    return (HEADER + "".join(f"3-{i // 100}-{i % 100:03d},{80 + i % 50}.25,业主{i},K{i},\n"
                             for i in range(lines))).encode()


def test_reading_and_writing_a_large_file_gives_way_to_live_meetings(app, staff, monkeypatch):
    """A 2 MB file once froze every live meeting of the server for 17 s: read and written in
    the server process, it lets the other green threads run every 250 lines (a few
    milliseconds of work)."""
    from facilitator.extensions import socketio
    monkeypatch.setitem(app.config, "ROSTER_WORKER_BYTES", 10 * 1024 * 1024)
    yields = []
    real_sleep = socketio.sleep
    monkeypatch.setattr(socketio, "sleep", lambda seconds=0: yields.append(seconds)
                        or real_sleep(seconds))
    case = make_case(members=[staff.user])
    lines = 20_000
    data = _large_file(lines)
    assert len(data) > 600_000
    shown = preview(staff, case, data)
    assert shown.status_code == 200 and len(yields) >= 2 * lines // 250
    yields.clear()
    assert confirm(staff, case, text(shown)).status_code == 302
    assert len(yields) >= 3 * lines // 250  # read again, then written 250 rows at a time
    (version,) = versions(case)
    assert version.units == lines and version.status == "active"


def test_a_large_file_is_read_and_imported_by_another_process(staff, monkeypatch):
    """Over ROSTER_WORKER_BYTES the reading and writing leave the server process altogether:
    its CPU stays with the live meetings. The preview and the version are the same."""
    from facilitator.actions import roster_import
    worker_tasks = []
    real = roster_import._in_worker
    monkeypatch.setattr(roster_import, "_in_worker",
                        lambda task: worker_tasks.append(task["task"]) or real(task))
    case = make_case(members=[staff.user])
    imported(staff, case, demo_roster_csv().encode())  # small: in the server process
    assert worker_tasks == []
    lines = 20_000
    shown = preview(staff, case, _large_file(lines) + b"bad line\n")
    assert shown.status_code == 400 and f"第 {lines + 2} 行" in text(shown)
    assert worker_tasks == ["preview"]
    shown = preview(staff, case, _large_file(lines))
    page = text(shown)
    assert shown.status_code == 200 and "与第 1 版相比：新增 20000 套，删除 40 套，变更 0 套" in page
    assert confirm(staff, case, page).status_code == 302
    assert worker_tasks == ["preview", "preview", "import"]
    assert db.session.execute(db.select(RosterUpload)).first() is None  # the worker forgot it
    second = versions(case)[-1]
    assert (second.number, second.units, second.status, second.imported_by_id) == (
        2, lines, "active", staff.user.id)
    assert db.session.execute(db.select(db.func.count(RosterUnit.id)).filter_by(
        version_id=second.id)).scalar() == lines


@pytest.mark.parametrize("linux", [True, False])
def test_the_import_worker_gives_way_to_the_server_on_a_busy_machine(app, monkeypatch, linux):
    """The worker lowers its own priority before it reads anything: when both want a core,
    the process serving live meetings gets it (Linux: only cores nothing else wants)."""
    from facilitator import roster_worker
    from facilitator.actions import roster_import
    lowered = []

    def set_scheduler(pid, policy, _param):
        if not linux:
            raise OSError("not supported here")
        lowered.append(("scheduler", pid, policy))
    monkeypatch.setattr(roster_worker.os, "sched_setscheduler", set_scheduler)
    monkeypatch.setattr(roster_worker.os, "nice", lambda n: lowered.append(("nice", n)))
    monkeypatch.setattr(roster_import, "work", lambda task: {"done": task["task"]})
    answer = io.StringIO()
    roster_worker.main(io.StringIO(json.dumps({
        "task": "preview", "database": app.config["SQLALCHEMY_DATABASE_URI"]})), answer)
    assert lowered == ([("scheduler", 0, os.SCHED_IDLE)] if linux else [("nice", 19)])
    assert json.loads(answer.getvalue()) == {"done": "preview"}


# --- versions --------------------------------------------------------------------------------

def _changed_roster() -> bytes:
    lines = demo_roster_csv().strip().split("\n")
    kept = [line for line in lines if not line.startswith("3-1-101,")]  # removed
    kept = [line.replace("3-1-102,118.42", "3-1-102,118.40") for line in kept]  # changed
    return ("\n".join(kept) + "\n3-3-101,95.00,新业主,P99,\n").encode()  # added


def test_each_import_is_a_version_and_two_versions_can_be_compared(staff):
    case = make_case(members=[staff.user])
    imported(staff, case, demo_roster_csv().encode(), "2026-11.csv")
    second = imported(staff, case, _changed_roster(), "2026-12.csv")
    assert [v.number for v in versions(case)] == [1, 2] and second.units == 40
    page = text(staff.get(f"/cases/{case.id}/roster", headers=ZH))
    listed = re.findall(r'data-version="(\d+)"', page)
    assert listed == ["2", "1"] and "2026-11.csv" in page and "2026-12.csv" in page
    assert second.sha256[:12] in page and staff.user.display_name in page
    compare = text(staff.get(f"/cases/{case.id}/roster/compare?from=1&to=2", headers=ZH))
    added = compare[compare.index('data-testid="diff-added"'):]
    assert "3-3-101" in added.split("</table>")[0] and "新业主" in added.split("</table>")[0]
    removed = compare[compare.index('data-testid="diff-removed"'):].split("</table>")[0]
    assert "3-1-101" in removed and "张建国" in removed
    changed = compare[compare.index('data-testid="diff-changed"'):].split("</table>")[0]
    assert "3-1-102" in changed and "118.42" in changed and "118.40" in changed
    assert "新增（1）" in compare and "删除（1）" in compare and "变更（1）" in compare
    old_rows = text(staff.get(f"/cases/{case.id}/roster?version=1&q=张建国", headers=ZH))
    assert "3-1-101" in old_rows and "找到 1 条" in old_rows
    assert staff.get(f"/cases/{case.id}/roster/compare?from=1&to=9").status_code == 404


def test_an_import_while_a_meeting_of_the_case_is_live_is_refused(staff):
    meeting = make_meeting(members=[staff.user], with_roster=True)
    case = meeting.case
    shown = preview(staff, case, _changed_roster())
    assert shown.status_code == 200 and "正在进行，会议期间不能导入名册" in text(shown)
    assert 'name="upload"' not in text(shown)
    upload_id = db.session.execute(db.select(RosterUpload.id)).scalar_one()
    forced = staff.post(f"/cases/{case.id}/roster/import", data={"upload": upload_id},
                        headers=EN)
    assert forced.status_code == 409 and "no roster can be imported while it runs" in text(forced)
    assert [v.number for v in versions(case)] == [1]


def test_a_vote_counts_on_its_own_roster_even_when_a_new_one_is_imported_before_it_closes(
        app, staff):
    """The finding: a two-owner roster uploaded while an owners' decision was open made it
    pass when it closed."""
    meeting = make_meeting(members=[staff.user], with_roster=True, direct_entry=True)
    case, chair = meeting.case, chair_of(meeting)
    vote_id = run(meeting, chair, "vote.create", {
        "kind": "owners_decision", "method": "yes_no", "title": "使用维修资金",
        "matters": ["use_fund"]})["vote_id"]
    run(meeting, chair, "vote.open", {"id": vote_id})
    for unit in ("3-1-101", "3-1-102", "3-1-201"):
        _, person = join_from_phone(app, meeting, name="业主", party="owner", unit=unit)
        run(meeting, chair, "checkin.verify", {"id": person, "note": "身份证"})
        run(meeting, Actor(role="phone", participant_id=person), "ballot.cast",
            {"vote_id": vote_id, "choices": ["yes"]})
    run(meeting, chair, "meeting.end", {})  # the vote goes on (collected door to door)
    two_owners = (HEADER + "3-1-101,89.76,张建国,P01,\n3-1-102,118.42,刘秀英,P02,\n").encode()
    assert imported(staff, case, two_owners).number == 2
    run(meeting, chair, "vote.close", {"id": vote_id})
    vote = db.session.get(Vote, vote_id)
    assert vote.result["scope"] == {"owners": 38, "area": 439734}
    assert vote.result["outcome"]["passed"] is False  # 3 of 38 owners took part
    first = versions(case)[0]
    assert vote.roster_version_id == first.id
    from facilitator.exports import markdown
    from facilitator.minutes.load import minutes_for
    minutes = markdown.render(minutes_for(db.session.get(Meeting, meeting.id))).decode()
    assert "计票依据：业主名册第 1 版" in minutes and first.sha256 in minutes
    later = Meeting(case_id=case.id, title="第二次协商会", projector_token="later-token",
                    moderator_id=meeting.moderator_id)
    db.session.add(later)
    db.session.commit()
    run(later, chair_of(meeting), "meeting.open", {})
    db.session.refresh(later)
    assert later.roster_version_id == versions(case)[1].id


def test_the_console_offers_the_units_and_owners_of_the_meetings_roster_version(app, ctx):
    moderator = make_user("moderator")
    meeting = make_meeting(moderator=moderator, with_roster=True)
    console = app.test_client()
    login(console, moderator)
    page = text(console.get(f"/meetings/{meeting.id}/console"))
    owners = page[page.index('<datalist id="roster-owners">'):].split("</datalist>")[0]
    assert owners.count("<option") == 40 and 'value="P02">3-1-102 刘秀英' in owners
    units = page[page.index('<datalist id="roster-units">'):].split("</datalist>")[0]
    assert units.count("<option") == 40 and 'value="3-2-1002"' in units


def test_the_api_reads_any_version_of_the_roster_a_page_at_a_time(app, staff):
    case = make_case(members=[staff.user])
    imported(staff, case, demo_roster_csv().encode(), "2026-11.csv")
    imported(staff, case, _changed_roster(), "2026-12.csv")
    token = staff.user.issue_api_token(read_only=True)
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    newest = api.get(f"/api/v1/cases/{case.id}/roster?per_page=10", headers=headers).json
    assert newest["version"]["number"] == 2 and newest["versions"] == [2, 1]
    assert newest["version"]["filename"] == "2026-12.csv" and newest["pages"] == 4
    assert len(newest["units"]) == 10 and newest["units"][0]["unit"] == "3-1-102"
    assert newest["units"][0]["area_m2"] == "118.40"
    first = api.get(f"/api/v1/cases/{case.id}/roster?version=1&page=4&per_page=10",
                    headers=headers).json
    assert first["units"][-1] == {"unit": "3-2-1002", "area_m2": "156.80",
                                  "owner": "锦华置业有限公司", "owner_key": "P38",
                                  "note": "developer, unsold: all unsold units together count as one owner"}
    assert api.get(f"/api/v1/cases/{case.id}/roster?version=3", headers=headers).status_code == 404
    for bad in ("version=0", "page=abc", "per_page=5000", "version=99999999999999999999"):
        answer = api.get(f"/api/v1/cases/{case.id}/roster?{bad}", headers=headers)
        assert answer.status_code == 400 and answer.json["error"]["code"] == "validation.range"
