// The moderator's console: runs the agenda and the room. Every change is a command.
(function () {
  "use strict";
  const { escapeHtml, formatClock, formatTime, itemCountdown, sortedAgenda, currentItem } = window.live;
  const root = document.getElementById("console");
  const $ = (id) => document.getElementById(id);
  const meetingId = Number(root.dataset.meetingId);

  const store = new LiveStore({
    meetingId,
    face: "console",
    onChange: render,
    onStatus: (status) => {
      $("connection").textContent = tr("live." + status);
      $("connection").dataset.status = status;
    },
    onRefused: (error) => showError(error.message),
  }).connect();

  function showError(message) {
    const box = $("console-error");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  async function run(type, payload) {
    try {
      return await store.send(type, payload);
    } catch (error) {
      showError(error.message || String(error));
      return null;
    }
  }

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
    link.textContent = code ? root.dataset.joinBase + code : "";
    link.href = code ? root.dataset.joinBase + code : "#";
    const qr = $("join-qr");
    qr.hidden = !code;
    if (code && qr.dataset.code !== code) {
      qr.src = "/join-qr/" + code + ".svg";
      qr.dataset.code = code;
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
    $("agenda-list").innerHTML = items.map((item, index) => {
      const plannedStart = plannedAt;
      if (plannedAt) plannedAt += item.planned_seconds * 1000;
      const isCurrent = current && current.id === item.id;
      const done = !isCurrent && item.started_at;
      const actual = item.started_at
        ? `${tr("live.actual")} ${formatTime(item.started_at)}${item.ended_at && !isCurrent ? "–" + formatTime(item.ended_at) : ""} · ${Math.round(item.used_ms / 60000)}′`
        : "";
      return `<li class="agenda-row${isCurrent ? " current" : ""}${done ? " done" : ""}" data-id="${item.id}">
        <span class="pos">${index + 1}</span>
        <span class="title">${escapeHtml(item.title)}
          <small class="muted">${escapeHtml(tr("segment." + item.segment))} · ${tr("live.planned")} ${plannedStart ? formatTime(plannedStart) + " · " : ""}${item.planned_seconds / 60}′ ${escapeHtml(actual)}</small></span>
        <span class="row-actions">
          ${live && !isCurrent ? `<button type="button" data-act="start" title="${escapeHtml(tr("live.start"))}">▶ ${escapeHtml(tr("live.start"))}</button>` : ""}
          <button type="button" data-act="up" ${index === 0 ? "disabled" : ""} aria-label="${escapeHtml(tr("live.move_up"))}">↑</button>
          <button type="button" data-act="down" ${index === items.length - 1 ? "disabled" : ""} aria-label="${escapeHtml(tr("live.move_down"))}">↓</button>
          <button type="button" data-act="edit">${escapeHtml(tr("live.edit"))}</button>
          ${item.started_at || isCurrent ? "" : `<button type="button" data-act="delete" class="danger-text">${escapeHtml(tr("live.delete"))}</button>`}
        </span></li>`;
    }).join("");
    renderCountdown();
  }

  function renderCountdown() {
    const state = store.state;
    if (!state) return;
    const box = $("current-item");
    const current = currentItem(state);
    if (!current) {
      const finished = sortedAgenda(state).some((i) => i.started_at);
      box.innerHTML = `<p class="muted">${escapeHtml(tr(finished ? "live.agenda_finished" : "live.no_current_item"))}</p>`;
      return;
    }
    const { remaining, overrun } = itemCountdown(current, store.serverNow());
    box.className = "current-item" + (overrun ? " overrun" : "");
    box.innerHTML = `<span class="label">${escapeHtml(tr("live.current_item"))}</span>
      <strong>${escapeHtml(current.title)}</strong>
      <span class="countdown" data-testid="console-countdown">${overrun ? escapeHtml(tr("live.overrun")) + " " : ""}${formatClock(overrun ? -remaining : remaining)}</span>`;
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
    $("present-count").textContent = `(${present.length})`;
    $("lobby-list").innerHTML = lobby.length
      ? lobby.map((p) => personLine(p, [["admit", "live.admit", "primary"], ["reject", "live.reject", "danger-text"]], peopleByUnit)).join("")
      : `<li class="muted">${escapeHtml(tr("live.lobby_empty"))}</li>`;
    $("present-list").innerHTML = present.map((p) =>
      personLine(p, [["edit-person", "live.edit"], ["remove", "live.remove", "danger-text"]], peopleByUnit)).join("");
  }

  setInterval(renderCountdown, 250);

  // --- actions ----------------------------------------------------------------------------
  $("open-meeting").addEventListener("click", () => run("meeting.open"));
  $("end-meeting").addEventListener("click", () => {
    if (confirm(tr("live.confirm_end"))) run("meeting.end");
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
    if (act === "remove") run("participant.remove", { id });
    if (act === "edit-person") editPerson(store.state.participants[String(id)]);
  }
  $("lobby-list").addEventListener("click", onPeopleClick);
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
