// Consultation answers on a phone (SPEC S-4, decision 0024): every answer is kept on the phone
// first (a queue in localStorage, each with its own submission key) and then sent as JSON.
// Without a connection it waits and is sent when the connection returns (the "online" event,
// a timer, the next page load). The server records a key once: a resend after a lost reply
// answers 200 and is not recorded again.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || !window.fetch || !window.JSON) return; // the plain form works without us

  var texts = {};
  try { texts = JSON.parse(document.getElementById("entry-texts").textContent); } catch (e) { texts = {}; }
  var storageKey = form.dataset.storageKey;
  var submitUrl = form.dataset.submitUrl;
  var select = document.getElementById("entry-unit");
  var statusBox = document.getElementById("entry-queue");
  var notesBox = document.getElementById("entry-notes");
  var checkBox = document.getElementById("entry-check");
  var answeredCount = document.getElementById("entry-answered");
  var memory = { queue: [], notes: [] }; // when localStorage cannot be used (private mode)
  var recorded = {}; // households sent from this page: not offered again
  var sending = false;
  var offline = false;
  var RETRY_MS = 15000;

  function say(name, values) {
    var text = texts[name] || name;
    Object.keys(values || {}).forEach(function (k) {
      text = text.split("%(" + k + ")s").join(String(values[k]));
    });
    return text;
  }

  function load() {
    try {
      var raw = window.localStorage.getItem(storageKey);
      var data = raw ? JSON.parse(raw) : null;
      if (data && Array.isArray(data.queue) && Array.isArray(data.notes)) return data;
    } catch (e) { /* fall through */ }
    return { queue: memory.queue.slice(), notes: memory.notes.slice() };
  }

  function store(data) {
    memory = data;
    try { window.localStorage.setItem(storageKey, JSON.stringify(data)); } catch (e) { /* kept in memory */ }
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : (input ? input.value : "");
  }

  // --- the household list: queued households are not offered again -------------------------

  function hideQueued() {
    var data = load();
    var taken = {};
    data.queue.forEach(function (item) { taken[String(item.unit)] = true; });
    Object.keys(recorded).forEach(function (unit) { taken[unit] = true; });
    Array.prototype.forEach.call(select.options, function (option) {
      var queued = !!taken[option.value];
      option.hidden = queued;
      option.disabled = queued;
    });
    if (select.selectedOptions.length === 0 || select.selectedOptions[0].disabled) {
      var next = Array.prototype.find.call(select.options, function (o) { return !o.disabled; });
      if (next) select.value = next.value;
    }
    var left = Array.prototype.some.call(select.options, function (o) { return !o.disabled; });
    document.getElementById("entry-save").disabled = !left;
    if (!left) showCheck(say("none_left"));
  }

  function showCheck(message) {
    checkBox.textContent = message || "";
    checkBox.hidden = !message;
  }

  // --- what the page shows about the queue ----------------------------------------------------

  function render() {
    var data = load();
    var n = data.queue.length;
    if (n) {
      statusBox.hidden = false;
      var gap = /^zh/.test(document.documentElement.lang) ? "" : " "; // Chinese sentences need no space
      statusBox.textContent = say("waiting", { n: n }) + (offline ? gap + say("offline") : "");
    } else {
      statusBox.hidden = true;
      statusBox.textContent = "";
    }
    notesBox.textContent = "";
    data.notes.forEach(function (note, index) {
      var box = document.createElement("div");
      box.className = "alert py-2 small entry-note " + (note.kind === "sent" ? "alert-success" : "alert-danger");
      box.setAttribute("role", note.kind === "sent" ? "status" : "alert");
      var text = document.createElement("span");
      text.textContent = note.text;
      box.appendChild(text);
      if (note.item) {
        var fix = document.createElement("button");
        fix.type = "button";
        fix.className = "btn btn-sm btn-outline-danger";
        fix.textContent = say("correct");
        fix.addEventListener("click", function () { correct(index); });
        box.appendChild(fix);
      }
      var close = document.createElement("button");
      close.type = "button";
      close.className = "btn btn-sm btn-outline-secondary";
      close.textContent = say("dismiss");
      close.addEventListener("click", function () { dismiss(index); });
      box.appendChild(close);
      notesBox.appendChild(box);
    });
  }

  function note(kind, text, item) {
    var data = load();
    data.notes = data.notes.filter(function (n) { return n.kind !== "sent"; }); // one "sent" line at most
    data.notes.push({ kind: kind, text: text, item: item || null });
    store(data);
  }

  function dismiss(index) {
    var data = load();
    data.notes.splice(index, 1);
    store(data);
    render();
  }

  // A refused answer back into the form, to correct and save again (with a new key).
  function correct(index) {
    var data = load();
    var item = data.notes[index] && data.notes[index].item;
    data.notes.splice(index, 1);
    store(data);
    if (!item) return render();
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(item.unit); });
    if (!option) {
      option = document.createElement("option");
      option.value = String(item.unit);
      option.textContent = item.label;
      select.appendChild(option);
    }
    option.hidden = false;
    option.disabled = false;
    select.value = option.value;
    clearForm();
    (item.answers || []).forEach(function (a) {
      var radio = form.querySelector('input[type=radio][name="level_' + a.topic + '"][value="' + a.level + '"]');
      if (radio) radio.checked = true;
      var reason = form.querySelector('textarea[name="reason_' + a.topic + '"]');
      if (reason) reason.value = a.reason || "";
    });
    form.querySelector("textarea[name=remarks]").value = item.remarks || "";
    render();
    select.focus();
  }

  // --- taking an answer from the form ------------------------------------------------------------

  function readForm() {
    var answers = [];
    form.querySelectorAll("fieldset.entry-topic").forEach(function (fieldset) {
      var topic = fieldset.id.replace(/^topic-/, "");
      var checked = fieldset.querySelector("input[type=radio]:checked");
      var reason = fieldset.querySelector("textarea");
      var level = checked ? checked.value : "";
      var why = reason ? reason.value.trim() : "";
      if (level || why) answers.push({ topic: topic, level: level, reason: why });
    });
    var option = select.selectedOptions[0];
    return {
      key: newKey(),
      unit: select.value,
      label: option ? option.textContent : select.value,
      answers: answers,
      remarks: form.querySelector("textarea[name=remarks]").value.trim()
    };
  }

  function clearForm() {
    form.querySelectorAll("input[type=radio][value='']").forEach(function (r) { r.checked = true; });
    form.querySelectorAll("textarea").forEach(function (t) { t.value = ""; });
    form.querySelectorAll(".invalid-feedback").forEach(function (e) { if (e.id !== "entry-check") e.remove(); });
    form.querySelectorAll(".is-invalid").forEach(function (e) { e.classList.remove("is-invalid"); });
    form.querySelectorAll(".entry-topic-error").forEach(function (e) { e.classList.remove("entry-topic-error"); });
    showCheck("");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var item = readForm();
    if (!item.unit) return showCheck(say("choose"));
    var rated = item.answers.some(function (a) { return a.level; });
    if (!rated && !item.remarks) return showCheck(say("nothing"));
    var data = load();
    data.queue.push(item);
    data.notes = data.notes.filter(function (n) { return n.kind !== "sent"; });
    store(data);
    clearForm();
    hideQueued();
    showCheck("");
    note("sent", say("kept", { unit: item.label }));
    render();
    window.scrollTo(0, 0);
    flush();
  });

  // --- sending ---------------------------------------------------------------------------------

  function removeFromQueue(key) {
    var data = load();
    data.queue.forEach(function (i) { if (i.key === key) recorded[String(i.unit)] = true; });
    data.queue = data.queue.filter(function (i) { return i.key !== key; });
    store(data);
  }

  function sendOne(item) {
    return fetch(submitUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ unit: item.unit, key: item.key, answers: item.answers, remarks: item.remarks })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) return { status: response.status || 0, body: null };
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function handle(item, result) {
    var detail = result.body && result.body.detail ? result.body.detail : "";
    if (result.status === 201 || result.status === 200) {
      removeFromQueue(item.key);
      if (result.status === 201 && answeredCount) answeredCount.textContent = String(Number(answeredCount.textContent) + 1);
      note("sent", say("sent", { unit: item.label }));
      return true;
    }
    if (result.status === 409) {
      removeFromQueue(item.key);
      note("refused", say("conflict", { unit: item.label, detail: detail }));
      return true;
    }
    if (result.status === 422 || result.status === 404 || (result.status === 403 && result.body)) {
      removeFromQueue(item.key);
      delete recorded[String(item.unit)];
      note("refused", say("invalid", { unit: item.label, detail: detail }), result.status === 422 ? item : null);
      return true;
    }
    // Signed out or a CSRF refusal: say so; a server in trouble: quietly try again later.
    if (result.status === 0 || result.status === 403) note("signin", say("signin"));
    return false;
  }

  function flush() {
    if (sending) return;
    var queue = load().queue;
    if (!queue.length) { render(); return; }
    sending = true;
    var index = 0;
    function next() {
      var current = load().queue;
      if (index >= current.length) return done();
      var item = current[index];
      sendOne(item).then(function (result) {
        offline = false;
        if (!handle(item, result)) { index += 1; }
        render();
        next();
      }, function () {
        offline = true; // no connection: everything stays queued
        done();
      });
    }
    function done() {
      sending = false;
      hideQueued();
      render();
    }
    next();
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { offline = true; render(); });
  window.setInterval(function () { if (load().queue.length) flush(); }, RETRY_MS);
  hideQueued();
  render();
  flush();
})();
