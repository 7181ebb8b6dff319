"""The demo meeting already held: 锦华苑 3幢 garage leaks, 2026-12-05 14:32–16:50.

`facilitator demo --played` loads the demo (facilitator/demo.py) and replays the meeting
through the real commands from the script below, on a fake clock, so the event log — and
therefore the minutes — are those of a meeting that really ran: the agenda with plausible
times, speeches with the clerk's notes for each party, a point of order ruled on, the three
plans amended and compared, the straw poll of ballots.csv (facilitator/demo_votes.py),
the seven agreed items of case.json, the meeting ended and the minutes finalised.

The clock: the app reads every "now" from facilitator.clock; :func:`fake_clock` makes it
the script's clock for the duration of a ``with`` block, and the script sets it per step
(``clock.at("14:43")``, ``clock.advance(95)``).
"""
from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

from . import clock as app_clock
from .actions import Actor, execute
from .demo import demo_case_data, load_demo
from .demo_votes import PROXY_HOLDERS, _first_units, _join_and_admit, _person, demo_ballots
from .extensions import db
from .models import AgendaItem, Case, Meeting, MinutesVersion, Plan

CST = timezone(timedelta(hours=8))
MEETING_DAY = (2026, 12, 5)


class Clock:
    """A settable clock: naive UTC, as the app stores times."""

    def __init__(self, moment: datetime):
        self.now = moment

    def at(self, hhmm: str, seconds: int = 0) -> Clock:
        hours, minutes = (int(x) for x in hhmm.split(":"))
        local = datetime(*MEETING_DAY, hours, minutes, seconds, tzinfo=CST)
        self.now = local.astimezone(timezone.utc).replace(tzinfo=None)
        return self

    def advance(self, seconds: int) -> Clock:
        self.now = self.now + timedelta(seconds=seconds)
        return self


@contextlib.contextmanager
def fake_clock(hhmm: str = "14:30"):
    """Commands run inside take their time from the returned clock."""
    clock = Clock(datetime(2000, 1, 1)).at(hhmm)
    with app_clock.running_on(lambda: clock.now):
        yield clock


# --------------------------------------------------------------------------- the script

AGENDA_TIMES = ("14:32", "14:43", "14:51", "15:03", "15:11", "15:33", "16:15", "16:33", "16:38")
ENDED_AT = "16:50"
FINALISED_AT = "17:30"

PEOPLE = """陈立华 | 社区党委书记，第一召集人 | 召集人 | 社区
郑文涛 | 区政协委员，执行召集人 | 召集人 | 政协委员
许静 | 社区工作者 | 记录人 | 社区
李振宇 | 业主委员会主任
周明 | 锦华物业服务有限公司 项目经理 | 代表
孙强 | 锦华物业服务有限公司 工程主管
高峰 | 锦华置业有限公司 工程部经理 | 代表
林晓 | 区住房和城乡建设局 物业管理科 | 代表
吴涛 | 区住房和城乡建设局 维修资金管理中心
何军 | 锦华街道办事处 物业办副主任 | 代表
刘工 | 恒正检测鉴定有限公司 高级工程师 | 代表
张建国 | | 业主代表
范文斌 | | 业主代表"""

# Agenda item number → the clerk's key points (briefings) or summary.
ITEM_TEXT = {
    1: "主持人介绍议题、参会各方和议事规则：举手发言，先表明立场，每次不超过3分钟，同一议题每人最多发言2次。",
    2: """2026年9月3日收到3幢26位业主联名信，9月10日立项。
2024年8月至2026年8月物业共有8条渗漏工单，多次修补未根治。
2026年8月20日应急维修，经业主委员会审核、街道确认，从维修资金支出31,200元。""",
    3: """渗漏点27处，湿渍面积约占顶板3.1%，远超二级防水限值0.1%。
后浇带裂缝最宽0.35 mm，2处钢筋表面锈蚀；混凝土强度满足C35。
种植层4个排水口堵塞，是积水渗漏的主要诱因之一。
无立即结构危险，建议下一个雨季前完成治理。""",
    4: """屋面、地下室防水最低保修期5年，自竣工验收（2020年6月30日）起算，至2025年6月30日；首次报修（2024年8月12日）在保修期内。
维修资金余额566,210.00元，续筹下限171,496.26元；使用维修资金须经业主共同决定（双三分之二参与、双过半同意），筹集须双四分之三以上同意。
维修资金仅用于保修期满后的共用部位维修，保修期内缺陷由建设单位负责。""",
    6: "三个方案均已说明费用、资金分担和工期；多数发言倾向方案C，部分业主坚持方案B，少数业主倾向方案A。",
    7: "建设单位出资以209,400元为限；物业为方案C出资40,000元；其余232,900元拟使用维修资金，须经业主共同决定。",
}

