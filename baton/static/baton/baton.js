// Baton's page glue: toasts for Django messages (also after htmx swaps).
(function () {
  "use strict";
  function showToasts(root) {
    if (!window.bootstrap) return;
    (root || document).querySelectorAll(".toast:not(.showing):not(.show)").forEach(function (el) {
      window.bootstrap.Toast.getOrCreateInstance(el, { delay: 6000 }).show();
    });
  }
  window.batonToast = function (text, level) {
    var container = document.getElementById("toasts");
    if (!container) return;
    var el = document.createElement("div");
    el.className = "toast align-items-center border-0 text-bg-" + (level || "danger");
    el.setAttribute("role", "status");
    el.setAttribute("data-testid", "toast");
    var row = document.createElement("div");
    row.className = "d-flex";
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = text;  // never innerHTML: messages may contain user data
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    row.appendChild(body);
    row.appendChild(close);
    el.appendChild(row);
    container.appendChild(el);
    showToasts(container);
  };
  document.addEventListener("DOMContentLoaded", function () { showToasts(document); });
  document.addEventListener("htmx:afterSwap", function () { showToasts(document); });
})();

// Filter forms: leave empty fields out of the request, so pushed URLs stay short and shareable.
document.addEventListener("htmx:configRequest", function (evt) {
  var form = evt.detail.elt;
  if (evt.detail.verb !== "get" || !form || !form.matches || !form.matches("[data-testid=list-filters]")) return;
  var params = evt.detail.parameters;
  Object.keys(params).forEach(function (key) {
    if (params[key] === "") delete params[key];
  });
});
