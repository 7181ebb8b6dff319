// A resident's phone: the join form, the lobby, then the meeting as it runs.
// Identity: the token the server gives when the phone joins, kept in a cookie
// (phone-<meeting id>) that the page reads back and the minutes' downloads carry.
// The page's store (the other parts of the page import it) and the functions of the state
// called after every change.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { armedLabel, confirmedBySecondTap, currentItem, currentSpeech, draw, formatClock, isArmed, itemCountdown, LiveStore, markData, orderedQueue, rankedQuestions, sortedAgenda, speechTiming, tr, userText } from "./live.js";
import { contentLang, timezone } from "./config.js";

export let store = null;
export const listeners = [];

(function () {
  const root = document.getElementById("phone");
  const $ = (id) => document.getElementById(id);
  const meetingId = Number(root.dataset.meetingId);
  const cookieName = "phone-" + meetingId;
  const joinForm = $("join-form");

  function savedToken() {
    const pair = document.cookie.split("; ").find((c) => c.startsWith(cookieName + "="));
    return pair ? decodeURIComponent(pair.slice(cookieName.length + 1)) : null;
  }

  function saveToken(token) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    const age = token ? 60 * 60 * 24 * 90 : 0;
    document.cookie = `${cookieName}=${encodeURIComponent(token || "")}; Path=/; Max-Age=${age}; SameSite=Lax${secure}`;
  }

  listeners.push(render);
  store = new LiveStore({
    meetingId,
    face: "phone",
    token: savedToken(),
    onChange: (state) => listeners.forEach((listener) => listener(state)),
    onStatus: (status) => {
      const banner = $("connection");
      banner.hidden = status === "connected" || !store.token;
      banner.textContent = tr("live." + status);
      banner.dataset.status = status;
    },
    onToken: (token) => {
      saveToken(token);
      // Reloads go to the meeting's phone page: it outlives the join code.
      history.replaceState(null, "", root.dataset.phoneUrl);
    },
    onRefused: (error) => {
      if (store.joinAnswers && joinForm) {
        showJoinError(error);
      } else if (joinForm && error.code === "auth.not_joined") {
        // A token this meeting does not know (say, the meeting's database was replaced).
        saveToken(null);
        store.token = null;
        show("phone-join");
      } else if (error.code === "live.too_many_connections") {
        showGone(tr("live.disconnected_title"), error.message);
      } else {
        showGone(tr("live.rejected_title"), error.message);
      }
    },
  });

  if (root.dataset.invitation) {
    // A personal invitation's link: it says who this is (verified), whatever joined before.
    store.token = null;
    show("phone-invited");
    document.addEventListener("DOMContentLoaded", () => store.join({ invitation: root.dataset.invitation }));
  } else if (store.token) {
    // Joined before (the QR code scanned again): the meeting's own phone page.
    if (joinForm) history.replaceState(null, "", root.dataset.phoneUrl);
    document.addEventListener("DOMContentLoaded", () => store.connect());
  } else if (joinForm) {
    show("phone-join");
  } else {
    showGone(tr("live.rejected_title"), tr("auth.not_joined"));
  }

  // --- the join form ---------------------------------------------------------------------
  function fieldOf(error) {
    const field = error.params && error.params.field;
    if (["name", "party", "unit"].includes(field)) return field;
    return error.code.startsWith("participant.unit") ? "unit" : "join";
  }

  function clearJoinErrors() {
    for (const id of ["name", "party", "unit", "join"]) {
      $(id + "-error").hidden = true;
      const input = $(id);
      if (input) input.removeAttribute("aria-invalid");
    }
  }

  function showJoinError(error) {
    store.joinAnswers = null;
    const field = fieldOf(error);
    const box = $(field + "-error");
    box.textContent = error.message;
    box.hidden = false;
    const input = $(field);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    setBusy(false);
  }

  function setBusy(busy) {
    const button = joinForm.querySelector("button[type=submit]");
    if (!button.dataset.idleText) button.dataset.idleText = button.textContent;
    button.disabled = busy;
    button.textContent = busy ? button.dataset.busyText : button.dataset.idleText;
  }

  if (joinForm) {
    const unitField = $("unit-field");
    const party = () => (joinForm.querySelector("input[name=party]:checked") || {}).value;
    const updateUnit = () => { unitField.hidden = party() !== "owner"; };
    joinForm.querySelectorAll("input[name=party]").forEach((r) => r.addEventListener("change", updateUnit));
    updateUnit();
    joinForm.addEventListener("submit", (event) => {
      event.preventDefault();
      clearJoinErrors();
      setBusy(true);
      store.join({
        code: root.dataset.code,
        // The QR link's key: the join takes no try from the limit on typed codes.
        key: root.dataset.key || null,
        name: $("name").value.trim() || null,
        party: party() || null,
        unit: party() === "owner" ? ($("unit").value.trim() || null) : null,
      });
    });
  }

  function show(section) {
    for (const id of ["phone-join", "phone-invited", "phone-waiting", "phone-gone", "phone-live"]) {
      if ($(id)) $(id).hidden = id !== section;
    }
  }

  function showGone(title, text) {
    $("phone-gone-title").textContent = title;
    $("phone-gone-text").textContent = text;
    show("phone-gone");
  }

  function render(state) {
    if (!state) return;
    if (state.meeting.status === "ended") {
      showGone(tr("status.ended"), tr("live.meeting_ended"));
      return;
    }
    const me = store.me;
    if (!me || me.status === "rejected" || me.status === "removed") {
      // The moderator did not admit us, or removed us.
      showGone(tr("live.rejected_title"),
               tr(me && me.status === "rejected" ? "live.rejected_text" : "live.removed_text"));
      store.socket.disconnect();
      return;
    }
    if (me.status === "lobby") {
      show("phone-waiting");
      return;
    }
    show("phone-live");
    $("me-name").textContent = me.name;
    $("me-party").textContent = tr("party." + me.party) + (me.unit ? " · " + me.unit : "");
    const items = sortedAgenda(state);
    const current = currentItem(state);
    draw($("phone-agenda"), repeat(items, (item) => item.id, (item) => {
      const cls = current && current.id === item.id ? "current" : item.started_at ? "done" : "";
      return html`<li class=${cls}>${userText(item.title)} <small>${item.planned_seconds / 60}′</small></li>`;
    }));
    renderCountdown();
  }

  function renderCountdown() {
    const state = store.state;
    if (!state || $("phone-live").hidden) return;
    const current = currentItem(state);
    const box = $("phone-countdown");
    if (!current) {
      $("phone-item").textContent = tr(state.meeting.status === "scheduled" ? "live.meeting_not_started" : "live.no_current_item");
      markData($("phone-item"), false);
      box.textContent = "";
      return;
    }
    $("phone-item").textContent = current.title;
    markData($("phone-item"), true);
    const { remaining, overrun } = itemCountdown(current, store.serverNow());
    box.className = "phone-countdown" + (overrun ? " overrun" : "");
    box.textContent = (overrun ? tr("live.overrun") + " " : tr("live.remaining") + " ") + formatClock(overrun ? -remaining : remaining);
  }

  setInterval(renderCountdown, 500);
})();

