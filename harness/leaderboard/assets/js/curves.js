// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). Quality and recall
// against queries per second over each configuration's operating points (drawCurves), and the curves' legend.
// Relies on: state, current, curveNodes, DATA, TASKS, CONFIGS, PALETTE, DASHES (state.js); el, svg, clear, byId,
// fmt, missing, unique (helpers.js); configOf (points.js); axes, plotBox, emptyPlot (plots.js); openDetail
// (detail.js).

  // ---- quality and recall against speed, over each configuration's operating points ----------------
  function configDash(name) {
    var approximate = CONFIGS.filter(function (c) { return c.approximate; }).map(function (c) { return c.name; });
    var i = approximate.indexOf(name);
    return i < 0 ? "" : DASHES[i % DASHES.length];
  }

  function drawCurves() {
    var tasks = DATA.curves.tasks;
    document.getElementById("curves-section").hidden = tasks.length === 0;
    if (!tasks.length) return;
    var task = state.curveTask, metric = TASKS[task].metric, shown = {};
    current.rows.forEach(function (r) { shown[r.label] = true; });
    var series = DATA.curves.series.filter(function (s) { return s.task === task && shown[s.row]; });
    var host = clear(byId("curves")), looks = rowLooks(series), groups = {};
    curveNodes = [];
    host.appendChild(curvePlot(task + ": " + metric + " against queries per second", series,
      { y: metric + " ×100", minPad: 1, yMax: 100 }, function (p) { return missing(p.score) ? null : 100 * p.score; },
      looks, groups));
    host.appendChild(curvePlot(task + ": recall@10 against exact search, against queries per second",
      series.filter(function (s) { return s.approximate; }), { y: "recall@10 against exact", minPad: 0.01, yMax: 1 },
      function (p) { return p.recall_at_10; }, looks, groups));
    drawCurveLegend(series, looks, groups);
  }

  // a colour per model in this plot; past the palette's length, the same colours with hollow marks
  function rowLooks(series) {
    var looks = {};
    unique(series.map(function (s) { return s.row; })).forEach(function (row, i) {
      looks[row] = { colour: PALETTE[i % PALETTE.length], hollow: i >= PALETTE.length };
    });
    return looks;
  }

  function curvePlot(title, series, yAxis, yOf, looks, groups) {
    var figure = plotBox(title), root = figure.root;
    var drawable = function (p) { return !missing(yOf(p)) && !missing(p.qps) && p.qps > 0; };
    var pts = [];
    series.forEach(function (s) { pts = pts.concat(s.points.filter(drawable)); });
    if (!pts.length) {
      emptyPlot(root, "no point has both this figure and a measured QPS");
      return figure.box;
    }
    var scale = axes(root, pts.map(function (p) { return p.qps; }), pts.map(yOf),
      { x: "queries per second (log) — higher is faster", y: yAxis.y, minPad: yAxis.minPad, yMax: yAxis.yMax });
    series.forEach(function (s) {
      var g = svg("g", { "class": "series" }), look = looks[s.row], colour = look.colour, drawn = s.points.filter(drawable);
      if (drawn.length > 1) {
        g.appendChild(svg("polyline", { "class": "curve", stroke: colour, "stroke-dasharray": configDash(s.config),
          points: drawn.map(function (p) { return scale.X(p.qps) + "," + scale.Y(yOf(p)); }).join(" ") }));
      }
      drawn.forEach(function (p) {
        var x = scale.X(p.qps), y = scale.Y(yOf(p));
        var fill = look.hollow ? "none" : colour, cls = "mark" + (look.hollow ? " hollow" : "");
        var mark = s.approximate ? svg("circle", { cx: x, cy: y, r: 4, fill: fill, stroke: colour, "class": cls })
          : svg("rect", { x: x - 4.5, y: y - 4.5, width: 9, height: 9, fill: fill, stroke: colour, "class": cls + " exact" });
        mark.appendChild(svg("title", {}, pointTitle(s, p)));
        mark.addEventListener("click", function () { openDetail(p.result); });
        g.appendChild(mark);
      });
      root.appendChild(g);
      (groups[s.row] = groups[s.row] || []).push(g);
      curveNodes.push({ row: s.row, node: g });
    });
    return figure.box;
  }

  function pointTitle(s, p) {
    var lines = [s.row, p.view, TASKS[s.task].metric + " " + fmt("score", p.score) +
      (missing(p.main_score_delta) ? "" : " (Δ " + fmt("delta", p.main_score_delta) + ")")];
    if (!missing(p.recall_at_10)) lines.push("recall@10 " + fmt("recall", p.recall_at_10));
    lines.push("QPS " + fmt("rate", p.qps) + (missing(p.latency_p50_ms) ? "" : " · p50 " + fmt("ms", p.latency_p50_ms) + " ms"));
    return lines.join("\n") + "\n(click for the full result)";
  }

  // one button per model: hovering or focusing it brings that model's curves forward
  function drawCurveLegend(series, looks, groups) {
    var legend = clear(document.getElementById("curve-legend")), host = document.getElementById("curves");
    var rows = unique(series.map(function (s) { return s.row; }));
    rows.forEach(function (row) {
      var b = el("button", { type: "button", cls: "legend-item" }, [el("span", { cls: "swatch" }), row]);
      b.firstChild.style.borderColor = looks[row].colour;
      b.firstChild.style.backgroundColor = looks[row].hollow ? "transparent" : looks[row].colour;
      var on = function () {
        host.classList.add("dim");
        (groups[row] || []).forEach(function (g) { g.classList.add("hl"); });
      };
      var off = function () {
        host.classList.remove("dim");
        (groups[row] || []).forEach(function (g) { g.classList.remove("hl"); });
      };
      ["mouseenter", "focus"].forEach(function (e) { b.addEventListener(e, on); });
      ["mouseleave", "blur"].forEach(function (e) { b.addEventListener(e, off); });
      legend.appendChild(b);
      curveNodes.push({ row: row, node: b });
    });
    var styles = clear(document.getElementById("curve-styles"));
    unique(series.map(function (s) { return s.config; })).forEach(function (name) {
      var sample = svg("svg", { width: 34, height: 10, "aria-hidden": "true" });
      var approximate = configOf({ config: name }).approximate;
      if (approximate) sample.appendChild(svg("line", { x1: 1, x2: 33, y1: 5, y2: 5, "class": "curve", "stroke-dasharray": configDash(name) }));
      else sample.appendChild(svg("rect", { x: 12, y: 0.5, width: 9, height: 9, "class": "sample" }));
      styles.appendChild(el("span", { cls: "style-item" }, [sample, name + (approximate ? "" : " (one point)")]));
    });
  }