# (item, start, seconds, speaker, kind, stance, first note or None, the clerk's last note)
SPEECHES = [
    (2, "14:43:20", 420, "陈立华", "speech", "neutral", None, "通报诉求与历史（要点见情况通报）。"),
    (3, "14:51:30", 650, "刘工", "speech", "neutral", None, "通报检测鉴定结论（要点见情况通报）。"),
    (4, "15:03:30", 400, "林晓", "speech", "neutral", None, "通报保修责任与维修资金政策（要点见情况通报）。"),
    (5, "15:12", 95, "张建国", "speech", "question", "为什么没修好？",
     "首次报修在保修期内，为什么至今没有修好？建设单位是否应承担全部费用？"),
    (5, "15:14", 170, "高峰", "speech", "neutral", None,
     "承认2024年报修在保修期内；愿承担检测费38,000元，并按保修期内已出现的渗漏点出资209,400元；对其余费用不予认可。"),
    (5, "15:18", 80, "刘秀英", "speech", "question", None, "如果使用维修资金，每户要分摊多少？"),
    (5, "15:20", 150, "吴涛", "speech", "neutral", None,
     "按专有部分面积分摊：方案C使用232,900元，约52.964元/m²，89.76 m²的住户约4,754.03元，118.42 m²的住户约6,271.98元；支取后余额仍高于续筹下限。"),
    (5, "15:25", 60, "赵伟", "point_of_information", None, None, "检测报告能否在公告栏公示？"),
    (6, "15:34", 175, "周明", "speech", "neutral", None,
     "介绍三个方案：A内侧注浆堵漏387,900元、35天；B顶板外防水整体重做1,569,600元、120天；C综合治理482,300元、45天。"),
    (6, "15:38", 180, "范文斌", "speech", "for", None, "支持方案B：只有顶板外防水重做才能根治，否则几年后还会漏。"),
    (6, "15:42", 200, "蒋俊杰", "speech", "against", None,
     "反对方案B：另行筹集约219.57元/m²负担太重，工期120天影响停车；倾向方案C。"),
    (6, "15:46", 140, "孙强", "speech", "neutral", None,
     "4个排水口堵塞是积水主因；方案C包括疏通排水口、新增带液位报警的集水泵、加宽坡道排水沟，并监测12个月。"),
    (6, "15:50", 20, "马敏", "point_of_order", None, None,
     "程序问题：请主持人提醒发言人控制在3分钟内。主持人当即裁定：计时提醒。"),
    (6, "15:51", 150, "胡丽华", "speech", "for", None, "支持方案A：费用最低、工期最短，先解决眼前渗漏。"),
    (6, "15:55", 160, "韩军", "speech", "against", None, "反对方案A：只堵不疏，排水不修还会复漏，方案C更稳妥。"),
    (7, "16:16", 170, "高峰", "speech", "against", None, "建设单位出资以209,400元为限，不同意承担更多。"),
    (7, "16:20", 150, "李振宇", "speech", "for", None,
     "要求建设单位签署维修责任确认书；业主委员会负责组织使用维修资金的业主共同决定。"),
    (7, "16:24", 110, "周明", "speech", "for", None, "物业为方案C承担40,000元（集水泵及监测）。"),
    (7, "16:27", 120, "何军", "speech", "neutral", None,
     "街道跟踪督办；建设单位逾期未签署的，提交区住建局和区政协协调。"),
    (7, "16:30", 90, "林晓", "speech", "neutral", None, "排水系统修复是否属于改建，12月12日前书面答复。"),
]

# The plans as amended in the meeting (item 6): what each is good and bad at.
PLAN_EDITS = {
    "A": ("优点：费用最低；工期最短（35天）", "只治内侧，排水不修可能复漏"),
    "B": ("优点：从源头根治，最耐久", "须另行筹集965,500元（约219.57元/m²），属筹集维修资金，须双四分之三以上同意\n工期120天，车库长期停用"),
    "C": ("优点：包含方案A全部内容，并修复排水系统；12个月监测", "费用高于方案A"),
}

