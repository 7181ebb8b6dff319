// The check-in desk (签到台) on the console: the claims of a unit waiting for staff to see the
// owner's property certificate or ID, the owners checked in, walk-in owners without a phone,
// and the running figures against the two-thirds gate (facilitator/actions/checkin.py).
import { formatTime, keepFocus, tr } from "./live.js";
import { confirmedByButton, escapeHtml } from "./legacy.js";
import { store, run, listeners } from "./console.js";
(function () {
  const $ = (id) => document.getElementById(id);
  if (!store || !$("checkin-card")) return;

  function area(hundredths) {
    return (hundredths / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function figuresText(figures) {
    if (!figures) return "";
    const v = figures.verified, s = figures.scope, gate = figures.gate;
    let text = tr("checkin.figures", { owners: v.owners, scope_owners: s.owners,
                                       area: area(v.area), scope_area: area(s.area) });
    return tr("punct.sentences", { first: text, second: gate.met ? tr("checkin.gate_met")
      : tr("checkin.gate_missing", { owners: gate.missing.owners, area: area(gate.missing.area) }) });
  }

  function pendingLine(p) {
    const differs = p.registered_owner && !p.registered_owner.split("、").includes(p.name);
    return `<li data-id="${p.id}" class="${differs ? "mismatch" : ""}">`
      + `<span><strong>${escapeHtml(p.name)}</strong> · ${escapeHtml(p.unit || "")}`
      + ` <span class="muted">${escapeHtml(tr("checkin.registered", { owner: p.registered_owner || "—" }))}</span>`
      + (p.status === "lobby" ? ` <span class="badge">${escapeHtml(tr("status.lobby"))}</span>` : "")
      + `</span><span class="row-actions">`
      + `<label class="visually-hidden" for="checkin-note-${p.id}">${escapeHtml(tr("checkin.note"))}</label>`
      + `<input id="checkin-note-${p.id}" class="narrow-input" data-note placeholder="${escapeHtml(tr("checkin.note"))}" maxlength="200">`
      + `<button type="button" class="primary" data-act="verify">${escapeHtml(tr("checkin.verify"))}</button>`
      + `<button type="button" data-act="relabel">${escapeHtml(tr("checkin.relabel"))}</button>`
      + `<button type="button" class="danger-text" data-act="reject">${escapeHtml(tr("checkin.reject"))}</button>`
      + `</span></li>`;
  }

  function verifiedLine(p) {
    return `<li data-id="${p.id}"><span><strong>${escapeHtml(p.name)}</strong> · ${escapeHtml(p.unit || "")}`
      + ` <span class="muted">${escapeHtml(tr("checkin.via." + p.verified_via))}`
      + `${p.verified_by ? " · " + escapeHtml(p.verified_by) : ""} · ${escapeHtml(formatTime(p.verified_at))}`
      + `${p.verification_note ? " · " + escapeHtml(p.verification_note) : ""}</span></span>`
      + `<span class="row-actions"><button type="button" class="danger-text" data-act="revoke">${escapeHtml(tr("checkin.revoke"))}</button></span></li>`;
  }

  // Redrawn only when what it shows changed: a note being typed is kept.
  let lastPending = null;
  let lastVerified = null;
  function render(state) {
    if (!state) return;
    const people = Object.values(state.participants || {}).sort((a, b) => a.id - b.id);
    const active = people.filter((p) => p.status === "lobby" || p.status === "admitted");
    const pending = active.filter((p) => p.owner_key && !p.verified_via);
    const verified = active.filter((p) => p.verified_via);
    $("checkin-figures").textContent = figuresText(state.checkin);
    $("checkin-pending-count").textContent = pending.length ? `(${pending.length})` : "";
    $("checkin-verified-count").textContent = `(${verified.length})`;
    const pendingHtml = pending.length ? pending.map(pendingLine).join("")
      : `<li class="muted">${escapeHtml(tr("checkin.none_pending"))}</li>`;
    if (pendingHtml !== lastPending) {
      const notes = {};
      for (const input of $("checkin-pending").querySelectorAll("input[data-note]")) notes[input.id] = input.value;
      keepFocus($("checkin-pending"), () => { $("checkin-pending").innerHTML = pendingHtml; });
      for (const [id, value] of Object.entries(notes)) { const input = $(id); if (input) input.value = value; }
      lastPending = pendingHtml;
    }
    const verifiedHtml = verified.map(verifiedLine).join("");
    if (verifiedHtml !== lastVerified) {
      keepFocus($("checkin-verified"), () => { $("checkin-verified").innerHTML = verifiedHtml; });
      lastVerified = verifiedHtml;
    }
  }
  listeners.push(render);

  // Two clicks for what cannot be typed: the button asks once more in place.
  // Relabel, reject and revoke take a second tap (live.js).
  const confirmed = (button) => confirmedByButton(
    button, `checkin.${button.dataset.act}:${button.closest("li").dataset.id}`);

  $("checkin-pending").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-act]");
    if (!button) return;
    const line = button.closest("li");
    const id = Number(line.dataset.id);
    const note = (line.querySelector("input[data-note]") || {}).value || "";
    if (button.dataset.act === "verify") run("checkin.verify", { id, note });
    if (button.dataset.act === "relabel" && confirmed(button)) {
      run("checkin.relabel", { id, party: "observer", note });
    }
    if (button.dataset.act === "reject" && confirmed(button)) {
      run("checkin.reject", { id, reason: note || tr("checkin.reject_default") });
    }
  });
  $("checkin-verified").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-act=revoke]");
    if (!button || !confirmed(button)) return;
    run("checkin.revoke", { id: Number(button.closest("li").dataset.id), reason: tr("checkin.revoke_default") });
  });
  $("checkin-walk-in").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    // "3-1-101" or "张建国 3-1-101" (the list offers both): the unit is the last word.
    const unit = form.unit.value.trim().split(/\s+/).pop();
    const ok = await run("checkin.add_owner", { unit, note: form.note.value });
    if (ok) form.reset();
  });
})();
