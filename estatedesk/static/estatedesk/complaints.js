// Complaint intake: picking a unit or customer from the look-up fills the form. htmx itself
// fetches the look-up and the caller's earlier complaints; without JavaScript the server
// resolves the typed unit, name or phone instead.
(function () {
  "use strict";

  function byId(id) {
    return document.getElementById(id);
  }

  function clearPick() {
    ["id_unit", "id_customer"].forEach(function (id) {
      var el = byId(id);
      if (el) el.value = "";
    });
    // A masked number filled by a pick stands only for that customer: it goes with the pick.
    var phone = byId("id_phone");
    if (phone && phone.hasAttribute("data-filled")) {
      phone.value = "";
      phone.removeAttribute("data-filled");
    }
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest ? event.target.closest("[data-pick]") : null;
    if (!pick) return;
    var unit = byId("id_unit");
    var customer = byId("id_customer");
    if (unit) unit.value = pick.getAttribute("data-unit") || "";
    if (customer) customer.value = pick.getAttribute("data-customer") || "";
    var estate = byId("id_estate");
    if (estate && pick.getAttribute("data-estate")) estate.value = pick.getAttribute("data-estate");
    var text = byId("id_unit_text");
    if (text) text.value = pick.getAttribute("data-label") || "";
    // Fill the complainant's name unless the officer typed one; replace one we filled earlier.
    var name = byId("id_complainant_name");
    var picked = pick.getAttribute("data-name") || "";
    if (name && (!name.value || name.hasAttribute("data-filled"))) {
      name.value = picked;
      if (picked) name.setAttribute("data-filled", "");
      else name.removeAttribute("data-filled");
    }
    // The phone as the look-up shows it, masked (the full number never reaches the browser):
    // left unchanged, the server uses the customer's number on record.
    var phone = byId("id_phone");
    var masked = pick.getAttribute("data-phone") || "";
    if (phone && (!phone.value || phone.hasAttribute("data-filled"))) {
      phone.value = masked;
      if (masked) phone.setAttribute("data-filled", "");
      else phone.removeAttribute("data-filled");
    }
    var list = pick.parentNode;
    if (list) {
      Array.prototype.forEach.call(list.querySelectorAll("[data-pick]"), function (el) {
        el.classList.remove("active");
        el.setAttribute("aria-pressed", "false");
      });
    }
    pick.classList.add("active");
    pick.setAttribute("aria-pressed", "true");
  });

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el) return;
    if (el.id === "id_unit_text") clearPick(); // typing again means a new look-up
    if (el.id === "id_complainant_name" || el.id === "id_phone") el.removeAttribute("data-filled");
  });

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_estate") clearPick();
  });

  // Enter in the look-up field searches; it must not send a half-filled form.
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key === "Enter" && el && el.id === "id_unit_text") {
      event.preventDefault();
      if (window.htmx) window.htmx.trigger(el, "search");
    }
  });
})();
