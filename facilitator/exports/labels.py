"""Every word of the minutes that is not content: labels in Simplified Chinese and English,
and the formats of dates, times, money, area and durations.

The minutes model (``facilitator.domain.minutes_model``) carries keys (``party="developer"``,
``stance="against"``, ``kind="straw_poll"``); the renderers turn them into words here. Party
and segment names come from the app's message catalog so the minutes call a party what the
console and the phones call it.
"""
from __future__ import annotations

from datetime import date, datetime

from facilitator.domain.voting import format_area, format_yuan, percent
from facilitator.messages import CATALOG

LANGUAGES = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # document
    "doc.minutes": ("协商纪要", "Minutes of the consultation"),
    "doc.number": ("纪要编号", "Minutes no."),
    "doc.case_number": ("案件编号", "Case no."),
    "doc.version": ("版本", "Version"),
    "doc.version_n": ("第 {n} 版", "version {n}"),
    "doc.status": ("状态", "Status"),
    "doc.status.draft": ("草稿", "draft"),
    "doc.status.final": ("定稿", "final"),
    "doc.finalised_at": ("定稿时间", "Finalised"),
    "doc.hash": ("内容哈希（SHA-256）", "Content hash (SHA-256)"),
    "doc.events": ("依据会议事件记录（截至第 {seq} 条）生成", "Built from the meeting's event log (up to event {seq})"),
    "doc.page": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    "doc.none": ("无", "None"),
    "doc.draft_banner": ("草稿：未经签字确认", "DRAFT: not yet signed"),
    # sections
    "sec.meeting": ("会议基本情况", "The meeting"),
    "sec.attendance": ("出席情况", "Attendance"),
    "sec.matter": ("协商事项", "The matter"),
    "sec.agenda": ("议程及实际用时", "The agenda as run"),
    "sec.briefings": ("情况通报", "Briefings"),
    "sec.views": ("各方意见", "Views of the parties"),
    "sec.plans": ("方案比选与表决", "Plans compared and votes"),
    "sec.agreed": ("议定事项", "Agreed items"),
    "sec.pending": ("分歧及待决事项", "Disagreements and pending items"),
    "sec.follow_up": ("后续安排", "Follow-up"),
    "sec.attachments": ("附件", "Attachments"),
    "sec.signatures": ("签字", "Signatures"),
    "sec.appendix": ("附录", "Appendix"),
    "app.speaking_time": ("各方发言时长", "Speaking time by party"),
    "app.timeline": ("会议时间线", "Timeline of the meeting"),
    "app.timeline_note": ("会议事件共 {total} 条，此处列出主要节点 {shown} 条；举手、投票等其余事件不逐条列出，无记名投票不记录个人选择。",
                          "The event log holds {total} events; the {shown} milestones are listed here. Hands raised, ballots and the like are not listed one by one; secret ballots record no one's choice."),
    # the meeting
    "meeting.title": ("会议名称", "Meeting"),
    "meeting.time": ("时间", "Time"),
    "meeting.place": ("地点", "Place"),
    "meeting.form": ("形式", "Form"),
    "meeting.host": ("主办单位", "Organised by"),
    "meeting.organiser": ("协商平台", "Held by"),
    "meeting.conveners": ("召集人", "Convener"),
    "meeting.moderator": ("主持人", "Moderator"),
    "meeting.clerk": ("记录人", "Clerk"),
    "meeting.duration": ("会议用时", "Duration"),
    "form.on_site": ("现场协商", "on site"),
    "form.online": ("线上协商", "online"),
    "form.hybrid": ("现场与线上结合", "on site and online"),
    # attendance
    "att.present": ("出席人员", "Present"),
    "att.observers": ("列席人员", "Observers"),
    "att.absent": ("请假人员", "Absent (excused)"),
    "att.proxies": ("委托代理", "Proxies"),
    "att.party": ("参会方", "Party"),
    "att.people": ("人员", "People"),
    "att.count": ("人数", "Count"),
    "att.proxy_for": ("受{owner}委托", "for {owner}"),
    "att.sign_in": ("业主签到表", "Owners' sign-in sheet"),
    "att.attendee": ("到场人", "Attendee"),
    "att.verified_via": ("核验方式", "Verified by"),
    "att.verified_by": ("核验人、时间", "Checked by, at"),
    "att.roster": ("计票依据：业主名册第 {version} 版（{at} 导入；{units} 套、业主 {owners} 位、专有部分面积 {area} m²；文件 SHA-256：{sha}）",
                   "Counted on the owners' roster, version {version} (imported {at}; units {units}, owners {owners}, exclusive area {area} m²; file SHA-256 {sha})"),
    "att.owners_present": ("到会业主 {owners} 人，专有部分面积 {area} m²", "Owners present: {owners}, with {area} m² of exclusive area"),
    "att.of_scope": ("（范围内业主 {owners} 人、{area} m²，占人数 {pct_owners}、面积 {pct_area}）",
                     " (of {owners} owners and {area} m² in the scope: {pct_owners} by headcount, {pct_area} by area)"),
    "att.owner": ("委托人", "Owner"),
    "att.registered_owner": ("业主", "Owner"),
    "att.units": ("房号", "Units"),
    "att.proxy": ("受托人", "Proxy"),
    "att.authorisation": ("委托方式", "Authorisation"),
    "att.reason": ("事由", "Reason"),
    "att.name": ("姓名", "Name"),
    # matter
    "matter.title": ("事项", "Matter"),
    "matter.source": ("来源", "Source"),
    "matter.scope": ("范围", "Scope"),
    "matter.scope_count": ("范围内业主", "Owners in the scope"),
    "matter.description": ("基本情况", "Situation"),
    "matter.dates": ("关键日期", "Key dates"),
    "matter.fund": ("专项维修资金", "Maintenance fund"),
    "matter.assessment": ("检测鉴定", "Assessment"),
    "fund.balance": ("余额 {amount}", "balance {amount}"),
    "fund.as_of": ("（截至{date}）", " (as of {date})"),
    "fund.initial": ("首期归集 {amount}", "initial deposit {amount}"),
    "fund.floor": ("续筹下限（30%）{amount}", "top-up floor (30%) {amount}"),
    "fund.drawn": ("本事项已支取 {amount}", "already drawn for this matter {amount}"),
    "date.completion_accepted": ("竣工验收", "Completion accepted"),
    "date.delivered": ("交付", "Delivered"),
    "date.contractor_waterproofing_warranty_end": ("施工单位防水保修期满", "Contractor's waterproofing warranty ends"),
    "date.developer_warranty_end": ("建设单位保修期满", "Developer's warranty ends"),
    "date.warranty_end": ("保修期满", "Warranty ends"),
    "date.first_leak_report": ("首次报修", "First leak reported"),
    "date.first_report": ("首次报修", "First reported"),
    "date.emergency_repair": ("应急维修", "Emergency repair"),
    "date.letter_received": ("诉求受理", "Complaint received"),
    "date.accepted": ("立项", "Case accepted"),
    "date.meeting": ("协商会议", "Meeting"),
    # agenda
    "agenda.no": ("序号", "No."),
    "agenda.item": ("议程", "Item"),
    "agenda.segment": ("环节", "Segment"),
    "agenda.planned": ("计划", "Planned"),
    "agenda.actual": ("实际", "Actual"),
    "agenda.used": ("实际用时", "Used"),
    "agenda.note": ("说明", "Note"),
    "agenda.not_run": ("未进行", "not run"),
    # briefings and views
    "brief.presenter": ("通报人", "Presented by"),
    "views.no": ("序", "No."),
    "views.time": ("时间", "Time"),
    "views.speaker": ("发言人", "Speaker"),
    "views.kind": ("类型", "Kind"),
    "views.notes": ("要点记录", "Clerk's notes"),
    "views.reply_to": ("答第 {n} 条", "answers no. {n}"),
    "views.item": ("议程 {n}：{title}", "Item {n}: {title}"),
    "views.dissent": ("不同意见", "Dissent recorded"),
    "views.summary": ("小结", "Summary"),
    "views.ruling.upheld": ("裁定：成立", "ruled: upheld"),
    "views.ruling.not_upheld": ("裁定：不成立", "ruled: not upheld"),
    "views.overrun": ("超时 {time}", "over time by {time}"),
    "kind.speech": ("发言", "speech"),
    "kind.question": ("提问", "question"),
    "kind.answer": ("解答", "answer"),
    "kind.point_of_order": ("程序问题", "point of order"),
    "kind.point_of_information": ("咨询", "point of information"),
    "kind.motion": ("动议", "motion"),
    "kind.amendment": ("修改动议", "amendment"),
    "kind.extension": ("延时", "extension"),
    "stance.for": ("赞成", "for"),
    "stance.against": ("反对", "against"),
    "stance.question": ("提问", "question"),
    "stance.neutral": ("中立", "neutral"),
    # plans
    "plan.key": ("方案", "Plan"),
    "plan.title": ("内容", "What"),
    "plan.total": ("总费用", "Total cost"),
    "plan.funding": ("资金分担", "Funding split"),
    "plan.duration": ("工期", "Duration"),
    "plan.matters": ("需业主共同决定", "Owners must decide"),
    "plan.pros": ("优点", "For"),
    "plan.cons": ("不足", "Against"),
    "plan.days": ("{n} 天", "{n} days"),
    "plan.label": ("方案{key}", "Plan {key}"),
    "funding.developer": ("建设单位", "developer"),
    "funding.property_company": ("物业服务企业", "property company"),
    "funding.maintenance_fund": ("专项维修资金", "maintenance fund"),
    "funding.owner_levy": ("业主另行筹集", "owners' levy"),
    "funding.contractor": ("施工单位", "contractor"),
    "funding.government": ("政府补助", "government subsidy"),
    "funding.other": ("其他", "other"),
    "matter.rules_of_procedure": ("制定和修改议事规则", "owners' assembly rules"),
    "matter.covenant": ("制定和修改管理规约", "management covenant"),
    "matter.committee": ("选举或更换业主委员会", "elect or replace the owners' committee"),
    "matter.property_manager": ("选聘和解聘物业服务企业", "hire or fire the property manager"),
    "matter.use_fund": ("使用维修资金", "use the maintenance fund"),
    "matter.raise_fund": ("筹集维修资金", "raise the maintenance fund"),
    "matter.alter_rebuild": ("改建、重建建筑物及其附属设施", "alter or rebuild buildings and facilities"),
    "matter.change_use": ("改变共有部分用途或利用共有部分经营", "change the use of common parts"),
    "matter.other_major": ("其他重大事项", "other major matters"),
    # votes
    "vote.heading": ("表决 {n}：{question}", "Vote {n}: {question}"),
    "vote.kind": ("类型", "Kind"),
    "vote.kind.straw_poll": ("意向表决", "straw poll"),
    "vote.kind.owners_decision": ("业主共同决定", "owners' decision"),
    "vote.kind.procedural": ("程序表决", "procedural vote"),
    "vote.non_binding": ("不具约束力，仅反映意向", "non-binding: shows the direction only"),
    "vote.binding": ("具有约束力", "binding"),
    "vote.method": ("方式", "Method"),
    "vote.method.single": ("单选", "single choice"),
    "vote.method.yes_no": ("同意／反对／弃权", "yes / no / abstain"),
    "vote.method.approval": ("多选", "approval (several choices)"),
    "vote.method.ranked": ("排序（即时决选）", "ranked (instant runoff)"),
    "vote.secret": ("无记名", "secret ballot"),
    "vote.named": ("记名", "named (open) vote"),
    "vote.rule": ("规则", "Rule"),
    "vote.eligible": ("表决资格", "Who could vote"),
    "vote.recused": ("回避", "Recused"),
    "vote.participation": ("参与表决", "Participation"),
    "vote.participation_value": ("{owners} 人，专有部分面积 {area} m²", "{owners} owners, {area} m² of exclusive area"),
    "vote.participation_heads": ("{owners} 人", "{owners}"),
    "vote.time": ("表决时间", "Voting time"),
    "vote.result": ("结果", "Result"),
    "vote.choice": ("选项", "Choice"),
    "vote.owners": ("人数", "Owners"),
    "vote.heads": ("人数", "People"),
    "vote.share": ("占比", "Share"),
    "vote.area": ("面积（m²）", "Area (m²)"),
    "vote.total": ("合计", "Total"),
    "vote.passed": ("通过", "passed"),
    "vote.not_passed": ("未通过", "not passed"),
    "vote.leading": ("多数意向：{label}", "Most support: {label}"),
    "vote.named_choices": ("记名表决明细", "Named votes: who chose what"),
    "vote.voter": ("所代表业主", "On behalf of"),
    "vote.cast_by": ("投票人", "Voted by"),
    "vote.verified_only": ("仅计已核验身份的业主", "verified owners only"),
    "verified.personal_link": ("个人邀请链接", "personal invitation link"),
    "verified.desk": ("签到台核验", "checked at the desk"),
    "verified.proxy": ("书面委托", "written authorisation"),
    "verified.paper": ("纸质签名选票", "signed paper ballot"),
    "verified.none": ("未核验", "not verified"),
    "vote.secret_note": ("本次为无记名表决：不记录、不公开任何人的选择，仅公布汇总结果。",
                         "Secret ballot: no one's choice is recorded or shown; only the totals are published."),
    "vote.abstain": ("弃权", "abstain"),
    "rule.plurality": ("相对多数（得票最多者）", "plurality (most support)"),
    "rule.simple_majority": ("过半数", "simple majority"),
    "rule.two_thirds": ("三分之二以上", "two-thirds"),
    "rule.art278_majority": ("《民法典》第二百七十八条：双三分之二参与、双过半同意",
                             "Civil Code Art. 278: two-thirds take part; more than half agree, by headcount and by area"),
    "rule.art278_three_quarters": ("《民法典》第二百七十八条：双三分之二参与、双四分之三以上同意",
                                   "Civil Code Art. 278: two-thirds take part; three-quarters agree, by headcount and by area"),
    "rule.fund_two_thirds_of_total": ("全体业主人数和总面积的三分之二以上同意",
                                      "two-thirds of all owners and of the total area agree"),
    # agreed items
    "agreed.no": ("序号", "No."),
    "agreed.what": ("事项", "What"),
    "agreed.responsible": ("责任单位及责任人", "Responsible"),
    "agreed.due": ("完成时限", "Due"),
    "agreed.money": ("金额及来源", "Amount and source"),
    "agreed.acceptance": ("验收标准", "Acceptance criterion"),
    "agreed.summary": ("归纳共识", "Summing up"),
    "agreed.items": ("议定事项清单", "The agreed items"),
    # pending
    "pending.kind": ("类型", "Kind"),
    "pending.what": ("事项", "What"),
    "pending.rule": ("适用规则", "Rule"),
    "pending.responsible": ("责任方", "Responsible"),
    "pending.due": ("时限", "Due"),
    "pending.kind.owners_decision": ("需业主共同决定", "owners' decision needed"),
    "pending.kind.escalated": ("已提交上级", "escalated"),
    "pending.kind.open_question": ("待答复", "open question"),
    "pending.kind.disagreement": ("分歧", "disagreement"),
    # follow-up
    "follow.supervisor": ("跟踪督办", "Supervised by"),
    "follow.reporting": ("进展报告", "Progress reports"),
    "follow.publication": ("公示", "Publication"),
    "follow.period": ("{start} 至 {end}", "{start} to {end}"),
    "follow.feedback_due": ("向诉求人反馈", "Feedback to the complainants by"),
    "follow.notes": ("其他", "Also"),
    # attachments
    "attach.no": ("序号", "No."),
    "attach.title": ("名称", "Title"),
    "attach.kind": ("类别", "Kind"),
    "attach.note": ("说明", "Note"),
    "attach.sign_in": ("签到表", "sign-in sheet"),
    "attach.proxies": ("授权委托书", "proxies"),
    "attach.assessment": ("检测鉴定报告", "assessment report"),
    "attach.plans": ("方案及预算", "plans and budgets"),
    "attach.tally": ("表决统计", "vote tally"),
    "attach.letter": ("来信", "letter"),
    "attach.work_orders": ("工单记录", "work orders"),
    "attach.other": ("其他", "other"),
    # signatures
    "sign.role": ("身份", "Role"),
    "sign.name": ("姓名", "Name"),
    "sign.signature": ("签字", "Signature"),
    "sign.date": ("日期", "Date"),
    "sign.intro": ("与会各方确认以上纪要内容属实。", "The parties confirm that these minutes are a true record."),
    "sign.host": ("主办单位（盖章）", "Organised by (seal)"),
    "sign.seal": ("盖章处", "Seal here"),
    "sign.seal_date": ("　　　　年　　月　　日", "Date: ____________"),
    "role.moderator": ("主持人", "Moderator"),
    "role.clerk": ("记录人", "Clerk"),
    "role.convener": ("召集人", "Convener"),
    "role.party_representative": ("{party}代表", "For the {party}"),
    "role.owner_representative": ("业主代表", "Owners' representative"),
    "role.participant": ("参会", "participant"),
    "role.observer": ("列席", "observer"),
    "role.proxy": ("受托人", "proxy"),
    # appendix
    "time.party": ("参会方", "Party"),
    "time.speakers": ("发言人数", "Speakers"),
    "time.turns": ("发言次数", "Turns"),
    "time.used": ("用时", "Time"),
    "time.share": ("占比", "Share"),
    "tl.time": ("时间", "Time"),
    "tl.event": ("事件", "Event"),
    "tl.text": ("内容", "Detail"),
    "tl.meeting_opened": ("会议开始", "meeting opened"),
    "tl.meeting_ended": ("会议结束", "meeting ended"),
    "tl.item_started": ("议程开始", "item started"),
    "tl.item_ended": ("议程结束", "item ended"),
    "tl.speech": ("发言", "speech"),
    "tl.point_of_order": ("程序问题", "point of order"),
    "tl.vote_opened": ("开始表决", "vote opened"),
    "tl.vote_closed": ("表决结束", "vote closed"),
    "tl.motion": ("动议", "motion"),
    "tl.note": ("记录", "note"),
    "tl.other": ("其他", "other"),
}

