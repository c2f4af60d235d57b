// The calendar's drag-and-drop rescheduling (an Alpine component; loaded before Alpine starts).
document.addEventListener("alpine:init", function () {
  window.Alpine.data("batonCalendar", function (csrf) {
    return {
      dragged: null,
      async drop(event, date, time) {
        if (!this.dragged) return;
        const body = new URLSearchParams({ date, version: this.dragged.version });
        if (time) body.set("time", time);
        const response = await fetch(`/activities/${this.dragged.id}/reschedule/`, {
          method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
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
