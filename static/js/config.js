// The page's messages, time zone and meeting language, given as a JSON block (#live-config,
// templates/_live_scripts.html) rather than an inline script: the Content-Security-Policy
// runs scripts from files only (facilitator/web/security.py).
const block = document.getElementById("live-config");
const config = block ? JSON.parse(block.textContent) : {};

export const messages = config.i18n || {};
// Times of day are shown in the app's zone (where the meeting is), whatever the device's.
export const timezone = config.timezone || undefined;
// The meeting's language: what people type (titles, names, questions) is in it.
export const contentLang = config.content_lang || "";

// A message of the page's catalogue (facilitator/catalogue.py): a string, or for one with
// plural forms the placeholder that counts and a form per plural category of the page's
// language, chosen as the server chooses it (CLDR rules, here Intl.PluralRules).
const pluralRules = new Intl.PluralRules(document.documentElement.lang || "zh-CN");

export function tr(key, params) {
  const entry = messages[key] || key;
  let text = entry;
  if (typeof entry === "object") {
    const count = Number((params || {})[entry.count]);
    text = entry.forms[pluralRules.select(Number.isFinite(count) ? count : 2)] || entry.forms.other;
  }
  // Each placeholder of the message filled in one pass: a value put in (a name someone
  // typed) is not searched for placeholders in turn, so "{party}" in a name stays as typed.
  const values = params || {};
  return text.replace(/\{(\w+)\}/g, (placeholder, name) =>
    (Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : placeholder));
}
