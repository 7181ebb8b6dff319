// The written ballot's public progress page (templates/written/progress.html), on a notice
// board or a resident's phone: while the vote is open its figures are fetched again every
// minute and put in place. A timed reload of the whole page would take a reader's place and
// focus from under them (WCAG 2.2.1); this changes only the figures.
(function () {
  "use strict";
  const box = document.getElementById("progress-live");
  if (!box || !box.dataset.refreshSeconds) return;
  const every = Number(box.dataset.refreshSeconds) * 1000;

  function later() { setTimeout(refresh, every); }

  async function refresh() {
    let fresh = null;
    try {
      const response = await fetch(window.location.href, { cache: "no-store" });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        fresh = page.getElementById("progress-live");
      }
    } catch (error) {
      fresh = null; // offline a moment: try again at the next turn
    }
    // The server's own markup, parsed apart from the page (its scripts never run) and moved
    // in as nodes: no HTML is written into the page as a string.
    if (fresh && !fresh.isEqualNode(box)) box.replaceChildren(...document.adoptNode(fresh).childNodes);
    // The page of a closed vote no longer asks for it: its figures are final.
    if (!fresh || fresh.dataset.refreshSeconds) later();
  }

  later();
})();
