"""The minutes laid out once, for every format.

:func:`build` turns a :class:`~facilitator.domain.minutes_model.MinutesDocument` into a short
list of neutral blocks (title, headings, label/value fields, paragraphs, bullet lists, tables,
signature lines, a page break before the appendix). The Markdown, HTML, PDF and DOCX renderers
only draw these blocks, so every format carries the same words in the same order, and a rule
such as "a secret vote shows no one's choice" is decided here once.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from facilitator.domain.minutes_model import (
    AgendaRun,
    Attendee,
    MinutesDocument,
    MinutesStatus,
    PendingItem,
    Plan,
    View,
    Vote,
    WrittenQuestion,
)

from facilitator.catalogue import message_for

from . import labels as L


@dataclass(frozen=True)
class Title:
    text: str
    subtitle: str
    meta: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    level: int  # 1 section, 2 subsection, 3 minor heading
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str = ""  # a bold lead-in ("结果"), followed by a colon
    small: bool = False


@dataclass(frozen=True)
class Fields:
    """Label / value pairs (the head of a section)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    align: str = ""  # one letter per column: L, C or R (default L)
    small: bool = False  # long tables (views, timeline) in a smaller size
    role: str = ""  # what the table is (e.g. "named_choices"), for renderers and tests


@dataclass(frozen=True)
class SignatureLines:
    """The signature table and, under it, the organiser's seal line (主办单位（盖章）), kept
    together: a renderer never leaves a signature row or the seal alone on a page."""

    rows: tuple[tuple[str, str], ...]  # (role, name); signature and date are left blank
    headers: tuple[str, str, str, str]
    host: tuple[str, str] = ("", "")  # (label, organisation): 主办单位（盖章）, 锦华社区居委会
    seal: str = ""  # the caption of the space left for the seal (盖章处)
    date: str = ""  # the date line under the seal, filled in by hand


@dataclass(frozen=True)
class Drawing:
    """A signature drawn on a phone (a PNG the app re-encoded), with its caption."""

    caption: str
    png: bytes


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Keep:
    """Blocks that go on one page when they fit on one: the signature section (its heading,
    notes, signature lines and seal), so a page never holds a heading without what it heads."""

    blocks: tuple[Title | Heading | Paragraph | SignatureLines, ...]


Block = Title | Heading | Paragraph | Fields | Bullets | Table | SignatureLines | Drawing | PageBreak | Keep


@dataclass(frozen=True)
class Signoff:
    """A sign-off of the version being rendered. Not part of the document: its hash is what
    the signers attest to, and signatures come after it was stored."""

    name: str
    party: str
    decision: str  # signed | refused
    note: str
    at: datetime  # the app's local time
    method: str  # phone (the signer, on their own phone) | chair (recorded by the chair)
    drawing: bytes | None = None


def signoff_blocks(signoffs: tuple[Signoff, ...], lang: str, intro: str) -> list:
    """Who signed a stored document (a minutes version, a result notice) or refused to, with
    party, time and how: on their own phone, or recorded by the chair for someone without
    one; then the signatures drawn on phones. `intro`: the label saying what was signed.
    Nothing when nobody has answered."""
    if not signoffs:
        return []
    def t(key: str, **params) -> str:
        return L.label(key, lang, **params)
    blocks: list = [Heading(3, t("sign.record")), Paragraph(t(intro), small=True)]
    rows = []
    for s in signoffs:
        decision = t(f"sign.decision.{s.decision}")
        if s.note:
            decision += L.colon(lang) + s.note
        rows.append((s.name, L.party(s.party, lang), decision, L.fmt_datetime(s.at, lang),
                     t(f"sign.method.{s.method}")))
    blocks.append(Table(
        (t("sign.name"), t("sign.role"), t("sign.decision"), t("sign.time"), t("sign.method")),
        tuple(rows), (16, 18, 30, 20, 16), "LLLLL", role="signoffs"))
    for s in signoffs:
        if s.drawing:
            blocks.append(Drawing(t("sign.drawing", name=s.name, party=L.party(s.party, lang)),
                                  s.drawing))
    return blocks


