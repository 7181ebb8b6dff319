// A resident's phone: the lobby, then the meeting as it runs. Identity is the session cookie.
(function () {
  "use strict";
  const { escapeHtml, formatClock, itemCountdown, sortedAgenda, currentItem } = window.live;
  const root = document.getElementById("phone");
  const $ = (id) => document.getElementById(id);
  const myId = String(root.dataset.participantId);

  const store = new LiveStore({
    meetingId: Number(root.dataset.meetingId),
    face: "phone",
    onChange: render,
    onStatus: (status) => {
      const banner = $("connection");
      banner.hidden = status === "connected";
      banner.textContent = tr("live." + status);
      banner.dataset.status = status;
    },
    onRefused: (error) => showGone(tr("live.rejected_title"), error.message),
  }).connect();

  function show(section) {
    for (const id of ["phone-waiting", "phone-gone", "phone-live"]) $(id).hidden = id !== section;
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
    const me = (state.participants || {})[myId];
    if (!me) {
      // Our entry disappeared: the moderator rejected or removed us.
      showGone(tr("live.rejected_title"), tr("live.removed_text"));
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
    $("phone-agenda").innerHTML = items.map((item) => {
      const cls = current && current.id === item.id ? "current" : item.started_at ? "done" : "";
      return `<li class="${cls}">${escapeHtml(item.title)} <small>${item.planned_seconds / 60}′</small></li>`;
    }).join("");
    renderCountdown();
  }

  function renderCountdown() {
    const state = store.state;
    if (!state || $("phone-live").hidden) return;
    const current = currentItem(state);
    const box = $("phone-countdown");
    if (!current) {
      $("phone-item").textContent = tr(state.meeting.status === "scheduled" ? "live.meeting_not_started" : "live.no_current_item");
      box.textContent = "";
      return;
    }
    $("phone-item").textContent = current.title;
    const { remaining, overrun } = itemCountdown(current, store.serverNow());
    box.className = "phone-countdown" + (overrun ? " overrun" : "");
    box.textContent = (overrun ? tr("live.overrun") + " " : tr("live.remaining") + " ") + formatClock(overrun ? -remaining : remaining);
  }

  setInterval(renderCountdown, 500);
})();
