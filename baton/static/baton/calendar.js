// The calendar's drag-and-drop rescheduling (an Alpine component; loaded before Alpine starts).
// Registered by name and driven by data-* attributes: the CSP build of Alpine evaluates no inline code.
document.addEventListener("alpine:init", function () {
  window.Alpine.data("batonCalendar", function () {
    return {
      dragged: null,
      csrf: "",
      init() { this.csrf = this.$el.dataset.csrf || ""; },
      // An item (data-activity, data-version) is picked up.
      drag() { this.dragged = { id: this.$el.dataset.activity, version: this.$el.dataset.version }; },
      // A week/day slot shows where the item would land.
      highlight() { this.$el.classList.add("table-active"); },
      unhighlight() { this.$el.classList.remove("table-active"); },
      // Dropped on a cell with data-date (and, in the week and day views, data-time).
      async drop() {
        const cell = this.$el;
        cell.classList.remove("table-active");
        if (!this.dragged) return;
        const body = new URLSearchParams({ date: cell.dataset.date, version: this.dragged.version });
        if (cell.dataset.time) body.set("time", cell.dataset.time);
        const response = await fetch(`/activities/${this.dragged.id}/reschedule/`, {
          method: "POST", body, headers: { "X-CSRFToken": this.csrf }, credentials: "same-origin",
        });
        if (response.ok) { window.location.reload(); return; }
        const box = document.getElementById("calendar-error");
        let text = box.dataset.defaultText || "";
        try { const data = await response.json(); text = Object.values(data.errors || {}).flat().join(" ") || text; } catch (e) {}
        box.textContent = text; box.classList.remove("d-none");
      },
    };
  });
});
