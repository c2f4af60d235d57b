// The pipeline board: drag a card to another stage column; the server moves it (permission-checked,
// audited). Lost / no-decision columns ask for a reason first. On any refusal the card goes back.
// Keyboard: a card's move button picks it up; ← → choose the column, Enter drops it there (the same
// move request as a drag), Esc puts it back.
(function () {
  "use strict";
  var boardEl = document.getElementById("board");
  if (!boardEl) return;
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

  function drop(evt, stageId) {
    var column = evt.to.closest(".board-column");
    if (column && column.dataset.needsReason === "1") {
      if (!modal) { putBack(evt); return; }
      pending = { evt: evt, stageId: stageId };
      document.getElementById("lost-reason").value = "";
      document.getElementById("lost-note").value = "";
      modal.show();
      return;
    }
    send(evt, stageId, "", "");
  }

  // --- keyboard moves -------------------------------------------------------------------------
  var statusEl = document.getElementById("board-status");
  var columns = Array.prototype.slice.call(boardEl.querySelectorAll(".board-column"));
  var picked = null;  // {card, button, from, oldIndex, target}

  function announce(text) { if (statusEl) statusEl.textContent = text; }

  function columnName(column) { return column.getAttribute("aria-label") || ""; }

  function showTarget(index) {
    columns.forEach(function (c) { c.classList.remove("drop-target"); });
    picked.target = index;
    columns[index].classList.add("drop-target");
    columns[index].scrollIntoView({ block: "nearest", inline: "nearest" });
    announce(boardEl.dataset.msgTarget + " " + columnName(columns[index]));
  }

  function endPick() {
    if (!picked) return;
    columns.forEach(function (c) { c.classList.remove("drop-target"); });
    picked.card.classList.remove("picked");
    picked.button.setAttribute("aria-pressed", "false");
    picked = null;
  }

  function pick(button) {
    var card = button.closest(".board-card");
    var from = card.parentElement;
    var column = card.closest(".board-column");
    picked = {
      card: card, button: button, from: from,
      oldIndex: Array.prototype.indexOf.call(from.children, card),
      start: columns.indexOf(column), target: columns.indexOf(column),
    };
    card.classList.add("picked");
    button.setAttribute("aria-pressed", "true");
    announce(boardEl.dataset.msgPick + " " + boardEl.dataset.msgTarget + " " + columnName(column));
    showTarget(picked.target);
  }

  function commit() {
    var p = picked;
    endPick();
    if (p.target === p.start) { announce(boardEl.dataset.msgCancel); return; }
    var list = columns[p.target].querySelector(".cards");
    list.insertBefore(p.card, list.firstChild);
    p.button.focus();
    drop({ item: p.card, from: p.from, to: list, oldIndex: p.oldIndex }, list.dataset.stageId);
  }

  boardEl.addEventListener("click", function (e) {
    var button = e.target.closest(".card-move");
    if (!button) return;
    e.preventDefault();
    if (picked && picked.button === button) { commit(); return; }
    endPick();
    pick(button);
  });

  boardEl.addEventListener("keydown", function (e) {
    if (!picked || !e.target.closest(".card-move")) return;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") {
      e.preventDefault();
      showTarget(Math.min(columns.length - 1, picked.target + 1));
    } else if (e.key === "ArrowLeft" || e.key === "ArrowUp") {
      e.preventDefault();
      showTarget(Math.max(0, picked.target - 1));
    } else if (e.key === "Escape") {
      e.preventDefault();
      endPick();
      announce(boardEl.dataset.msgCancel);
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      commit();
    }
  });

  boardEl.addEventListener("focusout", function (e) {
    if (picked && e.target === picked.button && !boardEl.contains(e.relatedTarget)) endPick();
  });

  boardEl.querySelectorAll(".cards").forEach(function (list) {
    if (!window.Sortable) return;  // no drag and drop without it; the keyboard still moves cards
    window.Sortable.create(list, {
      group: "board",
      animation: 150,
      draggable: ".board-card",
      filter: ".card-move",
      preventOnFilter: false,
      onEnd: function (evt) {
        if (evt.from === evt.to) return;
        drop(evt, evt.to.dataset.stageId);
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
