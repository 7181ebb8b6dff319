// Plans and votes on the three faces: formatting shared by votes-console.js, votes-phone.js
// and votes-projector.js. Money arrives in fen and area in hundredths of m² (integers); they
// are formatted here with integer arithmetic only, like facilitator/domain/voting.py.
import { formatClock, tr } from "./live.js";
import { escapeHtml } from "./legacy.js";


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
  if (!tally) return "";
  const keys = [...tally.options, "abstain"];
  const total = Math.max(1, tally.participation.owners);
  return `<ul class="vote-bars">${keys.map((key) => {
    const count = tally.counts[key] || { owners: 0, area: 0 };
    const width = Math.round((100 * count.owners) / total);
    return `<li data-choice="${escapeHtml(key)}"><span class="vote-bar-label">${escapeHtml(choiceLabel(vote, key))}</span>`
      + `<span class="vote-bar"><span style="width:${width}%"></span></span>`
      + `<span class="vote-bar-count">${escapeHtml(countLine(count))}</span></li>`;
  }).join("")}</ul>`;
}

function roundsHtml(vote, tally) {
  if (!tally || !tally.rounds || tally.rounds.length < 2) return "";
  return `<ol class="vote-rounds">${tally.rounds.map((round, index) => {
    const parts = Object.entries(round.counts).map(([k, c]) => `${escapeHtml(k)} ${c.owners}`).join(" · ");
    const end = round.winner ? ` → ${escapeHtml(round.winner)}`
      : round.eliminated ? ` · ${escapeHtml(tr("votes.eliminated", { option: round.eliminated }))}` : "";
    return `<li>${escapeHtml(tr("votes.round", { n: index + 1 }) + tr("punct.colon"))}${parts}${end}</li>`;
  }).join("")}</ol>`;
}

function explanation(block) {
  if (!block) return "";
  // The server writes the explanation in each language, keyed "zh" and "en".
  return block[document.documentElement.lang.split("-")[0]] || block.en || "";
}

// A closed vote's result: the outcome, the numbers and the rule's explanation.
function resultHtml(vote) {
  const result = vote.result;
  if (!result) return "";
  const passed = result.outcome.passed;
  const verdict = passed ? "votes.passed" : result.outcome.tied ? "votes.tied" : "votes.not_passed";
  return `<div class="vote-result ${passed ? "passed" : result.outcome.tied ? "tied" : "not-passed"}" data-testid="vote-result">`
    + `<p class="vote-outcome">${escapeHtml(tr(verdict))}`
    + `${result.outcome.options.length && vote.method !== "yes_no" ? " · " + escapeHtml(result.outcome.options.join(", ")) : ""}</p>`
    + tallyBars(vote, result.tally) + roundsHtml(vote, result.tally)
    + `<p class="vote-explanation" data-testid="vote-explanation">${escapeHtml(explanation(result.explanation)).replace(/\n/g, "<br>")}</p></div>`;
}

// Participation of an open vote, and the two-thirds gate of an owners' decision.
function participationHtml(vote, live) {
  if (!live) return "";
  const eligible = vote.kind === "owners_decision" ? live.scope : live.eligible;
  let html = `<p class="vote-participation" data-testid="vote-participation">${escapeHtml(tr("votes.participation", {
    owners: live.participation.owners, eligible: eligible ? eligible.owners : "—" }))}`;
  if (vote.kind === "owners_decision" && eligible) {
    html += ` · ${escapeHtml(tr("votes.participation_area", {
      area: formatArea(live.participation.area), eligible_area: formatArea(eligible.area) }))}`;
  }
  html += "</p>";
  if (live.gate) {
    html += `<p class="vote-gate">${escapeHtml(live.gate.met ? tr("votes.gate_met")
      : tr("votes.missing_gate", { owners: live.gate.missing.owners, area: formatArea(live.gate.missing.area) }))}</p>`;
  }
  return html;
}

function planMoneyHtml(plan) {
  const money = plan.money;
  const parts = [`${escapeHtml(tr("votes.total"))} ${escapeHtml(tr("votes.yuan", { amount: formatYuan(plan.total) }))}`];
  // The whole cost per m² of the roster's area (the server's figure, to the fen).
  if (money && money.total_per_m2) parts.push(escapeHtml(tr("votes.per_m2", { rate: money.total_per_m2 })));
  if (plan.duration_days) parts.push(escapeHtml(tr("votes.duration", { days: plan.duration_days })));
  const funding = Object.entries(plan.funding || {}).map(([source, fen]) =>
    `${escapeHtml(tr("funding." + source))} ${escapeHtml(formatYuan(fen))}`).join(" · ");
  let html = `<p class="plan-money">${parts.join(" · ")}</p>`;
  if (funding) html += `<p class="plan-funding muted">${funding}</p>`;
  for (const [key, label] of [["fund_share", "votes.fund_share"], ["levy_share", "votes.levy_share"]]) {
    const share = money && money[key];
    if (!share) continue;
    const examples = share.shares.slice(0, 2).map((s) =>
      tr("votes.share_for", { area: formatArea(s.area), amount: formatYuan(s.fen) })).join(tr("punct.comma"));
    html += `<p class="plan-share">${escapeHtml(tr(label, { rate: share.rate_per_m2 }))}${escapeHtml(tr("punct.colon"))}${escapeHtml(examples)}</p>`;
  }
  const fund = money && money.fund;
  if (fund && !fund.overdraw) {
    html += `<p class="plan-fund">${escapeHtml(tr("votes.fund_after", { after: formatYuan(fund.balance_after), floor: formatYuan(fund.floor) }))}`;
    if (fund.below_floor) html += ` · <strong>${escapeHtml(tr("votes.fund_below_floor", { top_up: formatYuan(fund.top_up) }))}</strong>`;
    html += "</p>";
  }
  for (const warning of plan.warnings || []) {
    html += `<p class="plan-warning">⚠ ${escapeHtml(tr("plan_warning." + warning))}</p>`;
  }
  if (plan.matters && plan.matters.length) {
    html += `<p class="plan-matters muted">${plan.matters.map((m) => escapeHtml(tr("matter." + m))).join(" · ")}</p>`;
  }
  return html;
}

function countdownText(vote, serverNow) {
  if (!vote.deadline_at) return "";
  const left = Math.max(0, Math.ceil((vote.deadline_at - serverNow) / 1000));
  return tr("votes.closes_in", { time: formatClock(left) });
}

export const votesUi = {
  formatArea, formatYuan, choiceLabel, kindLabel, sortedVotes, sortedPlans, openVote,
  latestClosed, tallyBars, resultHtml, participationHtml, planMoneyHtml, countdownText,
  explanation,
};
