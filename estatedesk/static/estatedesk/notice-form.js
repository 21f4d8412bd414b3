// The notice form (decision 0032): the late reason shows for work notices, with the latest
// moment the notice can go out on time, worked out live from the start of the work and the
// company's lead time; the audience offered follows the type; the buildings listed are the
// chosen estate's. Without JavaScript every field shows and the server says what is wrong.
(function () {
  "use strict";

  var form = document.getElementById("notice-form");
  if (!form) return;
  var workKinds = JSON.parse(form.getAttribute("data-work-kinds") || "[]");
  var audiences = JSON.parse(form.getAttribute("data-audiences") || "{}");
  var leadHours = parseInt(form.getAttribute("data-lead-hours") || "24", 10);
  var kind = form.querySelector("[name=kind]");
  var starts = form.querySelector("[name=starts_at]");
  var estate = form.querySelector("[name=estate]");
  var buildings = form.querySelector("[name=buildings]");
  var reasonBox = document.getElementById("late-reason-box");
  var latest = document.getElementById("lead-latest");

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "2026-06-03T09:00" is company time; the arithmetic stays in that time by working in UTC.
  function latestMoment(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    if (!m) return "";
    var t = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - leadHours * 3600 * 1000);
    return t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1) + "-" + pad(t.getUTCDate()) + " " +
      pad(t.getUTCHours()) + ":" + pad(t.getUTCMinutes());
  }

  function updateLead() {
    var work = workKinds.indexOf(kind.value) >= 0;
    var hasError = reasonBox.querySelector(".invalid-feedback");
    var reason = form.querySelector("[name=late_reason]");
    reasonBox.classList.toggle("d-none", !work && !hasError && !(reason && reason.value.trim()));
    var moment = work ? latestMoment(starts && starts.value) : "";
    latest.textContent = moment ? latest.getAttribute("data-template").replace("#", moment) : "";
    latest.classList.toggle("d-none", !moment);
  }

  function updateAudience() {
    var allowed = audiences[kind.value] || [];
    var radios = form.querySelectorAll("[name=audience]");
    var checked = null;
    Array.prototype.forEach.call(radios, function (radio) {
      var ok = allowed.indexOf(radio.value) >= 0;
      radio.disabled = !ok;
      if (!ok && radio.checked) radio.checked = false;
      if (radio.checked) checked = radio;
    });
    if (!checked && allowed.length) {
      Array.prototype.forEach.call(radios, function (radio) {
        if (radio.value === allowed[0]) radio.checked = true;
      });
    }
  }

  function updateBuildings() {
    if (!estate || !buildings) return;
    var chosen = estate.options[estate.selectedIndex];
    var name = chosen ? chosen.text.replace(/^\S+\s/, "") : "";
    Array.prototype.forEach.call(buildings.querySelectorAll("optgroup"), function (group) {
      var mine = !estate.value || group.label === name;
      group.hidden = !mine;
      group.disabled = !mine;
    });
  }

  kind.addEventListener("change", function () { updateLead(); updateAudience(); });
  if (starts) starts.addEventListener("input", updateLead);
  if (estate) estate.addEventListener("change", updateBuildings);
  updateLead();
  updateAudience();
  updateBuildings();
})();
