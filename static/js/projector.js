// The big screen: read-only, readable from the back of the room.
// The page's store (the other parts of the page import it) and the functions of the state
// called after every change.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { currentItem, currentSpeech, draw, formatClock, itemCountdown, LiveStore, markData, orderedQueue, sortedAgenda, speechTiming, tr, userText } from "./live.js";

export let store = null;
export const listeners = [];
// Fitting the screen: schedule, for the other renderers; pagesOf, how a list was cut (the
// browser tests check that every plan is on a page).
export const projectorFit = {};

(function () {
  const root = document.getElementById("projector");
  const $ = (id) => document.getElementById(id);

  // Everything on the screen stays whole, on a 1920×1080 screen as on a 1280×720 one. Each
  // region (.pj-fit: the left column, the side column, a plan or vote shown alone) first
  // shows its lists a page at a time: a list marked data-pager inside a .pj-pages box is cut
  // into pages where the next item would cross the box's bottom edge; "rotate" turns the
  // pages every few seconds, "pin" keeps the page of its data-pin item, "first" shows the
  // first page and counts the rest (its data-more adds those not listed at all). When the
  // region still overflows, its type shrinks a step (--fit, used by projector.css) and the
  // pages are cut again, down to MIN_FIT. Before paging, a region tries to show every list
  // whole with its type shrunk down to ONE_PAGE_FIT.
  const MIN_FIT = 0.6;
  const ONE_PAGE_FIT = 0.8;
  const FIT_STEP = 0.05;
  const ROTATE_MS = 10000;
  const pages = new Map(); // list id → {page, pages: [[start, end), ...]}
  let fitTimer = null;

  function overflows(element) {
    return element.scrollHeight > element.clientHeight + 1 || element.scrollWidth > element.clientWidth + 1;
  }

  // Whether anything in the region is clipped or sticks out of its box (as the browser
  // tests check the whole screen). Text with a line clamp is shortened on purpose.
  function regionOverflows(region) {
    if (overflows(region)) return true;
    for (const element of region.querySelectorAll("*")) {
      if (!element.clientHeight || !element.getClientRects().length) continue;
      if (getComputedStyle(element).webkitLineClamp !== "none") continue;
      if (overflows(element)) return true;
    }
    return false;
  }

  function cutPages(list) {
    const box = list.closest(".pj-pages");
    const items = [...list.children];
    const cut = [];
    let start = 0;
    while (start < items.length) {
      items.forEach((item, k) => { item.hidden = k < start; });
      const bottom = box.getBoundingClientRect().top + box.clientHeight;
      let end = start + 1;
      while (end < items.length && items[end].getBoundingClientRect().bottom <= bottom + 0.5) end += 1;
      cut.push([start, end]);
      start = end;
    }
    const entry = pages.get(list.id) || { page: 0 };
    entry.pages = cut;
    if (list.dataset.pager === "pin") {
      const pin = Number(list.dataset.pin || 0);
      entry.page = Math.max(0, cut.findIndex(([s, e]) => pin >= s && pin < e));
    } else if (list.dataset.pager === "first" || entry.page >= cut.length) {
      entry.page = 0;
    }
    pages.set(list.id, entry);
    showPage(list);
  }

  function showPage(list) {
    const entry = pages.get(list.id);
    const [start, end] = entry.pages[entry.page] || [0, 0];
    [...list.children].forEach((item, k) => { item.hidden = k < start || k >= end; });
    const indicator = document.querySelector(`[data-pager-for="${list.id}"]`);
    if (!indicator) return;
    if (list.dataset.pager === "first") {
      const more = list.children.length - end + Number(list.dataset.more || 0);
      indicator.textContent = more > 0 ? tr("screen.more_waiting", { n: more }) : "";
      indicator.hidden = more <= 0;
    } else {
      indicator.textContent = tr("screen.page", { n: entry.page + 1, of: entry.pages.length });
      indicator.hidden = entry.pages.length < 2;
    }
  }

  // The region at a size: its lists cut into pages; whether it then fits on one page each.
  function tryFit(region, lists, fit) {
    region.style.setProperty("--fit", String(fit));
    let onePage = true;
    for (const list of lists) {
      if (!list.closest(".pj-pages").getClientRects().length) continue;
      cutPages(list);
      onePage = onePage && pages.get(list.id).pages.length <= 1;
    }
    return { fits: !regionOverflows(region), onePage };
  }

  function fitRegion(region) {
    if (!region.getClientRects().length) return;
    const lists = [...region.querySelectorAll("[data-pager]")];
    // Everything at once with slightly smaller type (down to ONE_PAGE_FIT) rather than pages;
    // else full-size type and pages; type shrinks further only when a page still overflows.
    for (let fit = 1; fit >= ONE_PAGE_FIT; fit = Math.round((fit - FIT_STEP) * 100) / 100) {
      const { fits, onePage } = tryFit(region, lists, fit);
      if (fits && onePage) return;
    }
    for (let fit = 1; ; fit = Math.max(MIN_FIT, Math.round((fit - FIT_STEP) * 100) / 100)) {
      if (tryFit(region, lists, fit).fits || fit <= MIN_FIT) return;
    }
  }

  let fits = 0;
  function fitAll() {
    fitTimer = null;
    document.querySelectorAll(".pj-fit").forEach(fitRegion);
    fits += 1;
    root.dataset.fits = String(fits); // the browser tests wait for the screen to settle
  }

  // After every renderer of a change has run (they all schedule this).
  function scheduleFit() {
    if (!fitTimer) fitTimer = setTimeout(fitAll, 0);
  }

  setInterval(() => {
    for (const list of document.querySelectorAll("[data-pager=rotate]")) {
      const entry = pages.get(list.id);
      if (!entry || entry.pages.length < 2 || !list.getClientRects().length) continue;
      entry.page = (entry.page + 1) % entry.pages.length;
      showPage(list);
    }
  }, ROTATE_MS);
  window.addEventListener("resize", scheduleFit);
  // schedule: for the other renderers; pagesOf: how a list was cut (the browser tests check
  // that every plan is on a page).
  Object.assign(projectorFit, { schedule: scheduleFit, pagesOf: (id) => pages.get(id) });

  listeners.push(render);
  store = new LiveStore({
    meetingId: Number(root.dataset.meetingId),
    face: "projector",
    token: root.dataset.token,
    onChange: (state) => listeners.forEach((listener) => listener(state)),
    onStatus: (status) => {
      $("connection").textContent = status === "connected" ? "" : tr("live." + status);
    },
    onRefused: (error) => { $("connection").textContent = error.message; },
  });
  document.addEventListener("DOMContentLoaded", () => store.connect());
  $("pj-qr").addEventListener("load", scheduleFit);

  function render(state) {
    if (!state) return;
    const meeting = state.meeting;
    $("pj-title").textContent = meeting.title;
    const code = meeting.join_code;
    $("pj-join").hidden = !code;
    if (code) {
      $("pj-code").textContent = code.replace(/(\d{3})(\d{3})/, "$1 $2");
      const url = root.dataset.joinBase + code; // the address in the QR code
      $("pj-url").textContent = url.replace(/^https?:\/\//, "");
      // The QR code's link carries the meeting's join key: scanning it takes no try from
      // the limit on typed codes (the address shown above is for typing the code).
      const qr = "/join-qr/" + code + ".svg?k=" + encodeURIComponent(meeting.join_key || "");
      if ($("pj-qr").dataset.src !== qr) {
        $("pj-qr").src = qr;
        $("pj-qr").dataset.src = qr;
      }
    }
    const present = Object.values(state.participants || {}).filter((p) => p.status === "admitted");
    $("pj-present").textContent = tr("live.people_present", { n: present.length });
    const items = sortedAgenda(state);
    const current = currentItem(state);
    // Keyed rows: an item's row stays the same element (the pager hides rows, not the
    // template), so only what changed is touched.
    draw($("pj-agenda"), repeat(items, (item) => item.id, (item) => html`<li class=${
      current && current.id === item.id ? "current" : item.started_at ? "done" : ""}>${
      userText(item.title)}<span class="pj-min">${item.planned_seconds / 60}′</span></li>`));
    $("pj-agenda").dataset.pin = String(Math.max(0, items.findIndex((item) => current && item.id === current.id)));
    renderCountdown();
    scheduleFit();
  }

  function renderCountdown() {
    const state = store.state;
    if (!state) return;
    const current = currentItem(state);
    const box = $("pj-countdown");
    if (state.meeting.status === "ended") {
      $("pj-item-title").textContent = tr("live.meeting_ended");
      markData($("pj-item-title"), false);
      $("pj-item-segment").textContent = "";
      box.textContent = "";
      return;
    }
    if (!current) {
      const finished = sortedAgenda(state).some((i) => i.started_at);
      $("pj-item-title").textContent = tr(state.meeting.status === "scheduled" ? "live.meeting_not_started"
        : finished ? "live.agenda_finished" : "live.no_current_item");
      markData($("pj-item-title"), false);
      $("pj-item-segment").textContent = "";
      box.textContent = "";
      box.className = "pj-countdown";
      return;
    }
    $("pj-item-title").textContent = current.title;
    markData($("pj-item-title"), true);
    $("pj-item-segment").textContent = tr("segment." + current.segment);
    const { remaining, overrun } = itemCountdown(current, store.serverNow());
    box.className = "pj-countdown" + (overrun ? " overrun" : remaining <= 60 ? " warning" : "");
    box.textContent = (overrun ? tr("live.overrun") + " " : "") + formatClock(overrun ? -remaining : remaining);
  }

  setInterval(renderCountdown, 250);
})();

// The speaker and the next five, and the statistics when the meeting shows them.
(function () {
  const $ = (id) => document.getElementById(id);
  const SHOWN = 5;

  function label(entry) {
    return entry.kind === "speech" ? tr("stance." + entry.stance) : tr("kind." + entry.kind);
  }

  function render(state) {
    if (!state || !state.speakers) return;
    const people = state.participants || {};
    const speech = currentSpeech(state);
    $("pj-speaker").hidden = !speech;
    document.querySelector(".pj-now").classList.toggle("pj-item-small", Boolean(speech));
    if (speech) {
      const person = people[String(speech.participant_id)] || {};
      $("pj-speaker-name").textContent = person.name || "";
      $("pj-speaker-meta").textContent = `${tr("party." + speech.party)}${person.unit ? " · " + person.unit : ""} · ${label(speech)}`;
    }
    const queue = orderedQueue(state);
    const next = queue.slice(0, SHOWN);
    $("pj-queue-box").hidden = !next.length && !state.speakers.stats;
    document.querySelector(".pj-side").classList.toggle("with-queue", !$("pj-queue-box").hidden);
    // Names wrap in full: the screen shows fewer of the next five rather than cut a name,
    // and says how many more are waiting.
    $("pj-next").dataset.more = String(queue.length - next.length);
    draw($("pj-next"), next.map((entry) => {
      const person = people[String(entry.participant_id)] || {};
      return html`<li>${person.name || ""} <small>· ${tr("party." + entry.party)} · ${label(entry)}</small></li>`;
    }));
    const stats = state.speakers.stats;
    draw($("pj-stats"), stats ? Object.entries(stats.by_party).map(([party, t], k) =>
      html`${k ? html`<br>` : nothing}${tr("party." + party)} ${t.turns} · ${formatClock(t.seconds)}`) : nothing);
    tick();
    projectorFit.schedule();
  }

  function tick() {
    const state = store.state;
    const speech = state && currentSpeech(state);
    if (!speech) return;
    const { remaining, state: phase } = speechTiming(speech, store.serverNow());
    const box = $("pj-speech-countdown");
    box.className = "pj-speech-countdown " + phase;
    box.textContent = (phase === "overrun" ? tr("live.overrun") + " " : phase === "paused" ? tr("live.paused") + " " : "")
      + formatClock(Math.abs(remaining));
  }

  listeners.push(render);
  setInterval(tick, 250);
})();
