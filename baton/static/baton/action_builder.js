// The automation rule page's action builder: each row shows only the settings of the action type chosen
// in it. Without this script every type's settings are shown, each under its type's name, and the form
// still works (the server reads only the chosen type's settings).
(function () {
  "use strict";
  function sync(row) {
    var select = row.querySelector("[data-action-type]");
    var chosen = select ? select.value : "";
    row.querySelectorAll("[data-action-group]").forEach(function (group) {
      group.hidden = group.getAttribute("data-action-group") !== chosen;
    });
  }
  function bind(root) {
    (root || document).querySelectorAll("[data-action-row]:not([data-bound])").forEach(function (row) {
      row.setAttribute("data-bound", "");
      var select = row.querySelector("[data-action-type]");
      if (select) select.addEventListener("change", function () { sync(row); });
      sync(row);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSettle", function () { bind(document); });
})();
