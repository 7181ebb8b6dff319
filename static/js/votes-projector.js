// The big screen during a vote: participation live (and the counts when the vote shows them),
// then the result with the rule's explanation. Reads the shared store (live.js) through its
// "live:change" and "live:tally" events. Also the plans being compared, a page at a time.
import { currentItem, tr } from "./live.js";
import { escapeHtml } from "./legacy.js";
import { projectorFit, store as projectorStore } from "./projector.js";
import { votesUi as ui } from "./votes-common.js";

// For the screen's focus (projector-focus.js): one vote or plan drawn alone.
export const projectorVotes = {};

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

  // A plan's total with its cost per m² of the roster's area beside it (the server computes
  // it: facilitator/live/vote_views.py).
  function moneyLine(plan) {
    const money = plan.money || {};
    let html = `${escapeHtml(tr("votes.total"))} <strong>${escapeHtml(tr("votes.yuan", { amount: ui.formatYuan(plan.total) }))}</strong>`;
    if (money.total_per_m2) html += ` · <strong data-testid="plan-per-m2">${escapeHtml(tr("votes.per_m2", { rate: money.total_per_m2 }))}</strong>`;
    return html;
  }

  function fundingLine(plan) {
    return Object.entries(plan.funding || {}).map(([s, fen]) => `${tr("funding." + s)} ${ui.formatYuan(fen)}`).join(" · ");
  }

  // The duration, then where the money comes from.
  function detailLine(plan) {
    const parts = plan.duration_days ? [tr("votes.duration", { days: plan.duration_days })] : [];
    const funding = fundingLine(plan);
    if (funding) parts.push(funding);
    return parts.join(" · ");
  }

  // The plans being compared (accepted ones): key, title, total cost, cost per m² and
  // funding, updated as the moderator amends them; a page at a time when they do not all
  // fit (projector.js). Hidden while a vote is on the screen.
  const plansBox = document.getElementById("pj-plans");
  function renderPlans(state, voteShown) {
    if (!plansBox) return;
    const plans = state ? ui.sortedPlans(state, "accepted") : [];
    plansBox.hidden = voteShown || !plans.length;
    if (plansBox.hidden) return;
    const html = `<div class="pj-plans-head"><p class="pj-label">${escapeHtml(tr("votes.plans"))}</p>`
      + `<p class="pj-page" data-pager-for="pj-plan-list" data-testid="projector-page" hidden></p></div>`
      + `<div class="pj-pages"><ol class="pj-plan-list" id="pj-plan-list" data-pager="rotate">${plans.map((p) => {
        const details = detailLine(p);
        return `<li data-plan-key="${escapeHtml(p.key)}"><strong>${escapeHtml(p.key)}</strong> ${escapeHtml(p.title)}`
          + `<span class="pj-plan-money">${moneyLine(p)}</span>`
          + (details ? `<span class="pj-plan-funding">${escapeHtml(details)}</span>` : "") + "</li>";
      }).join("")}</ol></div>`;
    if (plansBox.dataset.html !== html) {
      plansBox.innerHTML = html;
      plansBox.dataset.html = html;
    }
  }

  // A vote as the screen shows it: kind, title, question, then the participation and
  // (when shown live) the counts while open, or the result with its explanation.
  function voteHtml(vote, store) {
    const live = store.tallies[String(vote.id)];
    let html = `<p class="pj-label">${escapeHtml(ui.kindLabel(vote))} · ${escapeHtml(tr(vote.secret ? "votes.secret" : "votes.named"))}</p>`
      + `<h2 class="pj-vote-title">${escapeHtml(vote.title)}</h2>`;
    if (vote.question) html += `<p class="pj-vote-question">${escapeHtml(vote.question)}</p>`;
    if (vote.status === "open") {
      html += `<p class="pj-vote-countdown" data-vote-countdown="${vote.id}">${escapeHtml(ui.countdownText(vote, store.serverNow()))}</p>`;
      html += ui.participationHtml(vote, live);
      html += live && live.tally ? ui.tallyBars(vote, live.tally)
        : `<p class="pj-vote-hidden">${escapeHtml(tr("votes.results_hidden"))}</p>`;
    } else {
      html += `<p class="pj-label">${escapeHtml(tr("votes.result"))}</p>` + ui.resultHtml(vote);
    }
    return html;
  }

  function render(store) {
    const state = store.state;
    // Once the meeting has ended, its end message is what the room reads.
    const vote = state && state.meeting && state.meeting.status === "live" ? shownVote(state) : null;
    renderPlans(state && state.meeting && state.meeting.status !== "ended" ? state : null, Boolean(vote));
    panel.hidden = !vote;
    if (now) now.classList.toggle("pj-with-vote", Boolean(vote));
    if (vote) {
      const html = voteHtml(vote, store);
      if (panel.dataset.html !== html) {
        panel.innerHTML = html;
        panel.dataset.html = html;
      }
      panel.dataset.voteId = vote.id;
      panel.dataset.status = vote.status;
    }
    projectorFit.schedule();
  }

  Object.assign(projectorVotes, { voteHtml, moneyLine, fundingLine });
  document.addEventListener("live:change", (e) => render(e.detail.store));
  document.addEventListener("live:tally", (e) => render(e.detail.store));
  setInterval(() => {
    const store = projectorStore;
    if (!store || !store.state) return;
    for (const box of document.querySelectorAll("[data-vote-countdown]")) {
      const vote = (store.state.votes || {})[box.dataset.voteCountdown];
      if (vote && vote.status === "open") box.textContent = ui.countdownText(vote, store.serverNow());
    }
  }, 500);
})();
