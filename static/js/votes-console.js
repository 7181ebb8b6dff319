// The console's plans and votes: plans with their money and revisions, proposals from phones,
// written authorisations, and votes from draft to result (with paper ballots for people
// without a phone). Every change is a command (store.send); the screens follow by events.
import { armedLabel, formatTime, isArmed, keepFocus, tr } from "./live.js";
import { confirmedByButton, escapeHtml } from "./legacy.js";
import { store as consoleStore } from "./console.js";
import { plansConsole } from "./plans-console.js";
import { votesUi as ui } from "./votes-common.js";

(function () {
  const root = document.getElementById("votes-console");
  if (!root) return;
  const $ = (sel) => root.querySelector(sel);
  const MATTERS = ["use_fund", "raise_fund", "alter_rebuild", "change_use", "property_manager", "committee", "covenant", "rules_of_procedure", "other_major"];
  let lastStatic = null;

  function store() { return consoleStore; }

  function showError(message) {
    const box = $("#votes-error");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  async function run(type, payload) {
    try {
      return await store().send(type, payload);
    } catch (error) {
      showError(error.message || String(error));
      return null;
    }
  }

  // A value of a revision's change, as the moderator reads it.
  function revisionValue(field, value) {
    if (value === null || value === undefined || value === "") return "—";
    if (field === "total") return tr("votes.yuan", { amount: ui.formatYuan(value) });
    if (field === "funding") {
      const parts = Object.entries(value).map(([s, fen]) => `${tr("funding." + s)} ${ui.formatYuan(fen)}`);
      return parts.length ? parts.join(tr("punct.comma")) : "—";
    }
    if (field === "matters") return value.length ? value.map((m) => tr("matter." + m)).join(tr("punct.comma")) : "—";
    if (field === "proposer_party") return tr("party." + value);
    if (field === "status") return tr("plan_status." + value);
    const text = String(value);
    return text.length > 80 ? text.slice(0, 80) + "…" : text;
  }

  function revisionsHtml(plan) {
    const revisions = plan.revisions || [];
    if (!revisions.length) return "";
    const items = revisions.slice().reverse().map((r) => {
      const changes = Object.entries(r.changes || {}).map(([field, [before, after]]) =>
        `<li><span class="muted">${escapeHtml(tr("field." + field) + tr("punct.colon"))}</span>`
        + (r.kind === "edited" ? `<del>${escapeHtml(revisionValue(field, before))}</del> → ` : "")
        + `${escapeHtml(revisionValue(field, after))}</li>`).join("");
      return `<li data-revision="${r.number}"><p class="small">${escapeHtml(tr("votes.revision_line", {
        number: r.number, kind: tr("votes.revision_" + r.kind), by: r.by || "?",
        at: formatTime(r.at) }))}${r.note ? " · " + escapeHtml(r.note) : ""}</p><ul class="revision-changes small">${changes}</ul></li>`;
    }).join("");
    return `<details class="plan-revisions" data-details="rev-${plan.id}"><summary>${escapeHtml(tr("votes.revisions", { n: revisions.length }))}</summary><ol class="revision-list" reversed>${items}</ol></details>`;
  }

  // Puts the plan or vote alone on the room's screen (screen.focus); pressed while it is.
  function screenButton(show, id, label) {
    const focus = ((store().state || {}).meeting || {}).screen_focus;
    const on = Boolean(focus && focus.kind === show && focus.id === id);
    return `<button type="button" data-act="screen.focus" data-show="${show}" data-id="${id}" aria-pressed="${on}">`
      + `${escapeHtml(tr(label))}</button>`;
  }

  function planCard(plan) {
    const actions = plan.status === "proposed"
      ? `<button type="button" data-act="plan.accept" data-id="${plan.id}" class="primary">${escapeHtml(tr("votes.accept"))}</button>`
        + `<button type="button" data-act="plan.decline" data-id="${plan.id}">${escapeHtml(tr("votes.decline"))}</button>`
      : "";
    const edit = `<button type="button" data-act="plan.edit-open" data-id="${plan.id}">${escapeHtml(tr("votes.edit_plan"))}</button>`
      + (plan.status === "accepted" ? screenButton("plan", plan.id, "screen.show_plan") : "");
    const party = plan.proposer_party ? escapeHtml(tr("punct.paren", { text: tr("party." + plan.proposer_party) })) : "";
    return `<li class="plan plan-${plan.status}" data-plan="${plan.id}"><div class="row-between"><strong>${escapeHtml(plan.key || "?")} · ${escapeHtml(plan.title)}</strong>`
      + `<span class="badge">${escapeHtml(tr("plan_status." + plan.status))} · ${escapeHtml(tr("votes.revision_short", { n: plan.revision }))}</span></div>`
      + (plan.proposer ? `<p class="muted small">${escapeHtml(tr("field.proposer") + tr("punct.colon"))}${escapeHtml(plan.proposer)}${party}</p>` : "")
      + (plan.description ? `<p class="small plan-description">${escapeHtml(plan.description)}</p>` : "")
      + ui.planMoneyHtml(plan)
      + (plan.risks ? `<p class="small plan-risks">${escapeHtml(tr("field.risks") + tr("punct.colon"))}${escapeHtml(plan.risks)}</p>` : "")
      + revisionsHtml(plan) + `<div class="button-row">${actions}${edit}</div></li>`;
  }

  function voteCard(state, vote) {
    const live = store().tallies[String(vote.id)];
    const buttons = [];
    if (vote.status === "draft") buttons.push(["vote.open", "votes.open", "primary"]);
    // A written ballot closes by itself at its deadline (the server refuses an early close).
    if (vote.status === "open" && !vote.written_since) buttons.push(["vote.close", "votes.close", "primary"]);
    if (vote.status === "draft" || vote.status === "open") buttons.push(["vote.cancel", "votes.cancel", "danger"]);
    let html = `<li class="vote vote-${vote.status}" data-vote="${vote.id}"><div class="row-between">`
      + `<strong>#${vote.number} ${escapeHtml(vote.title)}</strong><span class="badge">${escapeHtml(tr("vote_status." + vote.status))}</span></div>`
      + `<p class="muted small">${escapeHtml(ui.kindLabel(vote))} · ${escapeHtml(tr("vote_method." + vote.method))} · `
      + `${escapeHtml(tr("vote_eligibility." + vote.eligibility))} · ${escapeHtml(tr(vote.secret ? "votes.secret" : "votes.named"))}`
      + `${vote.rule ? " · " + escapeHtml(tr("vote_rule." + vote.rule)) : ""}${vote.channel === "elsewhere" ? " · " + escapeHtml(tr("vote_channel.elsewhere")) : ""}`
      + `${vote.verified_only ? " · " + escapeHtml(tr("votes.verified_only")) : ""}</p>`
      + (vote.kind === "owners_decision" && vote.channel === "meeting" && (vote.status === "open" || vote.written_since)
        ? `<p class="small"><a href="/meetings/${state.meeting.id}/votes/${vote.id}/written" data-testid="written-link-${vote.id}">`
          + `${escapeHtml(tr(vote.written_since ? "written.title" : "written.open_page"))}</a></p>` : "")
      + `<div class="button-row">${buttons.map(([act, label, cls]) =>
        `<button type="button" class="${cls}${isArmed(`${act}:${vote.id}`) ? " armed" : ""}" data-act="${act}" data-id="${vote.id}"`
        + ` data-label="${escapeHtml(tr(label))}" data-confirm-key="${act}:${vote.id}">`
        + `${escapeHtml(armedLabel(`${act}:${vote.id}`, tr(label)))}</button>`).join("")}`
      + `${vote.status === "open" || vote.status === "closed" ? screenButton("vote", vote.id, "screen.show_vote") : ""}</div>`;
    if (vote.status === "open") {
      html += `<div class="vote-live" data-live="${vote.id}">${liveHtml(vote, live)}</div>`;
      const options = [...vote.options.map((o) => o.key), "abstain"];
      const people = Object.values(state.participants || {}).filter((p) => p.status === "admitted" && p.party !== "observer");
      const id = `pb-${vote.id}`;
      const voter = vote.channel === "elsewhere"
        ? `<label class="visually-hidden" for="${id}-voter">${escapeHtml(tr("votes.ballot_owner"))}</label><input id="${id}-voter" name="owner_key" list="roster-owners" placeholder="${escapeHtml(tr("votes.ballot_owner"))}" required maxlength="40">`
        : `<label class="visually-hidden" for="${id}-voter">${escapeHtml(tr("votes.ballot_voter"))}</label><select id="${id}-voter" name="participant_id" required>${people.map((p) => `<option value="${p.id}">${escapeHtml(p.name)}${p.unit ? " · " + escapeHtml(p.unit) : ""}</option>`).join("")}</select>`;
      if (vote.channel === "elsewhere") html += `<p class="muted small">${escapeHtml(tr("votes.elsewhere_hint"))}${vote.channel_note ? " · " + escapeHtml(vote.channel_note) : ""}</p>`;
      if (vote.totals_entered) {
        html += `<p class="totals-entered" data-testid="totals-entered">${escapeHtml(tr("votes.totals_entered"))}</p>`;
      } else {
        html += `<form class="inline-form paper-ballot" data-vote="${vote.id}"><span class="muted small">${escapeHtml(tr("votes.paper_ballot"))}</span>${voter}`
          + `<label class="visually-hidden" for="${id}-choice">${escapeHtml(tr("field.choices"))}</label>`
          + `<select id="${id}-choice" name="choice">${options.map((k) => `<option value="${escapeHtml(k)}">${escapeHtml(ui.choiceLabel(vote, k))}</option>`).join("")}</select>`
          + `<button type="submit">${escapeHtml(tr("live.add"))}</button></form>`;
      }
      if (vote.channel === "elsewhere" && (vote.method === "single" || vote.method === "yes_no")) {
        html += `<details class="totals" data-details="totals-${vote.id}"><summary>${escapeHtml(tr("votes.enter_totals"))}</summary>`
          + `<form class="totals-form stack-sm" data-vote="${vote.id}"><div class="totals-grid">${options.map((k) => {
            const label = ui.choiceLabel(vote, k);
            return `<label for="${id}-${escapeHtml(k)}-owners">${escapeHtml(tr("votes.totals_owners", { choice: label }))}</label>`
              + `<input id="${id}-${escapeHtml(k)}-owners" name="owners_${escapeHtml(k)}" type="number" min="0" step="1" value="0" class="narrow-input" required>`
              + `<label for="${id}-${escapeHtml(k)}-area">${escapeHtml(tr("votes.totals_area", { choice: label }))}</label>`
              + `<input id="${id}-${escapeHtml(k)}-area" name="area_${escapeHtml(k)}" inputmode="decimal" value="0" class="narrow-input" required>`;
          }).join("")}</div><button type="submit">${escapeHtml(tr("votes.enter_totals"))}</button></form></details>`;
      }
    }
    if (vote.status === "closed") html += ui.resultHtml(vote);
    return html + "</li>";
  }

  function liveHtml(vote, live) {
    if (!live) return "";
    let html = ui.participationHtml(vote, live);
    if (live.tally) html += ui.tallyBars(vote, live.tally);
    else html += `<p class="muted">${escapeHtml(tr("votes.results_hidden"))}</p>`;
    return html;
  }

  function forms(state) {
    const plans = ui.sortedPlans(state, "accepted");
    const people = Object.values(state.participants || {}).filter((p) => p.status === "admitted");
    // Every control named by a label (hidden where the form is a row of fields: the
    // placeholder or the first option says what it is to the eye).
    const named = (id, key) => `<label class="visually-hidden" for="${id}">${escapeHtml(tr(key))}</label>`;
    return `<form id="vote-new" class="stack-sm"><h3>${escapeHtml(tr("votes.new"))}</h3><div class="inline-form">`
      + named("vote-new-title", "field.title")
      + `<input id="vote-new-title" name="title" maxlength="200" required placeholder="${escapeHtml(tr("field.title"))}">`
      + named("vote-new-kind", "field.kind")
      + `<select id="vote-new-kind" name="kind">${["straw_poll", "owners_decision"].map((k) => `<option value="${k}">${escapeHtml(tr("vote_kind." + k))}</option>`).join("")}</select>`
      + named("vote-new-method", "field.method")
      + `<select id="vote-new-method" name="method">${["single", "yes_no", "approval", "ranked"].map((k) => `<option value="${k}">${escapeHtml(tr("vote_method." + k))}</option>`).join("")}</select>`
      + named("vote-new-eligibility", "field.eligibility")
      + `<select id="vote-new-eligibility" name="eligibility"><option value="">—</option>${["owners_present", "present", "scope_owners"].map((k) => `<option value="${k}">${escapeHtml(tr("vote_eligibility." + k))}</option>`).join("")}</select>`
      + named("vote-new-channel", "field.channel")
      + `<select id="vote-new-channel" name="channel">${["meeting", "elsewhere"].map((k) => `<option value="${k}">${escapeHtml(tr("vote_channel." + k))}</option>`).join("")}</select></div>`
      + `<div class="inline-form">${plans.map((p) => `<label class="check"><input type="checkbox" name="plan" value="${escapeHtml(p.key)}" checked> ${escapeHtml(p.key)}</label>`).join("")}`
      + named("vote-new-plan", "field.plan_id")
      + `<select id="vote-new-plan" name="plan_id"><option value="">${escapeHtml(tr("field.plan_id") + tr("punct.colon"))}—</option>${plans.map((p) => `<option value="${p.id}">${escapeHtml(p.key)} · ${escapeHtml(p.title)}</option>`).join("")}</select>`
      + `<label class="check"><input type="checkbox" name="secret"> ${escapeHtml(tr("field.secret"))}</label>`
      + `<label class="small" for="vote-verified-only">${escapeHtml(tr("field.verified_only"))}</label><select id="vote-verified-only" name="verified_only">`
      + `<option value="">${escapeHtml(tr("votes.verified_default"))}</option><option value="1">${escapeHtml(tr("votes.verified_only"))}</option><option value="0">${escapeHtml(tr("votes.verified_not_required"))}</option></select>`
      + `<label class="check"><input type="checkbox" name="live_results"> ${escapeHtml(tr("field.show_results"))}</label>`
      + `<label class="check"><input type="checkbox" name="allow_change"> ${escapeHtml(tr("field.allow_change"))}</label>`
      + named("vote-new-duration", "field.duration_seconds")
      + `<input id="vote-new-duration" name="duration_seconds" type="number" min="10" class="narrow-input" placeholder="${escapeHtml(tr("field.duration_seconds"))}">`
      + named("vote-new-recused", "field.recused")
      + `<input id="vote-new-recused" name="recused" class="narrow-input" placeholder="${escapeHtml(tr("field.recused"))}" title="${escapeHtml(tr("votes.recused_hint"))}"></div>`
      + `<fieldset class="vote-matters"><legend class="small">${escapeHtml(tr("field.matters"))}</legend>${MATTERS.map((m) => `<label class="check small"><input type="checkbox" name="matter" value="${m}"> ${escapeHtml(tr("matter." + m))}</label>`).join("")}</fieldset>`
      + `<div class="inline-form"><label class="small" for="vote-channel-note">${escapeHtml(tr("field.channel_note"))}</label><input id="vote-channel-note" name="channel_note" maxlength="200"></div>`
      + `<button type="submit" class="primary">${escapeHtml(tr("live.add"))}</button></form>`
      + `<form id="proxy-new" class="inline-form"><span class="muted small">${escapeHtml(tr("votes.record_proxy"))}</span>`
      + named("proxy-new-holder", "votes.proxy_holder")
      + `<select id="proxy-new-holder" name="participant_id">${people.map((p) => `<option value="${p.id}">${escapeHtml(p.name)}</option>`).join("")}</select>`
      + named("proxy-new-owner", "field.owner_key")
      + `<input id="proxy-new-owner" name="owner_key" list="roster-owners" required maxlength="40" placeholder="${escapeHtml(tr("field.owner_key"))}">`
      + named("proxy-new-note", "field.note")
      + `<input id="proxy-new-note" name="note" required maxlength="200" placeholder="${escapeHtml(tr("field.note"))}">`
      + `<button type="submit">${escapeHtml(tr("live.add"))}</button></form>`;
  }

  function render(s) {
    const state = s.state;
    if (!state || !state.votes) return;
    const plans = ui.sortedPlans(state).filter((p) => p.status !== "declined");
    const proxies = Object.values(state.proxies || {}).filter((p) => p.status === "active");
    const html = `<p id="votes-error" class="flash error" role="alert" hidden></p>`
      + `<div class="votes-cols"><section class="card"><div class="row-between"><h2>${escapeHtml(tr("votes.plans"))}</h2>`
      + `<button type="button" id="plan-new-open" data-act="plan.new-open">${escapeHtml(tr("votes.new_plan"))}</button></div>`
      + `<ul class="plan-list">${plans.map(planCard).join("")}</ul>`
      + `<h3>${escapeHtml(tr("votes.proxies"))}</h3><ul class="people-list">${proxies.map((p) => {
        const holder = (state.participants || {})[String(p.participant_id)];
        return `<li>${escapeHtml(holder ? holder.name : "?")} → ${escapeHtml(p.owner_key)} ${escapeHtml(p.owner_name)}${escapeHtml(tr("punct.paren", { text: p.units.join(tr("punct.list")) }))}`
          + ` <button type="button" class="link" data-act="proxy.revoke" data-id="${p.id}">${escapeHtml(tr("votes.revoke"))}</button></li>`;
      }).join("")}</ul></section>`
      + `<section class="card"><h2>${escapeHtml(tr("votes.title"))}</h2><ul class="vote-list">${ui.sortedVotes(state).reverse()
        .filter((v) => v.status !== "cancelled").map((v) => voteCard(state, v)).join("")}</ul>`
      + `<div id="votes-forms"></div></section></div>`;
    if (html !== lastStatic) {
      const errorBox = $("#votes-error");
      const keepError = errorBox && !errorBox.hidden ? errorBox.textContent : null;
      const oldForms = $("#votes-forms");
      lastStatic = html;
      const keptForms = oldForms ? oldForms.firstChild && oldForms : null;
      const openDetails = [...root.querySelectorAll("details[open][data-details]")].map((d) => d.dataset.details);
      const typing = [...root.querySelectorAll(".totals-form input, .paper-ballot input")].map((i) => [i.id, i.value]);
      // The keyboard keeps its place (store.js): on the vote it opened or closed, in the form.
      keepFocus(root, () => {
        root.innerHTML = html;
        for (const key of openDetails) {
          const box = root.querySelector(`details[data-details="${key}"]`);
          if (box) box.open = true;
        }
        for (const [inputId, value] of typing) {
          const input = inputId && root.querySelector(`#${CSS.escape(inputId)}`);
          if (input) input.value = value;
        }
        const formsBox = $("#votes-forms");
        // The forms keep what the moderator is typing; rebuilt only when their options change.
        const formsHtml = forms(state);
        if (keptForms && keptForms.dataset.html === formsHtml) {
          formsBox.replaceWith(keptForms);
        } else {
          formsBox.innerHTML = formsHtml;
          formsBox.dataset.html = formsHtml;
        }
      });
      if (keepError) showError(keepError);
    }
    renderLive(s);
  }

  function renderLive(s) {
    for (const box of root.querySelectorAll("[data-live]")) {
      const vote = (s.state.votes || {})[box.dataset.live];
      if (vote) box.innerHTML = liveHtml(vote, s.tallies[box.dataset.live]);
    }
  }

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.dataset.id);
    const act = button.dataset.act;
    if (act === "plan.new-open" || act === "plan.edit-open") {
      if (!plansConsole.open) return;
      const plan = act === "plan.edit-open" ? ((store().state || {}).plans || {})[String(id)] : null;
      plansConsole.open(plan || null);
      return;
    }
    if ((act === "vote.close" || act === "vote.cancel")
        && !confirmedByButton(button, `${act}:${id}`)) return;
    if (act === "screen.focus") {
      await run(act, { show: button.dataset.show, id });
    } else if (act === "plan.decline") {
      const reason = window.prompt(tr("field.reason"), "");
      if (reason === null) return;
      await run(act, { id, reason: reason || null });
    } else {
      await run(act, { id });
    }
  });

  root.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const data = new FormData(form);
    if (form.id === "vote-new") {
      const method = data.get("method");
      const payload = {
        kind: data.get("kind"), method, title: data.get("title"),
        eligibility: data.get("eligibility") || null, channel: data.get("channel"),
        secret: data.get("secret") === "on", allow_change: data.get("allow_change") === "on",
        duration_seconds: data.get("duration_seconds") || null,
        recused: (data.get("recused") || "").split(/[\s,，]+/).filter(Boolean),
        matters: data.getAll("matter"), channel_note: (data.get("channel_note") || "").trim(),
      };
      if (data.get("live_results") === "on") payload.show_results = "live";
      if (data.get("verified_only")) payload.verified_only = data.get("verified_only") === "1";
      if (method === "yes_no") payload.plan_id = data.get("plan_id") ? Number(data.get("plan_id")) : null;
      else payload.plans = data.getAll("plan");
      const ok = await run("vote.create", payload);
      if (ok) form.reset();
    } else if (form.id === "proxy-new") {
      const ok = await run("proxy.record", { participant_id: Number(data.get("participant_id")),
                                             owner_key: data.get("owner_key"), note: data.get("note") });
      if (ok) form.reset();
    } else if (form.classList.contains("paper-ballot")) {
      const payload = { vote_id: Number(form.dataset.vote), choices: [data.get("choice")] };
      if (data.get("participant_id")) payload.participant_id = Number(data.get("participant_id"));
      if (data.get("owner_key")) payload.owner_key = data.get("owner_key");
      const ok = await run("ballot.record", payload);
      if (ok && form.owner_key) { form.owner_key.value = ""; form.owner_key.focus(); }
    } else if (form.classList.contains("totals-form")) {
      const vote = (store().state.votes || {})[form.dataset.vote];
      if (!vote) return;
      const totals = {};
      for (const key of [...vote.options.map((o) => o.key), "abstain"]) {
        const owners = Number(data.get("owners_" + key) || 0);
        const area = String(data.get("area_" + key) || "0").trim() || "0";
        if (owners || area.replace(/[0.,]/g, "")) totals[key] = { owners, area: area.replace(/,/g, "") };
      }
      await run("vote.enter_totals", { id: vote.id, totals });
    }
  });

  document.addEventListener("live:change", (e) => { if (e.detail.state) render(e.detail.store); });
  document.addEventListener("live:tally", (e) => { if (e.detail.store.state) renderLive(e.detail.store); });
})();
