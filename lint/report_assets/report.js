// tunelint report: draws the charts with Chart.js from the page's JSON data
// (the JSON element #report-data). Every text of the data reaches the page through Chart.js's
// canvas drawing or textContent, never as HTML. Colours come from the CSS variables, so
// the charts follow light and dark mode and print in the print palette.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var charts = [];
  var number = new Intl.NumberFormat("en-US");

  function palette() {
    var style = getComputedStyle(document.documentElement);
    var get = function (name) { return style.getPropertyValue(name).trim(); };
    return { bg: get("--bg"), fg: get("--fg"), muted: get("--muted"), line: get("--line"), bar: get("--bar"),
             bar2: get("--bar2"), limit: get("--limit") };
  }

  function range(lo, hi) {
    return lo === hi ? number.format(lo) : number.format(lo) + "–" + number.format(hi);
  }

  // The model's limit as a dashed line on the histogram: the bars are ranges of token
  // counts on a category axis, so the line sits inside the range that holds the limit, as
  // far along it as the limit is. A limit past the last range is marked at the right edge.
  var limitLine = {
    id: "tunelintLimit",
    afterDatasetsDraw: function (chart) {
      var spec = chart.options.plugins.tunelintLimit;
      if (!spec || !spec.bins.length || spec.limit === null) { return; }  // a target with no published limit
      var x = chart.scales.x, area = chart.chartArea, bins = spec.bins, limit = spec.limit;
      var band = bins.length > 1 ? x.getPixelForValue(1) - x.getPixelForValue(0) : area.right - area.left;
      var last = bins[bins.length - 1], beyond = limit > last.hi;
      var at, label = "limit " + number.format(limit);
      if (beyond) {
        at = area.right;
        label += " →";
      } else {
        var i = 0;
        while (limit > bins[i].hi) { i += 1; }
        var share = Math.min(1, Math.max(0, (limit + 1 - bins[i].lo) / (bins[i].hi + 1 - bins[i].lo)));
        at = x.getPixelForValue(i) - band / 2 + share * band;
      }
      var ctx = chart.ctx, colours = palette();
      ctx.save();
      ctx.strokeStyle = colours.limit;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(at, area.top);
      ctx.lineTo(at, area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = "600 12px system-ui, sans-serif";
      var width = ctx.measureText(label).width;
      var left = at + 6 + width > area.right ? at - 6 - width : at + 6;
      ctx.fillStyle = colours.bg;
      ctx.fillRect(left - 3, area.top + 2, width + 6, 18);
      ctx.fillStyle = colours.limit;
      ctx.textBaseline = "top";
      ctx.fillText(label, left, area.top + 4);
      ctx.restore();
    }
  };

  function axes(colours, horizontal, xTitle, yTitle) {
    var common = { ticks: { color: colours.muted }, grid: { color: colours.line }, border: { color: colours.line } };
    var x = Object.assign({}, common, { title: { display: true, text: xTitle, color: colours.muted } });
    var y = Object.assign({}, common, { title: { display: !horizontal, text: yTitle, color: colours.muted } });
    var counts = horizontal ? x : y;  // counts of rows or calls: whole numbers from zero
    counts.beginAtZero = true;
    counts.ticks = Object.assign({}, common.ticks, { precision: 0 });
    return { x: x, y: y };
  }

  function base(colours, horizontal, xTitle, yTitle, legend) {
    return {
      responsive: true, maintainAspectRatio: false, animation: false,
      indexAxis: horizontal ? "y" : "x",
      scales: axes(colours, horizontal, xTitle, yTitle),
      plugins: { legend: { display: legend, labels: { color: colours.fg } } }
    };
  }

  var builders = {
    histogram: function (file, colours) {
      var bins = file.histogram;
      var options = base(colours, false, "tokens per example", "examples", false);
      options.datasets = { bar: { barPercentage: 1, categoryPercentage: 1 } };
      options.plugins.tunelintLimit = { bins: bins, limit: file.limit };
      options.plugins.tooltip = { callbacks: { title: function (items) { return range(bins[items[0].dataIndex].lo, bins[items[0].dataIndex].hi) + " tokens"; } } };
      return {
        type: "bar",
        data: {
          labels: bins.map(function (b) { return range(b.lo, b.hi); }),
          datasets: [{ label: "examples", data: bins.map(function (b) { return b.examples; }),
                       backgroundColor: bins.map(function (b) { return b.lo > file.limit ? colours.limit : colours.bar; }) }]
        },
        options: options,
        plugins: [limitLine]
      };
    },
    tools: function (file, colours) {
      return {
        type: "bar",
        data: {
          labels: file.tools.names,
          datasets: [{ label: "calls", data: file.tools.calls, backgroundColor: colours.bar },
                     { label: "rows declaring it", data: file.tools.declared, backgroundColor: colours.bar2 }]
        },
        options: base(colours, true, "count", "tool", true)
      };
    },
    turns: function (file, colours) {
      return {
        type: "bar",
        data: {
          labels: file.turns.map(function (b) { return range(b.lo, b.hi); }),
          datasets: [{ label: "rows", data: file.turns.map(function (b) { return b.rows; }), backgroundColor: colours.bar }]
        },
        options: base(colours, false, "messages in the row", "rows", false)
      };
    },
    prompts: function (file, colours) {
      return {
        type: "bar",
        data: {
          labels: file.prompts.labels,
          datasets: [{ label: "rows", data: file.prompts.rows, backgroundColor: colours.bar }]
        },
        options: base(colours, true, "rows", "system prompt", false)
      };
    }
  };

  function draw() {
    var colours = palette();
    document.querySelectorAll("section[data-file]").forEach(function (section) {
      var file = data[section.getAttribute("data-file")];
      section.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
        var kind = canvas.getAttribute("data-chart");
        charts.push(new Chart(canvas, builders[kind](file, colours)));
      });
    });
  }

  function recolour() {
    var colours = palette();
    charts.forEach(function (chart) {
      var kind = chart.canvas.getAttribute("data-chart");
      var file = data[chart.canvas.closest("section[data-file]").getAttribute("data-file")];
      var fresh = builders[kind](file, colours);
      chart.data.datasets.forEach(function (dataset, i) { dataset.backgroundColor = fresh.data.datasets[i].backgroundColor; });
      chart.options.scales = fresh.options.scales;
      chart.options.plugins.legend = fresh.options.plugins.legend;
      chart.update("none");
    });
  }

  if (typeof Chart === "undefined") {
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      figure.textContent = "The chart library did not load: the tables below hold the same numbers.";
    });
    document.documentElement.setAttribute("data-charts", "0");
    return;
  }
  draw();
  var opened = [];
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
    document.documentElement.classList.add("printing");
    recolour();
    charts.forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
    document.documentElement.classList.remove("printing");
    recolour();
    charts.forEach(function (chart) { chart.resize(); });
  });
  // A link to a rule's findings (`#file0-TLD001`) opens them.
  function openTarget() {
    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  document.documentElement.setAttribute("data-charts", String(charts.length));
})();
