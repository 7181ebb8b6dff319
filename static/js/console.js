// The moderator's console: runs the agenda and the room. Every change is a command.
// The console's other panels (static/js/*-console.js) import its store and `run`.
import { LiveStore, currentItem, currentSpeech, orderedQueue, speechTiming, formatClock, formatTime, itemCountdown, sortedAgenda, tr } from "./live.js";
import { confirmedByButton, dataAttrs, escapeHtml, redraw } from "./legacy.js";

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
    $("console-notices").innerHTML = Object.values(notices)
      .filter((notice) => !notice.until || notice.until > now)
      .map((notice) => `<p class="flash warn-note" data-code="${escapeHtml(notice.code)}">${escapeHtml(
        tr(notice.code, { time: formatTime(notice.until) }))}</p>`).join("");
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
    redraw($("agenda-list"), items.map((item, index) => {
      const plannedStart = plannedAt;
      if (plannedAt) plannedAt += item.planned_seconds * 1000;
      const isCurrent = current && current.id === item.id;
      const done = !isCurrent && item.started_at;
      const actual = item.started_at
        ? `${tr("live.actual")} ${formatTime(item.started_at)}${item.ended_at && !isCurrent ? "–" + formatTime(item.ended_at) : ""} · ${Math.round(item.used_ms / 60000)}′`
        : "";
      return `<li class="agenda-row${isCurrent ? " current" : ""}${done ? " done" : ""}" data-id="${item.id}">
        <span class="pos">${index + 1}</span>
        <span class="title"><span${dataAttrs()}>${escapeHtml(item.title)}</span>
          <small class="muted">${escapeHtml(tr("segment." + item.segment))} · ${tr("live.planned")} ${plannedStart ? formatTime(plannedStart) + " · " : ""}${item.planned_seconds / 60}′ ${escapeHtml(actual)}</small></span>
        <span class="row-actions">
          ${live && !isCurrent ? `<button type="button" data-act="start" title="${escapeHtml(tr("live.start"))}">▶ ${escapeHtml(tr("live.start"))}</button>` : ""}
          <button type="button" data-act="up" ${index === 0 ? "disabled" : ""} aria-label="${escapeHtml(tr("live.move_up"))}">↑</button>
          <button type="button" data-act="down" ${index === items.length - 1 ? "disabled" : ""} aria-label="${escapeHtml(tr("live.move_down"))}">↓</button>
          <button type="button" data-act="edit">${escapeHtml(tr("live.edit"))}</button>
          ${item.started_at || isCurrent ? "" : `<button type="button" data-act="delete" class="danger-text">${escapeHtml(tr("live.delete"))}</button>`}
        </span></li>`;
    }).join(""));
    renderCountdown();
  }

  function renderCountdown() {
    const state = store.state;
    if (!state) return;
    const box = $("current-item");
    const current = currentItem(state);
    if (!current) {
      const finished = sortedAgenda(state).some((i) => i.started_at);
      redraw(box, `<p class="muted">${escapeHtml(tr(finished ? "live.agenda_finished" : "live.no_current_item"))}</p>`);
      return;
    }
    const { remaining, overrun } = itemCountdown(current, store.serverNow());
    box.className = "current-item" + (overrun ? " overrun" : "");
    // The item is announced when it changes (the box is a live region); its clock ticks
    // silently (aria-live off), drawn in place.
    redraw(box, `<span class="label">${escapeHtml(tr("live.current_item"))}</span>
      <strong${dataAttrs()}>${escapeHtml(current.title)}</strong>
      <span class="countdown" data-testid="console-countdown" aria-live="off"></span>`);
    box.querySelector(".countdown").textContent = `${overrun ? tr("live.overrun") + " " : ""}${formatClock(overrun ? -remaining : remaining)}`;
  }

  function personLine(person, actions, peopleByUnit) {
    const sharing = person.unit ? (peopleByUnit.get(person.unit) || 0) : 0;
    // Two phones for one unit (family members, or a mistake): the moderator should know
    // before anything is counted per owner.
    const shared = sharing > 1 ? ` <span class="badge warn">${escapeHtml(tr("live.same_unit", { n: sharing }))}</span>` : "";
    const unit = person.unit ? ` · ${escapeHtml(person.unit)}${shared}` : "";
    const phone = person.has_phone ? "" : ` <small class="muted">(${escapeHtml(tr("live.no_phone"))})</small>`;
    const buttons = actions.map(([act, label, cls]) =>
      `<button type="button" data-act="${act}" class="${cls || ""}">${escapeHtml(tr(label))}</button>`).join("");
    return `<li data-id="${person.id}"><span><strong>${escapeHtml(person.name)}</strong>
      <small>${escapeHtml(tr("party." + person.party))}${unit}</small>${phone}</span>
      <span class="row-actions">${buttons}</span></li>`;
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
    redraw($("lobby-list"), lobby.length
      ? lobby.map((p) => personLine(p, [["admit", "live.admit", "primary"], ["reject", "live.reject", "danger-text"]], peopleByUnit)).join("")
      : `<li class="muted">${escapeHtml(tr("live.lobby_empty"))}</li>`);
    redraw($("present-list"), present.map((p) =>
      personLine(p, [["edit-person", "live.edit"], ["remove", "live.remove", "danger-text"]], peopleByUnit)).join(""));
  }

  setInterval(renderCountdown, 250);

  // --- actions ----------------------------------------------------------------------------
  $("open-meeting").addEventListener("click", () => run("meeting.open"));
  $("end-meeting").addEventListener("click", (e) => {
    if (confirmedByButton(e.currentTarget, "meeting.end")) run("meeting.end");
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
    if (act === "delete") run("agenda.remove", { id });
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
    if (act === "remove" && confirmedByButton(button, `participant.remove:${id}`)) {
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
  let notesSpeechId = null;

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
      `<span class="cq-attached" data-testid="console-attached-question">${escapeHtml(tr("question.title"))}${escapeHtml(tr("punct.colon"))}${escapeHtml(q.text)}</span>`).join("");
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
    redraw($("queue-list"), queue.length ? queue.map((entry, index) => {
      const mine = stats[String(entry.participant_id)] || { turns: 0, speech_seconds: 0 };
      const person = (state.participants || {})[String(entry.participant_id)] || {};
      return `<li data-id="${entry.id}" class="queue-row kind-${entry.kind}">
        <span class="pos">${index + 1}</span>
        <span><strong>${escapeHtml(person.name || "?")}</strong>
          <small>${escapeHtml(tr("party." + entry.party))}${person.unit ? " · " + escapeHtml(person.unit) : ""}</small>
          <span class="badge stance-${entry.stance || entry.kind}">${escapeHtml(entryLabel(entry))}</span>
          ${entry.plan_key ? `<span class="badge">${escapeHtml(entry.plan_key)}</span>` : ""}
          <small class="muted">${escapeHtml(tr("live.turns", { turns: mine.turns, minutes: minutesText(mine.speech_seconds) }))}</small>
          ${questionsOf(state, (q) => q.entry_id === entry.id && q.status === "queued")}</span>
        <span class="row-actions">
          <button type="button" data-act="floor">${escapeHtml(tr("live.give_floor_to"))}</button>
          <button type="button" data-act="up" ${index === 0 ? "disabled" : ""} aria-label="${escapeHtml(tr("live.move_up"))}">↑</button>
          <button type="button" data-act="down" ${index === queue.length - 1 ? "disabled" : ""} aria-label="${escapeHtml(tr("live.move_down"))}">↓</button>
          <button type="button" data-act="remove" class="danger-text">${escapeHtml(tr("live.remove"))}</button>
        </span></li>`;
    }).join("") : `<li class="muted">${escapeHtml(tr("queue.empty"))}</li>`);
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
    select.innerHTML = present.map((p) =>
      `<option value="${p.id}">${escapeHtml(p.name)} · ${escapeHtml(tr("party." + p.party))}</option>`).join("");
    if (chosen) select.value = chosen;
  }

  function renderSpeaker(state) {
    const box = $("speaker-now");
    const speech = currentSpeech(state);
    if (!speech) {
      box.innerHTML = `<p class="muted">${escapeHtml(tr("live.nobody_speaking"))}</p>`;
      notesSpeechId = null;
      return;
    }
    if (notesSpeechId !== speech.id) {
      notesSpeechId = speech.id;
      const person = (state.participants || {})[String(speech.participant_id)] || {};
      box.innerHTML = `<div class="speaker-head">
          <span class="label">${escapeHtml(tr("live.speaking_now"))}</span>
          <strong>${escapeHtml(person.name || "?")}</strong>
          <small>${escapeHtml(tr("party." + speech.party))}</small>
          <span class="badge">${escapeHtml(speech.kind === "speech" ? tr("stance." + speech.stance) : tr("kind." + speech.kind))}</span>
          <span class="countdown" id="speech-countdown" data-testid="console-speech-countdown" aria-live="off"></span>
        </div>
        ${questionsOf(state, (q) => q.speech_id === speech.id)}
        <div class="button-row">
          <button type="button" id="speech-pause"></button>
          <button type="button" id="speech-extend">${escapeHtml(tr("live.extend"))}</button>
          <button type="button" id="speech-end" class="danger" aria-keyshortcuts="E">${escapeHtml(tr("live.end_speech"))}</button>
          ${speech.kind === "point_of_order" ? `<button type="button" data-ruling="upheld">${escapeHtml(tr("live.upheld"))}</button>
            <button type="button" data-ruling="not_upheld">${escapeHtml(tr("live.not_upheld"))}</button>` : ""}
        </div>
        <label for="speech-notes" class="small">${escapeHtml(tr("live.notes"))}</label>
        <textarea id="speech-notes" rows="3" maxlength="4000" placeholder="${escapeHtml(tr("live.notes_placeholder"))}"></textarea>`;
      $("speech-notes").value = speech.notes || "";
      $("speech-notes").addEventListener("change", (e) => saveNotes(speech.id, e.target.value));
    }
    const pause = $("speech-pause");
    pause.textContent = tr(speech.pause_started_at ? "live.resume" : "live.pause");
    pause.dataset.act = speech.pause_started_at ? "resume" : "pause";
    box.querySelectorAll("[data-ruling]").forEach((b) => {
      b.classList.toggle("primary", speech.ruling === b.dataset.ruling);
    });
    tick();
  }

  function renderHistory(state) {
    const item = state.meeting.current_item_id;
    const speeches = Object.values(state.speeches || {}).filter((s) => s.item_id === item && s.ended_at)
      .sort((a, b) => a.id - b.id);
    redraw($("speech-list"), speeches.map((s) => `<li data-id="${s.id}">
        <strong>${escapeHtml(personName(state, s.participant_id))}</strong>
        <small>${escapeHtml(tr("party." + s.party))} · ${escapeHtml(s.kind === "speech" ? tr("stance." + s.stance) : tr("kind." + s.kind))}
        · ${minutesText(Math.floor(s.spoken_ms / 1000))}${s.overrun_seconds ? ` · ${escapeHtml(tr("live.overrun"))} ${s.overrun_seconds}″` : ""}
        ${s.ruling ? " · " + escapeHtml(tr("ruling." + s.ruling)) : ""}</small>
        <textarea rows="2" maxlength="4000" data-speech="${s.id}" aria-label="${escapeHtml(tr("live.notes"))}">${escapeHtml(s.notes)}</textarea></li>`).join(""));
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
    const rows = Object.entries(stats.by_party).map(([party, tally]) =>
      `<tr><td>${escapeHtml(tr("party." + party))}</td><td class="num">${tally.turns}</td><td class="num">${minutesText(tally.seconds)}</td></tr>`);
    $("stats-table").innerHTML = rows.join("") +
      `<tr><th>Σ</th><th class="num">${stats.total.turns}</th><th class="num">${minutesText(stats.total.seconds)}</th></tr>`;
  }

  function tick() {
    const state = store.state;
    const speech = state && currentSpeech(state);
    const box = $("speech-countdown");
    if (!speech || !box) return;
    const { remaining, state: phase } = speechTiming(speech, store.serverNow());
    box.textContent = (phase === "overrun" ? tr("live.overrun") + " " : phase === "paused" ? tr("live.paused") + " " : "")
      + formatClock(Math.abs(remaining));
    box.className = "countdown " + phase;
  }
  setInterval(tick, 250);

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
