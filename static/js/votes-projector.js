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

  function render(store) {
    const state = store.state;
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
