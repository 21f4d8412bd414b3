// Paper entry (surveys): keys 1-9 pick the level of the question in focus and move on;
// Enter in the unit field goes to the first question instead of saving half a sheet.
(function () {
  "use strict";
  var form = document.getElementById("paper-form");
  if (!form) return;
  var dissatisfied = (form.dataset.dissatisfied || "").split(" ").filter(Boolean);
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr.question-row"));

  function firstInput(row) {
    var radios = row.querySelectorAll("input.paper-level");
    if (radios.length) {
      var checked = row.querySelector("input.paper-level:checked");
      return checked || radios[0];
    }
    return row.querySelector("textarea, input");
  }

  function next(row) {
    var index = rows.indexOf(row);
    var target = index >= 0 && index + 1 < rows.length ? firstInput(rows[index + 1]) : document.getElementById("paper-save");
    if (target) target.focus();
  }

  function reasonOf(row) {
    return row.querySelector("input.paper-reason-input");
  }

  function sync(row) {
    var reason = reasonOf(row);
    if (!reason) return;
    var checked = row.querySelector("input.paper-level:checked");
    reason.tabIndex = checked && dissatisfied.indexOf(checked.value) >= 0 ? 0 : -1;
  }

  rows.forEach(sync);

  form.addEventListener("change", function (event) {
    var row = event.target.closest("tr.question-row");
    if (row) sync(row);
  });

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.id === "paper-unit" && event.key === "Enter") {
      event.preventDefault();
      if (rows.length) firstInput(rows[0]).focus();
      return;
    }
    if (!target.classList.contains("paper-level")) {
      if (target.classList.contains("paper-reason-input") && event.key === "Enter") {
        event.preventDefault();
        next(target.closest("tr.question-row"));
      }
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey || !/^[1-9]$/.test(event.key)) return;
    var row = target.closest("tr.question-row");
    var radio = row.querySelector('input.paper-level[data-key="' + event.key + '"]');
    if (!radio) return;
    event.preventDefault();
    radio.checked = true;
    sync(row);
    var reason = reasonOf(row);
    if (reason && dissatisfied.indexOf(radio.value) >= 0) {
      reason.focus();
    } else {
      next(row);
    }
  });
})();
