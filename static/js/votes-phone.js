// A resident's phone: the plans, proposing one, and voting — for oneself and for each owner
// whose written authorisation one holds. What this phone may vote for, and whether it has,
// comes from the server ("ballots" call), asked again after every change of the votes; an
// owner's own share of each plan comes from the server too ("shares" call), which alone holds
// the rule and the owner's area.
import { tr } from "./live.js";
import { escapeHtml } from "./legacy.js";
import { store as phoneStore } from "./phone.js";
import { votesUi as ui } from "./votes-common.js";

(function () {
  const root = document.getElementById("phone-votes");
  if (!root) return;
  let status = {}; // vote id → identities (see docs/protocol.md, "ballots")
  let statusKey = null;
  let busy = false;
  let lastHtml = null;
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

  function optionShareHtml(vote, key) {
    const share = shareOf(optionPlanId(vote, key));
    return share ? ` <span class="my-share" data-testid="option-share">${escapeHtml(shareText(share))}</span>` : "";
  }

  // Beside each plan: the owner's share; what it is made of when the plan both draws on the
  // fund and levies the owners; each unit's when the owner holds several.
  function planShareDetailsHtml(plan) {
    const share = shareOf(plan.id);
    if (!share) return "";
    let html = "";
    if (share.fund && share.levy) {
      html += `<p class="my-share-parts">${escapeHtml(tr("votes.your_share_parts", { fund: ui.formatYuan(share.fund), levy: ui.formatYuan(share.levy) }))}</p>`;
    }
    if (share.units.length > 1) {
      html += `<p class="my-share-units" data-testid="my-share-units">${share.units.map((u) => escapeHtml(tr("votes.your_share_unit", { unit: u.unit, amount: ui.formatYuan(u.total) }))).join("<br>")}`
        + `<br><span class="muted">${escapeHtml(tr("votes.your_share_area", { area: ui.formatArea(shares.area) }))}</span></p>`;
    }
    return html;
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

  function ballotForm(vote, identity, index) {
    const name = `ballot-${vote.id}-${index}`;
    const keys = vote.options.map((o) => o.key);
    // The phone's own share beside each option of its own ballot (not of an owner it votes
    // for by proxy: that owner's share is not this phone's to know).
    const share = (k) => (identity.proxy_id === null ? optionShareHtml(vote, k) : "");
    let inputs = "";
    if (vote.method === "approval") {
      inputs = keys.map((k) => `<label class="choice"><input type="checkbox" name="${name}" value="${escapeHtml(k)}"> ${escapeHtml(ui.choiceLabel(vote, k))}${share(k)}</label>`).join("");
    } else if (vote.method === "ranked") {
      const ranks = ["", ...keys.map((_, i) => String(i + 1))];
      inputs = keys.map((k) => `<label class="choice"><select data-key="${escapeHtml(k)}">${ranks.map((r) => `<option value="${r}">${r || "—"}</option>`).join("")}</select> ${escapeHtml(ui.choiceLabel(vote, k))}${share(k)}</label>`).join("");
    } else {
      inputs = [...keys, "abstain"].map((k) => `<label class="choice"><input type="radio" name="${name}" value="${escapeHtml(k)}"> ${escapeHtml(ui.choiceLabel(vote, k))}${share(k)}</label>`).join("");
    }
    // data-voted: a ballot still to cast takes the whole screen in elderly mode (elderly.js);
    // data-none: what a ballot with no box ticked casts (an approval vote's), there and here.
    const none = vote.method === "approval" ? "abstain" : "";
    return `<form class="ballot-form" data-vote="${vote.id}" data-proxy="${identity.proxy_id === null ? "" : identity.proxy_id}" data-voted="${identity.voted}" data-none="${none}">`
      + `${inputs}<button type="submit" class="primary">${escapeHtml(tr(identity.voted ? "votes.change" : "votes.cast"))}</button></form>`;
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

  function render(store) {
    const state = store.state;
    if (!state || !state.votes) return;
    let html = "";
    const vote = ui.openVote(state);
    if (vote) {
      html += `<div class="phone-card vote-card" data-testid="phone-vote"><span class="muted">${escapeHtml(ui.kindLabel(vote))}</span>`
        + `<h2>${escapeHtml(vote.title)}</h2>`;
      if (vote.question) html += `<p class="vote-question">${escapeHtml(vote.question)}</p>`;
      if (vote.deadline_at) html += `<p class="muted" id="phone-vote-countdown"></p>`;
      const identities = status[String(vote.id)] || [];
      const eligible = identities.filter((i) => i.eligible);
      if (!identities.length) html += `<p class="muted">…</p>`;
      else if (!eligible.length) html += `<p class="muted" data-testid="phone-not-eligible">${escapeHtml(tr(identities[0].reason || "votes.not_eligible"))}</p>`;
      eligible.forEach((identity, index) => {
        if (eligible.length > 1 || identity.proxy_id !== null) html += `<h3>${escapeHtml(identityLabel(state, identity))}</h3>`;
        if (identity.voted && identity.cast_by_me === false) {
          // A co-owned unit has one vote: another co-owner (or a proxy holder) cast it.
          html += `<p class="voted" data-testid="phone-voted-by-other">✓ ${escapeHtml(tr("votes.household_voted", { name: identity.cast_by }))}</p>`;
          if (identity.choices) html += `<p>${escapeHtml(tr("votes.household_chose", { choice: identity.choices.map((c) => ui.choiceLabel(vote, c)).join(" > ") }))}</p>`;
        } else if (identity.voted) {
          html += `<p class="voted" data-testid="phone-voted">✓ ${escapeHtml(tr("votes.you_voted"))}</p>`;
          if (identity.choices) html += `<p>${escapeHtml(tr("votes.you_chose", { choice: identity.choices.map((c) => ui.choiceLabel(vote, c)).join(" > ") }))}</p>`;
          if (formShown(vote, identity)) html += ballotForm(vote, identity, index);
        } else {
          html += ballotForm(vote, identity, index);
        }
      });
      // No ballot of this phone's own to fill in (cast already, or not its to cast): the
      // owner's share of each option still stands, listed under the ballots.
      const ownForm = eligible.some((i) => i.proxy_id === null && formShown(vote, i));
      const optionShares = vote.options.filter((o) => shareOf(optionPlanId(vote, o.key)));
      if (identities.length && !ownForm && optionShares.length) {
        html += `<ul class="my-shares">${optionShares.map((o) =>
          `<li>${escapeHtml(ui.choiceLabel(vote, o.key))}${optionShareHtml(vote, o.key)}</li>`).join("")}</ul>`;
      }
      html += `<div class="vote-live" id="phone-vote-live"></div></div>`;
    } else {
      const closed = ui.latestClosed(state);
      if (closed) {
        html += `<div class="phone-card vote-card"><span class="muted">${escapeHtml(ui.kindLabel(closed))} · ${escapeHtml(tr("votes.result"))}</span>`
          + `<h2>${escapeHtml(closed.title)}</h2>${ui.resultHtml(closed)}</div>`;
      }
    }
    const plans = ui.sortedPlans(state, "accepted");
    if (plans.length) {
      html += `<div class="phone-card"><h3>${escapeHtml(tr("votes.plans"))}</h3>${plans.map((p) =>
        `<details class="plan" data-plan="${escapeHtml(p.key)}"><summary><strong>${escapeHtml(p.key)}</strong> ${escapeHtml(p.title)}`
        + `${shareOf(p.id) ? `<span class="my-share" data-testid="plan-share">${escapeHtml(shareText(shareOf(p.id)))}</span>` : ""}</summary>`
        + `${planShareDetailsHtml(p)}${p.description ? `<p>${escapeHtml(p.description)}</p>` : ""}${ui.planMoneyHtml(p)}</details>`).join("")}`
        + `<details class="propose"><summary>${escapeHtml(tr("votes.propose"))}</summary>`
        + `<form id="plan-propose" class="stack-sm"><input name="title" maxlength="200" required placeholder="${escapeHtml(tr("field.title"))}">`
        + `<textarea name="description" maxlength="5000" rows="3" placeholder="${escapeHtml(tr("field.description"))}"></textarea>`
        + `<button type="submit">${escapeHtml(tr("votes.propose"))}</button><p class="muted" id="plan-propose-status"></p></form></details></div>`;
    }
    const vote2 = ui.openVote(state);
    const live = vote2 ? store.tallies[String(vote2.id)] : null;
    const liveHtml = vote2 ? ui.participationHtml(vote2, live) + (live && live.tally ? ui.tallyBars(vote2, live.tally) : "") : "";
    if (html !== lastHtml && !busy) {
      lastHtml = html;
      // Keep what someone is typing in the proposal form.
      const draft = root.querySelector("#plan-propose");
      const kept = draft ? { title: draft.title.value, description: draft.description.value,
                             open: draft.closest("details").open } : null;
      const ticked = [...root.querySelectorAll(".ballot-form input:checked, .ballot-form select")]
        .map((i) => [i.closest("form").dataset.proxy, i.name || i.dataset.key, i.value]);
      root.innerHTML = html;
      const form = root.querySelector("#plan-propose");
      if (form && kept) {
        form.title.value = kept.title;
        form.description.value = kept.description;
        form.closest("details").open = kept.open;
      }
      for (const [proxy, name, value] of ticked) {
        const form2 = root.querySelector(`.ballot-form[data-proxy="${proxy}"]`);
        if (!form2) continue;
        const input = form2.querySelector(`input[value="${CSS.escape(value)}"]`)
          || form2.querySelector(`select[data-key="${CSS.escape(name)}"]`);
        if (input && input.tagName === "SELECT") input.value = value;
        else if (input) input.checked = true;
      }
    }
    // Live counts change a few times a second: only their box is redrawn, so a choice being
    // made in the form is never disturbed.
    const liveBox = root.querySelector("#phone-vote-live");
    if (liveBox && liveBox.innerHTML !== liveHtml) liveBox.innerHTML = liveHtml;
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
      const note = form.querySelector("#plan-propose-status");
      try {
        await store.send("plan.propose", { title: form.title.value, description: form.description.value || null });
        form.reset();
        note.textContent = tr("votes.proposal_sent");
      } catch (error) {
        note.textContent = error.message || String(error);
      }
      return;
    }
    const vote = (store.state.votes || {})[form.dataset.vote];
    const choices = choicesOf(form, vote);
    if (!choices.length) return;
    const payload = { vote_id: vote.id, choices };
    if (form.dataset.proxy) payload.proxy_id = Number(form.dataset.proxy);
    busy = true;
    form.querySelector("button").disabled = true;
    try {
      await store.send("ballot.cast", payload);
    } catch (error) {
      window.alert(error.message || String(error));
    } finally {
      busy = false;
      statusKey = null;
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
  setInterval(() => {
    const store = phoneStore;
    const box = document.getElementById("phone-vote-countdown");
    if (!store || !store.state || !box) return;
    const vote = ui.openVote(store.state);
    if (vote) box.textContent = ui.countdownText(vote, store.serverNow());
  }, 1000);
})();
