// Complaint lists: "tick all" and the count of ticked complaints in the bulk bar. Without
// JavaScript the checkboxes and buttons work as a plain form; the server reports what it did.
(function () {
  "use strict";

  var form = document.getElementById("bulk-form");
  if (!form) return;

  // A complaint shows twice (table at a desk, card on a phone); only the visible box counts.
  function visible(el) {
    return el.offsetParent !== null;
  }

  function items() {
    return Array.prototype.filter.call(form.querySelectorAll("[data-bulk-item]"), visible);
  }

  function update() {
    var ticked = items().filter(function (el) { return el.checked; }).length;
    var label = form.querySelector("[data-bulk-count]");
    if (label) {
      label.textContent = ticked
        ? label.getAttribute("data-some").replace("#", String(ticked))
        : label.getAttribute("data-none");
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-bulk-needs]"), function (button) {
      button.disabled = ticked === 0;
    });
    var all = form.querySelector("[data-bulk-all]");
    if (all) {
      var count = items().length;
      all.checked = count > 0 && ticked === count;
      all.indeterminate = ticked > 0 && ticked < count;
    }
  }

  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-bulk-all")) {
      items().forEach(function (item) { item.checked = el.checked; });
    }
    update();
  });

  // A box hidden by the layout (the table on a phone, the cards at a desk) is never sent.
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.querySelectorAll("[data-bulk-item]"), function (el) {
      if (!visible(el)) el.checked = false;
    });
  });

  window.addEventListener("resize", update);
  update();
})();
