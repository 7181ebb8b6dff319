// A resident's phone: the plans, proposing one, and voting — for oneself and for each owner
// whose written authorisation one holds. What this phone may vote for, and whether it has,
// comes from the server ("ballots" call), asked again after every change of the votes; an
// owner's own share of each plan comes from the server too ("shares" call), which alone holds
// the rule and the owner's area.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { keyed } from "../vendor/lit-html/directives/keyed.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { draw, tr } from "./live.js";
import { store as phoneStore } from "./phone.js";
import { votesUi as ui } from "./votes-common.js";

(function () {
  const root = document.getElementById("phone-votes");
  if (!root) return;
  let status = {}; // vote id → identities (see docs/protocol.md, "ballots")
  let statusKey = null;
  const casting = new Set(); // the ballot forms (formKey) whose ballot is on its way
  const ballotErrors = new Map(); // formKey → the server's refusal of its last ballot
  let proposeNote = ""; // what became of the last proposal sent
  let shares = null; // this phone's own shares (docs/protocol.md §13, "shares"), or null
  let sharesKey = null;
  let shownVoteId = null; // the open vote last brought into view
  let watching = false; // the live view has been shown before: a vote opening now is news

  // Asked again only when it can have changed: another open vote, a proxy given or taken,
  // a reconnect (statusKey reset), or after this phone voted — not on every batch, which
  // during a vote arrives ten times a second.
  async function refreshStatus(store) {
    const open = ui.openVote(store.state);
    if (!open) { status = {}; statusKey = null; return; }
    const proxies = Object.values(store.state.proxies || {})
      .filter((p) => p.participant_id === store.participantId).map((p) => p.id).join(",");
    const key = `${open.id}:${proxies}`;
    if (key === statusKey) return;
    statusKey = key;
    try {
      const reply = await store.socket.timeout(8000).emitWithAck("ballots", {});
      if (reply && reply.ok) status = reply.votes;
    } catch (err) { /* reconnecting: asked again on the next change */ }
    render(store);
  }

  // Asked again only when an answer can have changed: the accepted plans or a revision of
  // one, the phone's unit or its verification (a verified owner sees every unit they hold),
  // or after a failed ask. A phone with no unit has none: it shows the samples.
  let sharesAsked = 0;
  async function refreshShares(store) {
    const me = store.me;
    if (!store.state || !me) return;
    if (me.party !== "owner" || !me.unit) {
      sharesKey = null;
      sharesAsked += 1; // an answer still on its way is for a unit this phone no longer has
      if (shares) { shares = null; render(store); }
      return;
    }
    const plans = ui.sortedPlans(store.state, "accepted").map((p) => `${p.id}.${p.revision}`).join(",");
    const key = `${me.unit}:${me.verified_via}:${plans}`;
    if (key === sharesKey) return;
    sharesKey = key;
    const asked = ++sharesAsked;
    let reply = null;
    try {
      reply = await store.socket.timeout(8000).emitWithAck("shares", {});
    } catch (err) { /* reconnecting: asked again on the next change */ }
    if (asked !== sharesAsked) return; // a later ask (after a later change) has the say
    if (reply && reply.ok) shares = reply.shares;
    else sharesKey = null;
    render(store);
  }

  function shareOf(planId) {
    return planId && shares ? shares.plans[String(planId)] || null : null;
  }

  function shareText(share) {
    return tr("votes.your_share", { amount: ui.formatYuan(share.total) });
  }

  // The plan an option adopts: a plan's own option, or "yes" on a motion about a plan.
  function optionPlanId(vote, key) {
    const option = (vote.options || []).find((o) => o.key === key);
    if (option && option.plan_id) return option.plan_id;
    return key === "yes" ? vote.plan_id : null;
  }

  function optionShare(vote, key) {
    const share = shareOf(optionPlanId(vote, key));
    return share ? html` <span class="my-share" data-testid="option-share">${shareText(share)}</span>` : nothing;
  }

  // Beside each plan: the owner's share; what it is made of when the plan both draws on the
  // fund and levies the owners; each unit's when the owner holds several.
  function planShareDetails(plan) {
    const share = shareOf(plan.id);
    if (!share) return nothing;
    return html`${share.fund && share.levy ? html`<p class="my-share-parts">${
      tr("votes.your_share_parts", { fund: ui.formatYuan(share.fund), levy: ui.formatYuan(share.levy) })}</p>` : nothing}${
      share.units.length > 1 ? html`<p class="my-share-units" data-testid="my-share-units">${share.units.map((u) =>
        html`${tr("votes.your_share_unit", { unit: u.unit, amount: ui.formatYuan(u.total) })}<br>`)}<span class="muted">${
        tr("votes.your_share_area", { area: ui.formatArea(shares.area) })}</span></p>` : nothing}`;
  }

  function identityLabel(state, identity) {
    if (identity.proxy_id === null) return tr("votes.for_self");
    const proxy = (state.proxies || {})[String(identity.proxy_id)];
    const name = proxy ? `${proxy.owner_name}${tr("punct.paren", { text: proxy.units.join(tr("punct.list")) })}` : `#${identity.proxy_id}`;
    return tr("votes.for_owner", { name });
  }

  // Whether the phone shows a ballot form for this identity (else it says who voted).
  function formShown(vote, identity) {
    if (!identity.voted) return true;
    return identity.cast_by_me !== false && vote.allow_change && !vote.secret;
  }

  const formKey = (vote, identity) => `${vote.id}:${identity.proxy_id === null ? "" : identity.proxy_id}`;

  function ballotForm(vote, identity, index) {
    const name = `ballot-${vote.id}-${index}`;
    const keys = vote.options.map((o) => o.key);
    // The phone's own share beside each option of its own ballot (not of an owner it votes
    // for by proxy: that owner's share is not this phone's to know).
    const share = (k) => (identity.proxy_id === null ? optionShare(vote, k) : nothing);
    let inputs;
    if (vote.method === "approval") {
      inputs = keys.map((k) => html`<label class="choice"><input type="checkbox" name=${name} value=${k}> ${ui.choiceLabel(vote, k)}${share(k)}</label>`);
    } else if (vote.method === "ranked") {
      const ranks = ["", ...keys.map((_, i) => String(i + 1))];
      inputs = keys.map((k) => html`<label class="choice"><select data-key=${k}>${
        ranks.map((r) => html`<option value=${r}>${r || "—"}</option>`)}</select> ${ui.choiceLabel(vote, k)}${share(k)}</label>`);
    } else {
      inputs = [...keys, "abstain"].map((k) => html`<label class="choice"><input type="radio" name=${name} value=${k}> ${ui.choiceLabel(vote, k)}${share(k)}</label>`);
    }
    // data-voted: a ballot still to cast takes the whole screen in elderly mode (elderly.js);
    // data-none: what a ballot with no box ticked casts (an approval vote's), there and here.
    const none = vote.method === "approval" ? "abstain" : "";
    const label = tr(identity.voted ? "votes.change" : "votes.cast");
    // Elderly mode rewrites the button's text while it is armed (elderly.js): a new label
    // gets a new button rather than an update of text lit-html no longer holds.
    return html`<form class="ballot-form" data-vote=${vote.id} data-proxy=${identity.proxy_id === null ? "" : identity.proxy_id}
      data-voted=${String(identity.voted)} data-none=${none}>${inputs}${keyed(label, html`<button type="submit" class="primary"
      ?disabled=${casting.has(formKey(vote, identity))}>${label}</button>`)}</form>`;
  }

  function choicesOf(form, vote) {
    if (vote.method === "ranked") {
      return [...form.querySelectorAll("select")].filter((s) => s.value)
        .sort((a, b) => Number(a.value) - Number(b.value)).map((s) => s.dataset.key);
    }
    const picked = [...form.querySelectorAll("input:checked")].map((i) => i.value);
    if (!picked.length && form.dataset.none) return [form.dataset.none];
    return picked;
  }

  // One identity's part of the vote card: whose ballot, whether it is cast, the form, and
  // the server's refusal of the last try, in place under the form.
  function identityPart(state, vote, identity, index, several) {
    const chose = (key) => identity.choices
      ? html`<p>${tr(key, { choice: identity.choices.map((c) => ui.choiceLabel(vote, c)).join(" > ") })}</p>` : nothing;
    const byOther = identity.voted && identity.cast_by_me === false;
    const refusal = ballotErrors.get(formKey(vote, identity));
    return html`${several || identity.proxy_id !== null ? html`<h3>${identityLabel(state, identity)}</h3>` : nothing}${
      // A co-owned unit has one vote: another co-owner (or a proxy holder) cast it.
      byOther ? html`<p class="voted" data-testid="phone-voted-by-other">✓ ${tr("votes.household_voted", { name: identity.cast_by })}</p>${
        chose("votes.household_chose")}` : nothing}${
      identity.voted && !byOther ? html`<p class="voted" data-testid="phone-voted">✓ ${tr("votes.you_voted")}</p>${chose("votes.you_chose")}` : nothing}${
      formShown(vote, identity) ? ballotForm(vote, identity, index) : nothing}${
      refusal ? html`<p class="flash error" role="alert" data-testid="ballot-error">${refusal}</p>` : nothing}`;
  }

  function openVoteCard(store, vote) {
    const state = store.state;
    const identities = status[String(vote.id)] || [];
    const eligible = identities.filter((i) => i.eligible);
    // No ballot of this phone's own to fill in (cast already, or not its to cast): the
    // owner's share of each option still stands, listed under the ballots.
    const ownForm = eligible.some((i) => i.proxy_id === null && formShown(vote, i));
    const optionShares = vote.options.filter((o) => shareOf(optionPlanId(vote, o.key)));
    const live = store.tallies[String(vote.id)];
    let waiting = nothing;
    if (!identities.length) waiting = html`<p class="muted">…</p>`;
    else if (!eligible.length) waiting = html`<p class="muted" data-testid="phone-not-eligible">${tr(identities[0].reason || "votes.not_eligible")}</p>`;
    return html`<div class="phone-card vote-card" data-testid="phone-vote"><span class="muted">${ui.kindLabel(vote)}</span><h2>${vote.title}</h2>${
      vote.question ? html`<p class="vote-question">${vote.question}</p>` : nothing}${
      vote.deadline_at ? html`<p class="muted" id="phone-vote-countdown">${ui.countdownText(vote, store.serverNow())}</p>` : nothing}${
      waiting}${repeat(eligible, (i) => String(i.proxy_id), (identity, index) => identityPart(state, vote, identity, index, eligible.length > 1))}${
      identities.length && !ownForm && optionShares.length ? html`<ul class="my-shares">${optionShares.map((o) =>
        html`<li>${ui.choiceLabel(vote, o.key)}${optionShare(vote, o.key)}</li>`)}</ul>` : nothing}<div class="vote-live"
      id="phone-vote-live">${ui.participation(vote, live)}${live && live.tally ? ui.tallyBars(vote, live.tally) : nothing}</div></div>`;
  }

  // One's own proposals the chair declined, and why (no screen shows them: docs/protocol.md).
  function declinedList(declined) {
    if (!declined.length) return nothing;
    return html`<div class="proposals-declined" role="status" data-testid="phone-proposals-declined"><h4>${
      tr("votes.proposals_declined")}</h4><ul class="question-list">${repeat(declined, (p) => p.id, (p) =>
      html`<li class="question-row dismissed" data-id=${p.id}><p class="question-text" data-user-text="">${p.title}</p><p
        class="question-meta"><span class="badge status-dismissed">${p.decline_reason
        ? tr("votes.declined_because", { reason: p.decline_reason }) : tr("votes.declined")}</span></p></li>`)}</ul></div>`;
  }

  function plansCard(state, declined) {
    const plans = ui.sortedPlans(state, "accepted");
    if (!plans.length && !declined.length) return nothing;
    return html`<div class="phone-card"><h3>${tr("votes.plans")}</h3>${repeat(plans, (p) => p.id, (p) =>
      html`<details class="plan" data-plan=${p.key}><summary><strong>${p.key}</strong> ${p.title}${
        shareOf(p.id) ? html`<span class="my-share" data-testid="plan-share">${shareText(shareOf(p.id))}</span>` : nothing}</summary>${
        planShareDetails(p)}${p.description ? html`<p>${p.description}</p>` : nothing}${ui.planMoney(p)}</details>`)}${
      declinedList(declined)}<details class="propose"><summary>${tr("votes.propose")}</summary><form id="plan-propose" class="stack-sm"><input name="title" maxlength="200"
      required placeholder=${tr("field.title")}><textarea name="description" maxlength="5000" rows="3"
      placeholder=${tr("field.description")}></textarea><button type="submit">${tr("votes.propose")}</button><p class="muted"
      id="plan-propose-status">${proposeNote}</p></form></details></div>`;
  }

  function render(store) {
    const state = store.state;
    if (!state || !state.votes) return;
    const vote = ui.openVote(state);
    if (!vote) ballotErrors.clear();
    const closed = vote ? null : ui.latestClosed(state);
    // Each vote its own card (keyed): what was ticked on one is never carried to the next.
    draw(root, html`${vote ? keyed(vote.id, openVoteCard(store, vote)) : nothing}${
      closed ? html`<div class="phone-card vote-card"><span class="muted">${ui.kindLabel(closed)} · ${tr("votes.result")}</span><h2>${
        closed.title}</h2>${ui.result(closed)}</div>` : nothing}${plansCard(state, store.declined || [])}`);
    announce(vote);
  }

  // A vote that opens is brought into view, and the phone vibrates where the browser lets it
  // (not on the page's first view: a vote open already when the page loads is no news).
  function announce(vote) {
    const live = document.getElementById("phone-live");
    if (!live || live.hidden) return;
    const news = watching;
    watching = true;
    if (!vote) { shownVoteId = null; return; }
    if (vote.id === shownVoteId) return;
    const card = root.querySelector("[data-testid=phone-vote]");
    if (!card) return;
    shownVoteId = vote.id;
    // At once, not smoothly: the card is redrawn while a smooth scroll would still be on its
    // way (this phone's ballots arrive), and the page's scroll anchoring then moves it off.
    card.scrollIntoView({ block: "start" });
    if (news && typeof navigator.vibrate === "function") navigator.vibrate([200, 100, 200]);
  }

  root.addEventListener("submit", async (event) => {
    event.preventDefault();
    const store = phoneStore;
    const form = event.target;
    if (form.id === "plan-propose") {
      try {
        await store.send("plan.propose", { title: form.title.value, description: form.description.value || null });
        form.reset();
        proposeNote = tr("votes.proposal_sent");
      } catch (error) {
        proposeNote = error.message || String(error);
      }
      render(store);
      return;
    }
    const vote = (store.state.votes || {})[form.dataset.vote];
    const choices = choicesOf(form, vote);
    if (!choices.length) return;
    const payload = { vote_id: vote.id, choices };
    if (form.dataset.proxy) payload.proxy_id = Number(form.dataset.proxy);
    const key = `${vote.id}:${form.dataset.proxy}`;
    casting.add(key);
    ballotErrors.delete(key);
    render(store);
    try {
      await store.send("ballot.cast", payload);
    } catch (error) {
      // Refused (the household's vote cast meanwhile, the vote closed…): said under the
      // form, in the page's language (the server's message).
      ballotErrors.set(key, error.message || String(error));
    } finally {
      casting.delete(key);
      statusKey = null;
      render(store);
      await refreshStatus(store);
    }
  });

  document.addEventListener("live:change", (e) => {
    if (!e.detail.state) return;
    if (!e.detail.batch) statusKey = null; // a sync: after a reconnect, ask again
    render(e.detail.store);
    refreshStatus(e.detail.store);
    refreshShares(e.detail.store);
  });
  document.addEventListener("live:tally", (e) => render(e.detail.store));
  // The countdown of a vote with a deadline, drawn again each second.
  setInterval(() => {
    const store = phoneStore;
    if (!store || !store.state) return;
    const vote = ui.openVote(store.state);
    if (vote && vote.deadline_at) render(store);
  }, 1000);
})();