# The agreed items: case.json's action_items with the clerk's wording, money and acceptance.
AGREED = [
    ("签署维修责任确认书，支付治理费用209,400元及检测费38,000元", "247400", "developer",
     "确认书签署，款项汇入共管账户"),
    ("雨天巡查；每周向业主通报进展", None, None, "巡查记录和周报在单元公告栏及业主群公示"),
    ("公告使用维修资金232,900元的业主共同决定事项，并于2026年12月22日至2027年1月5日组织表决", "232900",
     "maintenance_fund", "按《民法典》第二百七十八条计票，结果公示3日"),
    ("预审维修资金使用申请；业主共同决定通过后拨付", "232900", "maintenance_fund",
     "预审意见书面反馈业主委员会；按进度拨付"),
    ("2027年3月1日至4月15日施工，业主代表见证关键工序；闭水试验；2027年4月30日前完成验收、审价并公示分摊",
     "482300", None, "闭水试验无渗漏；审价报告及分摊明细公示"),
    ("书面答复排水系统修复是否属于改建（如属改建须适用四分之三规则）", None, None, "书面答复送业主委员会并公示"),
    ("如建设单位逾期未签署，提交区住建局和区政协协调", None, None, "提交记录及答复情况通报业主"),
]
ORGANISATIONS = {
    "developer": "锦华置业有限公司", "property_company": "锦华物业服务有限公司",
    "owners_committee": "锦华苑业主委员会", "housing_bureau": "区住房和城乡建设局",
    "street_office": "锦华街道办事处",
}

SECTIONS = {
    "title": "锦华社区“有事好商量”协商纪要",
    "summary": """与会各方一致认为：3幢地下车库渗漏应在2027年雨季前治理；首次报修在保修期内，建设单位应承担保修期内的治理责任。
意向表决中方案C获多数意向（不具约束力）；使用维修资金须另行由业主共同决定。""",
    "dissent": """部分业主（4人，倾向方案B） | 认为只有顶板外防水整体重做才能根治；如方案C实施后一年内复漏，应重新协商方案B。
部分业主（5人，倾向方案A） | 认为方案C费用偏高，排水系统修复应由物业承担。
建设单位 | 不同意承担209,400元及检测费以外的治理费用。""",
    "pending": """待答复 | 排水系统修复是否属于改建、重建 | 区住建局（林晓） | 2026-12-12
分歧 | 建设单位不认可209,400元以外的治理费用；业主要求建设单位承担更多 | 锦华街道（何军） | 2026-12-20
分歧 | 4位业主主张方案B，须另行筹集965,500元；本次不作决定 | 业主委员会""",
    "follow_up": """督办：锦华街道办事处（何军）、区政协委员郑文涛
通报：物业每周向业主通报；业主委员会每月向社区报告
公示地点：3幢单元公告栏、锦华苑业主群、社区公示栏
公示期：2026-12-07 至 2026-12-11
反馈：2026-12-19
2027年雨季后（10月）复查渗漏情况，评估是否需要方案B""",
    "attachments": """检测鉴定报告 | 3幢地下车库渗漏检测鉴定报告 | 恒正检测鉴定有限公司
来信 | 业主联名信 | 2026年9月3日，26位业主
工单 | 物业工单记录 | 8条""",
}

SIGN_OFFS = [("李振宇", "owners_committee", "signed", ""), ("周明", "property_company", "signed", ""),
             ("高峰", "developer", "refused", "对209,400元以外的费用有保留意见")]


def _run(meeting_id: int, actor: Actor, name: str, payload: dict) -> dict:
    outcome = execute(meeting_id, actor, name, payload)
    if not outcome.ok:
        raise RuntimeError(f"demo command {name} refused: {outcome.error!r}")
    return outcome.result


class AlreadyLive(RuntimeError):
    """The demo was loaded live before (`facilitator demo`): its meeting is not replayed."""


def load_played_demo() -> dict:
    """Load the demo with its meeting held and its minutes finalised (once; a second run
    reports the meeting as it is)."""
    data = demo_case_data()
    case = db.session.execute(db.select(Case).filter_by(number=data["case"]["number"])
                              ).scalar_one_or_none()
    if case is not None and case.meetings:
        meeting = case.meetings[0]
        if db.session.execute(db.select(MinutesVersion.id).filter_by(meeting_id=meeting.id)).first():
            return _info(meeting)
        raise AlreadyLive("the demo meeting is already loaded (live): load --played into a fresh "
                          "database (DATABASE_URL)")
    with fake_clock("14:32") as clock:
        info = load_demo()
        meeting_id = info["meeting_id"]
        play(meeting_id, clock)
    return _info(db.session.get(Meeting, meeting_id))


