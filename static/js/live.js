// What every live page shares: the store that keeps the meeting's state over a socket, the
// formatting of times and turns, the order of the queue and of questions, confirmation by a
// second tap, and keeping the keyboard's place when a part is drawn again.
//
// The store holds a snapshot plus the last sequence number and applies batches of events in
// order with the protocol's reducer (static/js/reducer.js, docs/protocol.md §5 and §7); it
// asks the server to catch up when it sees a gap or reconnects, measures the clock offset to
// the server, and sends commands with client-generated ids (re-sent with the same id after a
// network loss, so the server applies each once).
import { io } from "../vendor/socket.io.esm.min.js";
import { html, nothing, render } from "../vendor/lit-html/lit-html.js";
import { contentLang, timezone, tr } from "./config.js";
import { Store } from "./reducer.js";

export { tr };

const COMMAND_TIMEOUT_MS = 8000;

export function newCommandId() {
  // crypto.randomUUID needs a secure context; phones on a LAN address are not one.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class LiveStore {
  constructor({ meetingId, face, token, onChange, onStatus, onRefused, onToken }) {
    this.meetingId = meetingId;
    this.face = face;
    this.token = token || null;
    // A phone that has not joined yet sends the join form's answers in its handshake
    // (docs/protocol.md, "Joining"); the welcome then carries its token.
    this.joinAnswers = null;
    this.onToken = onToken || (() => {});
    // The state and the batches that arrived ahead of it or of a gap: the protocol's reducer.
    this.log = new Store();
    this.clockOffset = 0; // server time = Date.now() + clockOffset
    this.role = null;
    this.participantId = null;
    this.upvoted = new Set(); // the written questions this phone has upvoted
    this.dismissed = []; // this phone's own written questions the chair dismissed, and why
    this.declined = []; // this phone's own plan proposals the chair declined, and why
    // Faces get onChange; other scripts on the page (static/js/votes-*.js) listen for the
    // "live:change" and "live:tally" events on document, with the store in event.detail.
    const faceOnChange = onChange || (() => {});
    this.onChange = (state, batch) => {
      faceOnChange(state, batch);
      document.dispatchEvent(new CustomEvent("live:change", { detail: { store: this, state, batch } }));
    };
    // Live tallies of open votes: derived data outside the sequence, newest message wins.
    this.tallies = {};
    this.talliesAt = 0;
    this.onStatus = onStatus || (() => {});
    this.onRefused = onRefused || (() => {});
  }

  get state() {
    return this.log.state;
  }

  // Join the meeting from a phone: connect with the join form's answers. The command id
  // makes a retry after a lost answer the same join, not a second person.
  join(answers) {
    this.joinAnswers = { ...answers, command_id: newCommandId() };
    return this.connect();
  }

  handshake() {
    // The catch-up comes with the welcome (docs/protocol.md): no sync round trip.
    const sync = { since: this.state ? this.state.seq : null };
    if (this.joinAnswers) return { meeting_id: this.meetingId, face: this.face, join: this.joinAnswers, sync };
    return { meeting_id: this.meetingId, face: this.face, token: this.token, sync };
  }

  connect() {
    this.onStatus("connecting");
    if (this.socket) {
      this.socket.connect();
      return this;
    }
    this.socket = io("/live", {
      // Asked at every (re)connect: a phone reconnects with the token it was given.
      auth: (send) => send(this.handshake()),
      // The websocket first: with several server processes on one port
      // (`serve --workers`) each HTTP request may reach another process, which only a
      // websocket survives; long polling is the fallback where websockets are blocked.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket.on("connect", () => {
      this.onStatus("connected");
      this.syncClock();
      // The welcome (which arrives before "connect") normally brought the catch-up.
      const caughtUp = this.welcomeSync;
      this.welcomeSync = null;
      if (!caughtUp || !this.applySync(caughtUp) || this.needsSync) {
        this.needsSync = false;
        this.sync();
      }
    });
    this.socket.on("disconnect", () => { if (!this.closed) this.onStatus("reconnecting"); });
    this.socket.io.on("reconnect_attempt", () => this.onStatus("reconnecting"));
    this.socket.on("connect_error", (err) => {
      // A refusal (not joined, removed, bad link) carries our error; a network error does not.
      if (err && err.data && err.data.code) {
        this.onRefused(err.data);
        this.socket.disconnect();
      } else {
        this.onStatus("reconnecting");
      }
    });
    this.socket.on("welcome", (hello) => {
      this.role = hello.role;
      for (const notice of hello.notices || []) this.receiveNotice(notice);
      this.participantId = hello.participant_id;
      this.welcomeSync = hello.sync || null;
      if (hello.token) {
        this.token = hello.token;
        this.joinAnswers = null;
        this.onToken(hello.token);
      }
    });
    // The server process is stopping (a restart, a deploy): drop the connection now, so
    // that the client reconnects at once, to another process, and catches up.
    this.socket.on("restarting", () => {
      this.onStatus("reconnecting");
      this.socket.io.engine.close();
    });
    this.socket.on("batch", (batch) => this.receive(batch));
    // The last sequence number of the meeting, from the server's database every few
    // seconds (several server processes): a client that lacks an event syncs.
    this.socket.on("heartbeat", (beat) => this.heard(beat));
    // The server closes this connection and says why (say, the same phone opened the
    // meeting in a fourth tab): shown like a refusal; socket.io does not reconnect.
    this.socket.on("closed", (error) => {
      this.closed = true;
      this.onRefused(error);
    });
    // Notices for the console (the server's, not the meeting's): newest state per code.
    this.socket.on("notice", (notice) => this.receiveNotice(notice));
    // A phone's own entry comes to it alone (phones hold no list of the room).
    this.socket.on("me", (entry) => {
      this.me = entry;
      if (this.state) this.onChange(this.state);
    });
    // One of its own questions dismissed, or proposals declined: no screen shows them, the
    // phone that sent it is told.
    for (const kind of ["dismissed", "declined"]) {
      this.socket.on(kind, (item) => {
        this[kind] = [...this[kind].filter((known) => known.id !== item.id), item]
          .sort((a, b) => a.id - b.id); // as the sync answer lists them
        if (this.state) this.onChange(this.state);
      });
    }
    this.socket.on("tally", (message) => this.receiveTallies(message));
    return this;
  }

  serverNow() {
    return Date.now() + this.clockOffset;
  }

  async syncClock() {
    // Three samples; keep the one with the shortest round trip (least network noise).
    let best = null;
    for (let i = 0; i < 3; i += 1) {
      const sent = Date.now();
      const reply = await this.socket.timeout(5000).emitWithAck("clock", { t: sent }).catch(() => null);
      const received = Date.now();
      if (!reply) continue;
      const rtt = received - sent;
      if (!best || rtt < best.rtt) best = { rtt, offset: reply.server_time - (sent + received) / 2 };
    }
    if (best) {
      this.clockOffset = best.offset;
      this.onChange(this.state);
    }
  }

  async sync() {
    if (this.log.syncing) return;
    this.log.syncing = true;
    try {
      const since = this.state ? this.state.seq : null;
      const reply = await this.socket.timeout(10000).emitWithAck("sync", { since });
      if (!this.applySync(reply)) {
        if (reply.error && reply.error.code === "sync.too_fast") {
          // Throttled (a few syncs a second at most): ask again when allowed.
          setTimeout(() => this.sync(), 1000 * (reply.error.params.seconds || 1));
        }
        throw new Error(reply.error.message);
      }
    } catch (err) {
      // The connection dropped mid-sync: the next "connect" syncs again. Still connected
      // (no answer in time): ask again in a few seconds, spread so that a room does not
      // ask at once; nothing else may come to show this client it is behind.
      if (err.message === "operation has timed out" && this.socket.connected) {
        setTimeout(() => this.sync(), 2000 + 1000 * Math.random());
      }
    } finally {
      this.log.syncing = false;
    }
    if (this.needsSync) {
      this.needsSync = false;
      setTimeout(() => this.sync(), 200);
    }
  }

  // A sync answer (or a welcome's): false when it is a refusal.
  applySync(reply) {
    if (!reply.ok) return false;
    if ("me" in reply) this.me = reply.me;
    // A phone's own upvotes of written questions: to it alone (docs/protocol.md §20).
    if ("upvoted" in reply) this.upvoted = new Set(reply.upvoted);
    if ("dismissed" in reply) this.dismissed = reply.dismissed;
    if ("declined" in reply) this.declined = reply.declined;
    // A snapshot replaces whatever we hold, even an older one: the server sends one only when
    // we are too far behind or ahead of it (its database was replaced).
    this.needsSync = this.log.onSyncAnswer(reply); // batches still beyond a gap
    this.onChange(this.state);
    if (reply.tallies) this.receiveTallies(reply.tallies);
    return true;
  }

  heard(beat) {
    if (!this.state || beat.seq <= this.state.seq) return;
    // The batch may still be on its way (batches leave up to 100 ms after the commit, and
    // through the message queue): look again in a moment, spread over a second so that a
    // room does not sync at once, and sync only if still behind.
    clearTimeout(this.behindTimer);
    this.behindTimer = setTimeout(() => {
      if (this.state && this.state.seq < beat.seq) this.sync();
    }, 500 + Math.random() * 1000);
  }

  receiveNotice(notice) {
    this.notices = this.notices || {};
    if (notice.active) this.notices[notice.code] = notice;
    else delete this.notices[notice.code];
    document.dispatchEvent(new CustomEvent("live:notice", { detail: { store: this, notices: this.notices } }));
  }

  receiveTallies(message) {
    if (!message || message.at < this.talliesAt) return;
    this.talliesAt = message.at;
    this.tallies = message.votes || {};
    document.dispatchEvent(new CustomEvent("live:tally", { detail: { store: this, tallies: this.tallies } }));
  }

  receive(batch) {
    const outcome = this.log.onBatch(batch);
    if (outcome === "applied") this.onChange(this.state, batch);
    else if (outcome === "gap") this.sync(); // fetch what is missing
  }

  // Send a command; resolves with the result, rejects with {code, message}. A try whose
  // answer does not come is sent again with the same id (the server applies it once): after
  // the timeout, or at once when the connection drops (socket.io-client fails the tries
  // waiting for an answer then, and holds the next until it is back;
  // tests/browser/test_command_retry.py).
  async send(type, payload) {
    const command = { id: newCommandId(), type, payload: payload || {} };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      let reply;
      try {
        reply = await this.socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck("command", command);
      } catch (timeout) {
        continue;
      }
      if (reply.ok) return reply.result;
      throw reply.error;
    }
    throw { code: "live.reconnecting", message: tr("live.reconnecting") };
  }
}


