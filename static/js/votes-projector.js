// The big screen during a vote: participation live (and the counts when the vote shows them),
// then the result with the rule's explanation. Reads the shared store (live.js) through its
// "live:change" and "live:tally" events. Also the plans being compared, a page at a time.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { currentItem, draw, tr } from "./live.js";
import { projectorFit, store as projectorStore } from "./projector.js";
import { votesUi as ui } from "./votes-common.js";

// A plan's total with its cost per m² of the roster's area beside it (the server computes
// it: facilitator/live/vote_views.py).
function moneyLine(plan) {
  const money = plan.money || {};
  return html`${tr("votes.total")} <strong>${tr("votes.yuan", { amount: ui.formatYuan(plan.total) })}</strong>${
    money.total_per_m2 ? html` · <strong data-testid="plan-per-m2">${tr("votes.per_m2", { rate: money.total_per_m2 })}</strong>` : nothing}`;
}

// Where a plan's money comes from (also on the screen's focus: projector-focus.js).
export function fundingLine(plan) {
  return Object.entries(plan.funding || {}).map(([s, fen]) => `${tr("funding." + s)} ${ui.formatYuan(fen)}`).join(" · ");
}

// The duration, then where the money comes from.
function detailLine(plan) {
  const parts = plan.duration_days ? [tr("votes.duration", { days: plan.duration_days })] : [];
  const funding = fundingLine(plan);
  if (funding) parts.push(funding);
  return parts.join(" · ");
}

// A vote as the screen shows it: kind, title, question, then the participation and
// (when shown live) the counts while open, or the result with its explanation. Also drawn
// alone on the screen's focus (projector-focus.js).
export function voteView(vote, store) {
  const live = store.tallies[String(vote.id)];
  return html`<p class="pj-label">${ui.kindLabel(vote)} · ${tr(vote.secret ? "votes.secret" : "votes.named")}</p><h2
    class="pj-vote-title">${vote.title}</h2>${vote.question ? html`<p class="pj-vote-question">${vote.question}</p>` : nothing}${
    vote.status === "open"
      ? html`<p class="pj-vote-countdown" data-vote-countdown=${vote.id}>${ui.countdownText(vote, store.serverNow())}</p>${
        ui.participation(vote, live)}${live && live.tally ? ui.tallyBars(vote, live.tally)
        : html`<p class="pj-vote-hidden">${tr("votes.results_hidden")}</p>`}`
      : html`<p class="pj-label">${tr("votes.result")}</p>${ui.result(vote)}`}`;
}

(function () {
  const panel = document.getElementById("pj-vote");
  const now = document.querySelector(".pj-now");
  if (!panel) return;

  function shownVote(state) {
    const open = ui.openVote(state);
    if (open) return open;
    const closed = ui.latestClosed(state);
    if (!closed || closed.channel !== "meeting") return null;
    // A result stays up until the agenda moves on.
    const item = currentItem(state);
    const since = item ? (item.run_started_at || item.started_at || 0) : 0;
    return closed.closed_at >= since ? closed : null;
  }

  // The plans being compared (accepted ones): key, title, total cost, cost per m² and
  // funding, updated as the moderator amends them; a page at a time when they do not all
  // fit (projector.js, which hides the rows of other pages and writes the page indicator:
  // neither is drawn here).
  const plansBox = document.getElementById("pj-plans");
  function renderPlans(state, voteShown) {
    if (!plansBox) return;
    const plans = state ? ui.sortedPlans(state, "accepted") : [];
    plansBox.hidden = voteShown || !plans.length;
    if (plansBox.hidden) return;
    draw(plansBox, html`<div class="pj-plans-head"><p class="pj-label">${tr("votes.plans")}</p><p class="pj-page"
      data-pager-for="pj-plan-list" data-testid="projector-page" hidden></p></div><div class="pj-pages"><ol class="pj-plan-list"
      id="pj-plan-list" data-pager="rotate">${repeat(plans, (p) => p.id, (p) => {
        const details = detailLine(p);
        return html`<li data-plan-key=${p.key}><strong>${p.key}</strong> ${p.title}<span class="pj-plan-money">${moneyLine(p)}</span>${
          details ? html`<span class="pj-plan-funding">${details}</span>` : nothing}</li>`;
      })}</ol></div>`);
  }

  function render(store) {
    const state = store.state;
    // Once the meeting has ended, its end message is what the room reads.
    const vote = state && state.meeting && state.meeting.status === "live" ? shownVote(state) : null;
    renderPlans(state && state.meeting && state.meeting.status !== "ended" ? state : null, Boolean(vote));
    panel.hidden = !vote;
    if (now) now.classList.toggle("pj-with-vote", Boolean(vote));
    if (vote) {
      draw(panel, voteView(vote, store));
      panel.dataset.voteId = vote.id;
      panel.dataset.status = vote.status;
    }
    projectorFit.schedule();
  }

  document.addEventListener("live:change", (e) => render(e.detail.store));
  document.addEventListener("live:tally", (e) => render(e.detail.store));
  // The countdown of an open vote, drawn again twice a second (its text alone changes).
  setInterval(() => {
    const store = projectorStore;
    if (!store || !store.state || panel.hidden || panel.dataset.status !== "open") return;
    const vote = (store.state.votes || {})[panel.dataset.voteId];
    if (vote && vote.status === "open") draw(panel, voteView(vote, store));
  }, 500);
})();
