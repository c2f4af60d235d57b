// The pipeline board: drag a card to another stage column; the server moves it (permission-checked,
// audited). Lost / no-decision columns ask for a reason first. On any refusal the card goes back.
(function () {
  "use strict";
  var boardEl = document.getElementById("board");
  if (!boardEl || !window.Sortable) return;
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  var modalEl = document.getElementById("lost-modal");
  var modal = modalEl && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(modalEl) : null;
  var pending = null;  // the drop waiting for a lost reason

  function putBack(evt) {
    var ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
  }

  function refreshHeaders(headers) {
    Object.keys(headers || {}).forEach(function (stageId) {
      var header = document.getElementById("column-header-" + stageId);
      if (header) header.innerHTML = headers[stageId];  // server-rendered, auto-escaped HTML
    });
  }

  function send(evt, stageId, lostReason, note) {
    var card = evt.item;
    var body = new URLSearchParams();
    body.set("stage", stageId);
    body.set("version", card.dataset.version);
    body.set("scope", boardEl.dataset.scope || "all");
    if (lostReason) body.set("lost_reason", lostReason);
    if (note) body.set("note", note);
    card.classList.add("opacity-50");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      body: body,
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        card.classList.remove("opacity-50");
        if (response.ok && data.ok) {
          card.dataset.version = data.version;
          refreshHeaders(data.headers);
          card.dispatchEvent(new CustomEvent("baton:moved", { bubbles: true, detail: data }));
        } else {
          putBack(evt);
          window.batonToast(data.error || boardEl.dataset.msgFailed, "danger");
        }
      });
    }).catch(function () {
      card.classList.remove("opacity-50");
      putBack(evt);
      window.batonToast(boardEl.dataset.msgNetwork, "danger");
    });
  }

  boardEl.querySelectorAll(".cards").forEach(function (list) {
    window.Sortable.create(list, {
      group: "board",
      animation: 150,
      draggable: ".board-card",
      onEnd: function (evt) {
        if (evt.from === evt.to) return;
        var column = evt.to.closest(".board-column");
        var stageId = evt.to.dataset.stageId;
        if (column && column.dataset.needsReason === "1") {
          if (!modal) { putBack(evt); return; }
          pending = { evt: evt, stageId: stageId };
          document.getElementById("lost-reason").value = "";
          document.getElementById("lost-note").value = "";
          modal.show();
          return;
        }
        send(evt, stageId, "", "");
      },
    });
  });

  if (modalEl) {
    document.getElementById("lost-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var reason = document.getElementById("lost-reason").value;
      if (!reason || !pending) return;  // refuse without a reason
      var drop = pending;
      pending = null;
      modal.hide();
      send(drop.evt, drop.stageId, reason, document.getElementById("lost-note").value);
    });
    modalEl.addEventListener("hidden.bs.modal", function () {
      if (pending) { putBack(pending.evt); pending = null; }  // cancelled: the card goes back
    });
  }
})();
