// Entering rectification items on a phone, one unit per screen (SPEC R-1, decision 0039).
// The form is sent by fetch (multipart, CSRF token in the header): 201 adds the item's row to
// the list and clears the form for the next item (the location stays: the next defect is
// often in the same room); 422 shows the server's message on its field and keeps everything
// typed. The page never reloads. Without this script the form is an ordinary POST.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || !window.fetch || !window.FormData) return;

  var texts = {};
  try { texts = JSON.parse(document.getElementById("entry-texts").textContent); } catch (e) { texts = {}; }
  var list = document.getElementById("entry-items");
  var count = document.getElementById("entry-count");
  var empty = document.getElementById("entry-empty");
  var notes = document.getElementById("entry-notes");
  var save = document.getElementById("entry-save");
  var place = document.getElementById("entry-location");
  var category = document.getElementById("entry-category");
  var description = document.getElementById("entry-description");
  var photos = document.getElementById("entry-photos");
  var busy = false;

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : (input ? input.value : "");
  }

  // --- location chips -------------------------------------------------------------------------
  var chips = Array.prototype.slice.call(form.querySelectorAll("[data-chip]"));
  var buildings = chips.filter(function (c) { return c.hasAttribute("data-building"); })
    .map(function (c) { return c.getAttribute("data-chip"); });
  ["entry-chips", "entry-building-chips"].forEach(function (id) {
    var box = document.getElementById(id);
    if (box) box.hidden = false;
  });

  function markChips() {
    var value = place.value;
    chips.forEach(function (chip) {
      var word = chip.getAttribute("data-chip");
      var on = chip.hasAttribute("data-building") ? value.indexOf(word) === 0 : value.slice(-word.length) === word && value.length > 0;
      chip.classList.toggle("active", on);
      chip.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      var word = chip.getAttribute("data-chip");
      if (chip.hasAttribute("data-building")) {
        place.value = word;
      } else {
        // A public area after a building ("3栋" + "大堂"); in a home the chip is the location.
        var building = buildings.filter(function (b) { return place.value.indexOf(b) === 0; })[0];
        place.value = building ? building + word : word;
      }
      clearError("location");
      markChips();
      (category.value ? description : category).focus();
    });
  });
  place.addEventListener("input", markChips);
  markChips();

  // --- errors on their fields -------------------------------------------------------------------
  var inputs = { location: place, category: category, description: description, photos: photos };

  function clearError(name) {
    var box = form.querySelector("[data-field='" + name + "']");
    if (box) box.textContent = "";
    if (inputs[name]) inputs[name].classList.remove("is-invalid");
  }

  function clearErrors() {
    Object.keys(inputs).forEach(clearError);
    notes.textContent = "";
  }

  function note(kind, text) {
    notes.textContent = "";
    var div = document.createElement("div");
    div.className = "alert alert-" + kind + " py-2";
    div.setAttribute("role", kind === "danger" ? "alert" : "status");
    div.textContent = text;
    notes.appendChild(div);
  }

  function showError(field, detail) {
    var box = field ? form.querySelector("[data-field='" + field + "']") : null;
    if (box && inputs[field]) {
      box.textContent = detail;
      inputs[field].classList.add("is-invalid");
      inputs[field].focus();
    } else {
      note("danger", detail);
    }
  }

  Object.keys(inputs).forEach(function (name) {
    inputs[name].addEventListener(name === "category" || name === "photos" ? "change" : "input", function () {
      clearError(name);
    });
  });

  // --- sending --------------------------------------------------------------------------------
  function added(body) {
    var holder = document.createElement("ul");
    holder.innerHTML = body.html; // rendered by our own template, escaped by Django
    var row = holder.firstElementChild;
    if (row) {
      row.classList.add("entry-item-new");
      list.appendChild(row);
    }
    count.textContent = String(list.children.length);
    empty.hidden = true;
    description.value = "";
    photos.value = "";
    category.value = category.getAttribute("data-default") || "";
    note("success", body.message || "");
    (place.value ? category : place).focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    busy = true;
    save.disabled = true;
    var label = save.innerHTML;
    save.textContent = texts.sending || "…";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        note("danger", response.status === 403 ? texts.signin : texts.failed);
        return;
      }
      return response.json().then(function (body) {
        if (response.status === 201) added(body);
        else showError(body.field, body.detail || texts.failed);
      });
    }).catch(function () {
      note("danger", texts.failed);
    }).then(function () {
      busy = false;
      save.disabled = false;
      save.innerHTML = label;
    });
  });
})();