export function formatClock(totalSeconds) {
  const sign = totalSeconds < 0 ? "-" : "";
  const s = Math.abs(totalSeconds);
  const minutes = Math.floor(s / 60);
  const seconds = s % 60;
  return `${sign}${minutes}:${String(seconds).padStart(2, "0")}`;
}

// Times of day in the app's zone (where the meeting is), whatever the device's zone.
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit", minute: "2-digit", hour12: false, timeZone: timezone,
});

export function formatTime(epochMs) {
  return epochMs ? timeFormat.format(new Date(epochMs)) : "";
}

// The countdown of an agenda item, as facilitator/domain/agenda.py computes it.
export function itemCountdown(item, serverNow) {
  const running = item.run_started_at ? Math.max(0, serverNow - item.run_started_at) : 0;
  const remaining = item.planned_seconds - Math.floor((item.used_ms + running) / 1000);
  return { remaining, overrun: remaining < 0 };
}

// A turn's time, as facilitator/domain/speaker_queue.py (speech_timing) computes it: paused
// time does not count; the last 30 seconds warn; below zero is overrun.
export function speechTiming(speech, serverNow) {
  const end = speech.ended_at || speech.pause_started_at || serverNow;
  const spoken = speech.spoken_ms != null ? speech.spoken_ms
    : Math.max(0, end - speech.started_at - speech.paused_ms);
  const remaining = speech.allowed_seconds + speech.extension_seconds - Math.floor(spoken / 1000);
  let state = "running";
  if (speech.pause_started_at) state = "paused";
  else if (remaining < 0) state = "overrun";
  else if (remaining <= 30) state = "warning";
  return { remaining, state };
}

