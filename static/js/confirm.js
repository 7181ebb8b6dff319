// A form with data-confirm asks before it is sent (in place of an inline onsubmit, which
// the Content-Security-Policy does not run: facilitator/web/security.py).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Signing out (the form with data-drafts-confirm): the minutes typed in this browser and not
// saved yet (static/js/minutes-console.js keeps them in localStorage until the server has
// them) are deleted, so that nothing of them stays on a shared computer; asked first when
// there are any.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.draftsConfirm;
  if (message === undefined || event.defaultPrevented) return;
  let kept = [];
  try {
    kept = Object.keys(localStorage).filter((key) => key.startsWith("facilitator.minutes."));
  } catch (error) {
    return; // no storage here: nothing kept
  }
  if (kept.length && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  for (const key of kept) localStorage.removeItem(key);
});
