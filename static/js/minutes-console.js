// The console's minutes panel (纪要): the live draft as it grows, the clerk's text sections,
// the agreed items, finalising, corrections and sign-off. Every change is a command
// (minutes.write, action_item.*, minutes.finalise/correct, minutes.request_signatures to send
// a version to the phones for signature, minutes.record_signoff for someone without a phone);
// the draft itself is built
// on the server from the event log and fetched again (debounced) whenever events arrive.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { live } from "../vendor/lit-html/directives/live.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { run, send } from "./console.js";
import { timezone } from "./config.js";
import { armedLabel, confirmedBySecondTap, draw, isArmed, userText } from "./live.js";

(function () {
  const panel = document.getElementById("minutes-panel");
  if (!panel) return;
  const $ = (id) => document.getElementById(id);
  const T = JSON.parse($("minutes-i18n").textContent);
  const fill = (template, params) => template.replace(/\{(\w+)\}/g, (_, k) => (k in params ? params[k] : ""));
  const FIXED = ["title", "summary", "dissent", "pending", "follow_up", "attachments", "people"];
  const DEBOUNCE_MS = 1200;
  const FORMATS = ["pdf", "docx", "md", "html", "json"];
  // A moment in the page's language and the app's time zone (where the meeting is), whatever
  // the device's.
  const when = (moment) => new Date(moment).toLocaleString(document.documentElement.lang,
    { timeZone: timezone });
  const inOrder = (links) => FORMATS.filter((fmt) => links && links[fmt]).map((fmt) => [fmt, links[fmt]]);

  let draft = null;
  let timer = null;
  let loading = false;
  let again = false;
  let lastSeq = -1;
  const dirty = new Set(); // sections typed into and not saved yet: never overwritten
  // The revision each section being typed into started from (draft.section_revisions): a save
  // sends it, and the server refuses it when someone else wrote the section meanwhile.
  const base = {};
  // The revision of the server's text each field was last filled with: what the clerk types
  // there starts from it, not from a newer one fetched while the field kept its text (the
  // focus in it), or a save would overwrite unseen what someone else wrote meanwhile.
  const shown = {};
  const conflicts = new Set(); // sections refused as changed meanwhile, until decided
  const typed = {}; // each section's text as its field holds it
  const said = {}; // what each section's status line says (saved, restored, an error)

  // What is typed stays in this browser until the server has it: a reload, a lost connection
  // or a closed tab loses nothing (per user, meeting and section: on a shared computer the
  // next user never gets it, and signing out deletes it, static/js/confirm.js).
  const storageKey = (key) => `facilitator.minutes.${panel.dataset.userId}.${panel.dataset.draftUrl}.${key}`;
  function localDraft(key) {
    try { return JSON.parse(localStorage.getItem(storageKey(key))); } catch (error) { return null; }
  }
  function keepLocally(key, text) {
    try { localStorage.setItem(storageKey(key), JSON.stringify({ text, base: base[key] })); } catch (error) { /* private mode: kept in the page only */ }
  }
  function forgetLocally(key) {
    try { localStorage.removeItem(storageKey(key)); } catch (error) { /* nothing kept */ }
  }
  const revisionOf = (key) => (draft.section_revisions || {})[key] || 0;

  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      const response = await fetch(panel.dataset.draftUrl, { credentials: "same-origin",
                                                             headers: { Accept: "application/json" } });
      if (response.ok) {
        draft = await response.json();
        render();
      }
    } catch (error) {
      // The next event triggers another attempt.
    } finally {
      loading = false;
      if (again) { again = false; schedule(); }
    }
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(load, delay == null ? DEBOUNCE_MS : delay);
  }

  document.addEventListener("live:change", (event) => {
    const state = event.detail && event.detail.state;
    if (!state || state.seq === lastSeq) return;
    lastSeq = state.seq;
    renderSigners(state);
    schedule();
  });

  // Who can be asked to sign on a phone, one by one: those admitted with a phone.
  function renderSigners(state) {
    const people = Object.values(state.participants || {})
      .filter((p) => p.has_phone && p.status === "admitted")
      .sort((a, b) => a.name.localeCompare(b.name, "zh"));
    // Keyed: the person chosen stays chosen when the list changes around them.
    draw($("minutes-request-people"), repeat(people, (p) => p.id, (p) =>
      html`<option value="person:${p.id}">${p.name} · ${T.parties[p.party] || p.party}</option>`));
  }

  // --- rendering ------------------------------------------------------------------------
  function render() {
    const state = $("minutes-state");
    const versions = draft.versions || [];
    state.textContent = versions.length ? fill(T.version_n, { n: versions[versions.length - 1].number }) : T.no_versions;
    state.className = "badge " + (versions.length ? "ended" : "live");
    const frame = $("minutes-draft");
    if (frame.dataset.hash !== draft.content_hash) {
      frame.srcdoc = draft.html;
      frame.dataset.hash = draft.content_hash;
    }
    // Drawn again after every fetch of the draft (after every change of the meeting): lit
    // touches only what changed, and the focus keeps its place (live.js).
    draw($("minutes-draft-links"), html`<span class="muted small">${T.draft_download + T.colon}</span> ${
      inOrder(draft.draft_links).map(([fmt, url], k) => html`${k ? " " : nothing}<a class="button small"
        href=${url} data-testid="minutes-draft-${fmt}">${fmt.toUpperCase()}</a>`)}`);
    renderSections();
    renderItems();
    renderVersions();
  }

  // The catalogue's words with the item's number and its title (data, in the meeting's
  // language) put in.
  function itemLabel(item) {
    return T.item.split(/(\{\w+\})/).map((part) => part === "{title}" ? userText(item.title)
      : part === "{n}" ? String(item.number) : /^\{\w+\}$/.test(part) ? "" : part);
  }

  function sectionKeys() {
    const keys = (draft.agenda || []).map((item) => ({ key: "item:" + item.id, label: itemLabel(item) }));
    return keys.concat(FIXED.map((key) => ({ key, label: T.sections[key] })));
  }

  const fieldOf = (key) => $("minutes-sections").querySelector(`[data-section="${CSS.escape(key)}"] textarea`);

  // What each field should hold, from the draft just fetched and what was typed.
  function renderSections() {
    const keys = sectionKeys();
    for (const { key } of keys) {
      const server = (draft.sections || {})[key] || "";
      const kept = dirty.has(key) ? null : localDraft(key);
      if (kept && kept.text !== server) {
        typed[key] = kept.text;
        base[key] = kept.base == null ? revisionOf(key) : kept.base;
        dirty.add(key);
        said[key] = T.draft_restored;
      } else if (kept) {
        forgetLocally(key); // the server has it
      }
      // A field the clerk reads (the focus in it) keeps the text they read until they leave it.
      const area = fieldOf(key);
      if (!dirty.has(key) && (!area || document.activeElement !== area || typed[key] === server)) {
        typed[key] = server;
        shown[key] = revisionOf(key);
      }
    }
    drawSections(keys);
  }

  function drawSections(keys) {
    // Keyed rows: a field keeps its element (the focus, the caret, what is typed) through
    // every fetch; `live` compares with what the field holds, not with the last draw.
    draw($("minutes-sections"), repeat(keys || sectionKeys(), ({ key }) => key, ({ key, label }) => html`
      <div class="minutes-section" data-section=${key}>
        <label><span>${label}</span><textarea rows=${key === "title" ? 1 : 3} maxlength="10000"
          .value=${live(typed[key] || "")} @input=${(event) => typing(key, event.target.value)}></textarea></label>
        <div class="button-row"><button type="button" @click=${() => save(key)}>${T.save}</button><span
          class="muted small" role="status">${said[key] || ""}</span></div>
        ${conflicts.has(key) ? conflictBox(key) : nothing}
      </div>`));
  }

  function typing(key, text) {
    if (!dirty.has(key)) base[key] = key in shown ? shown[key] : revisionOf(key);
    dirty.add(key);
    typed[key] = text;
    keepLocally(key, text);
    if (said[key]) {
      said[key] = "";
      drawSections();
    }
  }

  async function save(key) {
    const text = typed[key] || "";
    const payload = { section: key, text, base_revision: key in base ? base[key] : revisionOf(key) };
    let saved = null;
    try {
      saved = await send("minutes.write", payload);
    } catch (error) {
      if (error && error.code === "minutes.section_changed") {
        conflicts.add(key);
        await load();
        return;
      }
      if (!(error && error.code === "command.no_change")) {
        said[key] = (error && error.message) || String(error);
        drawSections();
        return;
      }
    }
    // The revision the server holds `text` at now (none known when it had it already).
    const revision = saved && saved.revision != null ? saved.revision : revisionOf(key);
    if ((typed[key] || "") !== text) {
      // Typed on while the save was on its way: that part is still to save, from this
      // revision, and kept in the browser meanwhile.
      base[key] = revision;
      conflicts.delete(key);
      keepLocally(key, typed[key]);
    } else {
      settle(key);
      shown[key] = revision;
    }
    said[key] = T.saved;
    drawSections();
    schedule(200);
  }

  // The section is as the server has it: nothing left to keep or decide.
  function settle(key) {
    dirty.delete(key);
    delete base[key];
    conflicts.delete(key);
    forgetLocally(key);
  }

  // Someone else wrote the section while this clerk typed: show theirs beside the text typed
  // here, and let the clerk take theirs or save this one over it, knowingly.
  function conflictBox(key) {
    const keepMine = () => {
      base[key] = revisionOf(key);
      conflicts.delete(key);
      drawSections();
      save(key);
    };
    const takeTheirs = () => {
      settle(key);
      typed[key] = (draft.sections || {})[key] || "";
      shown[key] = revisionOf(key);
      drawSections();
    };
    return html`<div class="minutes-conflict" role="alert" data-testid="minutes-conflict">
      <p>${T.conflict}</p><p class="small muted">${T.conflict_theirs}</p>
      <blockquote>${(draft.sections || {})[key] || T.conflict_empty}</blockquote>
      <div class="button-row"><button type="button" class="primary" data-keep-mine @click=${keepMine}>${T.keep_mine}</button>
      <button type="button" data-take-theirs @click=${takeTheirs}>${T.take_theirs}</button></div></div>`;
  }

  function money(fen) {
    if (fen == null) return "";
    const yuan = Math.floor(fen / 100).toLocaleString("en-US");
    return yuan + "." + String(fen % 100).padStart(2, "0");
  }

  // An agreed item as the list shows it, and as the form's preview shows it before it is saved.
  function itemLine(item) {
    const detail = [T.parties[item.party] || item.party, item.organisation, item.person, item.due]
      .filter(Boolean).join(" · ");
    const amount = item.amount_fen == null ? ""
      : " · ¥" + money(item.amount_fen) + (item.funding_source ? " " + (T.funding[item.funding_source] || item.funding_source) : "");
    return html`<strong>${item.what}</strong>
      <span class="muted">${detail}${amount}</span>`;
  }

  function renderItems() {
    draw($("minutes-items"), repeat(draft.action_items || [], (item) => item.id, (item) => html`<li data-id=${item.id}>
      ${itemLine(item)}
      <span class="button-row"><button type="button" class="small" data-edit=${item.id}>${T.edit}</button>
      <button type="button" class="small danger" data-remove=${item.id} ?disabled=${item.status !== "open"}>${T.remove}</button></span></li>`));
  }

  const FINALISE = "minutes.finalise";

  function renderVersions() {
    const versions = draft.versions || [];
    draw($("minutes-versions"), repeat(versions, (v) => v.number, (v) => html`<li>
      <strong>${fill(T.version_n, { n: v.number })}</strong>
      ${inOrder(v.links).map(([fmt, url], k) => html`${k ? " " : nothing}<a href=${url} data-testid="minutes-v${v.number}-${fmt}">${fmt.toUpperCase()}</a>`)}
      <div class="muted small">${v.created_by} · ${when(v.created_at)}${v.note ? " · " + v.note : ""}</div>
      ${v.changes && v.changes.length ? html`<div class="muted small">${fill(T.changes, { sections: v.changes.map((c) => T.parts[c.section] || c.section).join(T.list) })}</div>` : nothing}
      <div class="muted small hash">${T.hash + T.colon}${v.content_hash}</div>
      ${renderRequests(v)}
      ${v.signoffs.length ? html`<ul class="plain small" data-testid="minutes-v${v.number}-signoffs">${v.signoffs.map((s) => html`<li data-method=${s.method}>${s.name} · ${T.parties[s.party] || s.party} · ${s.decision === "signed" ? T.signed : T.refused}${s.note ? " · " + s.note : ""} · <span class="muted">${T.methods[s.method] || s.method} · ${when(s.at)}</span></li>`)}</ul>` : nothing}
    </li>`));
    const ended = draft.status === "ended";
    drawFinalise();
    $("minutes-correct").hidden = !ended || versions.length === 0;
    $("minutes-sign").hidden = !ended || versions.length === 0;
    $("minutes-request").hidden = !ended || versions.length === 0;
  }

  // Finalising cannot be undone: the first tap arms the button, the second finalises.
  function drawFinalise() {
    const shownNow = draft && draft.status === "ended" && !(draft.versions || []).length;
    draw($("minutes-finalise-row"), html`<button type="button" id="minutes-finalise" ?hidden=${!shownNow}
      class=${isArmed(FINALISE) ? "primary armed" : "primary"} data-confirm-key=${FINALISE}
      @click=${finalise}>${armedLabel(FINALISE, T.finalise)}</button>`);
  }

  async function finalise() {
    if (!confirmedBySecondTap(FINALISE, drawFinalise)) return;
    if (await run("minutes.finalise", {}) !== null) schedule(200);
  }

  // Whom the chair asked to sign a version on their phones, and who has answered (live: the
  // panel reloads with every event, minutes.signed included).
  function renderRequests(v) {
    if (!v.requests || !v.requests.length) return nothing;
    const answer = (r) => r.answer === "signed" ? T.signed : r.answer === "refused" ? T.refused : T.waiting;
    return html`<div class="small" data-testid="minutes-v${v.number}-requests"><strong>${T.asked}</strong>
      <ul class="plain">${v.requests.map((r) => html`<li data-answer=${r.answer || "waiting"}>${r.name} · ${T.parties[r.party] || r.party} · ${answer(r)}</li>`)}</ul></div>`;
  }

  // --- agreed items -------------------------------------------------------------------------
  const form = $("minutes-item-form");
  const FIELDS = ["what", "party", "person", "organisation", "due", "amount", "funding_source", "acceptance"];
  const CLEARABLE = ["person", "organisation", "due", "amount", "funding_source", "acceptance"];

  function resetForm() {
    form.reset();
    form.elements.id.value = "";
    $("minutes-item-save").textContent = T.add;
    $("minutes-item-cancel").hidden = true;
    forgetLocally(ITEM_FORM);
    preview();
  }

  // The item being typed is kept in the browser too, until it is added or given up.
  const ITEM_FORM = "agreed-item-form";
  function keepItemForm() {
    const values = Object.fromEntries(["id", ...FIELDS].map((name) => [name, form.elements[name].value]));
    if (values.what.trim() || values.id) {
      try { localStorage.setItem(storageKey(ITEM_FORM), JSON.stringify(values)); } catch (error) { /* kept in the page only */ }
    } else {
      forgetLocally(ITEM_FORM);
    }
  }
  function restoreItemForm() {
    const kept = localDraft(ITEM_FORM);
    if (!kept || typeof kept !== "object") return;
    for (const name of ["id", ...FIELDS]) if (typeof kept[name] === "string") form.elements[name].value = kept[name];
    if (kept.id) {
      $("minutes-item-save").textContent = T.save;
      $("minutes-item-cancel").hidden = false;
    }
    preview();
  }

  // The amount as typed ("12,500.5"), in fen; null when it is not a sum of money.
  function fenOf(text) {
    const match = /^([0-9][0-9,]*)(?:\.([0-9]{1,2}))?$/.exec(text);
    if (!match) return null;
    return Number(match[1].replace(/,/g, "")) * 100 + Number((match[2] || "0").padEnd(2, "0"));
  }

  function preview() {
    const box = $("minutes-item-preview");
    const values = Object.fromEntries(FIELDS.map((name) => [name, form.elements[name].value.trim()]));
    box.hidden = !values.what;
    if (!values.what) return;
    draw(box, html`<span class="muted small">${T.preview}</span> ${itemLine({
      ...values, amount_fen: values.amount ? fenOf(values.amount) : null })}`);
  }
  form.addEventListener("input", () => { preview(); keepItemForm(); });
  form.addEventListener("change", () => { preview(); keepItemForm(); });
  restoreItemForm();

  function valuesOf(item) {
    return { what: item.what, party: item.party, person: item.person, organisation: item.organisation,
             due: item.due || "", amount: item.amount_fen == null ? "" : money(item.amount_fen).replace(/,/g, ""),
             funding_source: item.funding_source || "", acceptance: item.acceptance };
  }

  $("minutes-items").addEventListener("click", async (event) => {
    const edit = event.target.closest("[data-edit]");
    const remove = event.target.closest("[data-remove]");
    if (edit) {
      const item = draft.action_items.find((i) => String(i.id) === edit.dataset.edit);
      const values = valuesOf(item);
      for (const name of FIELDS) form.elements[name].value = values[name] || "";
      form.elements.id.value = item.id;
      $("minutes-item-save").textContent = T.save;
      $("minutes-item-cancel").hidden = false;
      preview();
      form.elements.what.focus();
    } else if (remove) {
      if (await run("action_item.remove", { id: Number(remove.dataset.remove) }) !== null) schedule(200);
    }
  });
  $("minutes-item-cancel").addEventListener("click", resetForm);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = form.elements.id.value;
    const payload = {};
    let result;
    if (!id) {
      for (const name of FIELDS) {
        const value = form.elements[name].value.trim();
        if (value) payload[name] = value;
      }
      result = await run("action_item.add", payload);
    } else {
      const before = valuesOf(draft.action_items.find((i) => String(i.id) === id));
      const clear = [];
      for (const name of FIELDS) {
        const value = form.elements[name].value.trim();
        if (value === String(before[name] || "")) continue;
        if (!value && CLEARABLE.includes(name)) clear.push(name);
        else if (value) payload[name] = value;
      }
      if (clear.length) payload.clear = clear;
      payload.id = Number(id);
      result = await run("action_item.edit", payload);
    }
    if (result !== null) {
      resetForm();
      schedule(200);
    }
  });

  // --- versions -----------------------------------------------------------------------------
  $("minutes-correct").addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = event.target.elements.note.value.trim();
    if (await run("minutes.correct", { note }) !== null) {
      event.target.reset();
      schedule(200);
    }
  });
  $("minutes-sign").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const payload = { name: f.name.value.trim(), party: f.party.value, decision: f.decision.value };
    if (f.note.value.trim()) payload.note = f.note.value.trim();
    if (await run("minutes.record_signoff", payload) !== null) {
      event.target.reset();
      schedule(200);
    }
  });
  $("minutes-request").addEventListener("submit", async (event) => {
    event.preventDefault();
    const [kind, value] = event.target.elements.whom.value.split(":");
    const payload = kind === "party" ? { parties: [value] }
      : kind === "person" ? { participant_ids: [Number(value)] } : {};
    if (await run("minutes.request_signatures", payload) !== null) schedule(200);
  });

  schedule(0);
})();