// Raising a hand: the kind and stance, the place in the list, withdrawing, and the floor.
(function () {
  const $ = (id) => document.getElementById(id);
  let hadFloor = false;

  function showError(message) {
    const box = $("hand-error");
    box.textContent = message;
    box.hidden = !message;
  }

  async function send(type, payload) {
    showError("");
    try {
      await store.send(type, payload);
    } catch (error) {
      showError(error.message || String(error));
    }
  }

  function label(entry) {
    return entry.kind === "speech" ? tr("stance." + entry.stance) : tr("kind." + entry.kind);
  }

  function render(state) {
    if (!state || !state.speakers || $("phone-live").hidden) return;
    const queue = orderedQueue(state);
    const mine = queue.map((entry, index) => ({ entry, place: index + 1 }))
      .filter(({ entry }) => entry.participant_id === store.participantId);
    draw($("my-hands"), repeat(mine, ({ entry }) => entry.kind, ({ entry, place }) => html`<div class="row-between">
        <p class="my-place" data-testid="phone-place">${tr("live.your_place", { n: place })} · ${label(entry)}</p>
        <button type="button" data-withdraw=${entry.kind}>${tr("live.withdraw")}</button></div>`));
    const noItem = !state.meeting.current_item_id || state.meeting.status !== "live";
    $("hand-buttons").querySelectorAll("button").forEach((button) => {
      const waiting = mine.some(({ entry }) => entry.kind === button.dataset.kind);
      const closed = !state.meeting.queue_open && button.dataset.kind !== "point_of_order";
      button.disabled = noItem || waiting || closed;
    });
    const plans = Object.values(state.plans || {}).filter((p) => p.status === "accepted" && p.key)
      .sort((a, b) => a.key.localeCompare(b.key));
    $("hand-plan-field").hidden = !plans.length;
    const select = $("hand-plan");
    const chosen = select.value;
    draw(select, html`<option value="">${tr("live.no_plan")}</option>${repeat(plans, (p) => p.key, (p) =>
      html`<option value=${p.key}>${p.key} · ${p.title}</option>`)}`);
    select.value = plans.some((p) => p.key === chosen) ? chosen : "";
    const speech = currentSpeech(state);
    $("phone-speaker").textContent = speech
      ? `${tr("live.speaking_now")}${tr("punct.colon")}${speech.name} · ${tr("party." + speech.party)}` : "";
    const haveFloor = Boolean(speech && speech.participant_id === store.participantId);
    $("floor-card").hidden = !haveFloor;
    if (haveFloor && !hadFloor && navigator.vibrate) navigator.vibrate([300, 150, 300]);
    hadFloor = haveFloor;
    tick();
  }

  function tick() {
    const state = store.state;
    const speech = state && currentSpeech(state);
    if (!speech || speech.participant_id !== store.participantId) return;
    const { remaining, state: phase } = speechTiming(speech, store.serverNow());
    $("floor-card").className = "phone-card floor " + phase;
    $("floor-countdown").textContent = (phase === "overrun" ? tr("live.overrun") + " " : phase === "paused" ? tr("live.paused") + " " : "")
      + formatClock(Math.abs(remaining));
  }

  $("hand-buttons").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-kind]");
    if (!button) return;
    const speech = button.dataset.kind === "speech";
    send("hand.raise", { kind: button.dataset.kind, stance: button.dataset.stance || null,
                         plan_key: speech ? ($("hand-plan").value || null) : null });
  });
  $("my-hands").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-withdraw]");
    if (button) send("hand.withdraw", { kind: button.dataset.withdraw });
  });
  listeners.push(render);
  setInterval(tick, 250);
})();

