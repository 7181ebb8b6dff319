// A form with data-confirm asks before it is sent (in place of an inline onsubmit, which
// the Content-Security-Policy does not run: facilitator/web/security.py).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
