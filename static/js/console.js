// The moderator's console: runs the agenda and the room. Every change is a command.
// The console's other panels (static/js/*-console.js) import its store and `run`.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { contentLang } from "./config.js";
import { keyed } from "../vendor/lit-html/directives/keyed.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import {
  LiveStore, armedLabel, confirmedBySecondTap, currentItem, currentSpeech, draw, formatClock, formatTime,
  isArmed, itemCountdown, orderedQueue, sortedAgenda, speechTiming, tr, userText,
} from "./live.js";

const root = document.getElementById("console");
const $ = (id) => document.getElementById(id);

// Each panel adds a function of the state, called after every change.
export const listeners = [];
export const store = new LiveStore({
  meetingId: Number(root.dataset.meetingId),
  face: "console",
  onChange: (state) => listeners.forEach((listener) => listener(state)),
  onStatus: (status) => {
    $("connection").textContent = tr("live." + status);
    $("connection").dataset.status = status;
  },
  onRefused: (error) => showError(error.message),
});

function showError(message) {
  const box = $("console-error");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// Send a command; an error is shown on the console and the answer is null.
export async function run(type, payload) {
  try {
    return await store.send(type, payload);
  } catch (error) {
    showError(error.message || String(error));
    return null;
  }
}
// The same, for a panel that answers an error itself: rejects with {code, message}.
export const send = (type, payload) => store.send(type, payload);
// Connect once every panel has registered its listener: the page's modules all run before
// DOMContentLoaded.
document.addEventListener("DOMContentLoaded", () => store.connect());

(function () {
  listeners.push(render);

  // The server's notices (someone guessing join codes, the message queue down): shown until
  // the server clears them or their time is over.
  function renderNotices(notices) {
    const now = store.serverNow();
    const shown = Object.values(notices).filter((notice) => !notice.until || notice.until > now);
    draw($("console-notices"), html`${shown.map((notice) => html`<p class="flash warn-note" data-code=${notice.code}>${
      tr(notice.code, { time: formatTime(notice.until) })}</p>`)}`);
    clearTimeout(renderNotices.timer);
    const ends = Object.values(notices).map((n) => n.until).filter((until) => until > now);
    if (ends.length) renderNotices.timer = setTimeout(() => renderNotices(notices), Math.min(...ends) - now + 100);
  }
  document.addEventListener("live:notice", (event) => renderNotices(event.detail.notices));

  // --- rendering ------------------------------------------------------------------------
  function render(state) {
    if (!state) return;
    const meeting = state.meeting;
    $("meeting-title").textContent = meeting.title;
    const status = $("meeting-status");
    status.textContent = tr("status." + meeting.status);
    status.className = "badge " + meeting.status;
    $("open-meeting").hidden = meeting.status !== "scheduled";
    $("end-meeting").hidden = meeting.status !== "live";
    $("direct-entry").checked = meeting.allow_direct_entry;
    $("direct-entry").disabled = meeting.status === "ended";
    const code = meeting.join_code;
    $("join-code").textContent = code ? code.replace(/(\d{3})(\d{3})/, "$1 $2") : "—";
    const link = $("join-link");
    // The link to hand out is the QR code's: with the join key, it takes no try from the
    // limit on typed codes.
    const key = "?k=" + encodeURIComponent(meeting.join_key || "");
    link.textContent = code ? root.dataset.joinBase + code + key : "";
    link.href = code ? root.dataset.joinBase + code + key : "#";
    link.hidden = !code; // no code (the meeting ended): no link, rather than one without a name
    const qr = $("join-qr");
    qr.hidden = !code;
    const src = code ? "/join-qr/" + code + ".svg" + key : "";
    if (code && qr.dataset.src !== src) {
      qr.src = src;
      qr.dataset.src = src;
    }
    renderAgenda(state);
    renderPeople(state);
  }

  function renderAgenda(state) {
    const items = sortedAgenda(state);
    const current = currentItem(state);
    const live = state.meeting.status === "live";
    $("agenda-next").disabled = !live || !items.length;
    $("agenda-previous").disabled = !live || !current;
    // Planned start of each item: the meeting's scheduled start (or its opening) plus the
    // time boxes before it, as facilitator/domain/agenda.py plans it.
    let plannedAt = state.meeting.scheduled_start || state.meeting.opened_at;
    const planned = items.map((item) => {
      const start = plannedAt;
      if (plannedAt) plannedAt += item.planned_seconds * 1000;
      return start;
    });
    draw($("agenda-list"), html`${repeat(items, (item) => item.id, (item, index) => {
      const plannedStart = planned[index];
      const isCurrent = current && current.id === item.id;
      const done = !isCurrent && item.started_at;
      const actual = item.started_at
        ? `${tr("live.actual")} ${formatTime(item.started_at)}${item.ended_at && !isCurrent ? "–" + formatTime(item.ended_at) : ""} · ${Math.round(item.used_ms / 60000)}′`
        : "";
      return html`<li class="agenda-row${isCurrent ? " current" : ""}${done ? " done" : ""}" data-id=${item.id}>
        <span class="pos">${index + 1}</span>
        <span class="title">${userText(item.title)}
          <small class="muted">${tr("segment." + item.segment)} · ${tr("live.planned")} ${plannedStart ? formatTime(plannedStart) + " · " : ""}${item.planned_seconds / 60}′${actual ? " · " + actual : ""}</small></span>
        <span class="row-actions">
          ${live && !isCurrent ? html`<button type="button" data-act="start" title=${tr("live.start")}>▶ ${tr("live.start")}</button>` : nothing}
          <button type="button" data-act="up" ?disabled=${index === 0} aria-label=${tr("live.move_up")}>↑</button>
          <button type="button" data-act="down" ?disabled=${index === items.length - 1} aria-label=${tr("live.move_down")}>↓</button>
          <button type="button" data-act="edit">${tr("live.edit")}</button>
          ${item.started_at || isCurrent ? nothing : deleteButton(item)}
        </span></li>`;
    })}`);
    renderCountdown();
  }

  // Deleting an item takes a second tap: the rows below move up, so a double click would
  // otherwise delete the next item too.
  function deleteButton(item) {
    const key = `agenda.remove:${item.id}`;
    return html`<button type="button" data-act="delete" class="danger-text${isArmed(key) ? " armed" : ""}"
      data-confirm-key=${key}>${armedLabel(key, tr("live.delete"))}</button>`;
  }

  function renderCountdown() {
    const state = store.state;
    if (!state) return;
    const box = $("current-item");
    const current = currentItem(state);
    if (!current) {
      const finished = sortedAgenda(state).some((i) => i.started_at);
      box.className = "current-item";
      draw(box, html`<p class="muted">${tr(finished ? "live.agenda_finished" : "live.no_current_item")}</p>`);
      return;
    }
    const { remaining, overrun } = itemCountdown(current, store.serverNow());
    box.className = "current-item" + (overrun ? " overrun" : "");
    // The item is announced when it changes (the box is a live region); its clock ticks
    // silently (aria-live off).
    draw(box, html`<span class="label">${tr("live.current_item")}</span>
      <strong data-user-text="" lang=${contentLang || nothing}>${current.title}</strong>
      <span class="countdown" data-testid="console-countdown" aria-live="off">${overrun ? tr("live.overrun") + " " : ""}${formatClock(overrun ? -remaining : remaining)}</span>`);
  }

  function personLine(person, actions, peopleByUnit) {
    const sharing = person.unit ? (peopleByUnit.get(person.unit) || 0) : 0;
    // Two phones for one unit (family members, or a mistake): the moderator should know
    // before anything is counted per owner.
    const shared = sharing > 1 ? html` <span class="badge warn">${tr("live.same_unit", { n: sharing })}</span>` : nothing;
    const unit = person.unit ? html` · ${person.unit}${shared}` : nothing;
    const phone = person.has_phone ? nothing : html` <small class="muted">(${tr("live.no_phone")})</small>`;
    return html`<li data-id=${person.id}><span><strong>${person.name}</strong>
      <small>${tr("party." + person.party)}${unit}</small>${phone}</span>
      <span class="row-actions">${actions.map(([act, label, cls, key]) => html`<button type="button" data-act=${act}
        class="${cls || ""}${key && isArmed(key) ? " armed" : ""}" data-confirm-key=${key || nothing}>${
        key ? armedLabel(key, tr(label)) : tr(label)}</button>`)}</span></li>`;
  }

  function renderPeople(state) {
    const people = Object.values(state.participants || {}).sort((a, b) => a.id - b.id);
    const lobby = people.filter((p) => p.status === "lobby");
    const present = people.filter((p) => p.status === "admitted");
    const peopleByUnit = new Map();
    for (const p of [...lobby, ...present]) {
      if (p.unit) peopleByUnit.set(p.unit, (peopleByUnit.get(p.unit) || 0) + 1);
    }
    $("lobby-count").textContent = lobby.length ? `(${lobby.length})` : "";
    // Wherever the moderator has scrolled, people waiting at the door show at the top.
    $("lobby-banner").hidden = lobby.length === 0;
    $("lobby-banner-text").textContent = tr("live.lobby_waiting", { n: lobby.length });
    $("present-count").textContent = `(${present.length})`;
    draw($("lobby-list"), lobby.length
      ? html`${repeat(lobby, (p) => p.id, (p) => personLine(p,
        [["admit", "live.admit", "primary"], ["reject", "live.reject", "danger-text"]], peopleByUnit))}`
      : html`<li class="muted">${tr("live.lobby_empty")}</li>`);
    draw($("present-list"), html`${repeat(present, (p) => p.id, (p) => personLine(p,
      [["edit-person", "live.edit"], ["remove", "live.remove", "danger-text", `participant.remove:${p.id}`]],
      peopleByUnit))}`);
  }

  setInterval(renderCountdown, 250);

  // Ending the meeting takes a second tap; its button is the page's, not drawn here.
  function drawEndButton() {
    const button = $("end-meeting");
    button.dataset.confirmKey = "meeting.end";
    button.classList.toggle("armed", isArmed("meeting.end"));
    button.textContent = armedLabel("meeting.end", tr("live.end_meeting"));
  }

  // --- actions ----------------------------------------------------------------------------
  $("open-meeting").addEventListener("click", () => run("meeting.open"));
  $("end-meeting").addEventListener("click", () => {
    if (confirmedBySecondTap("meeting.end", drawEndButton)) run("meeting.end");
  });
  $("direct-entry").addEventListener("change", (e) => run("meeting.configure", { allow_direct_entry: e.target.checked }));
  $("agenda-next").addEventListener("click", () => run("agenda.next"));
  $("agenda-previous").addEventListener("click", () => run("agenda.previous"));

  $("agenda-add").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const ok = await run("agenda.add", {
      title: form.title.value, minutes: Number(form.minutes.value), segment: form.segment.value,
    });
    if (ok) { form.title.value = ""; form.title.focus(); }
  });

  $("agenda-list").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.closest("li").dataset.id);
    const items = sortedAgenda(store.state);
    const index = items.findIndex((i) => i.id === id);
    const act = button.dataset.act;
    if (act === "start") run("agenda.start", { id });
    if (act === "delete" && confirmedBySecondTap(`agenda.remove:${id}`, () => renderAgenda(store.state))) {
      run("agenda.remove", { id });
    }
    if (act === "up" || act === "down") {
      const ids = items.map((i) => i.id);
      const other = index + (act === "up" ? -1 : 1);
      [ids[index], ids[other]] = [ids[other], ids[index]];
      run("agenda.reorder", { ids });
    }
    if (act === "edit") editItem(items[index]);
  });
  function editItem(item) {
    const dialog = $("item-dialog");
    const form = $("item-form");
    form.title.value = item.title;
    form.minutes.value = item.planned_seconds / 60;
    form.segment.value = item.segment;
    dialog.onclose = () => {
      if (dialog.returnValue !== "save") return;
      const changes = {};
      if (form.title.value.trim() !== item.title) changes.title = form.title.value;
      if (Number(form.minutes.value) * 60 !== item.planned_seconds) changes.minutes = Number(form.minutes.value);
      if (form.segment.value !== item.segment) changes.segment = form.segment.value;
      if (Object.keys(changes).length) run("agenda.edit", { id: item.id, ...changes });
    };
    dialog.showModal();
  }

  function onPeopleClick(e) {
    const button = e.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.closest("li").dataset.id);
    const act = button.dataset.act;
    if (act === "admit") run("participant.admit", { id });
    if (act === "reject") run("participant.reject", { id });
    if (act === "remove" && confirmedBySecondTap(`participant.remove:${id}`, () => renderPeople(store.state))) {
      run("participant.remove", { id });
    }
    if (act === "edit-person") editPerson(store.state.participants[String(id)]);
  }
  $("lobby-list").addEventListener("click", onPeopleClick);
  $("lobby-admit-all").addEventListener("click", () => {
    for (const p of Object.values(store.state.participants || {})) {
      if (p.status === "lobby") run("participant.admit", { id: p.id });
    }
  });
  $("present-list").addEventListener("click", onPeopleClick);

  function editPerson(person) {
    const dialog = $("person-dialog");
    const form = $("person-form");
    form.name.value = person.name;
    form.party.value = person.party;
    form.unit.value = person.unit || "";
    dialog.onclose = async () => {
      if (dialog.returnValue !== "save") return;
      if (form.name.value.trim() !== person.name) {
        await run("participant.rename", { id: person.id, name: form.name.value });
      }
      const unit = form.unit.value.trim() || null;
      if (form.party.value !== person.party || unit !== (person.unit || null)) {
        run("participant.set_party", { id: person.id, party: form.party.value, unit });
      }
    };
    dialog.showModal();
  }

  $("person-add").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const ok = await run("participant.add", {
      name: form.name.value, party: form.party.value, unit: form.unit.value.trim() || null,
    });
    if (ok) { form.name.value = ""; form.unit.value = ""; form.name.focus(); }
  });

  // Keyboard: N next, P previous, A admit the first person waiting (not while typing).
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest("input, textarea, select, dialog")) return;
    const key = e.key.toLowerCase();
    if (key === "n") { e.preventDefault(); $("agenda-next").click(); }
    if (key === "p") { e.preventDefault(); $("agenda-previous").click(); }
    if (key === "a") {
      const first = $("lobby-list").querySelector("button[data-act=admit]");
      if (first) { e.preventDefault(); first.click(); }
    }
  });
})();

