// The console's controls for the room's screen: the QR code alone on it, and the bar that
// says what the screen shows alone (a plan, a vote, the top written questions, the QR code:
// screen.focus) with the way back to the ordinary screen. The plans' and votes' own buttons
// are in votes-console.js, the questions' in questions-console.js.
import { tr } from "./live.js";
import { store, run, listeners } from "./console.js";
(function () {
  const $ = (id) => document.getElementById(id);
  if (!store || !$("screen-bar")) return;

  function focusText(state, focus) {
    if (focus.kind === "qr") return tr("screen.showing_qr");
    if (focus.kind === "questions") return tr("screen.showing_questions");
    if (focus.kind === "plan") {
      const plan = (state.plans || {})[String(focus.id)];
      return tr("screen.showing_plan", { key: plan ? plan.key : "?" });
    }
    const vote = (state.votes || {})[String(focus.id)];
    return tr("screen.showing_vote", { number: vote ? vote.number : "?" });
  }

  function render(state) {
    if (!state) return;
    const focus = state.meeting.screen_focus;
    $("screen-bar").hidden = !focus;
    $("screen-bar-text").textContent = focus ? focusText(state, focus) : "";
    $("screen-qr").hidden = state.meeting.status !== "live";
    $("screen-qr").setAttribute("aria-pressed", String(Boolean(focus && focus.kind === "qr")));
  }

  $("screen-qr").addEventListener("click", () => run("screen.focus", { show: "qr" }));
  $("screen-back").addEventListener("click", () => run("screen.focus", { show: "none" }));
  listeners.push(render);
})();
