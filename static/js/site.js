// Behaviour every page shares, loaded once by base.html (and the stand-alone error pages).
// The Content-Security-Policy runs no inline script and no on*= handler: templates mark
// elements with data-* attributes and this file gives them their behaviour.
(function () {
  "use strict";

  function each(selector, fn) {
    document.querySelectorAll(selector).forEach(fn);
  }

  function submit(form) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  // A select that sends its form as soon as it changes (the language menu, a year picker).
  each("select[data-autosubmit]", function (select) {
    select.addEventListener("change", function () {
      if (select.form) { submit(select.form); }
    });
  });

  // A form that asks first: <form data-confirm="Really?"> (before the busy handler below, so
  // that a "no" leaves the buttons usable).
  each("form[data-confirm]", function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    });
  });

  // A long request (an upload, a confirm) shows it is working and cannot be sent twice.
  each("form[data-busy-form]", function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var busy = form.querySelector("[data-busy]");
      if (busy) { busy.classList.remove("d-none"); }
    });
  });

  // "Back" buttons: shown when there is somewhere to go back to.
  each("[data-history-back]", function (button) {
    if (window.history.length > 1) { button.classList.remove("d-none"); }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      window.history.back();
    });
  });

  // "Try again" links reload the page; "Print" buttons print it.
  each("[data-reload]", function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.reload();
    });
  });
  each("[data-print]", function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });

  // A chart's figures for screen readers (WCAG 1.1.1): <canvas role="img" aria-label="…"
  // data-chart-table="first column's header"> gets, once Chart.js has drawn it, a visually
  // hidden table of its data right after it (one row per label, one column per data set).
  window.addEventListener("load", function () {
    if (typeof Chart === "undefined" || typeof Chart.getChart !== "function") { return; }
    each("canvas[data-chart-table]", function (canvas) {
      var chart = Chart.getChart(canvas);
      if (!chart || canvas.nextElementSibling && canvas.nextElementSibling.hasAttribute("data-chart-data")) { return; }
      // The hidden box is a div around the table: a table with .visually-hidden keeps its
      // content's width (tables ignore width: 1px) and widened phone pages to 760 px.
      var data = chart.data, box = document.createElement("div"), table = document.createElement("table");
      box.className = "visually-hidden";
      box.setAttribute("data-chart-data", "");
      box.appendChild(table);
      function cell(row, tag, text, scope) {
        var c = document.createElement(tag);
        c.textContent = text === null || text === undefined ? "" : String(text);
        if (scope) { c.setAttribute("scope", scope); }
        row.appendChild(c);
      }
      table.createCaption().textContent = canvas.getAttribute("aria-label") || "";
      var head = table.createTHead().insertRow();
      cell(head, "th", canvas.getAttribute("data-chart-table"), "col");
      data.datasets.forEach(function (set) { cell(head, "th", set.label, "col"); });
      var body = table.createTBody();
      (data.labels || []).forEach(function (label, i) {
        var row = body.insertRow();
        cell(row, "th", label, "row");
        data.datasets.forEach(function (set) {
          var v = set.data[i];
          cell(row, "td", v !== null && typeof v === "object" ? v.y : v);
        });
      });
      canvas.insertAdjacentElement("afterend", box);
    });
  });

  // The users form: the password boxes are needed only when the admin types the password.
  (function () {
    var typed = document.querySelector('input[name="password_mode"][value="typed"]');
    if (!typed) { return; }
    function sync() {
      ["password1", "password2"].forEach(function (n) {
        var box = document.querySelector('[data-field="' + n + '"]');
        if (box) { box.classList.toggle("d-none", !typed.checked); }
      });
    }
    each('input[name="password_mode"]', function (r) { r.addEventListener("change", sync); });
    sync();
  })();
})();
