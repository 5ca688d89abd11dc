/* Charts drawn from the accessible figures tables (progressive enhancement).
 *
 * Every <table data-chart="bar|line" data-chart-columns="a,b"> gets a chart above it.
 * Values come from the cells' data-value attributes; a withheld ("fewer than 5") or
 * missing cell has none and is left as a gap. The table stays the source of truth and
 * stays visible; the canvas is hidden from screen readers, which read the table.
 * No inline script or style: this file is served by the app (CSP script-src 'self').
 */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined" || !document.querySelectorAll) {
    return;
  }
  var PALETTE = ["#0b5394", "#1d6b2f", "#a10000", "#7a4b00"];

  function columnIndex(table, name) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getAttribute("data-column") === name) {
        return { index: i, label: heads[i].textContent.trim() };
      }
    }
    return null;
  }

  function rowLabel(row) {
    var head = row.querySelector("th");
    return head ? head.textContent.trim() : "";
  }

  function datasets(table, names, type) {
    var body = table.tBodies[0];
    var result = [];
    names.forEach(function (name, n) {
      var column = columnIndex(table, name);
      if (!column) {
        return;
      }
      var data = [];
      for (var r = 0; r < body.rows.length; r++) {
        var cell = body.rows[r].cells[column.index];
        var raw = cell ? cell.getAttribute("data-value") : null;
        data.push(raw === null ? null : Number(raw));
      }
      result.push({
        label: column.label,
        data: data,
        backgroundColor: PALETTE[n % PALETTE.length],
        borderColor: PALETTE[n % PALETTE.length],
        spanGaps: false,
        fill: false,
        type: type
      });
    });
    return result;
  }

  function draw(table) {
    var type = table.getAttribute("data-chart") === "line" ? "line" : "bar";
    var names = (table.getAttribute("data-chart-columns") || "").split(",").filter(Boolean);
    var labels = [];
    for (var r = 0; r < table.tBodies[0].rows.length; r++) {
      labels.push(rowLabel(table.tBodies[0].rows[r]));
    }
    var sets = datasets(table, names, type);
    if (!labels.length || !sets.length) {
      return;
    }
    var box = document.createElement("div");
    box.className = "chart-box" + (type === "bar" && labels.length > 8 ? " chart-tall" : "");
    box.setAttribute("aria-hidden", "true");
    var canvas = document.createElement("canvas");
    box.appendChild(canvas);
    var anchor = table.closest(".table-scroll") || table;
    anchor.parentNode.insertBefore(box, anchor);
    new window.Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: sets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: type === "bar" && labels.length > 8 ? "y" : "x",
        plugins: { legend: { position: "bottom" } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    });
  }

  function start() {
    var tables = document.querySelectorAll("table[data-chart]");
    for (var i = 0; i < tables.length; i++) {
      draw(tables[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
