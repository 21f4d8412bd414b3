// Resident portal: small enhancements; every page also works without JavaScript (CSP forbids inline scripts).
(function () {
  "use strict";

  // One tap sends once: the server also makes a second send harmless (one-time submission key).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "submission-form") { return; }
    if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      if (button.getAttribute("data-sending-label")) { button.textContent = button.getAttribute("data-sending-label"); }
    }
  });
  // Coming back with the browser's back button shows the page from cache: enable sending again.
  window.addEventListener("pageshow", function () {
    var form = document.getElementById("submission-form");
    if (!form) { return; }
    form.removeAttribute("data-sent");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = false; }
  });

  // Show the chosen photos by name and warn at once when there are too many.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "file" || !input.form || input.form.id !== "submission-form") { return; }
    var list = document.getElementById("chosen-photos");
    if (!list) { return; }
    var max = parseInt(input.form.getAttribute("data-max-photos") || "0", 10);
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file, index) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + Math.round(file.size / 1024) + " KB)";
      if (max && index >= max) { item.className = "text-danger"; }
      list.appendChild(item);
    });
  });

  // Copy the private link; print the poster.
  document.addEventListener("click", function (event) {
    var copy = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        if (copy.getAttribute("data-copied-label")) { copy.textContent = copy.getAttribute("data-copied-label"); }
      });
    }
    var print = event.target.closest ? event.target.closest("[data-print]") : null;
    if (print) { window.print(); }
  });
}());