def flat(blocks):
    """The blocks with every Keep opened, for formats that do not paginate themselves."""
    for block in blocks:
        if isinstance(block, Keep):
            yield from block.blocks
        else:
            yield block


@dataclass(frozen=True)
class Layout:
    language: str
    title: str  # for the file's metadata
    blocks: tuple[Block, ...]
    footer: str  # number · version · status
    content_hash: str
    draft: bool


def build(document: MinutesDocument, language: str | None = None,
          signoffs: tuple[Signoff, ...] = ()) -> Layout:
    lang = L.check_language(language or document.language)
    return _Builder(document, lang, signoffs).build()


class _Builder:
    def __init__(self, document: MinutesDocument, lang: str, signoffs: tuple[Signoff, ...] = ()):
        # The text as every format can carry it; the hash stays the document's own (a
        # version stored before the checks keeps the hash it was stored with).
        self.doc = document.printable()
        self.lang = lang
        self.blocks: list[Block] = []
        self.section = 0
        self.subsection = 0
        self.hash = document.content_hash()
        self.signoffs = signoffs

    # ------------------------------------------------------------------ helpers
    def t(self, key: str, /, **params) -> str:
        return L.label(key, self.lang, **params)

    def party(self, key: str) -> str:
        return L.party(key, self.lang) if key else ""

    def colon(self) -> str:
        return L.colon(self.lang)

    def sentences(self, parts) -> str:
        """Sentences one after another: run together in Chinese, a space apart in English."""
        return functools.reduce(lambda first, second: self.punct("sentences", first=first, second=second), parts)

    def punct(self, name: str, /, **params) -> str:
        """Punctuation in the document's language (the catalogue's "punct." messages)."""
        return message_for(f"punct.{name}", self.lang, **params)

    def heading(self, key: str) -> None:
        self.section += 1
        self.subsection = 0
        self.blocks.append(Heading(1, f"{L.section_number(self.section, self.lang)}{self.t(key)}"))

    def subheading(self, text: str) -> None:
        self.subsection += 1
        number = self.t("subsection_n", section=self.section, n=self.subsection,
                        numeral=L.zh_numeral(self.subsection))
        self.blocks.append(Heading(2, f"{number}{text}"))

    def none(self) -> None:
        self.blocks.append(Paragraph(self.t("doc.none")))

    def date(self, value) -> str:
        return L.fmt_date(value, self.lang)

    def money(self, fen) -> str:
        return L.fmt_money(fen, self.lang)

    def join(self, items) -> str:
        return L.join_list(items, self.lang)

    def paren(self, text: str) -> str:
        return L.paren(text, self.lang)

    def fields(self, rows) -> None:
        kept = tuple((k, v) for k, v in rows if v)
        if kept:
            self.blocks.append(Fields(kept))

    # ------------------------------------------------------------------ document
    def build(self) -> Layout:
        h = self.doc.header
        self.title()
        self.meeting()
        self.attendance()
        self.matter()
        self.agenda()
        self.briefings()
        self.views()
        self.plans_and_votes()
        self.agreed()
        self.pending()
        self.follow_up()
        self.attachments()
        self.signatures()
        self.appendix()
        footer = " · ".join((
            f"{self.t('doc.number')} {h.number}",
            self.t("doc.version_n", n=h.version),
            self.t(f"doc.status.{h.status}"),
        ))
        return Layout(self.lang, f"{h.title} {h.number}", tuple(self.blocks), footer, self.hash,
                      h.status != MinutesStatus.FINAL)

    def title(self) -> None:
        h = self.doc.header
        meta = [f"{self.t('doc.number')}{self.colon()}{h.number}{self.punct('wide_gap')}"
                f"{self.t('doc.case_number')}{self.colon()}{h.case_number}"]
        status = f"{self.t('doc.version_n', n=h.version)} · {self.t(f'doc.status.{h.status}')}"
        if h.finalised_at is not None:
            status += f" · {L.fmt_datetime(h.finalised_at, self.lang)}"
        else:
            status += f" · {self.t('doc.draft_banner')}"
        meta.append(status)
        self.blocks.append(Title(h.title, h.case_title, tuple(meta)))

    def _person(self, person) -> str:
        return person.name + self.paren(person.title)

    def meeting(self) -> None:
        h = self.doc.header
        self.heading("sec.meeting")
        duration = ""
        if h.ended_at is not None:
            duration = L.fmt_duration(int((h.ended_at - h.started_at).total_seconds()), self.lang)
        self.fields((
            (self.t("meeting.title"), h.meeting_title),
            (self.t("meeting.time"), L.fmt_span(h.started_at, h.ended_at, self.lang)
             + (self.paren(duration) if duration else "")),
            (self.t("meeting.place"), h.place),
            (self.t("meeting.form"), self.t(f"form.{h.form}")),
            (self.t("meeting.host"), h.host),
            (self.t("meeting.organiser"), h.organiser),
            (self.t("meeting.conveners"), self.join(self._person(p) for p in h.conveners)),
            (self.t("meeting.moderator"), self._person(h.moderator)),
            (self.t("meeting.clerk"), self._person(h.clerk)),
        ))

    # ------------------------------------------------------------------ attendance
    def _attendee(self, person: Attendee) -> str:
        extra = []
        if person.proxy_for:
            extra.append(self.t("att.proxy_for", owner=person.proxy_for))
        if person.title:
            extra.append(person.title)
        if person.units:
            extra.append(self.join(person.units))
        return person.name + self.paren(self.punct("comma").join(extra))

    def attendance(self) -> None:
        a = self.doc.attendance
        self.heading("sec.attendance")
        self.subheading(self.t("att.present"))
        rows = []
        for group in a.groups:
            name = self.party(group.party) + (self.paren(group.organisation) if group.organisation else "")
            rows.append((name, str(len(group.people)), self.join(self._attendee(p) for p in group.people)))
        if rows:
            self.blocks.append(Table((self.t("att.party"), self.t("att.count"), self.t("att.people")),
                                     tuple(rows), (28, 8, 64), "LCL", role="attendance"))
        else:
            self.none()
        if a.owners_present is not None:
            present = a.owners_present
            text = self.t("att.owners_present", owners=present.owners, area=L.fmt_area(present.area))
            scope = a.owners_in_scope
            if scope is not None and scope.owners:
                text += self.t("att.of_scope", owners=scope.owners, area=L.fmt_area(scope.area),
                               pct_owners=L.fmt_pct(present.owners, scope.owners, 1),
                               pct_area=L.fmt_pct(present.area, scope.area, 2))
            self.blocks.append(Paragraph(text + self.punct("stop")))
        if a.roster is not None:
            r = a.roster
            self.blocks.append(Paragraph(self.t(
                "att.roster", version=r.version, at=L.fmt_datetime(r.imported_at, self.lang),
                units=r.units, owners=r.owners, area=L.fmt_area(r.area), sha=r.sha256)
                + self.punct("stop"), small=True))
        if a.sign_in:
            self.subheading(self.t("att.sign_in"))
            self.blocks.append(Table(
                (self.t("att.registered_owner"), self.t("att.units"), self.t("att.attendee"),
                 self.t("att.verified_via"), self.t("att.verified_by")),
                tuple((s.owner, self.join(s.units), s.attendee,
                       self.t(f"verified.{s.via}") + (self.paren(s.note) if s.note else ""),
                       self.join(x for x in (s.by, L.fmt_datetime(s.at, self.lang)) if x))
                      for s in a.sign_in),
                (18, 16, 18, 26, 22), role="sign_in"))
        self.subheading(self.t("att.observers"))
        if a.observers:
            self.blocks.append(Paragraph(self.join(self._attendee(p) for p in a.observers)))
        else:
            self.none()
        self.subheading(self.t("att.absent"))
        if a.absent:
            self.blocks.append(Table(
                (self.t("att.name"), self.t("att.party"), self.t("att.units"), self.t("att.reason")),
                tuple((p.name, self.party(p.party), self.join(p.units), p.reason) for p in a.absent),
                (22, 22, 20, 36), role="absent"))
        else:
            self.none()
        self.subheading(self.t("att.proxies"))
        if a.proxies:
            self.blocks.append(Table(
                (self.t("att.owner"), self.t("att.units"), self.t("att.proxy"), self.t("att.authorisation")),
                tuple((p.owner, self.join(p.units), p.proxy, p.authorisation) for p in a.proxies),
                (22, 22, 20, 36), role="proxies"))
        else:
            self.none()

    # ------------------------------------------------------------------ the matter
    def matter(self) -> None:
        m = self.doc.matter
        self.heading("sec.matter")
        scope_count = ""
        if m.scope_count is not None:
            scope_count = self.t("vote.participation_value", owners=m.scope_count.owners,
                                 area=L.fmt_area(m.scope_count.area))
        dates = self.punct("clause").join(f"{self.t(f'date.{d.key}')} {self.date(d.on)}" for d in m.dates)
        fund = ""
        if m.fund is not None:
            f = m.fund
            parts = [self.t("fund.balance", amount=self.money(f.balance_fen))
                     + (self.t("fund.as_of", date=self.date(f.as_of)) if f.as_of else "")]
            if f.initial_deposit_fen is not None:
                parts.append(self.t("fund.initial", amount=self.money(f.initial_deposit_fen)))
            if f.floor_fen is not None:
                parts.append(self.t("fund.floor", amount=self.money(f.floor_fen)))
            if f.drawn_fen is not None:
                parts.append(self.t("fund.drawn", amount=self.money(f.drawn_fen)))
            fund = self.punct("clause").join(parts)
        self.fields((
            (self.t("matter.title"), m.title),
            (self.t("matter.source"), m.source),
            (self.t("matter.scope"), m.scope),
            (self.t("matter.scope_count"), scope_count),
            (self.t("matter.description"), m.description),
            (self.t("matter.dates"), dates),
            (self.t("matter.fund"), fund),
            (self.t("matter.assessment"), m.assessment),
        ))

    # ------------------------------------------------------------------ agenda
    def _agenda_row(self, run: AgendaRun) -> tuple[str, ...]:
        planned = L.fmt_duration(run.planned_seconds, self.lang)
        if run.planned_start is not None:
            planned = f"{L.fmt_time(run.planned_start)}{self.punct('comma')}{planned}"
        if run.actual_start is None:
            actual, used = self.t("agenda.not_run"), "—"
        else:
            actual = self.punct("range", start=L.fmt_time(run.actual_start),
                                end=L.fmt_time(run.actual_end))
            used = L.fmt_duration(run.used_seconds, self.lang)
        return (str(run.number), run.title, L.label(f"segment.{run.segment}", self.lang),
                planned, actual, used, run.note)

    def agenda(self) -> None:
        self.heading("sec.agenda")
        if not self.doc.agenda:
            self.none()
            return
        self.blocks.append(Table(
            (self.t("agenda.no"), self.t("agenda.item"), self.t("agenda.segment"), self.t("agenda.planned"),
             self.t("agenda.actual"), self.t("agenda.used"), self.t("agenda.note")),
            tuple(self._agenda_row(run) for run in self.doc.agenda),
            (6, 29, 12, 14, 14, 11, 14), "CLCCCCL", role="agenda"))

    # ------------------------------------------------------------------ briefings
    def briefings(self) -> None:
        self.heading("sec.briefings")
        if not self.doc.briefings:
            self.none()
            return
        for b in self.doc.briefings:
            self.blocks.append(Heading(3, b.title))
            self.blocks.append(Paragraph(b.presenter + self.paren(self.party(b.party)),
                                         lead=self.t("brief.presenter")))
            self.blocks.append(Bullets(b.points))

    # ------------------------------------------------------------------ views
    def _view_kind(self, view: View) -> str:
        kind = self.t(f"kind.{view.kind}")
        if view.stance and view.stance != view.kind:
            kind += f" · {self.t(f'stance.{view.stance}')}"
        if view.reply_to is not None:
            kind += f"\n{self.t('views.reply_to', n=view.reply_to)}"
        if view.ruling:
            kind += f"\n{self.t(f'views.ruling.{view.ruling}')}"
        if view.overrun_seconds > 0:
            kind += f"\n{self.t('views.overrun', time=L.fmt_duration(view.overrun_seconds, self.lang))}"
        return kind

    def _speaker(self, view: View) -> str:
        who = self.party(view.party)
        if view.units:
            who = self.join((who, *view.units))
        return f"{view.speaker}\n{who}"

    def views(self) -> None:
        self.heading("sec.views")
        summaries = {run.number: run.summary for run in self.doc.agenda if run.summary}
        if not self.doc.views and not self.doc.dissent and not summaries:
            if self.doc.questions or self.doc.questions_dismissed:
                self.written_questions()
            else:
                self.none()
            return
        titles = {run.number: run.title for run in self.doc.agenda}
        headers = (self.t("views.no"), self.t("views.time"), self.t("views.speaker"), self.t("views.kind"),
                   self.t("views.notes"))
        group: list[tuple[str, ...]] = []
        current: int | None = None

        def flush():
            if group:
                self.blocks.append(Table(headers, tuple(group), (6, 8, 18, 13, 55), "CCLLL", small=True,
                                         role="views"))
                group.clear()
            if current is not None:
                self.item_summary(summaries.pop(current, ()))

        def start(item: int):
            self.blocks.append(Heading(3, self.t("views.item", n=item, title=titles.get(item, ""))))

        for view in self.doc.views:
            if view.item != current:
                flush()
                # Items summed up by the clerk without anyone speaking come in agenda order.
                for number in sorted(n for n in summaries if n < view.item):
                    start(number)
                    self.item_summary(summaries.pop(number))
                current = view.item
                start(view.item)
            group.append((str(view.seq), L.fmt_time(view.at), self._speaker(view), self._view_kind(view),
                          view.notes))
        flush()
        for number in sorted(summaries):
            start(number)
            self.item_summary(summaries[number])
        if self.doc.questions or self.doc.questions_dismissed:
            self.written_questions()
        if self.doc.dissent:
            self.blocks.append(Heading(3, self.t("views.dissent")))
            self.blocks.append(Bullets(tuple(
                f"{d.held_by}{self.colon()}{d.text}" if d.held_by else d.text for d in self.doc.dissent)))

    def _question_outcome(self, question: WrittenQuestion) -> str:
        if question.outcome == "answered":
            text = (self.t("questions.answered_in_writing", answer=question.answer)
                    if question.answer else self.t("questions.answered_aloud"))
        else:
            text = self.t(f"questions.outcome.{question.outcome}")
        if question.view is not None:
            text += "\n" + self.t("questions.said_in_view", n=question.view)
        return text

    def written_questions(self) -> None:
        """The questions asked in writing from phones, as they were taken up; those the
        chair dismissed are counted by reason, their text left to the event log."""
        self.blocks.append(Heading(3, self.t("questions.heading")))
        questions = self.doc.questions
        if questions:
            self.blocks.append(Paragraph(self.t("questions.note"), small=True))
            rows = tuple((str(q.number), L.fmt_time(q.at),
                          f"{q.asker}\n{self.party(q.party)}", q.text, str(q.upvotes),
                          self._question_outcome(q)) for q in questions)
            self.blocks.append(Table(
                (self.t("questions.no"), self.t("questions.time"), self.t("questions.asker"),
                 self.t("questions.text"), self.t("questions.upvotes"),
                 self.t("questions.outcome")),
                rows, (6, 8, 15, 33, 8, 30), "CCLLRL", small=True, role="questions"))
        dismissed = self.doc.questions_dismissed
        if dismissed:
            reasons = self.join(self.t("questions.dismissed_reason",
                                       reason=self.t(f"questions.reason.{d.reason}"), n=d.count)
                                for d in dismissed)
            self.blocks.append(Paragraph(self.t(
                "questions.dismissed", n=sum(d.count for d in dismissed), reasons=reasons)))

    def item_summary(self, paragraphs) -> None:
        for index, text in enumerate(paragraphs):
            self.blocks.append(Paragraph(text, lead=self.t("views.summary") if index == 0 else ""))

    # ------------------------------------------------------------------ plans and votes
    def _funding(self, plan: Plan) -> str:
        return "\n".join(f"{self.t(f'funding.{s.source}')} {self.money(s.amount_fen)}"
                         + self.paren(s.note) for s in plan.funding)

    def _matters(self, matters) -> str:
        return self.join(self.t(f"matter.{m}") for m in matters)

    def plans_and_votes(self) -> None:
        self.heading("sec.plans")
        if self.doc.plans:
            self.blocks.append(Table(
                (self.t("plan.key"), self.t("plan.title"), self.t("plan.total"), self.t("plan.funding"),
                 self.t("plan.duration"), self.t("plan.matters")),
                tuple((p.key, p.title, self.money(p.total_fen), self._funding(p),
                       self.t("plan.days", n=p.duration_days), self._matters(p.matters) or "—")
                      for p in self.doc.plans),
                (7, 24, 15, 26, 11, 17), "CLRLCL", role="plans"))
            items = []
            for p in self.doc.plans:
                parts = []
                sep, stop = self.punct("clause"), self.punct("stop")
                if p.pros:
                    parts.append(f"{self.t('plan.pros')}{self.colon()}{sep.join(p.pros)}{stop}")
                if p.cons:
                    parts.append(f"{self.t('plan.cons')}{self.colon()}{sep.join(p.cons)}{stop}")
                if p.note:
                    parts.append(p.note)
                if parts:
                    items.append(f"{self.t('plan.label', key=p.key)}{self.colon()}{self.sentences(parts)}")
            if items:
                self.blocks.append(Bullets(tuple(items)))
        for vote in self.doc.votes:
            self.vote(vote)
        if not self.doc.plans and not self.doc.votes:
            self.none()

    def vote(self, vote: Vote) -> None:
        self.subheading(self.t("vote.heading", n=vote.number, question=vote.question))
        kind = self.t(f"vote.kind.{vote.kind}")
        kind += self.paren(self.t("vote.non_binding") if vote.non_binding else self.t("vote.binding"))
        method = self.t(f"vote.method.{vote.method}") + self.punct("comma")
        method += self.t("vote.secret") if vote.secret else self.t("vote.named")
        rule = vote.rule_text or self.t(f"rule.{vote.rule}")
        has_area = any(c.area is not None for c in vote.counts)
        p = vote.participation
        if has_area:
            participation = self.t("vote.participation_value", owners=p.owners, area=L.fmt_area(p.area))
        else:
            participation = self.t("vote.participation_heads", owners=p.owners)
        eligible = vote.eligible
        if vote.eligible_count is not None:
            e = vote.eligible_count
            eligible += self.paren(self.t("vote.participation_value", owners=e.owners, area=L.fmt_area(e.area))
                                   if has_area else self.t("vote.participation_heads", owners=e.owners))
        if vote.verified_only:
            eligible += self.punct("clause") + self.t("vote.verified_only")
        time = ""
        if vote.opened_at is not None:
            time = L.fmt_span(vote.opened_at, vote.closed_at, self.lang)
        self.fields((
            (self.t("vote.kind"), kind),
            (self.t("vote.method"), method),
            (self.t("vote.rule"), rule),
            (self.t("vote.eligible"), eligible),
            (self.t("vote.recused"), self.join(vote.recused)),
            (self.t("vote.participation"), participation),
            (self.t("vote.time"), time),
        ))
        headers: tuple[str, ...]
        if has_area:
            headers = (self.t("vote.choice"), self.t("vote.owners"), self.t("vote.share"), self.t("vote.area"),
                       self.t("vote.share"))
            rows = tuple((c.label, str(c.owners), L.fmt_pct(c.owners, p.owners, 1), L.fmt_area(c.area),
                          L.fmt_pct(c.area or 0, p.area, 2)) for c in vote.counts)
            rows += ((self.t("vote.total"), str(p.owners), L.fmt_pct(p.owners, p.owners, 1),
                      L.fmt_area(p.area), L.fmt_pct(p.area, p.area, 2)),)
            self.blocks.append(Table(headers, rows, (40, 12, 14, 20, 14), "LRRRR", role="tally"))
        else:
            headers = (self.t("vote.choice"), self.t("vote.heads"), self.t("vote.share"))
            rows = tuple((c.label, str(c.owners), L.fmt_pct(c.owners, p.owners, 1)) for c in vote.counts)
            rows += ((self.t("vote.total"), str(p.owners), L.fmt_pct(p.owners, p.owners, 1)),)
            self.blocks.append(Table(headers, rows, (60, 20, 20), "LRR", role="tally"))
        self.blocks.append(Paragraph(vote.explanation, lead=self.t("vote.result")))
        if vote.secret:
            self.blocks.append(Paragraph(self.t("vote.secret_note"), small=True))
        elif vote.named_choices:
            labels = {c.choice: c.label for c in vote.counts}
            self.blocks.append(Heading(3, self.t("vote.named_choices")))
            # Who actually voted first, then whom they voted for (the registered owner: a
            # co-owner, a proxy holder and the owner in person all vote for one owner); a
            # paper ballot staff entered was signed by the owner.
            self.blocks.append(Table(
                (self.t("vote.cast_by"), self.t("vote.voter"), self.t("att.units"),
                 self.t("att.verified_via"), self.t("vote.choice")),
                tuple((n.cast_by or n.voter, n.voter, self.join(n.units),
                       self.t(f"verified.{n.verified_via}") if n.verified_via
                       else self.t("verified.none"), labels.get(n.choice, n.choice))
                      for n in vote.named_choices),
                (18, 22, 16, 20, 24), role="named_choices"))

    # ------------------------------------------------------------------ outcomes
    def agreed(self) -> None:
        self.heading("sec.agreed")
        if self.doc.summary:
            self.blocks.append(Heading(3, self.t("agreed.summary")))
            self.blocks.extend(Paragraph(text) for text in self.doc.summary)
            if self.doc.agreed:
                self.blocks.append(Heading(3, self.t("agreed.items")))
        if not self.doc.agreed:
            self.none()
            return
        rows = []
        for item in self.doc.agreed:
            responsible = self.party(item.party)
            if item.organisation:
                responsible = item.organisation
            responsible = f"{responsible}\n{item.person}" if item.person else responsible
            money = "—"
            if item.amount_fen is not None:
                money = self.money(item.amount_fen)
                if item.funding_source:
                    money += f"\n{self.t(f'funding.{item.funding_source}')}"
            rows.append((str(item.number), item.what, responsible, self.date(item.due), money,
                         item.acceptance or "—"))
        self.blocks.append(Table(
            (self.t("agreed.no"), self.t("agreed.what"), self.t("agreed.responsible"), self.t("agreed.due"),
             self.t("agreed.money"), self.t("agreed.acceptance")),
            tuple(rows), (6, 27, 15, 16, 14, 22), "CLLCRL", role="agreed"))

    def _pending_rule(self, item: PendingItem) -> str:
        parts = []
        if item.matters:
            parts.append(self._matters(item.matters))
        if item.rule_text:
            parts.append(item.rule_text)
        elif item.rule:
            parts.append(self.t(f"rule.{item.rule}"))
        return "\n".join(parts) or "—"

    def pending(self) -> None:
        self.heading("sec.pending")
        if not self.doc.pending:
            self.none()
            return
        self.blocks.append(Table(
            (self.t("agreed.no"), self.t("pending.kind"), self.t("pending.what"), self.t("pending.rule"),
             self.t("pending.responsible"), self.t("pending.due")),
            tuple((str(p.number), self.t(f"pending.kind.{p.kind}"), p.what, self._pending_rule(p),
                   p.responsible or "—", self.date(p.due)) for p in self.doc.pending),
            (6, 11, 28, 25, 14, 16), "CCLLLC", role="pending"))

    def follow_up(self) -> None:
        self.heading("sec.follow_up")
        f = self.doc.follow_up
        if f is None:
            self.none()
            return
        publication = f.publication_place
        if f.publication_from is not None:
            period = self.t("follow.period", start=self.date(f.publication_from), end=self.date(f.publication_to))
            publication = f"{publication}{self.paren(period)}"
        self.fields((
            (self.t("follow.supervisor"), f.supervisor),
            (self.t("follow.reporting"), f.reporting),
            (self.t("follow.publication"), publication),
            (self.t("follow.feedback_due"), self.date(f.feedback_due) if f.feedback_due else ""),
        ))
        if f.notes:
            self.blocks.append(Bullets(f.notes))

    def attachments(self) -> None:
        self.heading("sec.attachments")
        if not self.doc.attachments:
            self.none()
            return
        self.blocks.append(Table(
            (self.t("attach.no"), self.t("attach.title"), self.t("attach.note")),
            tuple((str(a.number), a.title, a.note) for a in self.doc.attachments),
            (6, 50, 44), "CLL", role="attachments"))

    def signatures(self) -> None:
        start = len(self.blocks)
        self.heading("sec.signatures")
        self.blocks.append(Paragraph(self.t("sign.intro")))
        h = self.doc.header
        # The version and hash the signatures attest to, above the signature lines.
        self.blocks.append(Paragraph(
            f"{self.t('doc.version_n', n=h.version)} · {self.t(f'doc.status.{h.status}')} · "
            f"{self.t('doc.events', seq=h.last_event_seq)}", small=True))
        self.blocks.append(Paragraph(self.hash, lead=self.t("doc.hash"), small=True))
        rows = []
        for s in self.doc.signatures:
            if s.role == "party_representative":
                role = self.t("role.party_representative", party=self.party(s.party))
            else:
                role = self.t(f"role.{s.role}")
            rows.append((role, s.name + self.paren(s.title)))
        self.blocks.append(SignatureLines(
            tuple(rows), (self.t("sign.role"), self.t("sign.name"), self.t("sign.signature"),
                          self.t("sign.date")),
            host=(self.t("sign.host"), h.host), seal=self.t("sign.seal"), date=self.t("sign.seal_date")))
        self.blocks[start:] = [Keep(tuple(self.blocks[start:]))]
        self.signoff_record()

    def signoff_record(self) -> None:
        self.blocks.extend(signoff_blocks(self.signoffs, self.lang, "sign.record_intro"))

    # ------------------------------------------------------------------ appendix
    def appendix(self) -> None:
        a = self.doc.appendix
        self.blocks.append(PageBreak())
        self.blocks.append(Heading(1, self.t("sec.appendix")))
        def number(n: int) -> str:
            return self.t("appendix_n", appendix=self.t("sec.appendix"), n=n,
                          numeral=L.zh_numeral(n))
        self.blocks.append(Heading(2, number(1) + self.t("app.speaking_time")))
        if a.speaking_time:
            total = sum(p.seconds for p in a.speaking_time)
            rows = tuple((self.party(p.party), str(p.speakers), str(p.turns), L.fmt_duration(p.seconds, self.lang),
                          L.fmt_pct(p.seconds, total, 1)) for p in a.speaking_time)
            rows += ((self.t("vote.total"), str(sum(p.speakers for p in a.speaking_time)),
                      str(sum(p.turns for p in a.speaking_time)), L.fmt_duration(total, self.lang),
                      L.fmt_pct(total, total, 1)),)
            self.blocks.append(Table(
                (self.t("time.party"), self.t("time.speakers"), self.t("time.turns"), self.t("time.used"),
                 self.t("time.share")), rows, (32, 16, 16, 20, 16), "LRRRR", role="speaking_time"))
        else:
            self.none()
        self.blocks.append(Heading(2, number(2) + self.t("app.timeline")))
        if a.timeline:
            self.blocks.append(Paragraph(self.t("app.timeline_note", total=a.events_total, shown=len(a.timeline)),
                                         small=True))
            self.blocks.append(Table(
                (self.t("tl.time"), self.t("tl.event"), self.t("tl.text")),
                tuple((L.fmt_time(e.at), self.t(f"tl.{e.kind}"), e.text) for e in a.timeline),
                (12, 18, 70), "CLL", small=True, role="timeline"))
        else:
            self.none()
