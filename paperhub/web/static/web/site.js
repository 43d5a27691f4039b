// Behaviour every page may use, from a file so that the Content-Security-Policy can forbid inline script.
"use strict";
// <button data-copy="ID">: copies the text of the element with that id.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  navigator.clipboard.writeText(source.textContent).then(() => { button.textContent = "Copied"; });
});
// A polled list (hx-trigger="every 2s") is swapped whole each time, so it is no live region: a screen reader would
// read all of it on every poll. Its items carry an id and data-state ("waiting" until they end); an item whose state
// differs from the one last seen is read out alone, through the page's one polite live region, #announce.
const statesSeen = new Map();
function noteStates(announce) {
  const changed = [...document.querySelectorAll("[data-state]")].filter((e) => {
    const before = statesSeen.get(e.id);
    statesSeen.set(e.id, e.dataset.state);
    return announce && before !== undefined && before !== e.dataset.state;
  });
  if (changed.length) {
    document.getElementById("announce").textContent =
      changed.map((e) => e.textContent.replace(/\s+/g, " ").trim()).join(" ");
  }
}
document.addEventListener("DOMContentLoaded", () => noteStates(false));
document.addEventListener("htmx:afterSettle", () => noteStates(true));
