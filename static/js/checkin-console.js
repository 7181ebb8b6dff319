// The check-in desk (签到台) on the console: the claims of a unit waiting for staff to see the
// owner's property certificate or ID, the owners checked in, walk-in owners without a phone,
// and the running figures against the two-thirds gate (facilitator/actions/checkin.py).
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { armedLabel, confirmedBySecondTap, draw, formatTime, isArmed, tr } from "./live.js";
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

  // A button that takes a second tap (relabel, reject, revoke): drawn armed after the first.
  function confirmButton(p, act, label, cls) {
    const key = confirmKey(act, p.id);
    return html`<button type="button" class=${[cls, isArmed(key) ? "armed" : ""].filter(Boolean).join(" ") || nothing}
      data-act=${act} data-confirm-key=${key}>${armedLabel(key, tr(label))}</button>`;
  }

  function pendingLine(p) {
    const differs = p.registered_owner && !p.registered_owner.split("、").includes(p.name);
    return html`<li data-id=${p.id} class=${differs ? "mismatch" : ""}><span><strong>${p.name}</strong> · ${p.unit || ""} <span class="muted">${
      tr("checkin.registered", { owner: p.registered_owner || "—" })}</span>${
      p.status === "lobby" ? html` <span class="badge">${tr("status.lobby")}</span>` : nothing}</span><span class="row-actions"><label
      class="visually-hidden" for="checkin-note-${p.id}">${tr("checkin.note")}</label><input id="checkin-note-${p.id}"
      class="narrow-input" data-note placeholder=${tr("checkin.note")} maxlength="200"><button type="button" class="primary"
      data-act="verify">${tr("checkin.verify")}</button>${confirmButton(p, "relabel", "checkin.relabel")}${
      confirmButton(p, "reject", "checkin.reject", "danger-text")}</span></li>`;
  }

  function verifiedLine(p) {
    return html`<li data-id=${p.id}><span><strong>${p.name}</strong> · ${p.unit || ""} <span class="muted">${
      tr("checkin.via." + p.verified_via)}${p.verified_by ? " · " + p.verified_by : ""} · ${formatTime(p.verified_at)}${
      p.verification_note ? " · " + p.verification_note : ""}</span></span><span class="row-actions">${
      confirmButton(p, "revoke", "checkin.revoke", "danger-text")}</span></li>`;
  }

  // Rows are kept by person (repeat): a note being typed stays in its box.
  function render(state) {
    if (!state) return;
    const people = Object.values(state.participants || {}).sort((a, b) => a.id - b.id);
    const active = people.filter((p) => p.status === "lobby" || p.status === "admitted");
    const pending = active.filter((p) => p.owner_key && !p.verified_via);
    const verified = active.filter((p) => p.verified_via);
    $("checkin-figures").textContent = figuresText(state.checkin);
    $("checkin-pending-count").textContent = pending.length ? `(${pending.length})` : "";
    $("checkin-verified-count").textContent = `(${verified.length})`;
    draw($("checkin-pending"), pending.length ? html`${repeat(pending, (p) => p.id, pendingLine)}`
      : html`<li class="muted">${tr("checkin.none_pending")}</li>`);
    draw($("checkin-verified"), html`${repeat(verified, (p) => p.id, verifiedLine)}`);
  }
  listeners.push(render);

  // Relabel, reject and revoke take a second tap (live.js): the first arms the button.
  function confirmKey(act, id) {
    return `checkin.${act}:${id}`;
  }
  const confirmed = (button) => confirmedBySecondTap(
    confirmKey(button.dataset.act, button.closest("li").dataset.id), () => render(store.state));

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
