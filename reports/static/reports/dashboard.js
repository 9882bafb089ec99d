/* Bullet charts (result against the three targets) and trend lines of the managers' dashboard.
   Data: the JSON in #kpi-charts, one entry per indicator code. Chart.js is vendored.
   The legend's words come translated from the template, as data- attributes of this script:
   data-below (the level name below the minimum, from reports.dashboard.LEVEL_NAMES), data-result
   and data-target-min (Thai when absent). The targets' names come with each chart (targetLabels,
   indicators.models.TARGET_LABELS). */
(function () {
  "use strict";
  var words = (document.currentScript && document.currentScript.dataset) || {};
  var BELOW = words.below || "";
  var RESULT = words.result || "ผลการดำเนินงาน";
  var TARGET_MIN = words.targetMin || "เป้าหมายขั้นต่ำปีนี้";
  if (typeof Chart === "undefined") return;
  var data = JSON.parse(document.getElementById("kpi-charts").textContent);
  Chart.defaults.font.family = "Sarabun";
  Chart.defaults.font.size = 13;
  var RANGE = ["#f1d4d4", "#e4e4e4", "#cfcfcf", "#b5b5b5"];
  var fmt = function (v) { return v === null || v === undefined ? "–" : Number(v).toFixed(2); };

  function bullet(canvas, d) {
    var lo = d.min, hi = d.max, t = d.targets;
    var ranges = [
      { label: BELOW, span: [lo, t[0]] },
      { label: d.targetLabels[0] + " (" + fmt(t[0]) + ")", span: [t[0], t[1]] },
      { label: d.targetLabels[1] + " (" + fmt(t[1]) + ")", span: [t[1], t[2]] },
      { label: d.targetLabels[2] + " (" + fmt(t[2]) + ")", span: [t[2], Math.max(hi, t[2])] },
    ];
    var datasets = ranges.map(function (r, i) {
      return { label: r.label, data: [r.span], backgroundColor: RANGE[i], barPercentage: 1.0,
               categoryPercentage: 1.0, grouped: false, order: 2 };
    });
    if (d.value !== null) {
      datasets.push({ label: RESULT + " " + fmt(d.value), data: [[lo, Math.min(Math.max(d.value, lo), hi)]],
                      backgroundColor: d.value >= t[0] ? "#0d6efd" : "#dc3545", barPercentage: 0.4,
                      categoryPercentage: 1.0, grouped: false, order: 1 });
    }
    return new Chart(canvas, {
      type: "bar",
      data: { labels: [d.unit], datasets: datasets },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          x: { min: lo, max: hi, stacked: false, ticks: { maxTicksLimit: 8 } },
          y: { stacked: true, display: false },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label; } } },
        },
      },
    });
  }

  function trend(canvas, d) {
    var tr = d.trend;
    var datasets = [{
      label: RESULT + " (" + d.unit + ")", data: tr.values, borderColor: "#0d6efd",
      backgroundColor: tr.sources.map(function (s) { return s === "baseline" ? "#6c757d" : "#0d6efd"; }),
      pointRadius: 4, spanGaps: true, tension: 0,
    }];
    if (tr.targetMin !== null) {
      datasets.push({ label: TARGET_MIN, data: tr.labels.map(function () { return tr.targetMin; }),
                      borderColor: "#dc3545", borderDash: [5, 4], pointRadius: 0 });
    }
    return new Chart(canvas, {
      type: "line",
      data: { labels: tr.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { labels: { boxWidth: 12 } } } },
    });
  }

  document.querySelectorAll("canvas.bullet-chart").forEach(function (c) {
    var d = data[c.dataset.chart];
    if (d) bullet(c, d);
  });
  document.querySelectorAll("canvas.trend-chart").forEach(function (c) {
    var d = data[c.dataset.chart];
    if (d) trend(c, d);
  });
  document.documentElement.dataset.chartsReady = "1";
})();
