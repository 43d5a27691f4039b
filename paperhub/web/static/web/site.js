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
// changed in a swap is read out alone, through the page's one polite live region, #announce.
let statesBefore = new Map();
document.addEventListener("htmx:beforeSwap", (event) => {
  statesBefore = new Map([...event.detail.target.querySelectorAll("[data-state]")].map((e) => [e.id, e.dataset.state]));
});
document.addEventListener("htmx:afterSettle", () => {
  const ended = [...document.querySelectorAll("[data-state]")].filter(
    (e) => statesBefore.has(e.id) && statesBefore.get(e.id) !== e.dataset.state);
  statesBefore = new Map();
  if (!ended.length) return;
  document.getElementById("announce").textContent = ended.map((e) => e.textContent.replace(/\s+/g, " ").trim()).join(" ");
});
