// New rectification report: the developer select offers only the developers of the chosen
// estate. Without JavaScript every developer is offered and the server refuses a wrong one.
(function () {
  "use strict";

  var estate = document.getElementById("id_estate");
  var developer = document.getElementById("id_developer");
  if (!estate || !developer) return;

  function update() {
    var chosen = estate.value;
    Array.prototype.forEach.call(developer.options, function (option) {
      var estates = option.getAttribute("data-estates");
      if (!estates) return; // the empty choice: the estate's only developer
      var fits = !chosen || estates.split(" ").indexOf(chosen) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) developer.value = "";
    });
  }

  estate.addEventListener("change", update);
  update();
})();
