"""The minutes as a pure function of the event log plus the case record (docs/architecture.md §6).

    build_minutes(case_record, meeting_record, events, roster, language, zone=...) -> MinutesDocument

No database, no clock, no randomness: the same inputs always give the same document (and the
same canonical JSON and hash). The inputs are plain data (``load.py`` reads them):

* ``events``: the meeting's log as ``actions.core.event_dict`` gives it — ``seq``, ``type``,
  ``at`` (epoch ms), ``data`` (what happened) and ``changes`` (the entities as they became).
  The builder folds them in ``seq`` order: the ``changes`` give every entity's last state
  (participants, agenda, speeches, plans, votes, proxies), the ``data`` what only the record
  holds (the clerk's narrative ``minutes.written``, the agreed items ``action_item.*``, who
  chose what in a named vote ``vote.closed``, the times of milestones).
* ``case_record``: number, title, community, organiser, source, description, scope, the ``*_on`` dates
  (ISO strings) and ``details`` (fund, dates, platform, …) of the case.
* ``meeting_record``: title, place, scheduled_start (epoch ms), created_at (epoch ms),
  moderator_name, clerk_name, ordinal (the meeting's number within the case), version.
* ``roster``: (unit, area in hundredths of m², owner name, owner key) rows.
* ``zone``: the app's time zone (config TIMEZONE); every time in the document is local.

Secret ballots: the log of a secret vote holds who took part and never what they chose
(``ballot.cast`` carries no choice, ``vote.closed`` no ballots), and the builder reads
choices only from a named vote's ``vote.closed`` record; the model refuses ``named_choices``
on a secret vote anyway.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..domain import voting
from ..domain.minutes_model import (
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
    DismissedQuestions,
    Dissent,
    FollowUp,
    Fund,
    FundingShare,
    Header,
    KeyDate,
    Matter,
    MinutesDocument,
    MinutesStatus,
    NamedChoice,
    PartyTime,
    PendingItem,
    RosterRef,
    SignIn,
    Person,
    Plan,
    Proxy,
    Signature,
    TimelineEntry,
    View,
    Vote,
    WrittenQuestion,
)
from ..domain.questions import DISMISS_REASONS
from ..domain.statuses import (PENDING_VOTE, ParticipantStatus, PlanStatus, ProxyStatus,
                               QuestionStatus, VoteStatus)
from ..errors import DomainError
from ..catalogue import has_message, message_for
from . import narrative

DEFAULT_ZONE = "Asia/Shanghai"
COLLECTIONS = ("participants", "agenda", "speeches", "plans", "votes", "proxies", "questions")
# Attendance groups in the order Chinese minutes list them; observers (列席) apart.
GROUP_ORDER = ("cppcc_member", "community", "owners_committee", "property_company", "developer",
               "housing_bureau", "street_office", "expert", "owner")
FUNDING_ORDER = ("developer", "property_company", "maintenance_fund", "owner_levy", "contractor",
                 "government", "other")
# Plans keep the app's funding keys; the minutes name the subsidy "government".
FUNDING_KEYS = {"government_subsidy": "government"}
DATE_COLUMNS = (("received_on", "letter_received"), ("completion_accepted_on", "completion_accepted"),
                ("delivered_on", "delivered"), ("warranty_end_on", "warranty_end"),
                ("first_report_on", "first_report"))
ROLE_RANK = {"moderator": 0, "convener": 1, "participant": 2, "proxy": 2, "clerk": 3}

def word(key: str, language: str, /, **params) -> str:
    """The few words the builder writes into the content itself, in the meeting's language
    (the catalogue's "content." messages; every label of the rendered minutes comes from
    facilitator.exports.labels at render time)."""
    return message_for(f"content.{key}", language, **params)


def party_label(party: str, language: str) -> str:
    key = f"party.{party}"
    return message_for(key, language) if has_message(key) else party


def join(items, language: str) -> str:
    return message_for("punct.list", language).join(i for i in items if i)


@dataclass
class Folded:
    """The log folded: every entity's last state plus what only the record holds."""

    state: dict = field(default_factory=lambda: {c: {} for c in COLLECTIONS})
    opened_at: int | None = None
    roster: dict | None = None  # the roster version the meeting counted on (meeting.opened)
    ended_at: int | None = None
    last_seq: int = 0
    last_at: int | None = None
    total: int = 0
    item_runs: dict = field(default_factory=dict)  # item id -> times started
    speech_order: list = field(default_factory=list)  # [(speech id, at)]
    vote_item: dict = field(default_factory=dict)  # vote id -> item id current when opened
    vote_ballots: dict = field(default_factory=dict)  # named votes: vote id -> ballots
    sections: dict = field(default_factory=dict)  # narrative section -> text
    action_items: dict = field(default_factory=dict)  # action item id -> fields
    milestones: list = field(default_factory=list)  # [(at, kind, payload)]


