// A resident's signature drawn on the phone (SPEC R-4, W-1; decision 0040), with the vendored
// signature_pad. Without a script the box stays hidden and the typed name accepts the item; with
// one, the drawing goes to the server as a PNG data URL in the hidden field when the form is sent.
// CSP forbids inline scripts: this file is loaded by the item page only while it awaits the resident.
(function () {
  "use strict";

  // One tap sends once (the server also answers a second send "already handled").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute("data-once")) { return; }
    if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
  });
  // Back to a page from the browser's cache: it may be sent again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
      form.removeAttribute("data-sent");
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = false; }
    });
  });

  var form = document.getElementById("accept-form");
  if (!form || typeof window.SignaturePad !== "function") { return; }
  var box = form.querySelector("[data-signature-box]");
  var canvas = box && box.querySelector("canvas");
  var field = document.getElementById("signature-data");
  if (!canvas || !field) { return; }
  box.hidden = false;

  var pad = new window.SignaturePad(canvas, {
    backgroundColor: "rgb(255, 255, 255)", // printed on the acceptance sheet: white, not transparent
    penColor: "rgb(16, 24, 64)"
  });
  var width = 0;

  // The canvas's pixels follow its size on the screen and the phone's pixel ratio; a rotated
  // phone (or the keyboard opening) resizes it, and the drawing is put back.
  function fit() {
    if (canvas.offsetWidth === width) { return; }
    width = canvas.offsetWidth;
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.redraw();
  }
  window.addEventListener("resize", fit);
  fit();

  // Sent back with another error (a name too long): the drawing is kept.
  if (field.value.indexOf("data:image/png;base64,") === 0) {
    pad.fromDataURL(field.value).catch(function () { pad.clear(); field.value = ""; });
  } else {
    field.value = "";
  }

  document.getElementById("signature-clear").addEventListener("click", function () {
    pad.clear();
    field.value = "";
  });

  // Runs before the one-tap guard above (listeners on the form come before the document's).
  form.addEventListener("submit", function () {
    field.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
}());
