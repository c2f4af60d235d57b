// Charts of the insights pages, drawn from JSON the page carries (no inline script, for the CSP).
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-baton-chart='trend']").forEach(function (canvas) {
      var source = document.getElementById("trend-data");
      if (!source) return;
      var data = JSON.parse(source.textContent);
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: data.this_label, data: data.this_year },
            { label: data.last_label, data: data.last_year },
          ],
        },
        options: {
          responsive: true,
          scales: { y: { beginAtZero: true } },
          // A bar opens the won deals of that month (the same drill-down as the other dashboards).
          onClick: function (_event, elements) {
            if (!elements.length || !data.drill) return;
            var bar = elements[0];
            var year = data.years[bar.datasetIndex];
            window.location.href = data.drill + "&year=" + year + "&month=" + (bar.index + 1);
          },
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Chart === "undefined") return;
    var canvas = document.querySelector("canvas[data-baton-chart='report']");
    var source = document.getElementById("report-chart");
    if (!canvas || !source) return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: "", data: data.values }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  });
})();