def fold(events) -> Folded:
    out = Folded()
    state = out.state
    current_item = None
    for event in sorted(events, key=lambda e: e["seq"]):
        out.total += 1
        out.last_seq = event["seq"]
        out.last_at = event["at"]
        for change in event.get("changes") or ():
            collection = state.get(change["c"])
            if collection is None:
                continue  # the meeting, the case, the queue and the speakers' order
            if change["v"] is None:
                collection.pop(change["id"], None)
            else:
                collection[change["id"]] = change["v"]
        kind, data, at = event["type"], event.get("data") or {}, event["at"]
        if kind == "meeting.opened":
            if out.opened_at is None:
                out.opened_at = at
                out.roster = data.get("roster")
            out.milestones.append((at, "meeting_opened", None))
        elif kind == "meeting.ended":
            out.ended_at = at
            current_item = None
            out.milestones.append((at, "meeting_ended", None))
        elif kind == "agenda.item_started":
            current_item = data["item_id"]
            out.item_runs[current_item] = out.item_runs.get(current_item, 0) + 1
            out.milestones.append((at, "item_started", current_item))
        elif kind == "agenda.finished":
            current_item = None
        elif kind == "floor.given":
            out.speech_order.append((data["speech_id"], at))
            out.milestones.append((at, "speech", data["speech_id"]))
        elif kind == "vote.opened":
            out.vote_item[data["vote_id"]] = current_item
            out.milestones.append((at, "vote_opened", data["vote_id"]))
        elif kind == "vote.closed":
            if "ballots" in data:
                out.vote_ballots[data["vote_id"]] = data["ballots"]
            out.milestones.append((at, "vote_closed", data["vote_id"]))
        elif kind == "vote.cancelled" and data.get("was_open"):
            out.milestones.append((at, "vote_cancelled", data.get("title", "")))
        elif kind == "minutes.written":
            out.sections[data["section"]] = data["text"]
        elif kind in ("action_item.added", "action_item.edited"):
            out.action_items[data["action_item_id"]] = data["item"]
        elif kind == "action_item.removed":
            out.action_items.pop(data["action_item_id"], None)
            for item_id, number in (data.get("renumbered") or {}).items():
                item = out.action_items.get(int(item_id))
                if item is not None:
                    out.action_items[int(item_id)] = {**item, "number": number}
    return out


