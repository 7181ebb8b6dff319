// The big screen during a vote: participation live (and the counts when the vote shows them),
// then the result with the rule's explanation. Reads the shared store (store.js) through its
// "live:change" and "live:tally" events.
(function () {
  "use strict";
  const { escapeHtml, currentItem } = window.live;
  const ui = window.votesUi;
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

  // The plans being compared (accepted ones): key, title, total cost and funding, updated
  // as the moderator amends them. Hidden while a vote is on the screen.
  const plansBox = document.getElementById("pj-plans");
  function renderPlans(state, voteShown) {
    if (!plansBox) return;
    const plans = state ? ui.sortedPlans(state, "accepted") : [];
    plansBox.hidden = voteShown || !plans.length;
    if (plansBox.hidden) return;
    const html = `<p class="pj-label">${escapeHtml(tr("votes.plans"))}</p><ol class="pj-plan-list">${plans.map((p) => {
      const funding = Object.entries(p.funding || {}).map(([s, fen]) => `${tr("funding." + s)} ${ui.formatYuan(fen)}`).join(" · ");
      return `<li data-plan-key="${escapeHtml(p.key)}"><strong>${escapeHtml(p.key)}</strong> ${escapeHtml(p.title)}`
        + `<span class="pj-plan-money">${escapeHtml(tr("votes.total"))} ${escapeHtml(tr("votes.yuan", { amount: ui.formatYuan(p.total) }))}`
        + `${p.duration_days ? " · " + escapeHtml(tr("votes.duration", { days: p.duration_days })) : ""}</span>`
        + (funding ? `<span class="pj-plan-funding">${escapeHtml(funding)}</span>` : "") + "</li>";
    }).join("")}</ol>`;
    if (plansBox.innerHTML !== html) plansBox.innerHTML = html;
  }

  function render(store) {
    const state = store.state;
    renderPlans(state && state.meeting && state.meeting.status !== "ended" ? state : null,
      Boolean(state && state.meeting && state.meeting.status !== "scheduled" && shownVote(state)));
    const vote = state && state.meeting && state.meeting.status !== "scheduled" ? shownVote(state) : null;
    panel.hidden = !vote;
    if (now) now.classList.toggle("pj-with-vote", Boolean(vote));
    if (!vote) return;
    const live = store.tallies[String(vote.id)];
    let html = `<p class="pj-label">${escapeHtml(ui.kindLabel(vote))} · ${escapeHtml(tr(vote.secret ? "votes.secret" : "votes.named"))}</p>`
      + `<h2 class="pj-vote-title">${escapeHtml(vote.title)}</h2>`;
    if (vote.question) html += `<p class="pj-vote-question">${escapeHtml(vote.question)}</p>`;
    if (vote.status === "open") {
      html += `<p class="pj-vote-countdown" id="pj-vote-countdown">${escapeHtml(ui.countdownText(vote, store.serverNow()))}</p>`;
      html += ui.participationHtml(vote, live);
      html += live && live.tally ? ui.tallyBars(vote, live.tally)
        : `<p class="pj-vote-hidden">${escapeHtml(tr("votes.results_hidden"))}</p>`;
    } else {
      html += `<p class="pj-label">${escapeHtml(tr("votes.result"))}</p>` + ui.resultHtml(vote);
    }
    panel.innerHTML = html;
    panel.dataset.voteId = vote.id;
    panel.dataset.status = vote.status;
  }

  document.addEventListener("live:change", (e) => render(e.detail.store));
  document.addEventListener("live:tally", (e) => render(e.detail.store));
  setInterval(() => {
    const store = window.liveStore;
    const box = document.getElementById("pj-vote-countdown");
    if (!store || !store.state || !box) return;
    const vote = ui.openVote(store.state);
    if (vote) box.textContent = ui.countdownText(vote, store.serverNow());
  }, 500);
})();
