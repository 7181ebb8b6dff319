// Plans and votes on the three faces: formatting and lit-html templates shared by
// votes-console.js, votes-phone.js and votes-projector.js. Money arrives in fen and area in
// hundredths of m² (integers); they are formatted here with integer arithmetic only, like
// facilitator/domain/voting.py.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { formatClock, tr } from "./live.js";


function hundredths(value) {
  if (value === null || value === undefined) return "—";
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}${whole}.${String(abs % 100).padStart(2, "0")}`;
}

const formatArea = hundredths; // 439734 → "4,397.34"
const formatYuan = hundredths; // 475403 → "4,754.03"

function choiceLabel(vote, key) {
  if (key === "abstain" || key === "yes" || key === "no") return tr("vote_choice." + key);
  const option = (vote.options || []).find((o) => o.key === key);
  return option && option.label ? `${key} · ${option.label}` : key;
}

function kindLabel(vote) {
  return tr("vote_kind." + vote.kind);
}

function sortedVotes(state) {
  return Object.values((state && state.votes) || {}).sort((a, b) => a.number - b.number);
}

function sortedPlans(state, status) {
  return Object.values((state && state.plans) || {})
    .filter((p) => !status || p.status === status)
    .sort((a, b) => (a.key || "~").localeCompare(b.key || "~") || a.id - b.id);
}

// The open in-meeting vote (at most one), else null.
function openVote(state) {
  return sortedVotes(state).find((v) => v.status === "open" && v.channel === "meeting") || null;
}

function latestClosed(state) {
  const closed = sortedVotes(state).filter((v) => v.status === "closed");
  return closed.length ? closed[closed.length - 1] : null;
}

function countLine(count) {
  return `${tr("votes.owners", { n: count.owners })} · ${tr("votes.area", { area: formatArea(count.area) })}`;
}

// Bars of a tally (a result's or a live one): by headcount, with the area beside.
function tallyBars(vote, tally) {
  if (!tally) return nothing;
  const keys = [...tally.options, "abstain"];
  const total = Math.max(1, tally.participation.owners);
  return html`<ul class="vote-bars">${keys.map((key) => {
    const count = tally.counts[key] || { owners: 0, area: 0 };
    const width = Math.round((100 * count.owners) / total);
    return html`<li data-choice=${key}><span class="vote-bar-label">${choiceLabel(vote, key)}</span><span
      class="vote-bar"><span style="width:${width}%"></span></span><span
      class="vote-bar-count">${countLine(count)}</span></li>`;
  })}</ul>`;
}

function rounds(vote, tally) {
  if (!tally || !tally.rounds || tally.rounds.length < 2) return nothing;
  return html`<ol class="vote-rounds">${tally.rounds.map((round, index) => {
    const parts = Object.entries(round.counts).map(([k, c]) => `${k} ${c.owners}`).join(" · ");
    const end = round.winner ? ` → ${round.winner}`
      : round.eliminated ? ` · ${tr("votes.eliminated", { option: round.eliminated })}` : "";
    return html`<li>${tr("votes.round", { n: index + 1 }) + tr("punct.colon")}${parts}${end}</li>`;
  })}</ol>`;
}

function explanation(block) {
  if (!block) return "";
  // The server writes the explanation in each language, keyed "zh" and "en".
  return block[document.documentElement.lang.split("-")[0]] || block.en || "";
}

// Text with its line breaks kept as <br>.
function lines(text) {
  return text.split("\n").map((line, index) => (index ? html`<br>${line}` : line));
}

// A closed vote's result: the outcome, the numbers and the rule's explanation.
function result(vote) {
  const outcome = vote.result && vote.result.outcome;
  if (!outcome) return nothing;
  const verdict = outcome.passed ? "votes.passed" : outcome.tied ? "votes.tied" : "votes.not_passed";
  const options = outcome.options.length && vote.method !== "yes_no" ? " · " + outcome.options.join(", ") : "";
  return html`<div class="vote-result ${outcome.passed ? "passed" : outcome.tied ? "tied" : "not-passed"}" data-testid="vote-result"><p
    class="vote-outcome">${tr(verdict)}${options}</p>${tallyBars(vote, vote.result.tally)}${rounds(vote, vote.result.tally)}<p
    class="vote-explanation" data-testid="vote-explanation">${lines(explanation(vote.result.explanation))}</p></div>`;
}

// Participation of an open vote, and the two-thirds gate of an owners' decision.
function participation(vote, live) {
  if (!live) return nothing;
  const eligible = vote.kind === "owners_decision" ? live.scope : live.eligible;
  const area = vote.kind === "owners_decision" && eligible
    ? " · " + tr("votes.participation_area", { area: formatArea(live.participation.area), eligible_area: formatArea(eligible.area) })
    : "";
  const gate = live.gate && (live.gate.met ? tr("votes.gate_met")
    : tr("votes.missing_gate", { owners: live.gate.missing.owners, area: formatArea(live.gate.missing.area) }));
  return html`<p class="vote-participation" data-testid="vote-participation">${tr("votes.participation", {
    owners: live.participation.owners, eligible: eligible ? eligible.owners : "—" })}${area}</p>${
    gate ? html`<p class="vote-gate">${gate}</p>` : nothing}`;
}

function planMoney(plan) {
  const money = plan.money;
  const parts = [`${tr("votes.total")} ${tr("votes.yuan", { amount: formatYuan(plan.total) })}`];
  // The whole cost per m² of the roster's area (the server's figure, to the fen).
  if (money && money.total_per_m2) parts.push(tr("votes.per_m2", { rate: money.total_per_m2 }));
  if (plan.duration_days) parts.push(tr("votes.duration", { days: plan.duration_days }));
  const funding = Object.entries(plan.funding || {}).map(([source, fen]) =>
    `${tr("funding." + source)} ${formatYuan(fen)}`).join(" · ");
  const shares = [["fund_share", "votes.fund_share"], ["levy_share", "votes.levy_share"]]
    .filter(([key]) => money && money[key]).map(([key, label]) => {
      const share = money[key];
      const examples = share.shares.slice(0, 2).map((s) =>
        tr("votes.share_for", { area: formatArea(s.area), amount: formatYuan(s.fen) })).join(tr("punct.comma"));
      return html`<p class="plan-share">${tr(label, { rate: share.rate_per_m2 })}${tr("punct.colon")}${examples}</p>`;
    });
  const fund = money && money.fund;
  return html`<p class="plan-money">${parts.join(" · ")}</p>${
    funding ? html`<p class="plan-funding muted">${funding}</p>` : nothing}${shares}${
    fund && !fund.overdraw ? html`<p class="plan-fund">${tr("votes.fund_after", { after: formatYuan(fund.balance_after), floor: formatYuan(fund.floor) })}${
      fund.below_floor ? html` · <strong>${tr("votes.fund_below_floor", { top_up: formatYuan(fund.top_up) })}</strong>` : nothing}</p>` : nothing}${
    (plan.warnings || []).map((warning) => html`<p class="plan-warning">⚠ ${tr("plan_warning." + warning)}</p>`)}${
    plan.matters && plan.matters.length
      ? html`<p class="plan-matters muted">${plan.matters.map((m) => tr("matter." + m)).join(" · ")}</p>` : nothing}`;
}

function countdownText(vote, serverNow) {
  if (!vote.deadline_at) return "";
  const left = Math.max(0, Math.ceil((vote.deadline_at - serverNow) / 1000));
  return tr("votes.closes_in", { time: formatClock(left) });
}

export const votesUi = {
  formatArea, formatYuan, choiceLabel, kindLabel, sortedVotes, sortedPlans, openVote,
  latestClosed, tallyBars, result, participation, planMoney, countdownText,
};
