// A small rich-text editor for notices (decision 0032): a toolbar (bold, italic, bulleted and
// numbered list, heading, link) over an editable area, kept in step with the form's textarea,
// which is what is posted. Without JavaScript the textarea is the field: plain text with blank
// lines between paragraphs. Whatever is posted, the server keeps only what core.richtext.clean
// allows; this editor is a convenience, not a safeguard.
(function () {
  "use strict";

  var labels = document.getElementById("richtext-labels");
  if (!labels) return;

  function label(name) {
    return labels.getAttribute("data-" + name) || name;
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Plain text (typed before, or without the editor) shown as paragraphs, as the server would.
  function asHtml(text) {
    if (/<[a-zA-Z][^>]*>/.test(text)) return text;
    return text
      .split(/\n\s*\n/)
      .map(function (p) { return p.trim(); })
      .filter(Boolean)
      .map(function (p) { return "<p>" + escapeHtml(p).replace(/\n/g, "<br>") + "</p>"; })
      .join("");
  }

  var SCHEMES = /^(https?:|mailto:|tel:)/i;

  function attach(textarea) {
    var toolbar = document.createElement("div");
    toolbar.className = "richtext-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", label("toolbar"));
    var area = document.createElement("div");
    area.className = "form-control richtext-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    var field = textarea.closest(".mb-3");
    var caption = field && field.querySelector("label");
    if (caption) {
      if (!caption.id) caption.id = textarea.id + "-caption";
      area.setAttribute("aria-labelledby", caption.id);
    }
    area.innerHTML = asHtml(textarea.value);

    function sync() {
      textarea.value = area.innerHTML.trim() === "<br>" ? "" : area.innerHTML;
    }

    var buttons = [
      ["bold", "bi-type-bold", function () { document.execCommand("bold"); }],
      ["italic", "bi-type-italic", function () { document.execCommand("italic"); }],
      ["bullets", "bi-list-ul", function () { document.execCommand("insertUnorderedList"); }],
      ["numbers", "bi-list-ol", function () { document.execCommand("insertOrderedList"); }],
      ["heading", "bi-type-h3", function () {
        var block = document.queryCommandValue("formatBlock").toLowerCase();
        document.execCommand("formatBlock", false, block === "h3" ? "p" : "h3");
      }],
      ["link", "bi-link-45deg", function () {
        var url = window.prompt(label("link-prompt"), "https://");
        if (url === null) return;
        url = url.trim();
        if (!url || url === "https://") {
          document.execCommand("unlink");
        } else if (SCHEMES.test(url)) {
          document.execCommand("createLink", false, url);
        } else {
          window.alert(label("link-refused"));
        }
      }],
    ];
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary";
      button.title = label(b[0]);
      button.setAttribute("aria-label", label(b[0]));
      var icon = document.createElement("i");
      icon.className = "bi " + b[1];
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      // Keep the selection in the editable area when the button is clicked.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        area.focus();
        b[2]();
        sync();
      });
      toolbar.appendChild(button);
    });

    area.addEventListener("input", sync);
    area.addEventListener("blur", sync);
    if (textarea.form) textarea.form.addEventListener("submit", sync);
    // A field with an error: the message stays under the editor, as under the textarea.
    if (textarea.classList.contains("is-invalid")) area.classList.add("is-invalid");
    textarea.classList.add("d-none");
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
    if (caption) {
      caption.addEventListener("click", function () { area.focus(); });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-richtext]"), attach);
})();
