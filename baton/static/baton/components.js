// Alpine components of the forms, registered by name before Alpine starts. Baton loads the CSP build
// of Alpine (no eval, no Function()), so templates name a component and a property or method, and
// the values they need come from data-* attributes rather than from inline expressions.
document.addEventListener("alpine:init", function () {
  const Alpine = window.Alpine;

  // Lead conversion: the opportunity fields show while "Create an opportunity" is ticked.
  Alpine.data("leadConvert", function () {
    return {
      withDeal: false,
      init() { this.withDeal = this.$el.dataset.withDeal === "true"; },
    };
  });

  // Activity form: a field with data-kinds (a JSON list) shows only for those kinds of activity.
  Alpine.data("activityForm", function () {
    return {
      kind: "task",
      init() { this.kind = this.$el.dataset.kind || "task"; },
      fitsKind() {
        const kinds = this.$el.dataset.kinds;
        if (!kinds) return true;
        try { return JSON.parse(kinds).includes(this.kind); } catch (e) { return true; }
      },
    };
  });
});
