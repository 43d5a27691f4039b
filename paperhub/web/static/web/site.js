// Behaviour every page may use, from a file so that the Content-Security-Policy can forbid inline script.
"use strict";
// <button data-copy="ID">: copies the text of the element with that id.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  navigator.clipboard.writeText(source.textContent).then(() => { button.textContent = "Copied"; });
});
