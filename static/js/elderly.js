// Elderly mode (长辈模式) on every phone page: one tap on the switch in the page's head
// (templates/_elderly.html), remembered on the phone. Large type and targets and stronger
// contrast (elderly.css); an open vote alone on the screen until this phone has cast its
// ballot; read-aloud buttons (the agenda item, the vote's question, its options with the
// owner's own share, the written questions waiting) where the browser can speak; a choice
// cast only by a second tap, read aloud at the first. Remembered in the phone's storage and in
// a cookie, which the server reads to draw the page large from its first frame (the script is
// deferred: on a slow network a script in the head would hold the whole page back).
(function () {
  "use strict";
  const STORAGE_KEY = "elderly-mode";
  // Longer than the console's four seconds (live.js): time to hear the choice read out.
  const CONFIRM_MS = 8000;
  const root = document.documentElement;

  // The cookie the server reads (facilitator/web/elderly.py, ELDERLY_COOKIE).
  const COOKIE = "elderly-mode";

  function remembered() {
    try {
      const stored = localStorage.getItem(STORAGE_KEY);
      if (stored !== null) return stored === "on";
    } catch (err) { /* storage refused (some private modes): the cookie, if any */ }
    return document.cookie.split("; ").includes(COOKIE + "=on");
  }

  function remember(isOn) {
    try {
      localStorage.setItem(STORAGE_KEY, isOn ? "on" : "off");
    } catch (err) { /* the cookie alone */ }
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${COOKIE}=${isOn ? "on" : "off"}; Path=/; Max-Age=${60 * 60 * 24 * 365}; SameSite=Lax${secure}`;
  }

  root.classList.toggle("elderly", remembered());
  const on = () => root.classList.contains("elderly");
  remember(on()); // a phone that chose before the cookie existed gets it now

  let messages = {};
  // Each placeholder filled in one pass: a value (a plan's name someone typed) is not
  // searched for placeholders in turn.
  function say(key, params) {
    const values = params || {};
    return (messages[key] || key).replace(/\{(\w+)\}/g, (placeholder, name) =>
      (Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : placeholder));
  }

  // --- reading aloud ----------------------------------------------------------------------
  const voice = window.speechSynthesis && typeof window.SpeechSynthesisUtterance === "function"
    ? window.speechSynthesis : null;

  function speak(parts) {
    if (!voice) return;
    voice.cancel(); // what was being read gives way to what was asked for now
    for (const text of parts.filter(Boolean)) {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = root.lang; // the page's language: zh-CN or en-US
      voice.speak(utterance);
    }
  }

  const clean = (text) => (text || "").replace(/\s+/g, " ").trim();

  // An option's name, without its box, the plan's cost or the owner's share.
  function optionName(label) {
    const copy = label.cloneNode(true);
    copy.querySelectorAll("input, select, .my-share, .own-share, .small, .elderly-confirm").forEach((e) => e.remove());
    return clean(copy.textContent);
  }

  function optionShare(label) {
    return clean((label.querySelector(".my-share, .own-share") || {}).textContent);
  }

  // A vote's title and question, then each option with the owner's share; once the ballot is
  // cast (no form), the shares listed under it.
  function voteParts(card) {
    const parts = [card.querySelector("h2"), card.querySelector(".vote-question")].map((e) => e && clean(e.textContent));
    const form = card.querySelector(".ballot-form");
    if (form) {
      for (const label of form.querySelectorAll("label.choice")) parts.push(optionName(label), optionShare(label));
    } else {
      for (const item of card.querySelectorAll(".my-shares li")) parts.push(clean(item.textContent));
    }
    return parts;
  }

  function readButton(parts) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "read-aloud";
    button.textContent = say("elderly.read_aloud");
    button.addEventListener("click", () => speak(parts()));
    return button;
  }

  // Where the browser cannot speak there is no button. The live page redraws its vote card:
  // the button is put back each time (see the observer below).
  function addReadButtons() {
    if (!voice) return;
    const now = document.querySelector(".phone-card.now");
    if (now && !now.querySelector(".read-aloud")) {
      now.append(readButton(() => [say("elderly.say_item", { title: clean(document.getElementById("phone-item").textContent) })]));
    }
    // The written questions still open, each with its upvotes (the card is drawn once; its
    // list is redrawn under the button).
    const questions = document.getElementById("question-card");
    if (questions && !questions.querySelector(".read-aloud")) {
      document.getElementById("question-heading").after(readButton(() =>
        [...questions.querySelectorAll("#question-list .question-row")].flatMap((row) =>
          [row.querySelector(".question-text"), row.querySelector(".question-votes")].map((e) => e && clean(e.textContent)))));
    }
    for (const card of document.querySelectorAll("[data-testid=phone-vote], .written-vote")) {
      if (card.querySelector(":scope > .read-aloud")) continue;
      (card.querySelector(".vote-question") || card.querySelector("h2")).after(readButton(() => voteParts(card)));
    }
  }

  // --- one thing per screen ---------------------------------------------------------------
  // While this phone has a ballot of the open vote still to cast, the vote alone is shown
  // (elderly.css hides the rest in elderly mode).
  function updateFocus() {
    const awaiting = Boolean(document.querySelector("[data-testid=phone-vote] .ballot-form[data-voted=false]"));
    const was = document.body.classList.contains("vote-focus");
    document.body.classList.toggle("vote-focus", awaiting);
    if (awaiting && !was && on()) window.scrollTo(0, 0);
  }

  // --- the second tap ---------------------------------------------------------------------
  // The first tap on an option (or on the button) arms the form with that choice, reads it
  // out and says so in place; the same tap again within CONFIRM_MS casts it; anything else
  // disarms. Kept here, not in the form, so the live page's redraw keeps it (decorate).
  let armed = null; // { form: formKey, key: the choice, text, until, timer }
  const formKey = (form) => `${form.dataset.vote}:${form.dataset.proxy || ""}`;

  // The options chosen in a form, in the order of their ranks where the vote ranks them; with
  // none, what the form casts then (data-none: an approval vote's abstention on the live page).
  function chosen(form) {
    const ranked = [...form.querySelectorAll("select[data-key]")].filter((s) => s.value)
      .sort((a, b) => Number(a.value) - Number(b.value));
    const picked = ranked.length ? ranked.map((s) => [s.dataset.key, s])
      : [...form.querySelectorAll("input:checked")].map((i) => [i.value, i]);
    if (!picked.length && form.dataset.none) {
      return { key: form.dataset.none, names: [say("vote_choice." + form.dataset.none)], labels: [] };
    }
    const labels = picked.map(([, input]) => input.closest("label"));
    return { key: picked.map(([value]) => value).join(","), names: labels.map(optionName), labels };
  }

  function isArmed(form, key) {
    return Boolean(armed && armed.form === formKey(form) && armed.key === key && Date.now() < armed.until);
  }

  function arm(form, choice) {
    disarm();
    const names = choice.names.join(messages["punct.list"] || ", ");
    armed = { form: formKey(form), key: choice.key, text: say("elderly.confirm", { choice: names }),
              until: Date.now() + CONFIRM_MS, timer: setTimeout(disarm, CONFIRM_MS) };
    decorate();
    speak([say("elderly.say_choice", { choice: names }), ...choice.labels.map(optionShare)]);
  }

  function armedForm() {
    return armed ? [...document.querySelectorAll(".ballot-form")].find((f) => formKey(f) === armed.form) : null;
  }

  function decorate() {
    const form = armedForm();
    if (!form) return;
    const button = form.querySelector("button[type=submit]");
    if (button && !button.classList.contains("armed")) {
      button.dataset.idleText = button.textContent;
      button.textContent = armed.text;
      button.classList.add("armed");
    }
    const radio = form.querySelector("input[type=radio]:checked");
    const label = radio && radio.closest("label");
    if (label && !label.querySelector(".elderly-confirm")) {
      label.classList.add("armed");
      const note = document.createElement("span");
      note.className = "elderly-confirm";
      note.setAttribute("role", "status");
      note.textContent = armed.text;
      label.append(note);
    }
  }

  function disarm() {
    if (!armed) return;
    clearTimeout(armed.timer);
    armed = null;
    for (const button of document.querySelectorAll(".ballot-form button.armed")) {
      button.textContent = button.dataset.idleText;
      button.classList.remove("armed");
    }
    document.querySelectorAll(".ballot-form label.armed").forEach((label) => label.classList.remove("armed"));
    document.querySelectorAll(".elderly-confirm").forEach((note) => note.remove());
  }

  // Both in the capture phase: before the live page's own handler casts the ballot
  // (votes-phone.js), and before the written ballot's form is posted.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!on() || !form.classList.contains("ballot-form")) return;
    const choice = chosen(form);
    if (!choice.key) return; // nothing chosen: as without elderly mode
    if (isArmed(form, choice.key)) { disarm(); return; } // the second tap: cast
    event.preventDefault();
    event.stopImmediatePropagation();
    arm(form, choice);
  }, true);

  document.addEventListener("click", (event) => {
    if (!on()) return;
    const target = event.target;
    const form = target.closest(".ballot-form");
    if (form && target.matches("input[type=radio]")) {
      // The radio is checked already when its click is dispatched.
      const choice = chosen(form);
      if (isArmed(form, choice.key)) form.requestSubmit();
      else arm(form, choice);
      return;
    }
    // A tap on an option's label is followed by its input's click; the button's tap by the
    // form's submit: those decide.
    const mine = form && armed && formKey(form) === armed.form;
    if (mine && (target.closest("button[type=submit]") || (target.closest("label.choice") && !target.matches("input")))) return;
    disarm();
  }, true);
  document.addEventListener("change", (event) => {
    if (event.target.matches(".ballot-form select")) disarm();
  });

  document.addEventListener("DOMContentLoaded", () => {
    messages = JSON.parse(document.getElementById("elderly-messages").textContent);
    const toggle = document.getElementById("elderly-toggle");
    const showState = () => toggle.setAttribute("aria-pressed", String(on()));
    toggle.hidden = false;
    showState();
    toggle.addEventListener("click", () => {
      root.classList.toggle("elderly");
      remember(on());
      showState();
      if (on() && document.body.classList.contains("vote-focus")) window.scrollTo(0, 0);
    });
    addReadButtons();
    updateFocus();
    const votes = document.getElementById("phone-votes");
    if (votes) {
      new MutationObserver(() => {
        addReadButtons();
        decorate();
        updateFocus();
      }).observe(votes, { childList: true, subtree: true });
    }
  });
})();
