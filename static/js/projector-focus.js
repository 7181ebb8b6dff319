// One plan, one vote, the top written questions or the QR code alone on the big screen,
// while the moderator keeps it there (the meeting's screen_focus, set by the screen.focus
// command). Something the screen cannot show (a vote cancelled meanwhile) leaves the
// ordinary screen up.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { draw, rankedQuestions, tr } from "./live.js";
import { contentLang } from "./config.js";
import { projectorFit, store as projectorStore } from "./projector.js";
import { votesUi as ui } from "./votes-common.js";
import { fundingLine, voteView } from "./votes-projector.js";

(function () {
  const box = document.getElementById("pj-focus");
  const grid = document.getElementById("pj-grid");
  const root = document.getElementById("projector");

  function shareLine(money, key, label) {
    const share = money[key];
    if (!share) return nothing;
    const examples = share.shares.slice(0, 2).map((s) =>
      tr("votes.share_for", { area: ui.formatArea(s.area), amount: ui.formatYuan(s.fen) })).join(tr("punct.comma"));
    return html`<p>${tr(label, { rate: share.rate_per_m2 })}${tr("punct.colon")}${examples}</p>`;
  }

  function planView(plan) {
    const money = plan.money || {};
    const funding = fundingLine(plan);
    // A long description is cut after a few lines on the screen; phones show it in full.
    return html`<div class="pj-focus-plan" data-plan-key=${plan.key}><p class="pj-label">${tr("screen.plan", { key: plan.key })}</p><h2>${
      plan.title}</h2><p class="pj-focus-total">${tr("votes.total")} ${tr("votes.yuan", { amount: ui.formatYuan(plan.total) })}${
      money.total_per_m2 ? html` · <span class="pj-focus-rate" data-testid="plan-per-m2">${tr("votes.per_m2", { rate: money.total_per_m2 })}</span>` : nothing}</p>${
      money.scope_area ? html`<p>${tr("votes.per_m2_scope", { area: ui.formatArea(money.scope_area) })}</p>` : nothing}${
      funding ? html`<p>${funding}</p>` : nothing}${
      plan.duration_days ? html`<p>${tr("votes.duration", { days: plan.duration_days })}</p>` : nothing}${
      shareLine(money, "fund_share", "votes.fund_share")}${shareLine(money, "levy_share", "votes.levy_share")}${
      (plan.warnings || []).map((warning) => html`<p class="pj-focus-warning">⚠ ${tr("plan_warning." + warning)}</p>`)}${
      plan.description ? html`<p class="pj-focus-text pj-clamp">${plan.description}</p>` : nothing}${
      plan.risks ? html`<p class="pj-focus-text pj-clamp">${tr("field.risks")}${tr("punct.colon")}${plan.risks}</p>` : nothing}</div>`;
  }

  function qrView(state) {
    const meeting = state.meeting;
    const code = meeting.join_code;
    if (!code) return null;
    const url = root.dataset.joinBase + code;
    const present = Object.values(state.participants || {}).filter((p) => p.status === "admitted").length;
    return html`<div class="pj-focus-qr"><img src="/join-qr/${code}.svg?k=${encodeURIComponent(meeting.join_key || "")}" alt="QR"
      data-testid="projector-focus-qr" @load=${() => projectorFit.schedule()}><div><p class="pj-label">${tr("live.join_at")}</p><p
      class="pj-label">${tr("live.code")}</p><p class="pj-code">${code.replace(/(\d{3})(\d{3})/, "$1 $2")}</p><p class="pj-url">${
      url.replace(/^https?:\/\//, "")}</p><p class="pj-present">${tr("live.people_present", { n: present })}</p></div></div>`;
  }

  // The written questions still open, most upvoted first: as many as the screen shows large
  // (TOP), and how many more wait.
  const TOP = 5;
  function questionsView(state) {
    const open = rankedQuestions(state, ["open"]);
    const top = open.slice(0, TOP);
    return html`<div class="pj-focus-questions"><p class="pj-label">${tr("question.screen_title")}</p>${top.length
      ? html`<ol class="pj-q-list" data-testid="projector-questions">${repeat(top, (q) => q.id, (q) => html`<li data-id=${q.id}><span
        class="pj-q-votes">${q.upvotes}</span><div><p class="pj-q-text pj-clamp" data-user-text="" lang=${contentLang || nothing}>${q.text}</p><p class="pj-q-asker">${
        tr("question.asked_by", { name: q.name, party: tr("party." + q.party) })}</p></div></li>`)}</ol>`
      : html`<p class="pj-q-empty">${tr("question.screen_empty")}</p>`}${
      open.length > TOP ? html`<p class="pj-q-more">${tr("question.screen_more", { n: open.length - TOP })}</p>` : nothing}</div>`;
  }

  // What the focus shows, or null when nothing (the ordinary screen stays up).
  function focusView(store) {
    const state = store.state;
    const focus = state && state.meeting && state.meeting.screen_focus;
    if (!focus) return null;
    if (focus.kind === "plan") {
      const plan = (state.plans || {})[String(focus.id)];
      return plan && plan.status === "accepted" ? planView(plan) : null;
    }
    if (focus.kind === "vote") {
      const vote = (state.votes || {})[String(focus.id)];
      return vote && (vote.status === "open" || vote.status === "closed")
        ? html`<div class="pj-vote" data-vote-id=${vote.id} data-status=${vote.status}>${voteView(vote, store)}</div>` : null;
    }
    if (focus.kind === "qr") return qrView(state);
    if (focus.kind === "questions") return questionsView(state);
    return null;
  }

  function render(store) {
    const view = focusView(store);
    box.hidden = view === null;
    grid.hidden = view !== null;
    box.dataset.focus = view === null ? "" : store.state.meeting.screen_focus.kind;
    if (view !== null) draw(box, view);
    projectorFit.schedule();
  }

  document.addEventListener("live:change", (e) => render(e.detail.store));
  document.addEventListener("live:tally", (e) => render(e.detail.store));
  // An open vote on the focus: its countdown, drawn again twice a second.
  setInterval(() => {
    const store = projectorStore;
    if (!store || !store.state || box.hidden || box.dataset.focus !== "vote") return;
    const view = focusView(store);
    if (view !== null) draw(box, view);
  }, 500);
})();
