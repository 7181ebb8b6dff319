// One plan, one vote, the top written questions or the QR code alone on the big screen,
// while the moderator keeps it there (the meeting's screen_focus, set by the screen.focus
// command). Something the screen cannot show (a vote cancelled meanwhile) leaves the
// ordinary screen up.
import { rankedQuestions, tr } from "./live.js";
import { escapeHtml } from "./legacy.js";
import { projectorFit } from "./projector.js";
import { votesUi as ui } from "./votes-common.js";
import { projectorVotes as votes } from "./votes-projector.js";

(function () {
  const box = document.getElementById("pj-focus");
  const grid = document.getElementById("pj-grid");
  const root = document.getElementById("projector");

  function planHtml(plan) {
    const money = plan.money || {};
    const rate = money.total_per_m2
      ? ` · <span class="pj-focus-rate" data-testid="plan-per-m2">${escapeHtml(tr("votes.per_m2", { rate: money.total_per_m2 }))}</span>` : "";
    let html = `<div class="pj-focus-plan" data-plan-key="${escapeHtml(plan.key)}"><p class="pj-label">${escapeHtml(tr("screen.plan", { key: plan.key }))}</p>`
      + `<h2>${escapeHtml(plan.title)}</h2>`
      + `<p class="pj-focus-total">${escapeHtml(tr("votes.total"))} ${escapeHtml(tr("votes.yuan", { amount: ui.formatYuan(plan.total) }))}${rate}</p>`;
    if (money.scope_area) html += `<p>${escapeHtml(tr("votes.per_m2_scope", { area: ui.formatArea(money.scope_area) }))}</p>`;
    const funding = votes.fundingLine(plan);
    if (funding) html += `<p>${escapeHtml(funding)}</p>`;
    if (plan.duration_days) html += `<p>${escapeHtml(tr("votes.duration", { days: plan.duration_days }))}</p>`;
    for (const [key, label] of [["fund_share", "votes.fund_share"], ["levy_share", "votes.levy_share"]]) {
      const share = money[key];
      if (!share) continue;
      const examples = share.shares.slice(0, 2).map((s) =>
        tr("votes.share_for", { area: ui.formatArea(s.area), amount: ui.formatYuan(s.fen) })).join(tr("punct.comma"));
      html += `<p>${escapeHtml(tr(label, { rate: share.rate_per_m2 }))}${escapeHtml(tr("punct.colon"))}${escapeHtml(examples)}</p>`;
    }
    for (const warning of plan.warnings || []) {
      html += `<p class="pj-focus-warning">⚠ ${escapeHtml(tr("plan_warning." + warning))}</p>`;
    }
    // A long description is cut after a few lines on the screen; phones show it in full.
    if (plan.description) html += `<p class="pj-focus-text pj-clamp">${escapeHtml(plan.description)}</p>`;
    if (plan.risks) html += `<p class="pj-focus-text pj-clamp">${escapeHtml(tr("field.risks"))}${escapeHtml(tr("punct.colon"))}${escapeHtml(plan.risks)}</p>`;
    return html + "</div>";
  }

  function qrHtml(state) {
    const meeting = state.meeting;
    const code = meeting.join_code;
    if (!code) return null;
    const url = root.dataset.joinBase + code;
    const present = Object.values(state.participants || {}).filter((p) => p.status === "admitted").length;
    return `<div class="pj-focus-qr"><img src="/join-qr/${escapeHtml(code)}.svg?k=${encodeURIComponent(meeting.join_key || "")}" alt="QR" data-testid="projector-focus-qr">`
      + `<div><p class="pj-label">${escapeHtml(tr("live.join_at"))}</p>`
      + `<p class="pj-label">${escapeHtml(tr("live.code"))}</p><p class="pj-code">${escapeHtml(code.replace(/(\d{3})(\d{3})/, "$1 $2"))}</p>`
      + `<p class="pj-url">${escapeHtml(url.replace(/^https?:\/\//, ""))}</p>`
      + `<p class="pj-present">${escapeHtml(tr("live.people_present", { n: present }))}</p></div></div>`;
  }

  // The written questions still open, most upvoted first: as many as the screen shows large
  // (TOP), and how many more wait.
  const TOP = 5;
  function questionsHtml(state) {
    const open = rankedQuestions(state, ["open"]);
    const rows = open.slice(0, TOP).map((q) => `<li data-id="${q.id}"><span class="pj-q-votes">${q.upvotes}</span>`
      + `<div><p class="pj-q-text pj-clamp">${escapeHtml(q.text)}</p>`
      + `<p class="pj-q-asker">${escapeHtml(tr("question.asked_by", { name: q.name, party: tr("party." + q.party) }))}</p></div></li>`);
    let html = `<div class="pj-focus-questions"><p class="pj-label">${escapeHtml(tr("question.screen_title"))}</p>`;
    html += rows.length ? `<ol class="pj-q-list" data-testid="projector-questions">${rows.join("")}</ol>`
      : `<p class="pj-q-empty">${escapeHtml(tr("question.screen_empty"))}</p>`;
    if (open.length > TOP) html += `<p class="pj-q-more">${escapeHtml(tr("question.screen_more", { n: open.length - TOP }))}</p>`;
    return html + "</div>";
  }

  function focusHtml(store) {
    const state = store.state;
    const focus = state && state.meeting && state.meeting.screen_focus;
    if (!focus) return null;
    if (focus.kind === "plan") {
      const plan = (state.plans || {})[String(focus.id)];
      return plan && plan.status === "accepted" ? planHtml(plan) : null;
    }
    if (focus.kind === "vote") {
      const vote = (state.votes || {})[String(focus.id)];
      return vote && (vote.status === "open" || vote.status === "closed")
        ? `<div class="pj-vote" data-vote-id="${vote.id}" data-status="${escapeHtml(vote.status)}">${votes.voteHtml(vote, store)}</div>` : null;
    }
    if (focus.kind === "qr") return qrHtml(state);
    if (focus.kind === "questions") return questionsHtml(state);
    return null;
  }

  function render(store) {
    const html = focusHtml(store);
    box.hidden = html === null;
    grid.hidden = html !== null;
    const focus = html === null ? "" : store.state.meeting.screen_focus.kind;
    box.dataset.focus = focus;
    if (html !== null && box.dataset.html !== html) {
      box.innerHTML = html;
      box.dataset.html = html;
      const image = box.querySelector("img");
      if (image) image.addEventListener("load", projectorFit.schedule);
    }
    projectorFit.schedule();
  }

  document.addEventListener("live:change", (e) => render(e.detail.store));
  document.addEventListener("live:tally", (e) => render(e.detail.store));
})();
