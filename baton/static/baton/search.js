// The top bar's search: "/" or Ctrl-K (Cmd-K) focuses it, Escape or a click elsewhere closes the results.
(function () {
  "use strict";
  function box() { return document.getElementById("global-search"); }
  function results() { return document.getElementById("global-search-results"); }
  function close() {
    var el = results();
    if (el) el.replaceChildren();
  }
  function editable(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (evt) {
    var input = box();
    if (!input) return;
    var ctrlK = (evt.ctrlKey || evt.metaKey) && !evt.altKey && evt.key.toLowerCase() === "k";
    var slash = evt.key === "/" && !evt.ctrlKey && !evt.metaKey && !evt.altKey && !editable(evt.target);
    if (ctrlK || slash) {
      evt.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (evt.key === "Escape" && (evt.target === input || (results() && results().contains(evt.target)))) {
      close();
      input.blur();
    }
  });
  document.addEventListener("click", function (evt) {
    var form = evt.target.closest && evt.target.closest(".global-search");
    if (!form) close();
  });
})();