_ZH_NUMERALS = "零一二三四五六七八九十"
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"the minutes are rendered in {LANGUAGES}, not {language!r}")
    return language


def label(key: str, language: str, /, **params) -> str:
    """The label ``key`` in ``language``; unknown keys fall back to the key's last part."""
    entry = LABELS.get(key)
    if entry is None:
        if key.startswith("party.") and key in CATALOG:
            entry = CATALOG[key]
        elif key.startswith("segment.") and key in CATALOG:
            entry = CATALOG[key]
        else:
            return key.rsplit(".", 1)[-1].replace("_", " ")
    text = entry[0] if language == "zh" else entry[1]
    return text.format(**params) if params else text


def has_label(key: str) -> bool:
    return key in LABELS or (key.startswith(("party.", "segment.")) and key in CATALOG)


def party(key: str, language: str) -> str:
    return label(f"party.{key}", language)


def section_number(n: int, language: str) -> str:
    """一、 二、 … 十三、 in Chinese; "1." in English."""
    if language != "zh":
        return f"{n}. "
    return f"{zh_numeral(n)}、"


def zh_numeral(n: int) -> str:
    if n <= 10:
        return _ZH_NUMERALS[n]
    if n < 20:
        return "十" + _ZH_NUMERALS[n - 10]
    tens, ones = divmod(n, 10)
    return _ZH_NUMERALS[tens] + "十" + (_ZH_NUMERALS[ones] if ones else "")


