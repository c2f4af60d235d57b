// Small behaviours declared with data attributes instead of inline on*= handlers, which the
// Content-Security-Policy forbids: data-submit-on-change, data-print, data-stop-change, data-export.
(function () {
  "use strict";
  function bind(root) {
    (root || document).querySelectorAll("[data-submit-on-change]:not([data-bound])").forEach(function (el) {
      el.setAttribute("data-bound", "");
      el.addEventListener("change", function () { if (el.form) el.form.submit(); });
    });
    (root || document).querySelectorAll("[data-print]:not([data-bound])").forEach(function (el) {
      el.setAttribute("data-bound", "");
      el.addEventListener("click", function () { window.print(); });
    });
    // A list's download link takes the filter the page shows now (htmx filtering updates the URL).
    (root || document).querySelectorAll("[data-export]:not([data-bound])").forEach(function (el) {
      el.setAttribute("data-bound", "");
      el.addEventListener("click", function () {
        var params = new URLSearchParams(window.location.search);
        params.delete("page");
        params.set("export", el.getAttribute("data-export"));
        el.setAttribute("href", window.location.pathname + "?" + params.toString());
      });
    });
    // Keep a field's own change event from reaching a form that reacts to "change" (htmx filters).
    (root || document).querySelectorAll("[data-stop-change]:not([data-bound])").forEach(function (el) {
      el.setAttribute("data-bound", "");
      el.addEventListener("change", function (event) { event.stopPropagation(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSettle", function () { bind(document); });
})();