class _Builder:
    def __init__(self, case, meeting, events, roster, language, zone):
        if language not in ("zh", "en"):
            raise ValueError("the minutes are written in zh or en")
        self.case = case
        self.meeting = meeting
        self.lang = language
        self.zone = ZoneInfo(zone or meeting.get("timezone") or DEFAULT_ZONE)
        self.log = fold(events)
        self.owners = voting.owners_from_roster(roster) if roster else []
        self.owner_by_key = {o.key: o for o in self.owners}
        s = self.log.state
        self.people = s["participants"]
        self.notes = narrative.people(self.log.sections.get("people"))
        self.note_by_name = {}
        for note in self.notes:
            self.note_by_name.setdefault(note.name, note)
        self.agenda = sorted(s["agenda"].values(), key=lambda i: (i["position"], i["id"]))
        self.item_number = {item["id"]: n for n, item in enumerate(self.agenda, start=1)}
        self.plans = sorted((p for p in s["plans"].values() if p["status"] == PlanStatus.ACCEPTED
                            and p["key"]),
                            key=lambda p: (len(p["key"]), p["key"]))
        self.votes = sorted(s["votes"].values(), key=lambda v: v["number"])
        self.proxies = sorted((p for p in s["proxies"].values()
                               if p["status"] == ProxyStatus.ACTIVE), key=lambda p: p["id"])

    # ------------------------------------------------------------------ helpers
    def w(self, key: str, /, **params) -> str:
        return word(key, self.lang, **params)

    def local(self, ms: int | None) -> datetime | None:
        if ms is None:
            return None
        return datetime.fromtimestamp(ms // 1000, self.zone)

    def section_lines(self, key: str) -> tuple[str, ...]:
        return narrative.lines(self.log.sections.get(key))

    def owner_units(self, person: dict) -> tuple[str, ...]:
        owner = self.owner_by_key.get(person.get("owner_key") or "")
        if owner is not None:
            return owner.units
        return (person["unit"],) if person.get("unit") else ()

    def title_of(self, name: str) -> str:
        note = self.note_by_name.get(name)
        return note.title if note else ""

    def role_of(self, name: str, default: str = "participant") -> str:
        if name and name == self.meeting.get("moderator_name"):
            return "moderator"
        if name and name == self.meeting.get("clerk_name"):
            return "clerk"
        note = self.note_by_name.get(name)
        if note and note.role in ("convener", "moderator", "clerk"):
            return note.role
        return default

    def party_of_name(self, name: str) -> str:
        note = self.note_by_name.get(name)
        if note and note.party:
            return note.party
        for person in self.present():
            if person["name"] == name:
                return person["party"]
        return ""

    def present(self) -> list[dict]:
        return sorted((p for p in self.people.values()
                       if p["status"] == ParticipantStatus.ADMITTED), key=lambda p: p["id"])

    # ------------------------------------------------------------------ document
    def build(self) -> MinutesDocument:
        views = self.views()
        attendance = self.attendance()
        votes = self.votes_section()
        return MinutesDocument(
            header=self.header(),
            attendance=attendance,
            matter=self.matter(),
            agenda=self.agenda_runs(),
            briefings=self.briefings(),
            views=views,
            dissent=self.dissent(views),
            plans=self.plans_section(),
            votes=votes,
            agreed=self.agreed(),
            summary=self.section_lines("summary"),
            pending=self.pending(votes),
            questions=self.questions(),
            questions_dismissed=self.questions_dismissed(),
            follow_up=self.follow_up(),
            attachments=self.attachments(attendance, votes),
            signatures=self.signatures(attendance, views),
            appendix=self.appendix(attendance, views, votes),
        )

    def header(self) -> Header:
        m, c = self.meeting, self.case
        started = self.log.opened_at or m.get("scheduled_start") or m.get("created_at") or 0
        title_lines = self.section_lines("title")
        moderator = m.get("moderator_name") or ""
        clerk = m.get("clerk_name") or ""
        conveners = tuple(Person(n.name, n.party or self.party_of_name(n.name), n.title)
                          for n in self.notes if n.role == "convener")
        return Header(
            title=title_lines[0] if title_lines else self.w("title", meeting=m["title"]),
            number=f"{c['number']}-JY{int(m.get('ordinal') or 1):02d}",
            case_number=c["number"],
            case_title=self.case_title(),
            meeting_title=m["title"],
            organiser=(c.get("details") or {}).get("platform") or c.get("community") or "",
            place=m.get("place") or "",
            form="on_site",
            started_at=self.local(started),
            ended_at=self.local(self.log.ended_at),
            conveners=conveners,
            moderator=Person(moderator, self.party_of_name(moderator), self.title_of(moderator)),
            clerk=Person(clerk, self.party_of_name(clerk), self.title_of(clerk)),
            language=self.lang,
            version=int(m.get("version") or 1),
            status=MinutesStatus.DRAFT,
            last_event_seq=self.log.last_seq,
            host=c.get("organiser") or c.get("community") or "",
        )

    def case_title(self) -> str:
        details = self.case.get("details") or {}
        # A case may carry its title in other languages than its own (title_en).
        return details.get(f"title_{self.lang}") or self.case["title"]

    # ------------------------------------------------------------------ attendance
    def attendance(self) -> Attendance:
        groups: dict[str, list[tuple[int, int, Attendee]]] = {}
        observers: list[Attendee] = []
        held: dict[int, list[dict]] = {}
        for proxy in self.proxies:
            held.setdefault(proxy["participant_id"], []).append(proxy)
        named = set()
        for person in self.present():
            name = person["name"]
            named.add(name)
            proxies = held.get(person["id"], [])
            party = person["party"]
            role = self.role_of(name)
            if not person.get("owner_key") and proxies and party in ("observer", "owner"):
                # Here only to vote for an absent owner: listed with the owners, as a proxy.
                attendee = Attendee(name, self.title_of(name),
                                    tuple(u for p in proxies for u in p["units"]), "proxy",
                                    join((p["owner_name"] for p in proxies), self.lang))
                groups.setdefault("owner", []).append((ROLE_RANK["proxy"], person["id"], attendee))
                continue
            attendee = Attendee(name, self.title_of(name),
                                self.owner_units(person) if party in ("owner", "owners_committee") else (),
                                role)
            if party == "observer":
                observers.append(Attendee(name, self.title_of(name), role="observer"))
            else:
                groups.setdefault(party, []).append((ROLE_RANK.get(role, 2), person["id"], attendee))
        # The moderator and the clerk run the console (signed in, not on the participants'
        # list): listed with their party when the clerk has named it.
        for name, role in ((self.meeting.get("moderator_name"), "moderator"),
                           (self.meeting.get("clerk_name"), "clerk")):
            note = self.note_by_name.get(name or "")
            if name and name not in named and note and note.party and note.party != "observer":
                groups.setdefault(note.party, []).append(
                    (ROLE_RANK[role], 0, Attendee(name, note.title, role=role)))
                named.add(name)
        ordered = tuple(
            AttendanceGroup(party, tuple(a for _, _, a in sorted(groups[party], key=lambda g: (g[0], g[1]))))
            for party in GROUP_ORDER if party in groups)
        present_keys = {p["owner_key"] for p in self.present() if p.get("owner_key") in self.owner_by_key}
        present_keys |= {p["owner_key"] for p in self.proxies if p["owner_key"] in self.owner_by_key}
        owners_present = owners_in_scope = None
        if self.owners:
            owners_present = voting.scope_totals(self.owner_by_key[k] for k in sorted(present_keys))
            owners_in_scope = voting.scope_totals(self.owners)
        proxies = tuple(Proxy(p["owner_name"], tuple(p["units"]),
                              self.people.get(p["participant_id"], {}).get("name", ""), p["note"])
                        for p in self.proxies)
        roster = self.log.roster
        return Attendance(groups=ordered, observers=tuple(observers), proxies=proxies,
                          sign_in=self.sign_in(),
                          owners_present=owners_present, owners_in_scope=owners_in_scope,
                          roster=RosterRef(roster["version"], self.local(roster["imported_at"]),
                                           roster["units"], roster["owners"], roster["area"],
                                           roster["sha256"]) if roster else None)

    def sign_in(self) -> tuple[SignIn, ...]:
        """The owners' sign-in sheet: every owner present whose identity was verified, by
        unit; and every owner present through a recorded proxy."""
        lines = []
        for person in self.present():
            if person.get("verified_via") and person.get("owner_key") in self.owner_by_key:
                owner = self.owner_by_key[person["owner_key"]]
                lines.append(SignIn(owner.name, self.owner_units(person), person["name"],
                                    person["verified_via"], person.get("verified_by") or "",
                                    self.local(person.get("verified_at")),
                                    person.get("verification_note") or ""))
        for proxy in self.proxies:
            holder = self.people.get(proxy["participant_id"], {}).get("name", "")
            lines.append(SignIn(proxy["owner_name"], tuple(proxy["units"]), holder, "proxy",
                                "", self.local(proxy.get("recorded_at")), proxy["note"]))
        return tuple(sorted(lines, key=lambda s: (s.units, s.attendee)))

    # ------------------------------------------------------------------ the matter
    def matter(self) -> Matter:
        c = self.case
        details = c.get("details") or {}
        dates: dict[str, date] = {}
        given = details.get("dates") or {}
        for key, value in sorted(given.items()):
            if key == "meeting" or not isinstance(value, str):
                continue
            try:
                dates[key] = date.fromisoformat(value[:10])
            except ValueError:
                continue
        known = set(dates.values())
        for column, key in DATE_COLUMNS:
            value = c.get(column)
            if value and key not in dates:
                moment = date.fromisoformat(str(value)[:10])
                if moment not in known:
                    dates[key] = moment
        fund = None
        money = details.get("maintenance_fund") or {}
        if money.get("balance_cny"):
            def fen(name):
                try:
                    return voting.parse_yuan(str(money[name])) if money.get(name) else None
                except DomainError:
                    return None
            as_of = narrative.parse_date(str(money.get("as_of") or ""))
            balance = fen("balance_cny")
            if balance is not None:
                fund = Fund(balance_fen=balance, initial_deposit_fen=fen("initial_deposit_cny"),
                            floor_fen=fen("floor_30_percent_cny"), drawn_fen=fen("emergency_draw_cny"),
                            as_of=as_of)
        return Matter(
            title=self.case_title(), source=c.get("source") or "", scope=c.get("scope") or "",
            description=c.get("description") or "",
            scope_count=voting.scope_totals(self.owners) if self.owners else None,
            dates=tuple(KeyDate(k, d) for k, d in sorted(dates.items(), key=lambda kv: (kv[1], kv[0]))),
            fund=fund, assessment=details.get("assessment") or "")

    # ------------------------------------------------------------------ agenda
    def agenda_runs(self) -> tuple[AgendaRun, ...]:
        base = self.meeting.get("scheduled_start") or self.log.opened_at
        planned = self.local(base)
        runs = []
        for number, item in enumerate(self.agenda, start=1):
            used_ms = item["used_ms"] or 0
            if item.get("run_started_at") is not None and self.log.last_at is not None:
                used_ms += max(0, self.log.last_at - item["run_started_at"])  # still running
            n_runs = self.log.item_runs.get(item["id"], 0)
            summary = () if item["segment"] == "briefing" else self.section_lines(f"item:{item['id']}")
            runs.append(AgendaRun(
                number=number, title=item["title"], segment=item["segment"],
                planned_seconds=item["planned_seconds"], planned_start=planned,
                actual_start=self.local(item["started_at"]),
                actual_end=self.local(item["ended_at"]) if item.get("run_started_at") is None else None,
                used_seconds=used_ms // 1000,
                note=self.w("runs", n=n_runs) if n_runs > 1 else "",
                summary=summary))
            if planned is not None:
                planned = planned + timedelta(seconds=item["planned_seconds"])
        return tuple(runs)

    def briefings(self) -> tuple[Briefing, ...]:
        out = []
        for item in self.agenda:
            if item["segment"] != "briefing":
                continue
            points = self.section_lines(f"item:{item['id']}")
            if not points:
                continue
            presenter = next((s for s, _ in self.speeches() if s["item_id"] == item["id"]
                              and s["kind"] == "speech"), None)
            name = party = ""
            if presenter is not None:
                name = self.people.get(presenter["participant_id"], {}).get("name", "")
                party = presenter["party"]
            out.append(Briefing(self.item_number[item["id"]], item["title"], name, party, points))
        return tuple(out)

    # ------------------------------------------------------------------ views
    def speeches(self) -> list[tuple[dict, int]]:
        speeches = self.log.state["speeches"]
        return [(speeches[sid], at) for sid, at in self.log.speech_order if sid in speeches]

    def views(self) -> tuple[View, ...]:
        out = []
        for number, (speech, at) in enumerate(self.speeches(), start=1):
            person = self.people.get(speech["participant_id"], {})
            kind, stance = speech["kind"], speech.get("stance") or ""
            if kind == "speech" and stance == "question":
                kind = "question"
            spoken = speech.get("spoken_ms")
            if spoken is None and self.log.last_at is not None:  # still at the floor
                end = speech.get("pause_started_at") or self.log.last_at
                spoken = max(0, end - speech["started_at"] - (speech.get("paused_ms") or 0))
            out.append(View(
                seq=number, item=self.item_number.get(speech["item_id"], 0),
                speaker=person.get("name", ""), party=speech["party"], kind=kind, stance=stance,
                notes=speech.get("notes") or "", at=self.local(at), seconds=(spoken or 0) // 1000,
                units=self.owner_units(person) if speech["party"] == "owner" else (),
                ruling=speech.get("ruling") or "",
                overrun_seconds=speech.get("overrun_seconds") or 0))
        return tuple(out)

    # ------------------------------------------------------------------ written questions
    def questions(self) -> tuple[WrittenQuestion, ...]:
        """The questions asked from phones, in the order asked, with how each was taken up.
        Withdrawn ones (their asker took them back) and dismissed ones are not listed."""
        view_of = {speech["id"]: number
                   for number, (speech, _) in enumerate(self.speeches(), start=1)}
        outcome_of = {QuestionStatus.ANSWERED: "answered", QuestionStatus.SPOKEN: "asked_aloud",
                      QuestionStatus.QUEUED: "on_list", QuestionStatus.OPEN: "not_taken_up"}
        asked = sorted((q for q in self.log.state["questions"].values()
                        if q["status"] in outcome_of), key=lambda q: (q["asked_at"], q["id"]))
        return tuple(WrittenQuestion(
            number=number, asker=q["name"], party=q["party"], text=q["text"],
            outcome=outcome_of[q["status"]], at=self.local(q["asked_at"]),
            item=self.item_number.get(q.get("item_id")), upvotes=q["upvotes"],
            answer=q.get("answer") or "", view=view_of.get(q.get("speech_id")))
            for number, q in enumerate(asked, start=1))

    def questions_dismissed(self) -> tuple[DismissedQuestions, ...]:
        counts: dict[str, int] = {}
        for q in self.log.state["questions"].values():
            if q["status"] == QuestionStatus.DISMISSED:
                reason = q.get("dismiss_reason") or "other"
                counts[reason] = counts.get(reason, 0) + 1
        order = {reason: n for n, reason in enumerate(DISMISS_REASONS)}
        return tuple(DismissedQuestions(reason, counts[reason])
                     for reason in sorted(counts, key=lambda r: (order.get(r, 99), r)))

    def dissent(self, views) -> tuple[Dissent, ...]:
        written = narrative.dissent(self.log.sections.get("dissent"))
        if written:
            return tuple(Dissent(d.held_by, d.text) for d in written)
        return tuple(Dissent(self.w("held_by", name=v.speaker, party=party_label(v.party, self.lang)),
                             v.notes, (v.party,))
                     for v in views if v.stance == "against" and v.notes)

    # ------------------------------------------------------------------ plans and votes
    def plans_section(self) -> tuple[Plan, ...]:
        out = []
        for plan in self.plans:
            funding = {}
            for source, amount in (plan.get("funding") or {}).items():
                key = FUNDING_KEYS.get(source, source)
                funding[key] = funding.get(key, 0) + int(amount)
            shares = tuple(FundingShare(source, funding[source])
                           for source in sorted(funding, key=lambda s: (FUNDING_ORDER.index(s)
                                                                       if s in FUNDING_ORDER else 99, s)))
            notes = [plan.get("description") or ""]
            edits = sum(1 for r in plan.get("revisions") or () if r["kind"] == "edited")
            if edits:
                notes.append(self.w("plan.edited", n=edits, revision=plan["revision"]))
            if plan.get("proposed_by_id") and plan.get("proposer"):
                notes.append(self.w("plan.proposed_by", name=plan["proposer"]))
            sep = message_for("punct.clause", self.lang)
            out.append(Plan(key=plan["key"], title=plan["title"], total_fen=int(plan["total"]),
                            funding=shares, duration_days=plan.get("duration_days") or 0,
                            matters=tuple(plan.get("matters") or ()),
                            cons=narrative.lines(plan.get("risks")),
                            note=sep.join(n for n in notes if n)))
        return tuple(out)

    def choice_label(self, vote: dict, key: str) -> str:
        if key in ("yes", "no", "abstain"):
            return self.w(f"choice.{key}")
        option = next((o for o in vote["options"] if o["key"] == key), None)
        if option is not None and option.get("plan_id") is not None:
            return self.w("choice.plan", key=key)
        return (option or {}).get("label") or key

    def recused_names(self, vote: dict) -> tuple[str, ...]:
        out = []
        by_id = {f"p{p['id']}": p for p in self.people.values()}
        for key in vote.get("recused") or ():
            if key in self.owner_by_key:
                owner = self.owner_by_key[key]
                out.append(self.w("recused.owner", name=owner.name, units=join(owner.units, self.lang)))
            elif key in by_id:
                out.append(by_id[key]["name"])
            elif key.startswith("party:"):
                out.append(party_label(key[len("party:"):], self.lang))
            else:
                out.append(key)
        return tuple(out)

    def votes_section(self) -> tuple[Vote, ...]:
        out = []
        for vote in self.votes:
            result = vote.get("result")
            if vote["status"] != VoteStatus.CLOSED or not result:
                continue
            tally = result["tally"]
            by_area = vote["eligibility"] in ("owners_present", "scope_owners")
            keys = [o["key"] for o in vote["options"]] + ["abstain"]
            counts = []
            for key in keys:
                count = (tally["counts"] or {}).get(key) or {"owners": 0, "area": 0}
                counts.append(ChoiceCount(key, self.choice_label(vote, key), count["owners"],
                                          count["area"] if by_area else None))
            decisions = result.get("decisions") or []
            rule = vote.get("rule") or ""
            if vote["kind"] == "owners_decision":
                rule = next((m["rule"] for d in decisions for m in d.get("matters") or ()), "")
            outcome = result.get("outcome") or {}
            winner = (outcome.get("options") or [None])[0] or tally.get("winner") or ""
            eligible = vote["eligibility"]
            if eligible == "parties":
                eligible_text = self.w("eligible.parties", parties=join(
                    (party_label(p, self.lang) for p in vote.get("parties") or ()), self.lang))
            else:
                eligible_text = self.w(f"eligible.{eligible}")
            named = None
            if not vote["secret"]:
                named = tuple(
                    NamedChoice(b.get("name") or b.get("voter_key", ""),
                                (">" if vote["method"] == "ranked" else ",").join(b.get("choices") or ()),
                                tuple(b.get("units") or ()), b.get("cast_by") or "",
                                b.get("verified_via"))
                    for b in self.log.vote_ballots.get(vote["id"], ()))
            eligible_count = result.get("eligible")
            participation = tally["participation"] or {"owners": 0, "area": 0}
            out.append(Vote(
                number=vote["number"], question=vote.get("question") or vote["title"],
                kind=vote["kind"], non_binding=vote["kind"] != "owners_decision",
                method=vote["method"], secret=bool(vote["secret"]), rule=rule, rule_text="",
                eligible=eligible_text,
                participation=Count(participation["owners"], participation["area"] if by_area else 0),
                counts=tuple(counts),
                explanation=(result.get("explanation") or {}).get(self.lang, ""),
                result=winner if (winner and (outcome.get("passed") or rule == "plurality")) else "",
                passed=None if rule == "plurality" else bool(outcome.get("passed")),
                eligible_count=Count(eligible_count["owners"], eligible_count["area"] if by_area else 0)
                if eligible_count else None,
                recused=self.recused_names(vote),
                item=self.item_number.get(self.log.vote_item.get(vote["id"])),
                opened_at=self.local(vote.get("opened_at")), closed_at=self.local(vote.get("closed_at")),
                named_choices=named, verified_only=bool(vote.get("verified_only"))))
        return tuple(out)

    # ------------------------------------------------------------------ outcomes
    def agreed(self) -> tuple[AgreedItem, ...]:
        items = sorted(self.log.action_items.values(), key=lambda i: (i["number"], i["what"]))
        return tuple(AgreedItem(
            number=n, what=i["what"], party=i["party"], person=i.get("person") or "",
            organisation=i.get("organisation") or "",
            due=date.fromisoformat(i["due"]) if i.get("due") else None,
            amount_fen=i.get("amount_fen"), funding_source=i.get("funding_source"),
            acceptance=i.get("acceptance") or "") for n, i in enumerate(items, start=1))

    def strictest_rule(self, matters) -> str:
        rules = []
        for matter in matters:
            try:
                rules.append(voting.rule_for_matter(matter))
            except DomainError:
                continue
        if not rules:
            return ""

        def strength(rule):
            a = rule.approval
            return (a.num * 12 // a.den if a else 0, rule.key)
        return max(rules, key=strength).key

    def pending(self, votes) -> tuple[PendingItem, ...]:
        out = []
        decided_plans = set()
        for vote in self.votes:
            if vote["kind"] == "owners_decision" and vote["status"] == VoteStatus.CLOSED:
                decided_plans.add(vote.get("plan_id"))
                decided_plans.update(o.get("plan_id") for o in vote["options"])
        by_key = {p["key"]: p for p in self.plans}
        for vote in votes:
            plan = by_key.get(vote.result) if vote.kind == "straw_poll" else None
            if plan is None or not plan.get("matters") or plan["id"] in decided_plans:
                continue
            matters = tuple(plan["matters"])
            out.append(("owners_decision", self.w("pending.decide_plan", key=plan["key"], title=plan["title"]),
                        matters, self.strictest_rule(matters), "", None))
            decided_plans.add(plan["id"])
        for vote in self.votes:
            if vote["kind"] == "owners_decision" and vote["status"] in PENDING_VOTE:
                matters = tuple(vote.get("matters") or ())
                by_option = vote.get("option_matters") or {}
                for option_matters in (by_option[key] for key in sorted(by_option)):
                    matters += tuple(m for m in option_matters if m not in matters)
                due = self.local(vote.get("deadline_at"))
                out.append(("owners_decision", vote.get("question") or vote["title"], matters,
                            self.strictest_rule(matters), vote.get("channel_note") or "",
                            due.date() if due else None))
        for note in narrative.pending(self.log.sections.get("pending")):
            out.append((note.kind, note.what, (), "", note.responsible, note.due))
        return tuple(PendingItem(number=n, kind=kind, what=what, matters=matters, rule=rule,
                                 responsible=responsible, due=due)
                     for n, (kind, what, matters, rule, responsible, due) in enumerate(out, start=1))

    def follow_up(self) -> FollowUp | None:
        note = narrative.follow_up(self.log.sections.get("follow_up"))
        if note is None:
            return None
        return FollowUp(supervisor=note.supervisor, reporting=note.reporting,
                        publication_place=note.publication_place,
                        publication_from=note.publication_from, publication_to=note.publication_to,
                        feedback_due=note.feedback_due, notes=note.notes)

    def attachments(self, attendance: Attendance, votes) -> tuple[Attachment, ...]:
        found = []
        present = sum(len(g.people) for g in attendance.groups) + len(attendance.observers)
        if present:
            found.append(("sign_in", self.w("attach.sign_in"), self.w("attach.sign_in_note", n=present)))
        if attendance.proxies:
            found.append(("proxies", self.w("attach.proxies"), join(
                (self.w("attach.proxy_note", owner=p.owner, proxy=p.proxy) for p in attendance.proxies),
                self.lang)))
        if self.plans:
            found.append(("plans", self.w("attach.plans"),
                          self.w("attach.plans_note", keys="/".join(p["key"] for p in self.plans))))
        for vote in votes:
            found.append(("tally", self.w("attach.tally", n=vote.number),
                          self.w("attach.tally_secret" if vote.secret else "attach.tally_named")))
        for note in narrative.attachments(self.log.sections.get("attachments")):
            found.append((note.kind, note.title, note.note))
        return tuple(Attachment(n, kind, title, note) for n, (kind, title, note) in enumerate(found, start=1))

    def signatures(self, attendance: Attendance, views) -> tuple[Signature, ...]:
        out = []
        m = self.meeting
        taken = set()

        def add(role, name, party=""):
            # One line per person: the moderator who also convened signs once, as moderator.
            if name and name not in {n for _, n in taken}:
                taken.add((role, name))
                out.append(Signature(role, name, party))

        add("moderator", m.get("moderator_name") or "", self.party_of_name(m.get("moderator_name") or ""))
        add("clerk", m.get("clerk_name") or "", self.party_of_name(m.get("clerk_name") or ""))
        for note in self.notes:
            if note.role == "convener":
                add("convener", note.name, note.party or self.party_of_name(note.name))
        chair_names = {name for _, name in taken}
        marked = [n for n in self.notes if n.role == "representative"]
        for note in marked:
            add("party_representative", note.name, note.party or self.party_of_name(note.name))
        represented = {s.party for s in out if s.role == "party_representative"}
        for group in attendance.groups:
            if group.party in ("owner", "observer") or group.party in represented:
                continue
            first = next((a for a in group.people if a.name not in chair_names), None)
            if first is not None:
                add("party_representative", first.name, group.party)
        owners = [n.name for n in self.notes if n.role == "owner_representative"]
        if not owners:
            for view in views:
                if view.party == "owner" and view.speaker not in owners:
                    owners.append(view.speaker)
                if len(owners) == 2:
                    break
        for name in owners:
            add("owner_representative", name, "owner")
        return tuple(out)

    # ------------------------------------------------------------------ appendix
    def appendix(self, attendance: Attendance, views, votes) -> Appendix:
        by_party: dict[str, list] = {}
        speakers_of: dict[str, set] = {}
        for (speech, _), view in zip(self.speeches(), views):
            entry = by_party.setdefault(view.party, [0, 0])
            entry[0] += 1
            entry[1] += view.seconds
            speakers_of.setdefault(view.party, set()).add(speech["participant_id"])
        order = GROUP_ORDER + ("observer",)
        speaking = tuple(PartyTime(party, len(speakers_of[party]), by_party[party][0], by_party[party][1])
                         for party in sorted(by_party, key=lambda p: (order.index(p) if p in order else 99, p)))
        speeches = self.log.state["speeches"]
        votes_by_id = {v["id"]: v for v in self.votes}
        closed = {v.number: v for v in votes}
        timeline = []
        for at, kind, ref in self.log.milestones:
            moment = self.local(at)
            if kind == "meeting_opened":
                timeline.append(TimelineEntry(moment, kind, self.meeting["title"]))
            elif kind == "meeting_ended":
                timeline.append(TimelineEntry(moment, kind, ""))
            elif kind == "item_started":
                if ref in self.item_number:
                    item = next(i for i in self.agenda if i["id"] == ref)
                    timeline.append(TimelineEntry(moment, kind, f"{self.item_number[ref]}. {item['title']}"))
            elif kind == "speech":
                speech = speeches.get(ref)
                if speech is not None:
                    name = self.people.get(speech["participant_id"], {}).get("name", "")
                    timeline.append(TimelineEntry(
                        moment, "point_of_order" if speech["kind"] == "point_of_order" else "speech", name))
            elif kind == "vote_opened":
                vote = votes_by_id.get(ref)
                if vote is not None:
                    timeline.append(TimelineEntry(moment, kind, vote.get("question") or vote["title"]))
            elif kind == "vote_closed":
                vote = votes_by_id.get(ref)
                minutes_vote = closed.get(vote["number"]) if vote else None
                if minutes_vote is not None:
                    sep = self.w("tl.result_sep")
                    text = self.w("tl.vote_closed", n=minutes_vote.participation.owners)
                    if minutes_vote.passed is not None:
                        text += sep + self.w("tl.passed" if minutes_vote.passed else "tl.not_passed")
                    elif minutes_vote.result:
                        label = next(c.label for c in minutes_vote.counts if c.choice == minutes_vote.result)
                        text += sep + self.w("tl.vote_leads", label=label)
                    timeline.append(TimelineEntry(moment, kind, text))
            elif kind == "vote_cancelled":
                timeline.append(TimelineEntry(moment, "other", self.w("tl.cancelled", title=ref)))
        return Appendix(speaking_time=speaking, timeline=tuple(timeline), events_total=self.log.total)


def build_minutes(case_record: dict, meeting_record: dict, events, roster, language: str,
                  zone: str | None = None) -> MinutesDocument:
    """The minutes (a draft: status "draft") of one meeting from its log. Pure."""
    return _Builder(case_record, meeting_record, events, roster, language, zone).build()
