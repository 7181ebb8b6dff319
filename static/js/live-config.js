// The page's messages and time zone, given as a JSON block rather than an inline script
// (the Content-Security-Policy runs scripts from files only: facilitator/web/security.py).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("live-config").textContent);
  window.I18N = config.i18n;
  window.APP_TIMEZONE = config.timezone;
  window.CONTENT_LANG = config.content_lang; // the meeting's language: what people type is in it
})();
