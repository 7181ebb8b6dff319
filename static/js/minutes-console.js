// The console's minutes panel (纪要): the live draft as it grows, the clerk's text sections,
// the agreed items, finalising, corrections and sign-off. Every change is a command
// (minutes.write, action_item.*, minutes.finalise/correct, minutes.request_signatures to send
// a version to the phones for signature, minutes.record_signoff for someone without a phone);
// the draft itself is built
// on the server from the event log and fetched again (debounced) whenever events arrive.
import { confirmedByButton, dataAttrs, escapeHtml, redraw } from "./legacy.js";
import { run, send } from "./console.js";
import { timezone } from "./config.js";

(function () {
  const panel = document.getElementById("minutes-panel");
  if (!panel) return;
  const $ = (id) => document.getElementById(id);
  const T = JSON.parse($("minutes-i18n").textContent);
  const escapeHtml = (text) => String(text == null ? "" : text).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
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
    $("minutes-request-people").innerHTML = people.map((p) =>
      `<option value="person:${p.id}">${escapeHtml(p.name)} · ${escapeHtml(T.parties[p.party] || p.party)}</option>`).join("");
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
    // Drawn again only when changed, the focus kept in place (live.js): the draft is fetched
    // again after every change of the meeting.
    redraw($("minutes-draft-links"), `<span class="muted small">${escapeHtml(T.draft_download + T.colon)}</span> ` +
      inOrder(draft.draft_links).map(([fmt, url]) =>
        `<a class="button small" href="${escapeHtml(url)}" data-testid="minutes-draft-${fmt}">${fmt.toUpperCase()}</a>`).join(" "));
    renderSections();
    renderItems();
    renderVersions();
  }

  function sectionKeys() {
    const keys = (draft.agenda || []).map((item) => ({ key: "item:" + item.id,
      // The item's title is data (dataAttrs), the rest the catalogue's words.
      label: escapeHtml(T.item).replace(/\{(\w+)\}/g, (_, k) => (k === "title"
        ? `<span${dataAttrs()}>${escapeHtml(item.title)}</span>` : escapeHtml(k === "n" ? item.number : ""))) }));
    return keys.concat(FIXED.map((key) => ({ key, label: escapeHtml(T.sections[key]) })));
  }

  function renderSections() {
    const box = $("minutes-sections");
    for (const { key, label } of sectionKeys()) {
      let row = box.querySelector(`[data-section="${CSS.escape(key)}"]`);
      if (!row) {
        row = document.createElement("div");
        row.className = "minutes-section";
        row.dataset.section = key;
        row.innerHTML = `<label><span></span><textarea rows="${key === "title" ? 1 : 3}" maxlength="10000"></textarea></label>
          <div class="button-row"><button type="button">${escapeHtml(T.save)}</button><span class="muted small" role="status"></span></div>`;
        const area = row.querySelector("textarea");
        area.addEventListener("input", () => {
          if (!dirty.has(key)) base[key] = key in shown ? shown[key] : revisionOf(key);
          dirty.add(key);
          keepLocally(key, area.value);
          row.querySelector("[role=status]").textContent = "";
        });
        row.querySelector("button").addEventListener("click", () => save(key, row));
        box.appendChild(row);
      }
      const head = row.querySelector("label > span");
      if (head.innerHTML !== label) head.innerHTML = label;
      const area = row.querySelector("textarea");
      const server = (draft.sections || {})[key] || "";
      const kept = dirty.has(key) ? null : localDraft(key);
      if (kept && kept.text !== server) {
        area.value = kept.text;
        base[key] = kept.base == null ? revisionOf(key) : kept.base;
        dirty.add(key);
        row.querySelector("[role=status]").textContent = T.draft_restored;
      } else if (kept) {
        forgetLocally(key); // the server has it
      }
      if (!dirty.has(key) && (document.activeElement !== area || area.value === server)) {
        if (area.value !== server) area.value = server;
        shown[key] = revisionOf(key);
      }
      if (conflicts.has(key)) showConflict(key, row);
    }
  }

  async function save(key, row) {
    const area = row.querySelector("textarea");
    const text = area.value;
    const status = row.querySelector("[role=status]");
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
        status.textContent = (error && error.message) || String(error);
        return;
      }
    }
    // The revision the server holds `text` at now (none known when it had it already).
    const revision = saved && saved.revision != null ? saved.revision : revisionOf(key);
    if (area.value !== text) {
      // Typed on while the save was on its way: that part is still to save, from this
      // revision, and kept in the browser meanwhile.
      base[key] = revision;
      conflicts.delete(key);
      const box = row.querySelector(".minutes-conflict");
      if (box) box.remove();
      keepLocally(key, area.value);
    } else {
      settle(key, row);
      shown[key] = revision;
    }
    status.textContent = T.saved;
    schedule(200);
  }

  // The section is as the server has it: nothing left to keep or decide.
  function settle(key, row) {
    dirty.delete(key);
    delete base[key];
    conflicts.delete(key);
    forgetLocally(key);
    const box = row.querySelector(".minutes-conflict");
    if (box) box.remove();
  }

  // Someone else wrote the section while this clerk typed: show theirs beside the text typed
  // here, and let the clerk take theirs or save this one over it, knowingly.
  function showConflict(key, row) {
    let box = row.querySelector(".minutes-conflict");
    if (!box) {
      box = document.createElement("div");
      box.className = "minutes-conflict";
      box.setAttribute("role", "alert");
      box.dataset.testid = "minutes-conflict";
      box.innerHTML = `<p></p><p class="small muted"></p><blockquote></blockquote>
        <div class="button-row"><button type="button" class="primary" data-keep-mine></button>
        <button type="button" data-take-theirs></button></div>`;
      box.querySelector("[data-keep-mine]").addEventListener("click", () => {
        base[key] = revisionOf(key);
        conflicts.delete(key);
        box.remove();
        save(key, row);
      });
      box.querySelector("[data-take-theirs]").addEventListener("click", () => {
        settle(key, row);
        row.querySelector("textarea").value = (draft.sections || {})[key] || "";
        shown[key] = revisionOf(key);
      });
      row.appendChild(box);
    }
    box.querySelector("p").textContent = T.conflict;
    box.querySelector("p.small").textContent = T.conflict_theirs;
    box.querySelector("blockquote").textContent = (draft.sections || {})[key] || T.conflict_empty;
    box.querySelector("[data-keep-mine]").textContent = T.keep_mine;
    box.querySelector("[data-take-theirs]").textContent = T.take_theirs;
  }

  function money(fen) {
    if (fen == null) return "";
    const yuan = Math.floor(fen / 100).toLocaleString("en-US");
    return yuan + "." + String(fen % 100).padStart(2, "0");
  }

  // An agreed item as the list shows it, and as the form's preview shows it before it is saved.
  function itemLine(item) {
    return `<strong>${escapeHtml(item.what)}</strong>
      <span class="muted">${escapeHtml(T.parties[item.party] || item.party)}${item.organisation ? " · " + escapeHtml(item.organisation) : ""}${item.person ? " · " + escapeHtml(item.person) : ""}${item.due ? " · " + escapeHtml(item.due) : ""}${item.amount_fen != null ? " · ¥" + money(item.amount_fen) + (item.funding_source ? " " + escapeHtml(T.funding[item.funding_source] || item.funding_source) : "") : ""}</span>`;
  }

  function renderItems() {
    redraw($("minutes-items"), (draft.action_items || []).map((item) => `<li data-id="${item.id}">
      ${itemLine(item)}
      <span class="button-row"><button type="button" class="small" data-edit="${item.id}">${escapeHtml(T.edit)}</button>
      <button type="button" class="small danger" data-remove="${item.id}" ${item.status !== "open" ? "disabled" : ""}>${escapeHtml(T.remove)}</button></span></li>`).join(""));
  }

  function renderVersions() {
    const versions = draft.versions || [];
    redraw($("minutes-versions"), versions.map((v) => `<li>
      <strong>${escapeHtml(fill(T.version_n, { n: v.number }))}</strong>
      ${inOrder(v.links).map(([fmt, url]) => `<a href="${escapeHtml(url)}" data-testid="minutes-v${v.number}-${fmt}">${fmt.toUpperCase()}</a>`).join(" ")}
      <div class="muted small">${escapeHtml(v.created_by)} · ${escapeHtml(when(v.created_at))}${v.note ? " · " + escapeHtml(v.note) : ""}</div>
      ${v.changes && v.changes.length ? `<div class="muted small">${escapeHtml(fill(T.changes, { sections: v.changes.map((c) => T.parts[c.section] || c.section).join(T.list) }))}</div>` : ""}
      <div class="muted small hash">${escapeHtml(T.hash + T.colon)}${escapeHtml(v.content_hash)}</div>
      ${renderRequests(v)}
      ${v.signoffs.length ? `<ul class="plain small" data-testid="minutes-v${v.number}-signoffs">${v.signoffs.map((s) => `<li data-method="${escapeHtml(s.method)}">${escapeHtml(s.name)} · ${escapeHtml(T.parties[s.party] || s.party)} · ${escapeHtml(s.decision === "signed" ? T.signed : T.refused)}${s.note ? " · " + escapeHtml(s.note) : ""} · <span class="muted">${escapeHtml(T.methods[s.method] || s.method)} · ${escapeHtml(when(s.at))}</span></li>`).join("")}</ul>` : ""}
    </li>`).join(""));
    const ended = draft.status === "ended";
    $("minutes-finalise").hidden = !ended || versions.length > 0;
    $("minutes-correct").hidden = !ended || versions.length === 0;
    $("minutes-sign").hidden = !ended || versions.length === 0;
    $("minutes-request").hidden = !ended || versions.length === 0;
  }

  // Whom the chair asked to sign a version on their phones, and who has answered (live: the
  // panel reloads with every event, minutes.signed included).
  function renderRequests(v) {
    if (!v.requests || !v.requests.length) return "";
    const answer = (r) => r.answer === "signed" ? T.signed : r.answer === "refused" ? T.refused : T.waiting;
    return `<div class="small" data-testid="minutes-v${v.number}-requests"><strong>${escapeHtml(T.asked)}</strong>
      <ul class="plain">${v.requests.map((r) => `<li data-answer="${escapeHtml(r.answer || "waiting")}">${escapeHtml(r.name)} · ${escapeHtml(T.parties[r.party] || r.party)} · ${escapeHtml(answer(r))}</li>`).join("")}</ul></div>`;
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
    box.innerHTML = `<span class="muted small">${escapeHtml(T.preview)}</span> ` + itemLine({
      ...values, amount_fen: values.amount ? fenOf(values.amount) : null });
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
  $("minutes-finalise").addEventListener("click", async (e) => {
    if (!confirmedByButton(e.currentTarget, "minutes.finalise")) return;
    if (await run("minutes.finalise", {}) !== null) schedule(200);
  });
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