// Written questions (docs/protocol.md §20): ask one (named, at most 300 characters), upvote
// the others' once each and take the upvote back, withdraw one's own while it is open; the
// open ones by upvotes, then those taken up with their answers. One's own question put on
// the speakers' list is shown with the hand, and again on the floor card, to be read aloud.
(function () {
  const $ = (id) => document.getElementById(id);
  const card = $("question-card");
  if (!card) return;
  const input = $("question-text");
  const MAX = Number(input.getAttribute("maxlength"));
  let sentTimer = null;
  // The questions whose upvote or withdrawal is on its way: their buttons wait for the answer.
  const sending = new Set();

  function showIn(id, message) {
    $(id).textContent = message || "";
    $(id).hidden = !message;
  }

  function countChars() {
    // As the server counts: characters, not UTF-16 units.
    showIn("question-count", tr("question.chars", { n: Array.from(input.value).length, max: MAX }));
  }

  function party(q) {
    return tr("question.asked_by", { name: q.name, party: tr("party." + q.party) });
  }

  // Withdrawing takes a second tap (live.js); a redraw meanwhile keeps it armed.
  function withdrawButton(q) {
    const key = "question.withdraw:" + q.id;
    return html`<button type="button" data-act="withdraw" data-confirm-key=${key}
      class=${isArmed(key) ? "armed" : ""} ?disabled=${sending.has(q.id)}
      data-testid="question-withdraw">${armedLabel(key, tr("question.withdraw"))}</button>`;
  }

  function row(q, live) {
    const mine = q.participant_id === store.participantId;
    const upvoted = store.upvoted.has(q.id);
    const count = html`<span class="question-votes" data-testid="question-votes">${tr("question.upvotes", { n: q.upvotes })}</span>`;
    let actions = count;
    if (q.status === "open" && live) {
      actions = mine
        ? html`${count}${withdrawButton(q)}`
        : html`<button type="button" class=${upvoted ? "upvote on" : "upvote"} data-act=${upvoted ? "unvote" : "upvote"}
            aria-pressed=${String(upvoted)} ?disabled=${sending.has(q.id)}
            data-testid="question-upvote">${tr(upvoted ? "question.upvoted" : "question.upvote")}</button>${count}`;
    }
    const badges = html`${mine ? html`<span class="badge mine">${tr("question.mine")}</span>` : nothing}${q.status === "open" ? nothing
      : html`<span class="badge status-${q.status}">${tr("question.status." + q.status)}</span>`}`;
    const answer = q.status === "answered" && q.answer
      ? html`<p class="question-answer"><strong>${tr("question.answer_label")}</strong>${tr("punct.colon")}${userText(q.answer)}</p>` : nothing;
    return html`<li class=${mine ? "question-row mine" : "question-row"} data-id=${q.id} data-status=${q.status}>
        <p class="question-text" data-user-text="" lang=${contentLang || nothing}>${q.text}</p>
        <p class="question-meta">${party(q)} ${badges}</p>${answer}
        <div class="question-actions">${actions}</div></li>`;
  }

  // The questions to read aloud, under what to do with them.
  function quotes(questions, intro) {
    return questions.length
      ? html`<p>${intro}</p>${questions.map((q) => html`<blockquote class="question-quote" data-user-text="" lang=${contentLang || nothing}>${q.text}</blockquote>`)}`
      : nothing;
  }

  function render(state) {
    if (!state || $("phone-live").hidden) return;
    const live = state.meeting.status === "live";
    $("question-send").disabled = !live;
    const open = rankedQuestions(state, ["open"]);
    const handled = rankedQuestions(state, ["queued", "spoken", "answered"])
      .sort((a, b) => (b.handled_at || 0) - (a.handled_at || 0) || b.id - a.id);
    $("question-open-count").textContent = open.length ? `(${open.length})` : "";
    draw($("question-list"), open.length ? repeat(open, (q) => q.id, (q) => row(q, live))
      : html`<li class="muted">${tr("question.none_open")}</li>`);
    $("question-handled-box").hidden = !handled.length;
    $("question-handled-count").textContent = `(${handled.length})`;
    draw($("question-handled"), repeat(handled, (q) => q.id, (q) => row(q, live)));
    // One's own questions the chair dismissed, and why (the room no longer shows them).
    $("my-dismissed-questions").hidden = !store.dismissed.length;
    draw($("my-dismissed-list"), repeat(store.dismissed, (q) => q.id, (q) => html`<li class="question-row dismissed" data-id=${q.id}>
        <p class="question-text" data-user-text="" lang=${contentLang || nothing}>${q.text}</p>
        <p class="question-meta"><span class="badge status-dismissed">${tr("question.dismissed_because", { reason: tr("question.reason." + q.dismiss_reason) })}</span></p></li>`));
    // One's own question on the speakers' list: read it out when called.
    const queued = rankedQuestions(state, ["queued"]).filter((q) => q.participant_id === store.participantId);
    $("my-queued-questions").hidden = !queued.length;
    draw($("my-queued-questions"), quotes(queued, tr("question.read_aloud_when_called")));
    const speech = currentSpeech(state);
    const mineNow = speech && speech.participant_id === store.participantId
      ? rankedQuestions(state).filter((q) => q.speech_id === speech.id) : [];
    $("floor-question").hidden = !mineNow.length;
    draw($("floor-question"), quotes(mineNow, tr("question.read_aloud_now")));
  }

  $("question-send").addEventListener("click", async () => {
    showIn("question-error", "");
    showIn("question-sent", "");
    const button = $("question-send");
    button.disabled = true;
    try {
      await store.send("question.ask", { text: input.value });
      input.value = "";
      countChars();
      showIn("question-sent", tr("question.sent"));
      clearTimeout(sentTimer);
      sentTimer = setTimeout(() => showIn("question-sent", ""), 15000);
      input.removeAttribute("aria-invalid");
    } catch (error) {
      showIn("question-error", error.message || String(error));
      input.setAttribute("aria-invalid", "true");
      input.focus();
    } finally {
      button.disabled = !store.state || store.state.meeting.status !== "live";
    }
  });
  input.addEventListener("input", () => {
    countChars();
    showIn("question-sent", "");
  });

  card.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.closest("li").dataset.id);
    const act = button.dataset.act;
    const type = { upvote: "question.upvote", unvote: "question.withdraw_upvote",
                   withdraw: "question.withdraw" }[act];
    if (!type) return;
    if (act === "withdraw" && !confirmedBySecondTap("question.withdraw:" + id, () => render(store.state))) return;
    showIn("question-list-error", "");
    sending.add(id);
    render(store.state);
    try {
      const result = await store.send(type, { question_id: id });
      if (result && "upvoted" in result) {
        if (result.upvoted) store.upvoted.add(id);
        else store.upvoted.delete(id);
      }
    } catch (error) {
      showIn("question-list-error", error.message || String(error));
    } finally {
      sending.delete(id);
      render(store.state);
    }
  });

  countChars();
  listeners.push(render);
})();

