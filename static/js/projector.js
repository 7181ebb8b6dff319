// The big screen: read-only, readable from the back of the room.
(function () {
  "use strict";
  const { escapeHtml, formatClock, itemCountdown, sortedAgenda, currentItem } = window.live;
  const root = document.getElementById("projector");
  const $ = (id) => document.getElementById(id);

  const listeners = [render];
  const store = new LiveStore({
    meetingId: Number(root.dataset.meetingId),
    face: "projector",
    token: root.dataset.token,
    onChange: (state) => listeners.forEach((listener) => listener(state)),
    onStatus: (status) => {
      $("connection").textContent = status === "connected" ? "" : tr("live." + status);
    },
    onRefused: (error) => { $("connection").textContent = error.message; },
  });
  store.listeners = listeners;
  window.projectorStore = store;
  setTimeout(() => store.connect(), 0);

  function render(state) {
    if (!state) return;
    const meeting = state.meeting;
    $("pj-title").textContent = meeting.title;
    const code = meeting.join_code;
    $("pj-join").hidden = !code;
    if (code) {
      $("pj-code").textContent = code.replace(/(\d{3})(\d{3})/, "$1 $2");
      const url = root.dataset.joinBase + code; // the address in the QR code
      $("pj-url").textContent = url.replace(/^https?:\/\//, "");
      // The QR code's link carries the meeting's join key: scanning it takes no try from
      // the limit on typed codes (the address shown above is for typing the code).
      const qr = "/join-qr/" + code + ".svg?k=" + encodeURIComponent(meeting.join_key || "");
      if ($("pj-qr").dataset.src !== qr) {
        $("pj-qr").src = qr;
        $("pj-qr").dataset.src = qr;
      }
    }
    const present = Object.values(state.participants || {}).filter((p) => p.status === "admitted");
    $("pj-present").textContent = tr("live.people_present", { n: present.length });
    const items = sortedAgenda(state);
    const current = currentItem(state);
    $("pj-agenda").innerHTML = items.map((item) => {
      const cls = current && current.id === item.id ? "current" : item.started_at ? "done" : "";
      return `<li class="${cls}"><span>${escapeHtml(item.title)}</span><span class="pj-min">${item.planned_seconds / 60}′</span></li>`;
    }).join("");
    renderCountdown();
  }

  function renderCountdown() {
    const state = store.state;
    if (!state) return;
    const current = currentItem(state);
    const box = $("pj-countdown");
    if (state.meeting.status === "ended") {
      $("pj-item-title").textContent = tr("live.meeting_ended");
      $("pj-item-segment").textContent = "";
      box.textContent = "";
      return;
    }
    if (!current) {
      const finished = sortedAgenda(state).some((i) => i.started_at);
      $("pj-item-title").textContent = tr(state.meeting.status === "scheduled" ? "live.meeting_not_started"
        : finished ? "live.agenda_finished" : "live.no_current_item");
      $("pj-item-segment").textContent = "";
      box.textContent = "";
      box.className = "pj-countdown";
      return;
    }
    $("pj-item-title").textContent = current.title;
    $("pj-item-segment").textContent = tr("segment." + current.segment);
    const { remaining, overrun } = itemCountdown(current, store.serverNow());
    box.className = "pj-countdown" + (overrun ? " overrun" : remaining <= 60 ? " warning" : "");
    box.textContent = (overrun ? tr("live.overrun") + " " : "") + formatClock(overrun ? -remaining : remaining);
  }

  setInterval(renderCountdown, 250);
})();

// The speaker and the next five, and the statistics when the meeting shows them.
(function () {
  "use strict";
  const { escapeHtml, formatClock, speechTiming, currentSpeech, orderedQueue } = window.live;
  const $ = (id) => document.getElementById(id);
  const store = window.projectorStore;

  function label(entry) {
    return entry.kind === "speech" ? tr("stance." + entry.stance) : tr("kind." + entry.kind);
  }

  function render(state) {
    if (!state || !state.speakers) return;
    const people = state.participants || {};
    const speech = currentSpeech(state);
    $("pj-speaker").hidden = !speech;
    document.querySelector(".pj-now").classList.toggle("pj-item-small", Boolean(speech));
    if (speech) {
      const person = people[String(speech.participant_id)] || {};
      $("pj-speaker-name").textContent = person.name || "";
      $("pj-speaker-meta").textContent = `${tr("party." + speech.party)}${person.unit ? " · " + person.unit : ""} · ${label(speech)}`;
    }
    const next = orderedQueue(state).slice(0, 5);
    $("pj-queue-box").hidden = !next.length && !state.speakers.stats;
    document.querySelector(".pj-side").classList.toggle("with-queue", !$("pj-queue-box").hidden);
    $("pj-next").innerHTML = next.map((entry) => {
      const person = people[String(entry.participant_id)] || {};
      return `<li>${escapeHtml(person.name || "")} <small>· ${escapeHtml(tr("party." + entry.party))} · ${escapeHtml(label(entry))}</small></li>`;
    }).join("");
    const stats = state.speakers.stats;
    $("pj-stats").innerHTML = stats ? Object.entries(stats.by_party).map(([party, t]) =>
      `${escapeHtml(tr("party." + party))} ${t.turns} · ${formatClock(t.seconds)}`).join("<br>") : "";
    tick();
  }

  function tick() {
    const state = store.state;
    const speech = state && currentSpeech(state);
    if (!speech) return;
    const { remaining, state: phase } = speechTiming(speech, store.serverNow());
    const box = $("pj-speech-countdown");
    box.className = "pj-speech-countdown " + phase;
    box.textContent = (phase === "overrun" ? tr("live.overrun") + " " : phase === "paused" ? tr("live.paused") + " " : "")
      + formatClock(Math.abs(remaining));
  }

  store.listeners.push(render);
  setInterval(tick, 250);
})();
