"""The demo meeting's minutes (锦华苑 3幢 garage leaks), built by hand as a MinutesDocument.

The facts come from the demo case files (case.json, owners.csv): the case, the people by
party, the agenda, the three plans with their funding, the straw-poll numbers of
``expected.straw_poll`` and the seven action items. What the files do not hold (the actual
times, the clerk's notes on each speech, the acceptance criteria) is written here the way a
clerk would record the scripted meeting. The event-log builder must later produce this same
model from the demo meeting's log; until then this is the reviewed reference (see
tests/golden/).

``demo_minutes("zh")`` is the meeting as held (in Chinese); ``demo_minutes("en")`` is the same
meeting held in English (free text in English, names unchanged).
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from facilitator.domain.minutes_model import (
    AgendaRun,
    AgreedItem,
    Appendix,
    Attachment,
    Attendance,
    AttendanceGroup,
    Attendee,
    Briefing,
    ChoiceCount,
    Count,
    Dissent,
    FollowUp,
    Fund,
    FundingShare,
    Header,
    KeyDate,
    Matter,
    MinutesDocument,
    PartyTime,
    PendingItem,
    Person,
    Plan,
    Proxy,
    Signature,
    TimelineEntry,
    View,
    Vote,
)
from facilitator.domain.voting import parse_area, parse_yuan

DEMO_DIR = Path(__file__).resolve().parent.parent / "facilitator" / "demo_data" / "jinhua-garage"
CST = timezone(timedelta(hours=8))


@cache
def case_data() -> dict:
    return json.loads((DEMO_DIR / "case.json").read_text(encoding="utf-8"))


@cache
def roster() -> dict[str, dict]:
    """owner_key -> {"name", "units", "area"} (area in hundredths, summed over units)."""
    owners: dict[str, dict] = {}
    with open(DEMO_DIR / "owners.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            entry = owners.setdefault(row["owner_key"], {"name": row["owner"], "units": [], "area": 0,
                                                         "note": row["note"]})
            entry["units"].append(row["unit"])
            entry["area"] += parse_area(row["area_m2"])
    return owners


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime(2026, 12, 5, int(hours), int(minutes), tzinfo=CST)


def yuan(text: str) -> int:
    return parse_yuan(text)


def people_by_name() -> dict[str, dict]:
    return {p["name"]: p for p in case_data()["people"]}


# The person's title (free text) in each language.
TITLES = {
    "郑文涛": ("区政协委员，执行召集人", "district CPPCC member, executive convener"),
    "陈立华": ("社区党委书记，第一召集人", "Party secretary of the community, first convener"),
    "许静": ("社区工作者", "community worker"),
    "李振宇": ("业主委员会主任", "chair of the owners' committee"),
    "周明": ("项目经理", "project manager"),
    "孙强": ("工程主管", "engineering supervisor"),
    "高峰": ("工程部经理", "head of engineering"),
    "林晓": ("物业管理科", "property management section"),
    "吴涛": ("维修资金管理中心", "maintenance fund centre"),
    "何军": ("物业办副主任", "deputy head, property office"),
    "刘工": ("高级工程师", "senior engineer"),
}

ORGANISATIONS = {
    "community": ("锦华社区", "Jinhua community"),
    "property_company": ("锦华物业服务有限公司", "Jinhua Property Services Co."),
    "developer": ("锦华置业有限公司", "Jinhua Real Estate Co."),
    "housing_bureau": ("区住房和城乡建设局", "District housing and construction bureau"),
    "street_office": ("锦华街道办事处", "Jinhua street office"),
    "expert": ("恒正检测鉴定有限公司", "Hengzheng Testing and Appraisal Co."),
    "owners_committee": ("锦华苑业主委员会", "Jinhua Garden owners' committee"),
    "cppcc_member": ("区政协", "District CPPCC"),
}

PROXY = {"owner_key": "P07", "proxy": "宋宇"}


def demo_minutes(language: str = "zh") -> MinutesDocument:
    zh = language == "zh"

    def tr(chinese: str, english: str) -> str:
        return chinese if zh else english

    def title_of(name: str) -> str:
        return TITLES[name][0 if zh else 1]

    def org(party: str) -> str:
        return ORGANISATIONS[party][0 if zh else 1]

    data = case_data()
    spec = data["case"]
    dates = spec["dates"]
    people = people_by_name()
    owners = roster()

    # ------------------------------------------------------------ header
    header = Header(
        title=tr("锦华社区“有事好商量”协商纪要", "Jinhua Community “Let's Talk It Over” Consultation Minutes"),
        number=f"{spec['number']}-JY01",
        case_number=spec["number"],
        case_title=spec["title"] if zh else spec["title_en"],
        meeting_title=tr("3幢地下车库渗漏治理协商会", "Consultation on the leaks in the Building 3 garage"),
        organiser=tr(spec["platform"], "Jinhua community “Let's Talk It Over” consultation room"),
        place=tr("锦华社区党群服务中心二楼协商议事室", "Consultation room, 2nd floor, Jinhua community service centre"),
        form="on_site",
        started_at=at("14:32"),
        ended_at=at("16:50"),
        conveners=(Person("陈立华", "community", title_of("陈立华")),
                   Person("郑文涛", "cppcc_member", title_of("郑文涛"))),
        moderator=Person("郑文涛", "cppcc_member", title_of("郑文涛")),
        clerk=Person("许静", "community", title_of("许静")),
        language=language,
        version=1,
        status="final",
        finalised_at=at("17:30"),
        last_event_seq=486,
        host=tr(spec["organiser"], "Jinhua Residents' Committee"),
    )

    # ------------------------------------------------------------ attendance
    present_keys = data["meeting_attendance_owner_keys"]
    committee_key = "P34"  # 李振宇 sits for the owners' committee (and owns 3-2-801)
    owner_people = []
    for key in present_keys:
        if key == committee_key:
            continue
        owner = owners[key]
        name = owner["name"].split("、")[0]  # a co-owned unit: the co-owner chosen to vote
        if key == PROXY["owner_key"]:
            owner_people.append(Attendee(PROXY["proxy"], units=tuple(owner["units"]), role="proxy",
                                         proxy_for=owner["name"]))
        else:
            owner_people.append(Attendee(name, units=tuple(owner["units"])))

    def staff(party: str, *names: str, roles: dict | None = None) -> AttendanceGroup:
        roles = roles or {}
        return AttendanceGroup(party, tuple(Attendee(n, title_of(n), role=roles.get(n, "participant"))
                                            for n in names), org(party))

    groups = (
        staff("cppcc_member", "郑文涛", roles={"郑文涛": "moderator"}),
        staff("community", "陈立华", "许静", roles={"陈立华": "convener", "许静": "clerk"}),
        AttendanceGroup("owners_committee", (Attendee("李振宇", title_of("李振宇"),
                                                      tuple(owners[committee_key]["units"])),),
                        org("owners_committee")),
        staff("property_company", "周明", "孙强"),
        staff("developer", "高峰"),
        staff("housing_bureau", "林晓", "吴涛"),
        staff("street_office", "何军"),
        staff("expert", "刘工"),
        AttendanceGroup("owner", tuple(owner_people)),
    )
    present = Count(len(present_keys), sum(owners[k]["area"] for k in present_keys))
    scope = Count(len(owners), sum(o["area"] for o in owners.values()))
    proxy_owner = owners[PROXY["owner_key"]]
    attendance = Attendance(
        groups=groups,
        observers=(Attendee(tr("3-2-902 租户", "Tenant of 3-2-902"), tr("租户，不参与表决", "tenant; does not vote"),
                            role="observer"),),
        absent=(),
        proxies=(Proxy(proxy_owner["name"], tuple(proxy_owner["units"]), PROXY["proxy"],
                       tr("书面委托书", "written authorisation")),),
        owners_present=present,
        owners_in_scope=scope,
    )

    # ------------------------------------------------------------ the matter
    fund = spec["maintenance_fund"]
    matter = Matter(
        title=spec["title"] if zh else spec["title_en"],
        source=tr("2026年9月3日26位业主联名信；2024年8月至2026年8月物业工单8条（首条 WO-2024-0812-017）",
                  spec["source_en"]),
        scope=tr("3幢：2个单元×10层×每层2户，共40套专有部分；按计数规则38位业主；专有部分面积 4,397.34 m²（不含车位）",
                 spec["scope_en"]),
        description=tr("B1车库62个车位，顶板上覆约1.2米种植土；顶板约2,400 m²、侧墙约120米受影响。",
                       spec["garage_en"]),
        scope_count=scope,
        dates=tuple(KeyDate(key, date.fromisoformat(dates[key])) for key in (
            "completion_accepted", "delivered", "contractor_waterproofing_warranty_end",
            "developer_warranty_end", "first_leak_report", "emergency_repair", "letter_received", "accepted")),
        fund=Fund(balance_fen=yuan(fund["balance_cny"]), initial_deposit_fen=yuan(fund["initial_deposit_cny"]),
                  floor_fen=yuan(fund["floor_30_percent_cny"]), drawn_fen=yuan(fund["emergency_draw_cny"]),
                  as_of=date(2026, 11, 30)),
        assessment=tr("恒正检测（检测费38,000元由建设单位垫付）：渗漏点27处；湿渍面积约占顶板3.1%（二级防水限值0.1%）；"
                      "后浇带裂缝最宽0.35 mm；2处钢筋表面锈蚀；混凝土强度满足C35；种植层4个排水口堵塞；"
                      "无立即结构危险，应在下一个雨季前治理。", spec["assessment_en"]),
    )

    # ------------------------------------------------------------ agenda as run
    actual = [("14:32", "14:43", ""), ("14:43", "14:51", ""),
              ("14:51", "15:03", tr("主持人同意延时2分钟", "extended by 2 min (moderator)")),
              ("15:03", "15:11", ""), ("15:11", "15:33", ""), ("15:33", "16:15", ""),
              ("16:15", "16:33", ""), ("16:33", "16:38", ""), ("16:38", "16:49", "")]
    titles_en = ["Opening, the matter and the speaking rules", "Briefing: the complaint and its history",
                 "The assessment report", "Warranty liability and fund rules", "Questions and answers",
                 "Plans A/B/C compared", "Sharing the cost", "Straw poll",
                 "Summing up: who does what by when; the minutes' key points read out"]
    agenda = []
    planned_start = at("14:30")
    for number, (item, (start, end, note)) in enumerate(zip(data["agenda"], actual), start=1):
        agenda.append(AgendaRun(
            number=number, title=item["title"] if zh else titles_en[number - 1], segment=item["segment"],
            planned_seconds=item["minutes"] * 60, planned_start=planned_start,
            actual_start=at(start), actual_end=at(end),
            used_seconds=int((at(end) - at(start)).total_seconds()), note=note))
        planned_start += timedelta(minutes=item["minutes"])

    # ------------------------------------------------------------ briefings
    briefings = (
        Briefing(2, agenda[1].title, "陈立华", "community", (
            tr("2026年9月3日收到3幢26位业主联名信，9月10日立项。",
               "A joint letter from 26 owners of Building 3 arrived on 2026-09-03; the case was accepted on 2026-09-10."),
            tr("2024年8月至2026年8月物业共有8条渗漏工单，多次修补未根治。",
               "Eight leak work orders from 2024-08 to 2026-08; repeated patching did not cure it."),
            tr("2026年8月20日应急维修，经业主委员会审核、街道确认，从维修资金支出31,200元。",
               "Emergency repair on 2026-08-20, reviewed by the owners' committee and confirmed by the street office: 31,200 CNY from the fund."),
        )),
        Briefing(3, agenda[2].title, "刘工", "expert", (
            tr("渗漏点27处，湿渍面积约占顶板3.1%，远超二级防水限值0.1%。",
               "27 leak points; damp area about 3.1% of the slab against a grade-2 limit of 0.1%."),
            tr("后浇带裂缝最宽0.35 mm，2处钢筋表面锈蚀；混凝土强度满足C35。",
               "Cracks at post-cast strips up to 0.35 mm; surface rust on rebar at 2 spots; concrete meets C35."),
            tr("种植层4个排水口堵塞，是积水渗漏的主要诱因之一。",
               "4 blocked drainage outlets in the planting layer are a main cause of standing water."),
            tr("无立即结构危险，建议下一个雨季前完成治理。",
               "No immediate structural danger; treat before the next rainy season."),
        )),
        Briefing(4, agenda[3].title, "林晓", "housing_bureau", (
            tr("屋面、地下室防水最低保修期5年，自竣工验收（2020年6月30日）起算，至2025年6月30日；首次报修（2024年8月12日）在保修期内。",
               "Waterproofing carries at least 5 years from completion acceptance (2020-06-30), to 2025-06-30; the first report (2024-08-12) fell within it."),
            tr("维修资金余额566,210.00元，续筹下限171,496.26元；使用维修资金须经业主共同决定（双三分之二参与、双过半同意），筹集须双四分之三以上同意。",
               "Fund balance 566,210.00 CNY, top-up floor 171,496.26 CNY; using the fund needs an owners' decision (two-thirds take part, more than half agree); raising it needs three-quarters."),
            tr("维修资金仅用于保修期满后的共用部位维修，保修期内缺陷由建设单位负责。",
               "The fund pays only for repairs after the warranty; defects within it are the developer's."),
        )),
    )

    # ------------------------------------------------------------ views in speaking order
    raw_views = [
        # (item, time, seconds, speaker, kind, stance, reply_to, notes zh, notes en)
        (5, "15:12", 95, "张建国", "question", "question", None,
         "首次报修在保修期内，为什么至今没有修好？建设单位是否应承担全部费用？",
         "The first report was within the warranty: why is it still not fixed? Should the developer pay for all of it?"),
        (5, "15:14", 170, "高峰", "answer", "", 1,
         "承认2024年报修在保修期内；愿承担检测费38,000元，并按保修期内已出现的渗漏点出资209,400元；对其余费用不予认可。",
         "Accepts that the 2024 report was within the warranty; will pay the 38,000 CNY assessment and 209,400 CNY for the leak points that appeared within it; does not accept the rest."),
        (5, "15:18", 80, "刘秀英", "question", "question", None,
         "如果使用维修资金，每户要分摊多少？",
         "If the fund is used, how much does each household pay?"),
        (5, "15:20", 150, "吴涛", "answer", "", 3,
         "按专有部分面积分摊：方案C使用232,900元，约52.964元/m²，89.76 m²的住户约4,754.03元，118.42 m²的住户约6,271.98元；支取后余额仍高于续筹下限。",
         "Shared by exclusive area: plan C uses 232,900 CNY, about 52.964 CNY/m²; 89.76 m² pays 4,754.03, 118.42 m² pays 6,271.98; the balance stays above the top-up floor."),
        (5, "15:25", 60, "赵伟", "point_of_information", "question", None,
         "检测报告能否在公告栏公示？",
         "Can the assessment report be posted on the notice board?"),
        (6, "15:34", 175, "周明", "speech", "neutral", None,
         "介绍三个方案：A内侧注浆堵漏387,900元、35天；B顶板外防水整体重做1,569,600元、120天；C综合治理482,300元、45天。",
         "Presents the plans: A grouting from inside, 387,900 CNY, 35 days; B redoing the external waterproofing, 1,569,600 CNY, 120 days; C comprehensive, 482,300 CNY, 45 days."),
        (6, "15:38", 180, "范文斌", "speech", "for", None,
         "支持方案B：只有顶板外防水重做才能根治，否则几年后还会漏。",
         "For plan B: only redoing the external waterproofing cures the cause; otherwise it will leak again in a few years."),
        (6, "15:42", 165, "蒋俊杰", "speech", "against", None,
         "反对方案B：另行筹集约219.57元/m²负担太重，工期120天影响停车；倾向方案C。",
         "Against plan B: a levy of about 219.57 CNY/m² is too heavy and 120 days closes the garage; prefers C."),
        (6, "15:46", 140, "孙强", "speech", "neutral", None,
         "4个排水口堵塞是积水主因；方案C包括疏通排水口、新增带液位报警的集水泵、加宽坡道排水沟，并监测12个月。",
         "The 4 blocked outlets are the main cause of standing water; C clears them, adds a sump pump with a level alarm, widens the ramp drain and monitors for 12 months."),
        (6, "15:50", 20, "马敏", "point_of_order", "", None,
         "程序问题：请主持人提醒发言人控制在3分钟内。主持人当即裁定：计时提醒。",
         "Point of order: please keep speakers to 3 minutes. Ruled at once by the moderator: the timer will be enforced."),
        (6, "15:51", 150, "胡丽华", "speech", "for", None,
         "支持方案A：费用最低、工期最短，先解决眼前渗漏。",
         "For plan A: the cheapest and quickest; fix the leaks now."),
        (6, "15:55", 160, "韩军", "speech", "against", None,
         "反对方案A：只堵不疏，排水不修还会复漏，方案C更稳妥。",
         "Against plan A: plugging without draining will leak again; C is safer."),
        (7, "16:16", 170, "高峰", "speech", "against", None,
         "建设单位出资以209,400元为限，不同意承担更多。",
         "The developer pays 209,400 CNY at most and will not pay more."),
        (7, "16:20", 150, "李振宇", "speech", "for", None,
         "要求建设单位签署维修责任确认书；业主委员会负责组织使用维修资金的业主共同决定。",
         "Asks the developer to sign a repair-responsibility confirmation; the owners' committee will organise the owners' decision on using the fund."),
        (7, "16:24", 110, "周明", "speech", "for", None,
         "物业为方案C承担40,000元（集水泵及监测）。",
         "The property company contributes 40,000 CNY to plan C (sump pump and monitoring)."),
        (7, "16:27", 120, "何军", "speech", "neutral", None,
         "街道跟踪督办；建设单位逾期未签署的，提交区住建局和区政协协调。",
         "The street office will supervise; if the developer does not sign in time, the case goes to the district housing bureau and CPPCC."),
        (7, "16:30", 90, "林晓", "answer", "", None,
         "排水系统修复是否属于改建，12月12日前书面答复。",
         "Will answer in writing by 12 December whether the drainage work counts as alteration."),
    ]
    party_of = {name: p["party"] for name, p in people.items()}
    views = []
    for seq, (item, time, seconds, speaker, kind, stance, reply_to, notes_zh, notes_en) in enumerate(raw_views, 1):
        units: tuple[str, ...] = ()
        party = party_of.get(speaker, "owner")
        if party == "owner":
            key = next(k for k, o in owners.items() if o["name"].split("、")[0] == speaker)
            units = tuple(owners[key]["units"])
        views.append(View(seq=seq, item=item, speaker=speaker, party=party, kind=kind, stance=stance,
                          notes=notes_zh if zh else notes_en, at=at(time), seconds=seconds, units=units,
                          reply_to=reply_to))
    views = tuple(views)

    dissent = (
        Dissent(tr("部分业主（4人，倾向方案B）", "Some owners (4, for plan B)"),
                tr("认为只有顶板外防水整体重做才能根治；如方案C实施后一年内复漏，应重新协商方案B。",
                   "Only redoing the external waterproofing cures the cause; if it leaks again within a year of plan C, plan B must be reconsidered."),
                ("owner",)),
        Dissent(tr("部分业主（5人，倾向方案A）", "Some owners (5, for plan A)"),
                tr("认为方案C费用偏高，排水系统修复应由物业承担。", "Plan C costs too much; the property company should pay for the drainage."),
                ("owner",)),
        Dissent(tr("建设单位", "The developer"),
                tr("不同意承担209,400元及检测费以外的治理费用。",
                   "Does not accept any cost beyond 209,400 CNY and the assessment fee."),
                ("developer",)),
    )

    # ------------------------------------------------------------ plans and the straw poll
    plan_text = {
        "A": (("费用最低", "工期最短（35天）"), ("只治内侧，排水不修可能复漏",),
              ("cheapest", "shortest (35 days)"), ("treats the inside only; may leak again while drainage stays blocked",)),
        "B": (("从源头根治，最耐久",), ("须另行筹集965,500元（约219.57元/m²），属筹集维修资金，须双四分之三以上同意", "工期120天，车库长期停用"),
              ("cures the cause; most durable",), ("needs a levy of 965,500 CNY (about 219.57 CNY/m²): raising the fund, three-quarters rule", "120 days; garage closed for long")),
        "C": (("包含方案A全部内容，并修复排水系统", "12个月监测"), ("费用高于方案A",),
              ("all of A plus the drainage repaired", "12 months of monitoring"), ("costs more than A",)),
    }
    plan_titles_en = {"A": "Grouting from inside + waterproofing on the water-facing side",
                      "B": "Redo the roof slab's external waterproofing",
                      "C": "Comprehensive: A + drainage repair + 12 months of monitoring"}
    plans = []
    for option in data["options"]:
        key = option["key"]
        pros_zh, cons_zh, pros_en, cons_en = plan_text[key]
        plans.append(Plan(
            key=key, title=option["title"] if zh else plan_titles_en[key],
            total_fen=yuan(option["total_cny"]),
            funding=tuple(FundingShare(source, yuan(amount)) for source, amount in option["funding_cny"].items()),
            duration_days=option["duration_days"], matters=tuple(option["matters"]),
            pros=pros_zh if zh else pros_en, cons=cons_zh if zh else cons_en))
    plans = tuple(plans)

    poll = data["expected"]["straw_poll"]
    counts = tuple(
        ChoiceCount(choice, tr(f"方案{choice}", f"Plan {choice}") if choice != "abstain" else tr("弃权", "Abstain"),
                    poll[choice]["owners"], parse_area(poll[choice]["area_m2"]))
        for choice in ("A", "B", "C", "abstain"))
    participation = Count(poll["participating_owners"], parse_area(poll["participating_area_m2"]))
    straw_poll = Vote(
        number=1,
        question=tr("您倾向于哪个治理方案？", "Which plan do you prefer?"),
        kind="straw_poll", non_binding=True, method="single", secret=True,
        rule="plurality",
        rule_text=tr("按人数和专有部分面积分别统计，两项均居首位者为多数意向",
                     "counted by headcount and by area; the plan leading in both shows the direction"),
        eligible=tr("到会业主（按计数规则，一户一人）", "owners present (one per owner by the counting rules)"),
        eligible_count=present,
        recused=(tr("高峰（建设单位，代表未售房屋，回避意向表决）",
                    "高峰 (developer, holds the unsold units; recused from the straw poll)"),),
        participation=participation,
        counts=counts,
        result="C",
        passed=None,
        explanation=tr(
            "方案C获多数意向：12/22 人（54.5%）、面积 1,445.99/2,553.93 m²（56.62%），人数和面积均居首位"
            "（次高：方案A 5 人、563.44 m²）。意向表决不具约束力；使用维修资金须另行由业主共同决定。",
            "Plan C has most support: 12 of 22 owners (54.5%) and 1,445.99 of 2,553.93 m² (56.62%), first by "
            "headcount and by area (next: plan A, 5 owners, 563.44 m²). A straw poll is non-binding; using the "
            "fund needs a separate owners' decision."),
        item=8, opened_at=at("16:34"), closed_at=at("16:37"),
        named_choices=None,
    )

    # ------------------------------------------------------------ agreed items
    items = data["action_items"]
    agreed_zh = [
        ("签署维修责任确认书，支付治理费用209,400元及检测费38,000元", yuan("247400"), "developer",
         "确认书签署，款项汇入共管账户"),
        ("雨天巡查；每周向业主通报进展", None, None, "巡查记录和周报在单元公告栏及业主群公示"),
        ("公告使用维修资金232,900元的业主共同决定事项，并于2026年12月22日至2027年1月5日组织表决", yuan("232900"),
         "maintenance_fund", "按《民法典》第二百七十八条计票，结果公示3日"),
        ("预审维修资金使用申请；业主共同决定通过后拨付", yuan("232900"), "maintenance_fund",
         "预审意见书面反馈业主委员会；按进度拨付"),
        ("2027年3月1日至4月15日施工，业主代表见证关键工序；闭水试验；2027年4月30日前完成验收、审价并公示分摊",
         yuan("482300"), None, "闭水试验无渗漏；审价报告及分摊明细公示"),
        ("书面答复排水系统修复是否属于改建（如属改建须适用四分之三规则）", None, None, "书面答复送业主委员会并公示"),
        ("如建设单位逾期未签署，提交区住建局和区政协协调", None, None, "提交记录及答复情况通报业主"),
    ]
    acceptance_en = [
        "confirmation signed; money paid into the joint account",
        "patrol log and weekly reports posted on the notice boards and the owners' group",
        "counted under Civil Code Art. 278; result published for 3 days",
        "written pre-check sent to the owners' committee; paid by progress",
        "water test with no leak; price audit and shares published",
        "written answer sent to the owners' committee and published",
        "referral and its answer reported to the owners",
    ]
    agreed = tuple(
        AgreedItem(number=n, what=what_zh if zh else item["what_en"], party=item["party"], person=item["person"],
                   organisation=org(item["party"]), due=date.fromisoformat(item["due"]), amount_fen=amount,
                   funding_source=source, acceptance=acceptance_zh if zh else acceptance_en[n - 1])
        for n, (item, (what_zh, amount, source, acceptance_zh)) in enumerate(zip(items, agreed_zh), 1))

    # ------------------------------------------------------------ pending, follow-up, attachments
    pending = (
        PendingItem(1, "owners_decision",
                    tr("采用方案C，使用3幢专项维修资金232,900元，按专有部分面积分摊",
                       data["expected"]["owners_decision"]["question"] if zh else
                       "Adopt plan C and use 232,900 CNY of Building 3's maintenance fund, shared by exclusive area"),
                    matters=("use_fund",), rule="art278_majority",
                    rule_text=tr("参与表决的业主人数和专有部分面积均达范围内三分之二以上，且同意的人数和面积均过参与表决的半数（《民法典》第二百七十八条）",
                                 "owners with two-thirds of the headcount and of the area in the scope take part, and more than half of those taking part agree, by headcount and by area (Civil Code Art. 278)"),
                    responsible=tr("业主委员会（李振宇）", "Owners' committee (李振宇)"), due=date(2027, 1, 5)),
        PendingItem(2, "open_question",
                    tr("排水系统修复是否属于改建、重建", "Whether the drainage work counts as alteration"),
                    matters=("alter_rebuild",), rule="art278_three_quarters",
                    rule_text=tr("如属改建：同意的人数和面积均达参与表决的四分之三以上", "if it does: three-quarters of those taking part agree, by headcount and by area"),
                    responsible=tr("区住建局（林晓）", "Housing bureau (林晓)"), due=date(2026, 12, 12)),
        PendingItem(3, "disagreement",
                    tr("建设单位不认可209,400元以外的治理费用；业主要求建设单位承担更多",
                       "The developer does not accept costs beyond 209,400 CNY; owners ask it to pay more"),
                    responsible=tr("锦华街道（何军）", "Street office (何军)"), due=date(2026, 12, 20)),
        PendingItem(4, "disagreement",
                    tr("4位业主主张方案B，须另行筹集965,500元；本次不作决定", "4 owners hold out for plan B, which needs a levy of 965,500 CNY; not decided at this meeting"),
                    matters=("use_fund", "raise_fund"), rule="art278_three_quarters",
                    responsible=tr("业主委员会", "Owners' committee")),
    )
    follow_up = FollowUp(
        supervisor=tr("锦华街道办事处（何军）、区政协委员郑文涛", "Jinhua street office (何军) and CPPCC member 郑文涛"),
        reporting=tr("物业每周向业主通报；业主委员会每月向社区报告", "the property company reports weekly to the owners; the owners' committee monthly to the community"),
        publication_place=tr("3幢单元公告栏、锦华苑业主群、社区公示栏", "Building 3 notice boards, the owners' group, the community board"),
        publication_from=date(2026, 12, 7), publication_to=date(2026, 12, 11),
        feedback_due=date(2026, 12, 19),
        notes=(tr("2027年雨季后（10月）复查渗漏情况，评估是否需要方案B", "after the 2027 rainy season (October), re-check the leaks and judge whether plan B is needed"),),
    )
    attachments = (
        Attachment(1, "sign_in", tr("签到表", "Sign-in sheet")),
        Attachment(2, "proxies", tr("授权委托书", "Written authorisation"), tr("宋海燕委托宋宇", "宋海燕 to 宋宇")),
        Attachment(3, "assessment", tr("3幢地下车库渗漏检测鉴定报告", "Leak assessment report, Building 3 garage"),
                   tr("恒正检测鉴定有限公司", "Hengzheng Testing and Appraisal Co.")),
        Attachment(4, "plans", tr("治理方案A/B/C及预算", "Plans A/B/C and budgets")),
        Attachment(5, "tally", tr("意向表决统计表", "Straw-poll tally"), tr("仅汇总，不含个人选择", "totals only, no one's choice")),
        Attachment(6, "letter", tr("业主联名信", "Owners' joint letter"), tr("2026年9月3日，26位业主", "2026-09-03, 26 owners")),
        Attachment(7, "work_orders", tr("物业工单记录", "Work orders"), tr("8条", "8 orders")),
    )
    signatures = (
        Signature("moderator", "郑文涛", "cppcc_member"),
        Signature("clerk", "许静", "community"),
        Signature("convener", "陈立华", "community"),
        Signature("party_representative", "李振宇", "owners_committee"),
        Signature("party_representative", "周明", "property_company"),
        Signature("party_representative", "高峰", "developer"),
        Signature("party_representative", "林晓", "housing_bureau"),
        Signature("party_representative", "何军", "street_office"),
        Signature("party_representative", "刘工", "expert"),
        Signature("owner_representative", "张建国", "owner"),
        Signature("owner_representative", "范文斌", "owner"),
    )

    # ------------------------------------------------------------ appendix
    by_party: dict[str, list] = defaultdict(lambda: [set(), 0, 0])
    for view in views:
        entry = by_party[view.party]
        entry[0].add(view.speaker)
        entry[1] += 1
        entry[2] += view.seconds
    order = [g.party for g in groups]
    speaking_time = tuple(PartyTime(party, len(v[0]), v[1], v[2])
                          for party, v in sorted(by_party.items(), key=lambda kv: order.index(kv[0])))
    timeline = [TimelineEntry(at("14:32"), "meeting_opened", header.meeting_title)]
    for run in agenda:
        timeline.append(TimelineEntry(run.actual_start, "item_started", f"{run.number}. {run.title}"))
        for view in views:
            if view.item == run.number:
                kind = "point_of_order" if view.kind == "point_of_order" else "speech"
                timeline.append(TimelineEntry(view.at, kind, view.speaker))
        if run.number == straw_poll.item:
            timeline.append(TimelineEntry(straw_poll.opened_at, "vote_opened", straw_poll.question))
            timeline.append(TimelineEntry(straw_poll.closed_at, "vote_closed",
                                          tr("22 人参与，方案C居首", "22 took part; plan C leads")))
    timeline.append(TimelineEntry(at("16:50"), "meeting_ended", ""))
    appendix = Appendix(speaking_time=speaking_time, timeline=tuple(timeline), events_total=486)

    return MinutesDocument(
        header=header, attendance=attendance, matter=matter, agenda=tuple(agenda), briefings=briefings,
        views=views, dissent=dissent, plans=plans, votes=(straw_poll,), agreed=agreed, pending=pending,
        follow_up=follow_up, attachments=attachments, signatures=signatures, appendix=appendix)
