// The volunteers dashboard's charts; the figures come from the page's
// <script type="application/json" id="chart-data"> block (json_script).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  Chart.defaults.font.family = "Sarabun, sans-serif";
  Chart.defaults.animation = false;  // as the reports dashboard: drawn once, at its figures
  new Chart(document.getElementById("statusChart"), {
    type: "doughnut",
    data: {labels: d.status.labels, datasets: [{data: d.status.data}]},
  });
  new Chart(document.getElementById("specChart"), {
    type: "bar",
    data: {labels: d.specialty.labels, datasets: [{label: d.specialty.unit, data: d.specialty.data}]},
    options: {indexAxis: "y", plugins: {legend: {display: false}}},
  });
  new Chart(document.getElementById("monthChart"), {
    type: "bar",
    data: {labels: d.months, datasets: d.types},
    // Drawn in a box of its own height (.chart-box-wide): at the canvas's aspect ratio a phone
    // got a strip 25 px high with the month labels over the bars.
    options: {maintainAspectRatio: false, scales: {x: {stacked: true}, y: {stacked: true}}},
  });
})();
