// The console's plans and votes: plans with their money and revisions, proposals from phones,
// written authorisations, and votes from draft to result (with paper ballots for people
// without a phone). Every change is a command (store.send); the screens follow by events.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { armedLabel, confirmedBySecondTap, draw, formatTime, isArmed, tr } from "./live.js";
import { store } from "./console.js";
import { plansConsole } from "./plans-console.js";
import { votesUi as ui } from "./votes-common.js";

(function () {
  const root = document.getElementById("votes-console");
  if (!root) return;
  const MATTERS = ["use_fund", "raise_fund", "alter_rebuild", "change_use", "property_manager", "committee", "covenant", "rules_of_procedure", "other_major"];
  const ERROR_MS = 8000;
  let error = null; // the last refusal, shown above the panel for a while
  let errorTimer = null;
  let declining = null; // the id of the proposed plan whose decline form is open

  function showError(message) {
    error = message;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => { error = null; redraw(); }, ERROR_MS);
    redraw();
  }

  async function run(type, payload) {
    try {
      return await store.send(type, payload);
    } catch (refusal) {
      showError(refusal.message || String(refusal));
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

  function revisions(plan) {
    const list = plan.revisions || [];
    if (!list.length) return nothing;
    const row = (r) => html`<li data-revision=${r.number}><p class="small">${tr("votes.revision_line", {
      number: r.number, kind: tr("votes.revision_" + r.kind), by: r.by || "?", at: formatTime(r.at) })}${
      r.note ? " · " + r.note : ""}</p><ul class="revision-changes small">${
      Object.entries(r.changes || {}).map(([field, [before, after]]) => html`<li><span
        class="muted">${tr("field." + field) + tr("punct.colon")}</span>${
        r.kind === "edited" ? html`<del>${revisionValue(field, before)}</del> → ` : nothing}${revisionValue(field, after)}</li>`)}</ul></li>`;
    return html`<details class="plan-revisions" data-details="rev-${plan.id}"><summary>${
      tr("votes.revisions", { n: list.length })}</summary><ol class="revision-list" reversed>${
      repeat(list.slice().reverse(), (r) => r.number, row)}</ol></details>`;
  }

  // Puts the plan or vote alone on the room's screen (screen.focus); pressed while it is.
  function screenButton(show, id, label) {
    const focus = ((store.state || {}).meeting || {}).screen_focus;
    const on = Boolean(focus && focus.kind === show && focus.id === id);
    return html`<button type="button" data-act="screen.focus" data-show=${show} data-id=${id} aria-pressed=${String(on)}>${tr(label)}</button>`;
  }

  // Declining a proposal asks for its reason in place, under the plan (optional; Escape or
  // Cancel leaves the plan proposed).
  function declineForm(plan) {
    const id = `decline-reason-${plan.id}`;
    return html`<form class="decline-form inline-form" data-plan=${plan.id}><label class="small" for=${id}>${
      tr("votes.decline_reason")}</label><input id=${id} name="reason" maxlength="500"><button
      type="submit" class="danger">${tr("votes.decline")}</button><button type="button"
      data-act="plan.decline-cancel" data-id=${plan.id}>${tr("live.cancel")}</button></form>`;
  }

  function planActions(plan) {
    if (plan.status !== "proposed") return nothing;
    if (declining === plan.id) return nothing;
    return html`<button type="button" data-act="plan.accept" data-id=${plan.id} class="primary">${tr("votes.accept")}</button><button
      type="button" data-act="plan.decline" data-id=${plan.id}>${tr("votes.decline")}</button>`;
  }

  function planCard(plan) {
    const party = plan.proposer_party ? tr("punct.paren", { text: tr("party." + plan.proposer_party) }) : "";
    return html`<li class="plan plan-${plan.status}" data-plan=${plan.id}><div class="row-between"><strong>${plan.key || "?"} · ${plan.title}</strong><span
      class="badge">${tr("plan_status." + plan.status)} · ${tr("votes.revision_short", { n: plan.revision })}</span></div>${
      plan.proposer ? html`<p class="muted small">${tr("field.proposer") + tr("punct.colon")}${plan.proposer}${party}</p>` : nothing}${
      plan.description ? html`<p class="small plan-description">${plan.description}</p>` : nothing}${
      ui.planMoney(plan)}${
      plan.risks ? html`<p class="small plan-risks">${tr("field.risks") + tr("punct.colon")}${plan.risks}</p>` : nothing}${
      revisions(plan)}<div class="button-row">${planActions(plan)}<button type="button" data-act="plan.edit-open" data-id=${plan.id}>${
      tr("votes.edit_plan")}</button>${plan.status === "accepted" ? screenButton("plan", plan.id, "screen.show_plan") : nothing}</div>${
      plan.status === "proposed" && declining === plan.id ? declineForm(plan) : nothing}</li>`;
  }

  // Closing and cancelling a vote take a second tap (live.js).
  function voteButton(vote, act, label, cls) {
    const key = `${act}:${vote.id}`;
    return html`<button type="button" class="${cls}${isArmed(key) ? " armed" : ""}" data-act=${act} data-id=${vote.id}
      data-confirm-key=${key}>${armedLabel(key, tr(label))}</button>`;
  }

  function settingsLine(vote) {
    const parts = [ui.kindLabel(vote), tr("vote_method." + vote.method), tr("vote_eligibility." + vote.eligibility),
                   tr(vote.secret ? "votes.secret" : "votes.named")];
    if (vote.rule) parts.push(tr("vote_rule." + vote.rule));
    if (vote.channel === "elsewhere") parts.push(tr("vote_channel.elsewhere"));
    if (vote.verified_only) parts.push(tr("votes.verified_only"));
    return parts.join(" · ");
  }

  function live(vote, tally) {
    if (!tally) return nothing;
    return html`${ui.participation(vote, tally)}${tally.tally ? ui.tallyBars(vote, tally.tally)
      : html`<p class="muted">${tr("votes.results_hidden")}</p>`}`;
  }

  // Paper ballots (a person without a phone, or a vote held elsewhere: by owner key) and, for
  // a vote held elsewhere, the totals counted there.
  function ballotForms(state, vote) {
    const options = [...vote.options.map((o) => o.key), "abstain"];
    const people = Object.values(state.participants || {}).filter((p) => p.status === "admitted" && p.party !== "observer");
    const id = `pb-${vote.id}`;
    const elsewhere = vote.channel === "elsewhere";
    const voter = elsewhere
      ? html`<label class="visually-hidden" for="${id}-voter">${tr("votes.ballot_owner")}</label><input id="${id}-voter" name="owner_key"
          list="roster-owners" placeholder=${tr("votes.ballot_owner")} required maxlength="40">`
      : html`<label class="visually-hidden" for="${id}-voter">${tr("votes.ballot_voter")}</label><select id="${id}-voter" name="participant_id"
          required>${people.map((p) => html`<option value=${p.id}>${p.name}${p.unit ? " · " + p.unit : ""}</option>`)}</select>`;
    return html`${elsewhere ? html`<p class="muted small">${tr("votes.elsewhere_hint")}${vote.channel_note ? " · " + vote.channel_note : ""}</p>` : nothing}${
      vote.totals_entered ? html`<p class="totals-entered" data-testid="totals-entered">${tr("votes.totals_entered")}</p>`
        : html`<form class="inline-form paper-ballot" data-vote=${vote.id}><span class="muted small">${tr("votes.paper_ballot")}</span>${voter}<label
          class="visually-hidden" for="${id}-choice">${tr("field.choices")}</label><select id="${id}-choice" name="choice">${
          options.map((k) => html`<option value=${k}>${ui.choiceLabel(vote, k)}</option>`)}</select><button type="submit">${tr("live.add")}</button></form>`}${
      elsewhere && (vote.method === "single" || vote.method === "yes_no")
        ? html`<details class="totals" data-details="totals-${vote.id}"><summary>${tr("votes.enter_totals")}</summary><form
          class="totals-form stack-sm" data-vote=${vote.id}><div class="totals-grid">${options.map((k) => {
            const label = ui.choiceLabel(vote, k);
            return html`<label for="${id}-${k}-owners">${tr("votes.totals_owners", { choice: label })}</label><input id="${id}-${k}-owners"
              name="owners_${k}" type="number" min="0" step="1" value="0" class="narrow-input" required><label
              for="${id}-${k}-area">${tr("votes.totals_area", { choice: label })}</label><input id="${id}-${k}-area" name="area_${k}"
              inputmode="decimal" value="0" class="narrow-input" required>`;
          })}</div><button type="submit">${tr("votes.enter_totals")}</button></form></details>`
        : nothing}`;
  }

  function voteCard(state, vote) {
    const open = vote.status === "open";
    const written = vote.kind === "owners_decision" && vote.channel === "meeting" && (open || vote.written_since);
    return html`<li class="vote vote-${vote.status}" data-vote=${vote.id}><div class="row-between"><strong>#${vote.number} ${vote.title}</strong><span
      class="badge">${tr("vote_status." + vote.status)}</span></div><p class="muted small">${settingsLine(vote)}</p>${
      written ? html`<p class="small"><a href="/meetings/${state.meeting.id}/votes/${vote.id}/written" data-testid="written-link-${vote.id}">${
        tr(vote.written_since ? "written.title" : "written.open_page")}</a></p>` : nothing}<div class="button-row">${
      vote.status === "draft" ? voteButton(vote, "vote.open", "votes.open", "primary") : nothing}${
      // A written ballot closes by itself at its deadline (the server refuses an early close).
      open && !vote.written_since ? voteButton(vote, "vote.close", "votes.close", "primary") : nothing}${
      vote.status === "draft" || open ? voteButton(vote, "vote.cancel", "votes.cancel", "danger") : nothing}${
      open || vote.status === "closed" ? screenButton("vote", vote.id, "screen.show_vote") : nothing}</div>${
      open ? html`<div class="vote-live" data-live=${vote.id}>${live(vote, store.tallies[String(vote.id)])}</div>${ballotForms(state, vote)}` : nothing}${
      vote.status === "closed" ? ui.result(vote) : nothing}</li>`;
  }

  // The forms keep what the moderator is typing across redraws (lit-html updates only the
  // options that change).
  function forms(state) {
    const plans = ui.sortedPlans(state, "accepted");
    const people = Object.values(state.participants || {}).filter((p) => p.status === "admitted");
    // Every control named by a label (hidden where the form is a row of fields: the
    // placeholder or the first option says what it is to the eye).
    const named = (id, key) => html`<label class="visually-hidden" for=${id}>${tr(key)}</label>`;
    const choices = (keys, prefix) => keys.map((k) => html`<option value=${k}>${tr(prefix + k)}</option>`);
    return html`<form id="vote-new" class="stack-sm"><h3>${tr("votes.new")}</h3><div class="inline-form">${
      named("vote-new-title", "field.title")}<input id="vote-new-title" name="title" maxlength="200" required placeholder=${tr("field.title")}>${
      named("vote-new-kind", "field.kind")}<select id="vote-new-kind" name="kind">${choices(["straw_poll", "owners_decision"], "vote_kind.")}</select>${
      named("vote-new-method", "field.method")}<select id="vote-new-method" name="method">${choices(["single", "yes_no", "approval", "ranked"], "vote_method.")}</select>${
      named("vote-new-eligibility", "field.eligibility")}<select id="vote-new-eligibility" name="eligibility"><option value="">—</option>${
      choices(["owners_present", "present", "scope_owners"], "vote_eligibility.")}</select>${
      named("vote-new-channel", "field.channel")}<select id="vote-new-channel" name="channel">${choices(["meeting", "elsewhere"], "vote_channel.")}</select></div><div
      class="inline-form">${repeat(plans, (p) => p.id, (p) => html`<label class="check"><input type="checkbox" name="plan" value=${p.key} checked> ${p.key}</label>`)}${
      named("vote-new-plan", "field.plan_id")}<select id="vote-new-plan" name="plan_id"><option value="">${tr("field.plan_id") + tr("punct.colon")}—</option>${
      plans.map((p) => html`<option value=${p.id}>${p.key} · ${p.title}</option>`)}</select><label class="check"><input type="checkbox" name="secret"> ${
      tr("field.secret")}</label><label class="small" for="vote-verified-only">${tr("field.verified_only")}</label><select id="vote-verified-only"
      name="verified_only"><option value="">${tr("votes.verified_default")}</option><option value="1">${tr("votes.verified_only")}</option><option
      value="0">${tr("votes.verified_not_required")}</option></select><label class="check"><input type="checkbox" name="live_results"> ${
      tr("field.show_results")}</label><label class="check"><input type="checkbox" name="allow_change"> ${tr("field.allow_change")}</label>${
      named("vote-new-duration", "field.duration_seconds")}<input id="vote-new-duration" name="duration_seconds" type="number" min="10"
      class="narrow-input" placeholder=${tr("field.duration_seconds")}>${named("vote-new-recused", "field.recused")}<input id="vote-new-recused"
      name="recused" class="narrow-input" placeholder=${tr("field.recused")} title=${tr("votes.recused_hint")}></div><fieldset
      class="vote-matters"><legend class="small">${tr("field.matters")}</legend>${MATTERS.map((m) => html`<label class="check small"><input
      type="checkbox" name="matter" value=${m}> ${tr("matter." + m)}</label>`)}</fieldset><div class="inline-form"><label class="small"
      for="vote-channel-note">${tr("field.channel_note")}</label><input id="vote-channel-note" name="channel_note" maxlength="200"></div><button
      type="submit" class="primary">${tr("live.add")}</button></form><form id="proxy-new" class="inline-form"><span class="muted small">${
      tr("votes.record_proxy")}</span>${named("proxy-new-holder", "votes.proxy_holder")}<select id="proxy-new-holder" name="participant_id">${
      people.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select>${named("proxy-new-owner", "field.owner_key")}<input
      id="proxy-new-owner" name="owner_key" list="roster-owners" required maxlength="40" placeholder=${tr("field.owner_key")}>${
      named("proxy-new-note", "field.note")}<input id="proxy-new-note" name="note" required maxlength="200" placeholder=${tr("field.note")}><button
      type="submit">${tr("live.add")}</button></form>`;
  }

  function proxyRow(state, proxy) {
    const holder = (state.participants || {})[String(proxy.participant_id)];
    return html`<li>${holder ? holder.name : "?"} → ${proxy.owner_key} ${proxy.owner_name}${
      tr("punct.paren", { text: proxy.units.join(tr("punct.list")) })} <button type="button" class="link" data-act="proxy.revoke"
      data-id=${proxy.id}>${tr("votes.revoke")}</button></li>`;
  }

  function view(state) {
    const plans = ui.sortedPlans(state).filter((p) => p.status !== "declined");
    const proxies = Object.values(state.proxies || {}).filter((p) => p.status === "active");
    const votes = ui.sortedVotes(state).reverse().filter((v) => v.status !== "cancelled");
    return html`<p id="votes-error" class="flash error" role="alert" ?hidden=${!error}>${error || ""}</p><div class="votes-cols"><section
      class="card"><div class="row-between"><h2>${tr("votes.plans")}</h2><button type="button" id="plan-new-open" data-act="plan.new-open">${
      tr("votes.new_plan")}</button></div><ul class="plan-list">${repeat(plans, (p) => p.id, planCard)}</ul><h3>${
      tr("votes.proxies")}</h3><ul class="people-list">${proxies.length ? repeat(proxies, (p) => p.id, (p) => proxyRow(state, p))
        : html`<li class="muted">${tr("votes.no_proxies")}</li>`}</ul></section><section
      class="card"><h2>${tr("votes.title")}</h2><ul class="vote-list">${repeat(votes, (v) => v.id, (v) => voteCard(state, v))}</ul><div
      id="votes-forms">${forms(state)}</div></section></div>`;
  }

  function redraw() {
    if (store.state && store.state.votes) draw(root, view(store.state));
  }

  function closeDeclineForm(id) {
    declining = null;
    redraw();
    const button = root.querySelector(`[data-plan="${id}"] button[data-act="plan.decline"]`);
    if (button) button.focus();
  }

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.dataset.id);
    const act = button.dataset.act;
    if (act === "plan.new-open" || act === "plan.edit-open") {
      if (!plansConsole.open) return;
      const plan = act === "plan.edit-open" ? ((store.state || {}).plans || {})[String(id)] : null;
      plansConsole.open(plan || null);
      return;
    }
    if (act === "plan.decline") {
      declining = id;
      redraw();
      root.querySelector(`#decline-reason-${id}`).focus();
      return;
    }
    if (act === "plan.decline-cancel") {
      closeDeclineForm(id);
      return;
    }
    if ((act === "vote.close" || act === "vote.cancel")
        && !confirmedBySecondTap(`${act}:${id}`, redraw)) return;
    if (act === "screen.focus") await run(act, { show: button.dataset.show, id });
    else await run(act, { id });
  });

  root.addEventListener("keydown", (event) => {
    const form = event.key === "Escape" && event.target.closest(".decline-form");
    if (!form) return;
    event.preventDefault();
    closeDeclineForm(Number(form.dataset.plan));
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
    } else if (form.classList.contains("decline-form")) {
      const id = Number(form.dataset.plan);
      const ok = await run("plan.decline", { id, reason: (data.get("reason") || "").trim() || null });
      if (ok && declining === id) {
        declining = null;
        redraw();
      }
      // The declined plan leaves the list: the focus goes to the plans' own button, not to
      // whatever control took the row's place (one more Enter would act on another plan).
      if (ok) root.querySelector("#plan-new-open").focus();
    } else if (form.classList.contains("paper-ballot")) {
      const payload = { vote_id: Number(form.dataset.vote), choices: [data.get("choice")] };
      if (data.get("participant_id")) payload.participant_id = Number(data.get("participant_id"));
      if (data.get("owner_key")) payload.owner_key = data.get("owner_key");
      const ok = await run("ballot.record", payload);
      if (ok && form.owner_key) { form.owner_key.value = ""; form.owner_key.focus(); }
    } else if (form.classList.contains("totals-form")) {
      const vote = (store.state.votes || {})[form.dataset.vote];
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

  document.addEventListener("live:change", (e) => { if (e.detail.state) redraw(); });
  // Live tallies arrive a few times a second: lit-html changes only the counts.
  document.addEventListener("live:tally", (e) => { if (e.detail.store.state) redraw(); });
})();