// After the meeting: the "纪要下载" card with the minutes' download links, once they are final
// (asked again whenever something happens, e.g. the minutes being finalised).
(function () {
  const card = document.getElementById("phone-minutes");
  if (!card) return;
  let asked = -1;
  let hint = null;

  async function refresh(state) {
    if (!state || state.meeting.status !== "ended") {
      card.hidden = true;
      return;
    }
    card.hidden = false;
    if (asked === state.seq) return;
    asked = state.seq;
    try {
      const response = await fetch(card.dataset.statusUrl, { credentials: "same-origin" });
      const status = await response.json();
      const box = document.getElementById("phone-minutes-links");
      hint = hint || document.getElementById("phone-minutes-hint").textContent;
      if (status.available) {
        document.getElementById("phone-minutes-hint").textContent = card.dataset.readyText;
        draw(box, ["pdf", "docx", "md", "html", "json"].filter((fmt) => status.links[fmt]).map((fmt) =>
          html`<a class="button" href=${status.links[fmt]} data-testid="phone-minutes-${fmt}">${fmt.toUpperCase()}</a>`));
      } else {
        document.getElementById("phone-minutes-hint").textContent = hint;
        draw(box, nothing);
      }
    } catch (error) {
      asked = -1; // try again with the next change
    }
  }

  listeners.push(refresh);
})();

