// Our only script: progressive enhancements that need no inline JavaScript (CSP forbids it).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (el && navigator.clipboard) {
    navigator.clipboard.writeText(el.getAttribute("data-copy"));
  }
});
