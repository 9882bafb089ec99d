// A resident's IRP percent over time, over the A/B/C bands (A ≥ 80, B > 40, C 10–40).
(function () {
  "use strict";
  var canvas = document.getElementById("irp-chart");
  var source = document.getElementById("irp-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var months = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
  function thaiDate(iso) {
    var p = iso.split("-");
    return Number(p[2]) + " " + months[Number(p[1]) - 1] + " " + (Number(p[0]) + 543);
  }
  var bands = [
    { from: data.groupA, to: 100, color: "rgba(25, 135, 84, 0.12)", label: "A" },
    { from: data.groupC, to: data.groupA, color: "rgba(255, 193, 7, 0.15)", label: "B" },
    { from: 10, to: data.groupC, color: "rgba(220, 53, 69, 0.12)", label: "C" },
  ];
  var bandPlugin = {
    id: "irpBands",
    beforeDatasetsDraw: function (chart) {
      var ctx = chart.ctx, area = chart.chartArea, y = chart.scales.y;
      ctx.save();
      bands.forEach(function (band) {
        var top = y.getPixelForValue(band.to), bottom = y.getPixelForValue(band.from);
        ctx.fillStyle = band.color;
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        ctx.fillStyle = "rgba(0, 0, 0, 0.45)";
        ctx.font = "bold 12px Sarabun, sans-serif";
        ctx.fillText("กลุ่ม " + band.label, area.left + 6, top + 14);
      });
      ctx.restore();
    },
  };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels.map(thaiDate),
      datasets: [{
        label: "ร้อยละคะแนน IRP",
        data: data.percents,
        borderColor: "#0d6efd",
        backgroundColor: "#0d6efd",
        tension: 0.2,
      }],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { min: 10, max: 100, title: { display: true, text: "ร้อยละ" } } },
      plugins: { legend: { display: false } },
    },
    plugins: [bandPlugin],
  });
})();