// The speakers' list on the console: the floor, the list in the rules' order, notes, statistics.
(function () {
  let notes = null; // { speechId, text }: the notes the current turn's box started with

  function personName(state, id) {
    const person = (state.participants || {})[String(id)];
    return person ? person.name : "?";
  }

  function entryLabel(entry) {
    if (entry.kind !== "speech") return tr("kind." + entry.kind);
    return tr("stance." + entry.stance);
  }

  // The written questions a hand or a speech carries (questions-console.js), to read out.
  function questionsOf(state, which) {
    return Object.values(state.questions || {}).filter(which).map((q) =>
      html`<span class="cq-attached" data-testid="console-attached-question">${tr("question.title")}${tr("punct.colon")}${q.text}</span>`);
  }

  function minutesText(seconds) {
    return `${Math.floor(seconds / 60)}′${String(seconds % 60).padStart(2, "0")}″`;
  }

  function render(state) {
    if (!state || !state.speakers) return;
    const live = state.meeting.status === "live";
    const open = state.meeting.queue_open;
    $("queue-state").textContent = open ? "" : tr("live.list_closed");
    $("queue-state").className = "badge warn";
    $("queue-state").hidden = open;
    $("queue-toggle").textContent = tr(open ? "live.close_list" : "live.open_list");
    $("queue-toggle").disabled = !live;
    const queue = orderedQueue(state);
    $("floor-next").disabled = !live || !queue.length;
    const stats = (state.speakers.stats && state.speakers.stats.by_participant) || {};
    draw($("queue-list"), queue.length ? html`${repeat(queue, (entry) => entry.id, (entry, index) => {
      const mine = stats[String(entry.participant_id)] || { turns: 0, speech_seconds: 0 };
      const person = (state.participants || {})[String(entry.participant_id)] || {};
      return html`<li data-id=${entry.id} class="queue-row kind-${entry.kind}">
        <span class="pos">${index + 1}</span>
        <span><strong>${person.name || "?"}</strong>
          <small>${tr("party." + entry.party)}${person.unit ? " · " + person.unit : ""}</small>
          <span class="badge stance-${entry.stance || entry.kind}">${entryLabel(entry)}</span>
          ${entry.plan_key ? html`<span class="badge">${entry.plan_key}</span>` : nothing}
          <small class="muted">${tr("live.turns", { turns: mine.turns, minutes: minutesText(mine.speech_seconds) })}</small>
          ${questionsOf(state, (q) => q.entry_id === entry.id && q.status === "queued")}</span>
        <span class="row-actions">
          <button type="button" data-act="floor">${tr("live.give_floor_to")}</button>
          <button type="button" data-act="up" ?disabled=${index === 0} aria-label=${tr("live.move_up")}>↑</button>
          <button type="button" data-act="down" ?disabled=${index === queue.length - 1} aria-label=${tr("live.move_down")}>↓</button>
          <button type="button" data-act="remove" class="danger-text">${tr("live.remove")}</button>
        </span></li>`;
    })}` : html`<li class="muted">${tr("queue.empty")}</li>`);
    renderPeoplePicker(state);
    renderSpeaker(state);
    renderHistory(state);
    renderStats(state);
    renderRules(state);
  }

  function renderPeoplePicker(state) {
    const select = $("queue-person");
    const chosen = select.value;
    const present = Object.values(state.participants || {}).filter((p) => p.status === "admitted")
      .sort((a, b) => a.name.localeCompare(b.name, "zh"));
    draw(select, html`${repeat(present, (p) => p.id, (p) =>
      html`<option value=${p.id}>${p.name} · ${tr("party." + p.party)}</option>`)}`);
    if (chosen) select.value = chosen;
  }

  // The person speaking, their clock, the turn's buttons and the notes. Drawn afresh for each
  // turn (keyed by the speech): the notes box starts with the turn's saved notes and is not
  // written over while the moderator types in it.
  function renderSpeaker(state) {
    const box = $("speaker-now");
    const speech = currentSpeech(state);
    if (!speech) {
      draw(box, html`<p class="muted">${tr("live.nobody_speaking")}</p>`);
      notes = null;
      return;
    }
    if (!notes || notes.speechId !== speech.id) notes = { speechId: speech.id, text: speech.notes || "" };
    const person = (state.participants || {})[String(speech.participant_id)] || {};
    const { remaining, state: phase } = speechTiming(speech, store.serverNow());
    const clock = (phase === "overrun" ? tr("live.overrun") + " " : phase === "paused" ? tr("live.paused") + " " : "")
      + formatClock(Math.abs(remaining));
    const paused = Boolean(speech.pause_started_at);
    const ruling = (value, label) => html`<button type="button" data-ruling=${value}
      class=${speech.ruling === value ? "primary" : nothing}>${tr(label)}</button>`;
    draw(box, keyed(speech.id, html`<div class="speaker-head">
          <span class="label">${tr("live.speaking_now")}</span>
          <strong>${person.name || "?"}</strong>
          <small>${tr("party." + speech.party)}</small>
          <span class="badge">${speech.kind === "speech" ? tr("stance." + speech.stance) : tr("kind." + speech.kind)}</span>
          <span class="countdown ${phase}" id="speech-countdown" data-testid="console-speech-countdown" aria-live="off">${clock}</span>
        </div>
        ${questionsOf(state, (q) => q.speech_id === speech.id)}
        <div class="button-row">
          <button type="button" id="speech-pause" data-act=${paused ? "resume" : "pause"}>${tr(paused ? "live.resume" : "live.pause")}</button>
          <button type="button" id="speech-extend">${tr("live.extend")}</button>
          <button type="button" id="speech-end" class="danger" aria-keyshortcuts="E">${tr("live.end_speech")}</button>
          ${speech.kind === "point_of_order" ? html`${ruling("upheld", "live.upheld")}
            ${ruling("not_upheld", "live.not_upheld")}` : nothing}
        </div>
        <label for="speech-notes" class="small">${tr("live.notes")}</label>
        <textarea id="speech-notes" rows="3" maxlength="4000" placeholder=${tr("live.notes_placeholder")}
          .value=${notes.text} @change=${(e) => saveNotes(speech.id, e.target.value)}></textarea>`));
  }

  function renderHistory(state) {
    const item = state.meeting.current_item_id;
    const speeches = Object.values(state.speeches || {}).filter((s) => s.item_id === item && s.ended_at)
      .sort((a, b) => a.id - b.id);
    draw($("speech-list"), html`${repeat(speeches, (s) => s.id, (s) => html`<li data-id=${s.id}>
        <strong>${personName(state, s.participant_id)}</strong>
        <small>${tr("party." + s.party)} · ${s.kind === "speech" ? tr("stance." + s.stance) : tr("kind." + s.kind)}
        · ${minutesText(Math.floor(s.spoken_ms / 1000))}${s.overrun_seconds ? ` · ${tr("live.overrun")} ${s.overrun_seconds}″` : ""}
        ${s.ruling ? " · " + tr("ruling." + s.ruling) : ""}</small>
        <textarea rows="2" maxlength="4000" data-speech=${s.id} aria-label=${tr("live.notes")} .value=${s.notes || ""}></textarea></li>`)}`);
  }

  function renderRules(state) {
    const form = $("rules-form");
    if (form.contains(document.activeElement)) return; // not while the moderator edits
    const settings = state.meeting.speaker_settings;
    for (const input of form.querySelectorAll("input")) {
      const value = settings[input.name];
      if (input.type === "checkbox") input.checked = Boolean(value);
      else input.value = value == null ? 0 : value / Number(input.dataset.scale || 1);
    }
  }

  function renderStats(state) {
    const stats = state.speakers.stats;
    $("stats-public").checked = state.meeting.speaker_settings.stats_on_projector;
    if (!stats) return;
    draw($("stats-table"), html`<tbody>${Object.entries(stats.by_party).map(([party, tally]) =>
      html`<tr><td>${tr("party." + party)}</td><td class="num">${tally.turns}</td><td class="num">${minutesText(tally.seconds)}</td></tr>`)}<tr><th>Σ</th><th class="num">${stats.total.turns}</th><th class="num">${minutesText(stats.total.seconds)}</th></tr></tbody>`);
  }

  // The turn's clock, four times a second.
  setInterval(() => { if (store.state && store.state.speakers) renderSpeaker(store.state); }, 250);

  function saveNotes(speechId, text) {
    run("speech.note", { speech_id: speechId, notes: text });
  }

  listeners.push(render);

  $("rules-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const settings = {};
    for (const input of e.target.querySelectorAll("input")) {
      settings[input.name] = input.type === "checkbox" ? input.checked
        : Math.round(Number(input.value) * Number(input.dataset.scale || 1));
    }
    run("speakers.configure", settings);
  });
  $("floor-next").addEventListener("click", () => run("floor.give"));
  $("queue-toggle").addEventListener("click", () => run("queue.set_open", { open: !store.state.meeting.queue_open }));
  $("stats-public").addEventListener("change", (e) => run("speakers.configure", { stats_on_projector: e.target.checked }));
  $("queue-list").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.closest("li").dataset.id);
    const queue = orderedQueue(store.state);
    const index = queue.findIndex((entry) => entry.id === id);
    const act = button.dataset.act;
    if (act === "floor") run("floor.give", { entry_id: id });
    if (act === "remove") run("queue.remove", { entry_id: id });
    if (act === "up" || act === "down") {
      // Positions count in the list without points of order (they are always first).
      const points = queue.filter((entry) => entry.kind === "point_of_order" && store.state.meeting.speaker_settings.points_of_order_first).length;
      run("queue.move", { entry_id: id, position: Math.max(0, index - points + (act === "up" ? -1 : 1)) });
    }
  });
  $("speaker-now").addEventListener("click", (e) => {
    const button = e.target.closest("button");
    if (!button) return;
    if (button.id === "speech-end") run("speech.end");
    if (button.id === "speech-extend") run("speech.extend", { seconds: 60 });
    if (button.id === "speech-pause") run(button.dataset.act === "resume" ? "speech.resume" : "speech.pause");
    if (button.dataset.ruling) run("point.rule", { speech_id: store.state.meeting.current_speech_id, ruling: button.dataset.ruling });
  });
  $("speech-list").addEventListener("change", (e) => {
    const area = e.target.closest("textarea[data-speech]");
    if (area) saveNotes(Number(area.dataset.speech), area.value);
  });
  $("queue-add").addEventListener("submit", (e) => {
    e.preventDefault();
    const [kind, stance] = $("queue-kind").value.split(":");
    run("queue.add", { participant_id: Number($("queue-person").value), kind, stance: stance || null });
  });
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest("input, textarea, select, dialog")) return;
    const key = e.key.toLowerCase();
    if (key === "f" && !$("floor-next").disabled) { e.preventDefault(); $("floor-next").click(); }
    if (key === "e" && $("speech-end")) { e.preventDefault(); $("speech-end").click(); }
  });
})();
