// TRANSITIONAL: the parts of the faces still drawn as HTML strings use these until they are
// drawn with lit-html templates (which escape by default). This module goes when the last
// of them does.
import { contentLang } from "./config.js";
import { armedLabel, confirmedBySecondTap, keepFocus } from "./live.js";

export function escapeHtml(text) {
  return String(text == null ? "" : text)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

export function dataAttrs() {
  return ' data-user-text=""' + (contentLang ? ` lang="${escapeHtml(contentLang)}"` : "");
}

const drawn = new WeakMap();

export function redraw(box, markup) {
  if (drawn.get(box) === markup) return;
  keepFocus(box, () => { box.innerHTML = markup; });
  drawn.set(box, markup);
}

// A button drawn as HTML, armed by its first tap: its text and class are set in place.
export function confirmedByButton(button, key) {
  button.dataset.label = button.dataset.label || button.textContent;
  button.dataset.confirmKey = key;
  return confirmedBySecondTap(key, () => {
    for (const shown of document.querySelectorAll("button[data-confirm-key]")) {
      if (shown.dataset.confirmKey !== key) continue;
      const label = shown.dataset.label || shown.textContent;
      shown.textContent = armedLabel(key, label);
      shown.classList.toggle("armed", armedLabel(key, label) !== label);
    }
  });
}