// After the meeting: the documents the chair sent this phone for signature — the minutes'
// version, result notices (signing.json lists both). The card shows the first one not yet
// answered: the phone reads it in the card (its HTML, fetched with the phone's cookie), types
// its name, may draw a signature, and signs or refuses with a reason (minutes.sign_on_phone,
// notice.sign_on_phone); once all are answered it says what was answered. Asked again
// whenever something happens (a request to sign is a public event: every phone's state moves
// on).
(function () {
  const card = document.getElementById("phone-sign");
  if (!card) return;
  const $ = (id) => document.getElementById(id);
  const pad = $("sign-pad");
  const minutesTitle = $("phone-sign-title").textContent;
  let asked = -1;
  let current = null; // the document shown: what signing.json says of it, and how to answer
  let drawn = false;
  let fetchAgain = null; // the timer of the next try to fetch the document, while it failed
  let fetching = 0; // the document fetch under way (its number): an older one stops

  function showError(message) {
    $("sign-error").textContent = message || "";
    $("sign-error").hidden = !message;
  }

  // What the phone was asked to sign, each with the command that answers it and its words.
  function documentsOf(status) {
    // In the page's language and the app's time zone, whatever the phone's.
    const when = (ms) => new Date(ms).toLocaleString(document.documentElement.lang,
      { timeZone: timezone });
    const documents = [];
    if (status.asked) {
      const version = status.version;
      documents.push({ ...status, key: "minutes-" + version, title: minutesTitle,
        command: "minutes.sign_on_phone", payload: { version },
        intro: tr("sign.phone_intro", { version }), read: tr("sign.read", { version }),
        done: (own) => own.decision === "signed"
          ? tr("sign.done_signed", { version, at: when(own.at) })
          : tr("sign.done_refused", { version, at: when(own.at), note: own.note }) });
    }
    for (const notice of status.notices || []) {
      const title = notice.title;
      documents.push({ ...notice, key: "notice-" + notice.notice_id, title: tr("sign.notice_title"),
        command: "notice.sign_on_phone", payload: { notice_id: notice.notice_id },
        intro: tr("sign.notice_intro", { title }), read: tr("sign.notice_read", { title }),
        done: (own) => own.decision === "signed"
          ? tr("sign.notice_done_signed", { title, at: when(own.at) })
          : tr("sign.notice_done_refused", { title, at: when(own.at), note: own.note }) });
    }
    return documents;
  }

  async function refresh(state, force) {
    if (!state || state.meeting.status !== "ended") {
      card.hidden = true;
      forgetDocument();
      return;
    }
    if (!force && asked === state.seq) return;
    asked = state.seq;
    let status;
    try {
      const response = await fetch(card.dataset.signingUrl, { credentials: "same-origin" });
      status = await response.json();
    } catch (error) {
      asked = -1; // try again with the next change
      return;
    }
    const documents = documentsOf(status);
    card.hidden = !documents.length && !status.superseded;
    if (card.hidden) {
      forgetDocument();
      return;
    }
    const waiting = documents.find((d) => !d.signoff);
    const answered = documents.filter((d) => d.signoff);
    $("phone-sign-intro").hidden = !waiting && !status.superseded;
    $("phone-sign-done").hidden = !answered.length;
    $("phone-sign-done").textContent = answered.map((d) => d.done(d.signoff)).join("\n");
    $("phone-sign-form").hidden = !waiting;
    if (!waiting) {
      // Asked to sign minutes a correction has replaced, and not (yet) the new version.
      $("phone-sign-intro").textContent = tr("sign.superseded");
      forgetDocument();
      return;
    }
    $("phone-sign-title").textContent = waiting.title;
    $("phone-sign-intro").textContent = waiting.intro;
    const another = !current || current.key !== waiting.key;
    current = waiting;
    if (another) {
      $("phone-sign-read").href = waiting.read_url;
      $("phone-sign-read").textContent = waiting.read;
      $("phone-sign-hash").textContent = waiting.content_hash;
      $("phone-sign-document").srcdoc = "";
      ink.clearRect(0, 0, pad.width, pad.height); // a signature is drawn for one document
      drawn = false;
      showDocument(waiting);
    }
  }

  // The document in the card, fetched again until it comes (a phone on a weak network, a
  // server restarting: 1 s, 2 s, … 30 s apart). Until it shows, the phone says so and
  // cannot sign (an empty frame would ask the owner to sign what it cannot see); it may
  // still refuse. A refusal of the server's (not found, not allowed) is not tried again.
  async function showDocument(wanted) {
    clearTimeout(fetchAgain);
    const mine = ++fetching;
    const status = $("phone-sign-document-status");
    $("sign-confirm").disabled = true;
    for (let tries = 0; ; tries += 1) {
      let refused = false;
      try {
        const page = await fetch(wanted.read_url, { credentials: "same-origin" });
        if (page.ok) {
          const text = await page.text();
          if (mine !== fetching) return;
          $("phone-sign-document").srcdoc = text;
          status.hidden = true;
          $("sign-confirm").disabled = false;
          return;
        }
        refused = page.status >= 400 && page.status < 500 && ![408, 429].includes(page.status);
      } catch (error) {
        // the network: try again
      }
      if (mine !== fetching) return;
      status.textContent = tr(refused ? "sign.document_unavailable" : "sign.document_retrying");
      status.hidden = false;
      if (refused) return;
      await new Promise((resolve) => {
        fetchAgain = setTimeout(resolve, Math.min(30000, 1000 * 2 ** tries));
      });
      if (mine !== fetching) return;
    }
  }

  // No document waits to be signed here any more: a fetch still trying stops.
  function forgetDocument() {
    clearTimeout(fetchAgain);
    fetching += 1;
    current = null;
  }

  async function answer(decision) {
    showError("");
    const payload = { ...current.payload, name: $("sign-name").value.trim(), decision };
    if (decision === "refused") payload.note = $("sign-note").value.trim();
    if (decision === "signed" && drawn) payload.drawing = pad.toDataURL("image/png");
    try {
      await store.send(current.command, payload);
      $("sign-note").value = "";
      refresh(store.state, true);
    } catch (error) {
      showError(error.message || String(error));
    }
  }

  // The drawing pad: strokes in the canvas's own pixels, whatever size it is shown at.
  const ink = pad.getContext("2d");
  ink.lineWidth = 4;
  ink.lineCap = ink.lineJoin = "round";
  let last = null;
  const point = (event) => {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width,
            (event.clientY - box.top) * pad.height / box.height];
  };
  pad.addEventListener("pointerdown", (event) => {
    pad.setPointerCapture(event.pointerId);
    last = point(event);
  });
  pad.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = point(event);
    ink.beginPath();
    ink.moveTo(...last);
    ink.lineTo(...next);
    ink.stroke();
    last = next;
    drawn = true;
  });
  const lift = () => { last = null; };
  pad.addEventListener("pointerup", lift);
  pad.addEventListener("pointercancel", lift);
  $("sign-clear").addEventListener("click", () => {
    ink.clearRect(0, 0, pad.width, pad.height);
    drawn = false;
  });
  $("sign-confirm").addEventListener("click", () => answer("signed"));
  $("sign-refuse").addEventListener("click", () => answer("refused"));
  listeners.push((state) => refresh(state, false));
})();
