// Charts of the process floor, team activity and scoring evaluation pages. Data comes from
// json_script blocks and data attributes, so the pages need no inline script.
(function () {
  "use strict";
  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function dwell() {
    var el = document.getElementById("dwell-chart");
    var data = json("dwell-data");
    if (!el || !data) return;
    new window.Chart(el, {type: "bar", data: {labels: data.labels, datasets: [
      {label: el.dataset.medianLabel || "median", data: data.median},
      {label: "p90", data: data.p90}]}, options: {responsive: true, animation: false}});
  }
  function conversion() {
    var el = document.getElementById("conversion-chart");
    var conv = json("conversion-data");
    if (!el || !conv) return;
    new window.Chart(el, {type: "line", data: {labels: conv.labels, datasets: conv.series.map(function (s) {
      return {label: s.label, data: s.data, arrivals: s.arrivals, hidden: s.hidden, spanGaps: true,
              tension: 0.3, pointRadius: 2};
    })}, options: {responsive: true, animation: false,
      scales: {y: {min: 0, max: 100, ticks: {callback: function (v) { return v + "%"; }}}},
      plugins: {legend: {labels: {boxWidth: 10, font: {size: 10}}},
        tooltip: {callbacks: {label: function (c) {
          return c.dataset.label + ": " + c.formattedValue + "% (" + c.dataset.arrivals[c.dataIndex] + ")";
        }}}}}});
  }
  function team() {
    var el = document.getElementById("team-chart");
    var data = json("team-chart-data");
    if (!el || !data) return;
    new window.Chart(el, {
      type: "bar",
      data: {labels: data.labels, datasets: data.series.map(function (s) { return {label: s.label, data: s.data}; })},
      options: {responsive: true, animation: false,
        scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}},
    });
  }
  function lift() {
    var el = document.getElementById("lift-chart");
    var data = json("lift-data");
    var labels = json("lift-labels");
    if (!el || !data || !labels) return;
    new window.Chart(el, {type: "bar", data: {labels: data.labels, datasets: [
      {label: labels.model, data: data.model}, {label: labels.baseline, data: data.baseline}]},
      options: {responsive: true, animation: false}});
  }
  function draw() {
    if (!window.Chart) return;
    dwell(); conversion(); team(); lift();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
