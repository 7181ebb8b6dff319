// Written questions from phones on the console (docs/protocol.md §20): the open ones by
// upvotes, then time, each with "to the speakers' list", "answer" and "dismiss"; those taken
// up and those dismissed below; the top questions alone on the room's screen. Answering and
// dismissing open a dialog (so a redraw while the chair types loses nothing); refusals show
// in place, in the dialog or the console's error bar.
import { html, nothing } from "../vendor/lit-html/lit-html.js";
import { repeat } from "../vendor/lit-html/directives/repeat.js";
import { draw, formatTime, rankedQuestions, tr, userText } from "./live.js";
import { contentLang } from "./config.js";
import { store, run, listeners } from "./console.js";
(function () {
  const $ = (id) => document.getElementById(id);
  if (!store || !$("questions-card")) return;
  const dialog = $("question-dialog");
  let editing = null; // { id, mode: "answer" | "dismiss" }

  function asker(state, q) {
    const person = (state.participants || {})[String(q.participant_id)] || {};
    const unit = person.unit ? " · " + person.unit : "";
    return `${q.name} · ${tr("party." + q.party)}${unit} · ${tr("question.asked_at", { time: formatTime(q.asked_at) })}`;
  }

  function votes(q) {
    return html`<span class="cq-votes" data-testid="console-question-votes"><strong>${q.upvotes}</strong><small>${
      tr("question.upvote")}</small></span>`;
  }

  function openRow(state, q, live) {
    const button = (act, label, cls) =>
      html`<button type="button" data-act=${act} class=${cls || ""} ?disabled=${!live}>${tr(label)}</button>`;
    return html`<li class="cq-row" data-id=${q.id}>${votes(q)}
      <div class="cq-body"><p class="cq-text" data-user-text="" lang=${contentLang || nothing}>${q.text}</p>
        <small class="muted">${asker(state, q)}</small>
        <span class="row-actions">${button("to_queue", "question.to_queue", "primary")}
          ${button("answer", "question.answer")}${button("dismiss", "question.dismiss", "danger-text")}</span>
      </div></li>`;
  }

  function handledRow(state, q, live) {
    const answer = q.answer ? html`<p class="question-answer"><strong>${tr("question.answer_label")}</strong>${tr("punct.colon")}${userText(q.answer)}</p>` : nothing;
    return html`<li class="cq-row" data-id=${q.id} data-status=${q.status}>${votes(q)}
      <div class="cq-body"><p class="cq-text" data-user-text="" lang=${contentLang || nothing}>${q.text}</p>
        <small class="muted">${asker(state, q)}</small>
        <span class="badge status-${q.status}">${tr("question.status." + q.status)}</span>${answer}
        ${live ? html`<span class="row-actions"><button type="button" data-act="answer">${tr("question.answer")}</button></span>` : nothing}
      </div></li>`;
  }

  function dismissedRow(state, q) {
    const why = tr("question.dismissed_because", { reason: tr("question.reason." + q.dismiss_reason) })
      + (q.dismiss_note ? tr("punct.colon") + q.dismiss_note : "");
    return html`<li class="cq-row" data-id=${q.id}>${votes(q)}
      <div class="cq-body"><p class="cq-text" data-user-text="" lang=${contentLang || nothing}>${q.text}</p>
        <small class="muted">${asker(state, q)}</small>
        <p class="cq-why">${why}</p></div></li>`;
  }

  function render(state) {
    if (!state) return;
    const live = state.meeting.status === "live";
    const open = rankedQuestions(state, ["open"]);
    const handled = rankedQuestions(state, ["queued", "spoken", "answered"])
      .sort((a, b) => (b.handled_at || 0) - (a.handled_at || 0) || b.id - a.id);
    const dismissed = rankedQuestions(state, ["dismissed"]);
    $("questions-open-count").textContent = open.length ? `(${open.length})` : "";
    draw($("questions-list"), open.length ? html`${repeat(open, (q) => q.id, (q) => openRow(state, q, live))}`
      : html`<li class="muted">${tr(Object.keys(state.questions || {}).length ? "question.none_open" : "question.console_empty")}</li>`);
    draw($("questions-handled"), html`${repeat(handled, (q) => q.id, (q) => handledRow(state, q, live))}`);
    draw($("questions-dismissed"), html`${repeat(dismissed, (q) => q.id, (q) => dismissedRow(state, q))}`);
    $("questions-handled-box").hidden = !handled.length;
    $("questions-handled-count").textContent = `(${handled.length})`;
    $("questions-dismissed-box").hidden = !dismissed.length;
    $("questions-dismissed-count").textContent = `(${dismissed.length})`;
    const focus = state.meeting.screen_focus;
    const shown = Boolean(focus && focus.kind === "questions");
    $("questions-screen").setAttribute("aria-pressed", String(shown));
    $("questions-screen").disabled = !live;
    $("questions-screen").textContent = tr(shown ? "screen.back" : "question.show_on_screen");
    // The question in the dialog was taken up meanwhile (by the other chair, say).
    if (editing && dialog.open) {
      const q = (state.questions || {})[String(editing.id)];
      const allowed = editing.mode === "dismiss" ? ["open"] : ["open", "queued", "spoken", "answered"];
      if (!q || !allowed.includes(q.status)) dialog.close();
    }
  }

  function showDialogError(message) {
    $("question-dialog-error").textContent = message || "";
    $("question-dialog-error").hidden = !message;
  }

  function openDialog(q, mode) {
    editing = { id: q.id, mode };
    $("question-dialog-heading").textContent = tr(mode === "answer" ? "question.answer" : "question.dismiss");
    $("question-dialog-text").textContent = q.text;
    $("question-dialog-asker").textContent = asker(store.state, q);
    $("question-answer-fields").hidden = mode !== "answer";
    $("question-dismiss-fields").hidden = mode !== "dismiss";
    $("question-answer").value = q.answer || "";
    $("question-reason").value = "duplicate";
    $("question-note").value = "";
    $("question-dialog-save").textContent = tr(mode === "answer" ? "question.answer_save" : "question.dismiss_save");
    $("question-dialog-save").className = mode === "answer" ? "primary" : "danger";
    showDialogError("");
    dialog.showModal();
    (mode === "answer" ? $("question-answer") : $("question-reason")).focus();
  }

  $("question-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!editing) return;
    const payload = { question_id: editing.id };
    let type = "question.answer";
    if (editing.mode === "answer") {
      payload.answer = $("question-answer").value;
    } else {
      type = "question.dismiss";
      payload.reason = $("question-reason").value;
      payload.note = $("question-note").value;
    }
    showDialogError("");
    $("question-dialog-save").disabled = true;
    try {
      await store.send(type, payload);
      dialog.close();
    } catch (error) {
      showDialogError(error.message || String(error)); // in place; the dialog stays open
    } finally {
      $("question-dialog-save").disabled = false;
    }
  });
  $("question-dialog-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { editing = null; });

  function onListClick(event) {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const id = Number(button.closest("li").dataset.id);
    const q = (store.state.questions || {})[String(id)];
    if (!q) return;
    const act = button.dataset.act;
    if (act === "to_queue") run("question.to_queue", { question_id: id });
    if (act === "answer" || act === "dismiss") openDialog(q, act);
  }
  $("questions-list").addEventListener("click", onListClick);
  $("questions-handled").addEventListener("click", onListClick);
  $("questions-screen").addEventListener("click", () => {
    const focus = store.state.meeting.screen_focus;
    run("screen.focus", { show: focus && focus.kind === "questions" ? "none" : "questions" });
  });
  listeners.push(render);
})();