export function currentSpeech(state) {
  const id = state.meeting && state.meeting.current_speech_id;
  return id ? (state.speeches || {})[String(id)] : null;
}

// The waiting entries in the order the server's rules give.
export function orderedQueue(state) {
  const order = (state.speakers && state.speakers.order) || [];
  return order.map((id) => (state.queue || {})[String(id)]).filter(Boolean);
}

// Written questions by upvotes, then the time asked (then id): the order every screen
// shows them in (docs/protocol.md §20). `statuses`: only those; none: all.
export function rankedQuestions(state, statuses) {
  return Object.values(state.questions || {})
    .filter((q) => !statuses || statuses.includes(q.status))
    .sort((a, b) => b.upvotes - a.upvotes || a.asked_at - b.asked_at || a.id - b.id);
}

export function sortedAgenda(state) {
  return Object.values(state.agenda || {}).sort((a, b) => a.position - b.position || a.id - b.id);
}

export function currentItem(state) {
  const id = state.meeting && state.meeting.current_item_id;
  return id ? (state.agenda || {})[String(id)] : null;
}

// What cannot be undone (closing a vote, ending the meeting, finalising the minutes,
// removing a person) takes a second tap within a few seconds: the first only arms the button
// and says so in place (no dialog); letting it lapse changes nothing. The armed keys live
// here, not in the buttons: the renderer that draws a button draws it armed
// (`isArmed`, `armedLabel`) and is called again (`redraw`) when it is armed and when it lapses.
const CONFIRM_MS = 4000;
const armed = new Map(); // key → { until, redraw }

export function isArmed(key) {
  return (armed.get(key)?.until || 0) > Date.now();
}

export function armedLabel(key, label) {
  return isArmed(key) ? tr("live.confirm_again", { action: label }) : label;
}

function disarm(key) {
  const entry = armed.get(key);
  armed.delete(key);
  if (entry) entry.redraw();
}