def _info(meeting: Meeting) -> dict:
    return {"meeting_id": meeting.id, "case_number": meeting.case.number,
            "case_id": meeting.case_id}


def play(meeting_id: int, clock: Clock) -> None:
    """Replay the scripted meeting on an open demo meeting (inside fake_clock)."""
    meeting = db.session.get(Meeting, meeting_id)
    moderator = Actor(role="moderator", user_id=meeting.moderator_id)
    clerk = Actor(role="clerk", user_id=meeting.clerk_id)
    data = demo_case_data()
    units = _first_units(meeting)
    choices = {row["owner_key"]: row["straw_poll"] for row in demo_ballots()}

    def run(actor, name, payload=None):
        return _run(meeting_id, actor, name, payload or {})

    # 14:32 — the room fills: the speaking rules, the owners present join from their phones.
    rules = data["rules"]
    run(moderator, "speakers.configure", {"speech_seconds": rules["speech_seconds"],
                                          "max_turns_per_item": rules["max_turns_per_item"],
                                          "not_yet_spoken_first": rules["not_yet_spoken_first"],
                                          "alternate_stance": rules["alternate_stance"]})
    run(clerk, "minutes.write", {"section": "people", "text": PEOPLE})
    voters: list[tuple[int, int | None, str]] = []
    committee_key = None
    for key in data["meeting_attendance_owner_keys"]:
        clock.advance(2)
        unit = units[key]
        if key in PROXY_HOLDERS:
            holder = _join_and_admit(meeting_id, moderator, PROXY_HOLDERS[key], "observer")
            proxy = run(moderator, "proxy.record", {
                "participant_id": holder, "owner_key": key,
                "note": f"书面委托书：{unit.owner_name}（{unit.unit}）委托"})
            voters.append((holder, proxy["proxy_id"], choices[key]))
        elif _person(meeting_id, unit.owner_name) is not None:
            committee_key = key  # 李振宇 sits for the owners' committee, and owns 3-2-801
        else:
            name = unit.owner_name.split("、")[0]  # a co-owned unit: the co-owner chosen to vote
            person_id = _join_and_admit(meeting_id, moderator, name, "owner", unit.unit)
            voters.append((person_id, None, choices[key]))

    items = list(db.session.execute(db.select(AgendaItem).filter_by(meeting_id=meeting_id)
                                    .order_by(AgendaItem.position)).scalars())
    by_number = {n: item.id for n, item in enumerate(items, start=1)}

    def person_id(name: str) -> int:
        found = _person(meeting_id, name)
        if found is None:
            raise RuntimeError(f"no participant {name!r} in the demo")
        return found.id

    def speak(item, start, seconds, speaker, kind, stance, first_note, note):
        clock.at(*_hhmm(start))
        payload = {"kind": kind, "stance": stance}
        owner = _person(meeting_id, speaker)
        if owner is not None and owner.has_phone:
            entry = run(Actor(role="phone", participant_id=owner.id), "hand.raise", payload)
        else:
            entry = run(moderator, "queue.add", {"participant_id": person_id(speaker), **payload})
        clock.advance(10)
        speech = run(moderator, "floor.give", {"entry_id": entry["entry_id"]})
        if first_note:
            clock.advance(seconds // 2)
            run(clerk, "speech.note", {"speech_id": speech["speech_id"], "notes": first_note})
            clock.advance(seconds - seconds // 2)
        else:
            clock.advance(seconds)
        run(moderator, "speech.end")
        if kind == "point_of_order":
            run(moderator, "point.rule", {"speech_id": speech["speech_id"], "ruling": "upheld"})
        clock.advance(15)
        run(clerk, "speech.note", {"speech_id": speech["speech_id"], "notes": note})

    for number, start in enumerate(AGENDA_TIMES, start=1):
        clock.at(start, 50 if number == 1 else 0)
        run(moderator, "agenda.next")
        if number == 6:  # the plans as amended in the meeting, before the speeches on them
            clock.advance(40)
            plans = {p.key: p.id for p in db.session.execute(
                db.select(Plan).filter_by(meeting_id=meeting_id)).scalars()}
            for key, (description, risks) in PLAN_EDITS.items():
                run(moderator, "plan.edit", {"id": plans[key], "description": description,
                                             "risks": risks, "note": "会上补充优缺点"})
        for speech in SPEECHES:
            if speech[0] == number:
                speak(*speech)
        if number == 8:
            _straw_poll(meeting_id, moderator, clock, voters, committee_key, units)
        if number in ITEM_TEXT:
            run(clerk, "minutes.write", {"section": f"item:{by_number[number]}",
                                         "text": ITEM_TEXT[number]})
        if number == 9:
            clock.at("16:40")
            for (what, amount, source, acceptance), item in zip(AGREED, data["action_items"]):
                clock.advance(40)
                payload = {"what": what, "party": item["party"], "person": item["person"],
                           "due": item["due"], "acceptance": acceptance}
                if item["party"] in ORGANISATIONS:
                    payload["organisation"] = ORGANISATIONS[item["party"]]
                if amount is not None:
                    payload["amount"] = amount
                if source is not None:
                    payload["funding_source"] = source
                run(clerk, "action_item.add", payload)
            for section, text in SECTIONS.items():
                clock.advance(20)
                run(clerk, "minutes.write", {"section": section, "text": text})
    clock.at("16:49")
    run(moderator, "agenda.next")  # past the last item: the agenda is done
    clock.at(ENDED_AT)
    run(moderator, "meeting.end")
    clock.at(FINALISED_AT)
    run(moderator, "minutes.finalise", {"note": "会后核对发言要点后定稿"})
    for name, party, decision, note in SIGN_OFFS:
        clock.advance(120)
        # The representatives sat at the table without phones: the clerk records their
        # sign-off on paper ("recorded by the chair" in the documents).
        run(clerk, "minutes.record_signoff", {"name": name, "party": party,
                                              "decision": decision,
                                              "participant_id": person_id(name), "note": note})


def _hhmm(text: str) -> tuple[str, int]:
    parts = text.split(":")
    return f"{parts[0]}:{parts[1]}", int(parts[2]) if len(parts) > 2 else 0


def _straw_poll(meeting_id: int, moderator: Actor, clock: Clock, voters: list,
                committee_key: str | None, units: dict) -> int:
    """ballots.csv's straw poll: the owners present vote on A/B/C from their phones; the
    developer (holding the unsold units) recuses; 李振宇 votes as the owner of 3-2-801."""
    from .demo_votes import DEVELOPER_KEY
    data = demo_case_data()
    choices = {row["owner_key"]: row["straw_poll"] for row in demo_ballots()}

    def run(actor, name, payload=None):
        return _run(meeting_id, actor, name, payload or {})

    clock.advance(30)
    if committee_key is not None:
        unit = units[committee_key]
        member = _person(meeting_id, unit.owner_name)
        run(moderator, "participant.set_party", {"id": member.id, "party": "owner",
                                                 "unit": unit.unit})
        voters = voters + [(member.id, None, choices[committee_key])]
    clock.advance(30)
    vote = run(moderator, "vote.create", {
        "kind": "straw_poll", "method": "single", "title": "意向表决：方案 A / B / C",
        "question": "您倾向于哪一个治理方案？（意向表决，不具约束力）",
        "plans": [option["key"] for option in data["options"]],
        "eligibility": "owners_present", "recused": [DEVELOPER_KEY],
        "show_results": "after_close"})
    clock.at("16:34")
    run(moderator, "vote.open", {"id": vote["vote_id"]})
    for person, proxy_id, choice in voters:
        clock.advance(6)
        payload = {"vote_id": vote["vote_id"], "choices": [choice]}
        if proxy_id is not None:
            payload["proxy_id"] = proxy_id
        run(Actor(role="phone", participant_id=person), "ballot.cast", payload)
    clock.at("16:37")
    run(moderator, "vote.close", {"id": vote["vote_id"]})
    return vote["vote_id"]


def minutes_urls(base: str, meeting_id: int) -> list[str]:
    return [f"{base}/meetings/{meeting_id}/minutes.{fmt}" for fmt in ("pdf", "docx", "md", "html",
                                                                      "json")]


__all__ = ["AlreadyLive", "Clock", "fake_clock", "load_played_demo", "minutes_urls", "play"]
