// Forms that cannot be taken back ask in place, as the live console does (a second tap): the
// first press of the form's button does not send it but shows, beside the button, what a
// second press will do (the form's message); a second press within a few seconds sends it.
// Letting it lapse, or Escape, changes nothing. No dialog: a browser's confirm() box speaks
// the browser's language, not the page's, and blocks the page.
//
// data-confirm: always asked (ending a meeting from its page).
// data-drafts-confirm: signing out while minutes typed in this browser are not saved yet
// (static/js/minutes-console.js keeps them in localStorage until the server has them): asked
// only when there are any; once confirmed they are deleted, so that nothing of them stays on a
// shared computer.
(function () {
  "use strict";
  const CONFIRM_MS = 4000;
  const DRAFTS = "facilitator.minutes.";

  function keptDrafts() {
    try {
      return Object.keys(localStorage).filter((key) => key.startsWith(DRAFTS));
    } catch (error) {
      return []; // no storage here: nothing kept
    }
  }

  function questionOf(form) {
    if (form.dataset.confirm !== undefined) return form.dataset.confirm;
    if (form.dataset.draftsConfirm !== undefined && keptDrafts().length) return form.dataset.draftsConfirm;
    return null;
  }

  function disarm(form) {
    clearTimeout(form.confirmTimer);
    delete form.dataset.armed;
    const note = form.querySelector(".confirm-note");
    if (note) note.remove();
  }

  function arm(form, question) {
    const note = document.createElement("span");
    note.className = "confirm-note";
    note.setAttribute("role", "alert"); // read out at once, where the focus already is
    note.textContent = question;
    const button = form.querySelector("button[type=submit], button:not([type])");
    (button || form).after(note);
    form.dataset.armed = "";
    form.confirmTimer = setTimeout(() => disarm(form), CONFIRM_MS);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = questionOf(form);
    if (question === null || event.defaultPrevented) return;
    if (form.dataset.armed === undefined) {
      event.preventDefault();
      arm(form, question);
      return;
    }
    disarm(form);
    if (form.dataset.draftsConfirm !== undefined) {
      for (const key of keptDrafts()) localStorage.removeItem(key);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const form = document.activeElement && document.activeElement.closest("form[data-armed]");
    if (form) disarm(form);
  });
})();