export function confirmedBySecondTap(key, redraw) {
  if (isArmed(key)) {
    armed.delete(key);
    redraw();
    return true;
  }
  const entry = { until: Date.now() + CONFIRM_MS, redraw };
  armed.set(key, entry);
  redraw();
  setTimeout(() => { if (armed.get(key) === entry) disarm(key); }, CONFIRM_MS + 50);
  return false;
}

// Escape lets an armed button go at once (the keyboard's way of saying "no"), the focus
// staying on it. Renderers mark an armed button with its key (data-confirm-key).
document.addEventListener("keydown", (event) => {
  const button = event.key === "Escape" && document.activeElement;
  if (!button || !button.matches("button.armed[data-confirm-key]")) return;
  event.preventDefault();
  disarm(button.dataset.confirmKey);
});

// A modal dialog (the console's edit forms) keeps Tab and Shift+Tab inside it, going round
// from its last control to its first and back, rather than out to the browser's bar.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
  const dialog = [...document.querySelectorAll("dialog[open]")].find((d) => d.matches(":modal"));
  if (!dialog) return;
  const controls = controlsIn(dialog);
  if (!controls.length) return;
  const first = controls[0], last = controls[controls.length - 1];
  const here = document.activeElement;
  if (event.shiftKey ? here === first || !dialog.contains(here) : here === last || !dialog.contains(here)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
});

// A part of a page drawn again from the state (a list, a panel) keeps the keyboard's place.
// When the focus was inside, it goes to the same control in the new markup (the same action
// on the same row), else to the first control of that row, else to the control now at the
// same place in the part, else to the part itself. Without this, Enter on a row's button
// (admit, open a vote) would drop the focus to the top of the page as soon as the answer
// draws the row again.
const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
  + "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";
const NAMING = ["data-act", "data-id", "data-show", "data-ruling", "data-kind", "data-stance",
                "data-speech", "data-edit", "data-remove", "data-testid", "name", "type"];

function selectorOf(el, names) {
  if (el.id) return "#" + CSS.escape(el.id);
  return el.tagName.toLowerCase() + names.filter((n) => el.hasAttribute(n))
    .map((n) => `[${n}="${CSS.escape(el.getAttribute(n))}"]`).join("");
}

function shown(el) {
  return el.getClientRects().length > 0 && !el.closest("[hidden], [inert]");
}

function controlsIn(box) {
  return [...box.querySelectorAll(FOCUSABLE)].filter(shown);
}

// Where the focus is inside `box` (null when it is not): the element, its row, how to find
// it again, its place among the box's controls.
function focusPlace(box) {
  const active = document.activeElement;
  if (!active || active === box || !box.contains(active)) return null;
  const row = active.closest("li");
  const rowSelector = row && box.contains(row)
    ? "li" + [...row.attributes].filter((a) => a.name.startsWith("data-"))
      .map((a) => `[${a.name}="${CSS.escape(a.value)}"]`).join("") : null;
  return { active, rowSelector, control: selectorOf(active, NAMING), index: controlsIn(box).indexOf(active) };
}

function restoreFocus(box, place) {
  if (!place) return;
  if (place.active.isConnected && box.contains(place.active)) { // the same element, put back
    if (document.activeElement !== place.active) place.active.focus();
    return;
  }
  const { rowSelector, control, index } = place;
  let next = box.querySelector(rowSelector ? `${rowSelector} ${control}` : control);
  if (!next || !next.matches(FOCUSABLE) || !shown(next)) {
    const newRow = rowSelector && box.querySelector(rowSelector);
    const list = controlsIn(box);
    next = (newRow && controlsIn(newRow)[0]) || list[Math.min(Math.max(index, 0), list.length - 1)];
  }
  if (!next) {
    if (!box.hasAttribute("tabindex")) box.tabIndex = -1;
    next = box;
  }
  next.focus();
}

// `draw` changes what `box` holds; the focus keeps its place (see above).
export function keepFocus(box, draw) {
  const place = focusPlace(box);
  draw();
  restoreFocus(box, place);
}

// Draw a lit-html template into `box`; the focus keeps its place (see above).
export function draw(box, template) {
  keepFocus(box, () => render(template, box));
}

// What people typed (an agenda item's title, a name) is data in the meeting's language,
// whatever the page's: marked so, for a screen reader (lang) and for
// tests/browser/test_language.py (data-user-text). `userText` draws it in a span; `markData`
// sets (or takes off) the marks on an element that shows data only at times.
export function userText(text, className) {
  return html`<span class=${className || nothing} data-user-text="" lang=${contentLang || nothing}>${text}</span>`;
}

export function markData(element, isData) {
  element.toggleAttribute("data-user-text", isData);
  if (isData && contentLang) element.setAttribute("lang", contentLang);
  else element.removeAttribute("lang");
}