def fmt_date(value: date | None, language: str) -> str:
    if value is None:
        return "—"
    if language == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


def fmt_time(value: datetime | None) -> str:
    return "—" if value is None else f"{value.hour:02d}:{value.minute:02d}"


def fmt_datetime(value: datetime | None, language: str) -> str:
    if value is None:
        return "—"
    sep = " " if language == "zh" else ", "
    return f"{fmt_date(value.date(), language)}{sep}{fmt_time(value)}"


def fmt_span(start: datetime, end: datetime | None, language: str) -> str:
    """Start and end to the minute: 2026年12月5日 14:30—16:40 (the end's date when it differs)."""
    if end is None:
        return fmt_datetime(start, language)
    dash = "—" if language == "zh" else "–"
    if end.date() == start.date():
        return f"{fmt_datetime(start, language)}{dash}{fmt_time(end)}"
    return f"{fmt_datetime(start, language)}{dash}{fmt_datetime(end, language)}"


def fmt_money(fen: int | None, language: str) -> str:
    if fen is None:
        return "—"
    return f"{format_yuan(fen)}元" if language == "zh" else f"CNY {format_yuan(fen)}"


def fmt_area(hundredths: int | None) -> str:
    return "—" if hundredths is None else format_area(hundredths)


def fmt_pct(part: int, whole: int, decimals: int = 1) -> str:
    return percent(part, whole, decimals)


def fmt_duration(seconds: int, language: str) -> str:
    """1小时35分 / 12分30秒 / 45秒; en 1 h 35 min / 12 min 30 s / 45 s."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if language == "zh":
        if hours:
            return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
        if minutes:
            return f"{minutes}分{secs}秒" if secs else f"{minutes}分钟"
        return f"{secs}秒"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def join_list(items, language: str) -> str:
    items = [item for item in items if item]
    return ("、" if language == "zh" else ", ").join(items)


def paren(text: str, language: str) -> str:
    if not text:
        return ""
    return f"（{text}）" if language == "zh" else f" ({text})"


def colon(language: str) -> str:
    return "：" if language == "zh" else ": "
