// The IRP form: percent = sum / 140 × 100 and the group, as the 14 items are typed.
// The server computes the same on save; this only shows it early.
(function () {
  "use strict";
  var form = document.getElementById("irp-form");
  if (!form) return;
  var groupA = parseFloat(form.dataset.groupA);
  var groupC = parseFloat(form.dataset.groupC);
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-irp-item]"));
  var percentInput = form.querySelector("[data-irp-percent]");
  var out = {
    sum: document.getElementById("irp-sum"),
    percent: document.getElementById("irp-percent"),
    group: document.getElementById("irp-group"),
    warning: document.getElementById("irp-warning"),
  };
  var thaiDigits = "๐๑๒๓๔๕๖๗๘๙";

  function toNumber(text) {
    var s = String(text || "").trim().replace(/[๐-๙]/g, function (d) {
      return String(thaiDigits.indexOf(d));
    });
    return s === "" ? null : Number(s);
  }

  function groupOf(pct) {
    if (pct >= groupA) return "A";
    if (pct > groupC) return "B";
    return "C";
  }

  function show(pct, sum, note) {
    out.sum.textContent = sum === null ? "–" : String(sum) + " / 140";
    if (pct === null) {
      out.percent.textContent = "–";
      out.group.textContent = "–";
    } else {
      out.percent.textContent = (Math.round(pct * 100) / 100).toFixed(2);
      var g = groupOf(pct);
      var css = g === "A" ? "text-bg-success" : g === "B" ? "text-bg-warning" : "text-bg-danger";
      out.group.innerHTML = '<span class="badge ' + css + '">กลุ่ม ' + g + "</span>";
    }
    out.warning.textContent = note || "";
  }

  // While any item is filled, the percent box shows the items' percent (read-only), or nothing
  // when the items do not give one (an invalid or missing item): never a figure computed from
  // items since changed. A percent typed with no items (Qlife plus) is kept aside meanwhile and
  // comes back when every item is emptied again.
  var typedPercent = null;

  function derivePercent(value) {
    if (!percentInput.readOnly) typedPercent = percentInput.value;
    percentInput.readOnly = true;
    percentInput.classList.add("bg-body-secondary");
    percentInput.value = value;
  }

  function releasePercent() {
    if (percentInput.readOnly) {
      percentInput.readOnly = false;
      percentInput.classList.remove("bg-body-secondary");
      percentInput.value = typedPercent || "";
      typedPercent = null;
    }
  }

  function update() {
    var values = items.map(function (input) { return toNumber(input.value); });
    var bad = [];
    var filled = 0;
    var sum = 0;
    values.forEach(function (v, i) {
      var input = items[i];
      if (v === null) { input.classList.remove("is-invalid"); return; }
      filled += 1;
      if (!Number.isInteger(v) || v < 1 || v > 10) {
        bad.push(i + 1);
        input.classList.add("is-invalid");
      } else {
        input.classList.remove("is-invalid");
        sum += v;
      }
    });
    if (bad.length) {
      derivePercent("");
      show(null, null, "คะแนนแต่ละข้อต้องเป็นจำนวนเต็มระหว่าง 1 ถึง 10 (ข้อ " + bad.join(", ") + ")");
      return;
    }
    if (filled === items.length) {
      var pct = sum * 100 / 140;
      derivePercent((Math.round(pct * 100) / 100).toFixed(2));
      show(pct, sum, "");
      return;
    }
    if (filled > 0) {
      derivePercent("");
      show(null, sum, "กรอกคะแนนให้ครบ 14 ข้อ (กรอกแล้ว " + filled + " ข้อ) หรือกรอกร้อยละคะแนนอย่างเดียว");
      return;
    }
    releasePercent();
    var typed = toNumber(percentInput.value);
    if (typed === null) { show(null, null, ""); return; }
    if (isNaN(typed) || typed < 10 || typed > 100) {
      show(null, null, "ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100");
      return;
    }
    show(typed, null, "");
  }

  items.forEach(function (input) { input.addEventListener("input", update); });
  percentInput.addEventListener("input", update);
  update();
})();
