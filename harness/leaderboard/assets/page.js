// The leaderboard page. Every string from the data is rendered with textContent or setAttribute,
// never parsed as HTML, so a model named like a script tag shows up as text.
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("lb-data").textContent);
  var SVG_NS = "http://www.w3.org/2000/svg"; // a namespace name, not fetched
  var HIDDEN_KINDS = { count: true, note: true };
  var RAMP = [[240, 249, 244], [176, 224, 196], [72, 176, 112]];
  var TASKS = {};
  DATA.tasks.forEach(function (t) { TASKS[t.name] = t; });
  var VIEW_INDEX = {};
  DATA.views.forEach(function (v, i) { VIEW_INDEX[v.name] = i; });
  // with no search backend at all, the one view stands for itself
  var CONFIGS = DATA.configs.length ? DATA.configs :
    [{ name: DATA.views[0].name, approximate: false, option: null, views: [DATA.views[0].name] }];
  // a common deployment target: a configuration opens at its cheapest point whose mean recall@10 reaches it
  var TARGET_RECALL = 0.95;
  var PALETTE = ["#2563eb", "#ea580c", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#a16207", "#db2777",
    "#4b5563", "#65a30d"];
  var DASHES = ["", "6 4", "2 3", "10 3 2 3"];

  var state = {
    view: 0,
    type: "",
    modality: "",
    query: "",
    showCost: true,
    sort: { key: "mean:" + DATA.overall, dir: -1 },
    comparePoint: null,
    compareSort: { key: DATA.overall + "|rank", dir: 1 },
    curveTask: DATA.curves.tasks[0] || null
  };

  // ---- small DOM helpers -------------------------------------------------------------------
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        if (k === "text") node.textContent = props[k];
        else if (k === "cls") node.className = props[k];
        else if (props[k] !== null && props[k] !== undefined) node.setAttribute(k, props[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function missing(v) { return v === null || v === undefined || (typeof v === "number" && isNaN(v)); }

  // ---- number formats (the Markdown export uses the same rules) -------------------------------
  function fmt(kind, v) {
    if (missing(v)) return "—";
    if (kind === "score" || kind === "mean") return (100 * v).toFixed(2);
    if (kind === "share") return (100 * v).toFixed(1) + "%";
    if (kind === "ms") return v >= 100 ? v.toFixed(0) : String(+v.toPrecision(3));
    if (kind === "rate") return Math.round(v).toLocaleString("en-US");
    if (kind === "size") return compact(v);
    if (kind === "rank") return "#" + v;
    if (kind === "recall") return v.toFixed(3);
    if (kind === "delta") return (v > 0 ? "+" : v < 0 ? "−" : "±") + Math.abs(100 * v).toFixed(2);
    if (typeof v === "number") {
      if (Number.isInteger(v) || Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
      return v.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    }
    return String(v);
  }
  function compact(v) {
    var units = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (v >= units[i][0]) return +(v / units[i][0]).toPrecision(3) + units[i][1];
    }
    return +v.toPrecision(3) + "";
  }
  function shade(t) {
    var seg = t < 0.5 ? 0 : 1, u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    var a = RAMP[seg], b = RAMP[seg + 1];
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(a[i] + (b[i] - a[i]) * u); }).join(",") + ")";
  }

  // ---- sorting: numbers numerically, text alphabetically, missing always last -------------------
  function compareValues(a, b, dir) {
    var am = missing(a) || a === "", bm = missing(b) || b === "";
    if (am || bm) return am === bm ? 0 : (am ? 1 : -1);
    if (typeof a === "number" && typeof b === "number") return dir * (a - b);
    return dir * String(a).localeCompare(String(b), undefined, { sensitivity: "base" });
  }
  // overall means and ranks are per modality: sorting by them keeps each modality's rows together
  function modalityOrder(row, sort) {
    var overall = sort.key === "rank" || sort.key === "mean:" + DATA.overall;
    return overall && row.values ? row.values.modality_order : 0;
  }
  function sortRows(rows, columns, sort) {
    var col = columns.filter(function (c) { return c.key === sort.key; })[0];
    if (!col) return rows.slice();
    return rows.slice().sort(function (a, b) {
      return compareValues(modalityOrder(a, sort), modalityOrder(b, sort), 1) ||
        compareValues(col.value(a), col.value(b), sort.dir) ||
        compareValues(a.label, b.label, 1);
    });
  }

  // ---- a sortable table with a group header row -----------------------------------------------
  function drawTable(table, spec) {
    clear(table);
    var thead = el("thead"), groupRow = el("tr", { cls: "groups" }), colRow = el("tr", { cls: "cols" });
    var i = 0;
    while (i < spec.columns.length) {
      var g = spec.columns[i].group, span = 0;
      while (i + span < spec.columns.length && spec.columns[i + span].group === g) span++;
      groupRow.appendChild(el("th", { colspan: span, cls: (i === 0 ? "first " : "") + "group-start", text: g || "" }));
      i += span;
    }
    spec.columns.forEach(function (c) {
      var cls = [c.kind === "text" ? "text" : "", c.first ? "first" : "", c.groupStart ? "group-start" : "",
        c.sortable === false ? "" : "sortable", c.cls || ""].join(" ");
      var th = el("th", { cls: cls, title: c.title || null, "data-key": c.key, scope: "col" }, [c.label]);
      if (c.sub) th.appendChild(el("span", { cls: "sub", text: c.sub }));
      if (spec.sort.key === c.key) th.appendChild(el("span", { cls: "arrow", text: spec.sort.dir < 0 ? "▼" : "▲" }));
      if (c.sortable !== false) {
        th.addEventListener("click", function () {
          // first click: best first (high scores, low ranks), text from A
          if (spec.sort.key === c.key) spec.sort.dir = -spec.sort.dir;
          else { spec.sort.key = c.key; spec.sort.dir = c.kind === "text" || c.kind === "rank" ? 1 : -1; }
          spec.onSort();
        });
      }
      colRow.appendChild(th);
    });
    thead.appendChild(groupRow);
    thead.appendChild(colRow);
    table.appendChild(thead);
    var tbody = el("tbody");
    sortRows(spec.rows, spec.columns, spec.sort).forEach(function (row) {
      var tr = el("tr", { "data-row": row.label });
      spec.columns.forEach(function (c) {
        var td = el("td", { cls: [c.kind === "text" ? "text" : "", c.first ? "first" : "", c.groupStart ? "group-start" : "",
          c.cls || ""].join(" ") });
        c.render(row, td);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    table.style.setProperty("--head-h", groupRow.getBoundingClientRect().height + "px");
  }

  // ---- the main table -------------------------------------------------------------------------
  function currentView() { return DATA.views[state.view]; }
  function groupVisible(name) {
    var group = DATA.groups.filter(function (g) { return g.name === name; })[0];
    if (!group) return true;
    var t = TASKS[group.tasks[0]];
    return (!state.type || t.type === state.type) && (!state.modality || t.modality === state.modality);
  }
  function groupSize(name) {
    var group = DATA.groups.filter(function (g) { return g.name === name; })[0];
    return group ? group.tasks.length : 0;
  }

  function columnRange(view, key) {
    var vals = view.rows.map(function (r) { return r.values[key]; }).filter(function (v) { return !missing(v); });
    return vals.length ? [Math.min.apply(null, vals), Math.max.apply(null, vals)] : null;
  }

  function mainColumns(view) {
    var cols = [];
    view.columns.forEach(function (c) {
      if (HIDDEN_KINDS[c.kind] || c.key === "model" || c.key === "chain") return;
      if (c.group === "cost" && !state.showCost) return;
      if (c.group && c.group !== "cost" && !groupVisible(c.group)) return;
      if (c.kind === "mean" && c.group && groupSize(c.group) < 2) return; // equals its one task's score
      cols.push(mainColumn(view, c));
    });
    var previous = null;
    cols.forEach(function (c, i) {
      c.groupStart = i > 0 && c.group !== previous;
      previous = c.group;
    });
    return cols;
  }

  function mainColumn(view, c) {
    var col = { key: c.key, label: c.label, kind: c.kind, title: c.title, group: c.group || "",
      cls: c.group === "cost" ? "cost" : "" };
    col.value = function (row) { return c.key === "label" ? row.label : row.values[c.key]; };
    if (c.key === "label") {
      col.first = true;
      col.render = renderModel;
    } else if (c.key === "rank") {
      col.render = function (row, td) { td.className += " pos"; td.textContent = missing(row.values.rank) ? "" : String(row.values.rank); };
    } else if (c.kind === "score") {
      col.label = c.label;
      col.sub = c.title;
      col.title = c.label + " — " + c.title + " (click a cell for every metric)";
      col.range = columnRange(view, c.key);
      col.render = function (row, td) { renderScore(view, row, td, c, col.range); };
    } else if (c.kind === "mean") {
      col.group = c.group || "overall";
      col.range = columnRange(view, c.key);
      col.render = function (row, td) { renderMean(row, td, c, col.range); };
    } else {
      if (!c.group) col.group = "overall";
      col.render = function (row, td) { renderPlain(row, td, c); };
    }
    return col;
  }

  function renderModel(row, td) {
    var model = row.values.model, chain = row.values.chain;
    td.title = row.label;
    td.appendChild(document.createTextNode(model));
    if (chain) td.appendChild(el("span", { cls: "chain", text: chain }));
    var plainLabel = chain ? model + " + " + chain : model;
    if (row.label !== plainLabel) td.appendChild(el("span", { cls: "chain", text: row.label.slice(plainLabel.length).trim() }));
  }

  function paint(td, v, range) {
    if (!range || missing(v)) return;
    var t = range[1] > range[0] ? (v - range[0]) / (range[1] - range[0]) : 0.5;
    td.style.backgroundColor = shade(t);
  }

  function renderScore(view, row, td, c, range) {
    var v = row.values[c.key], task = c.key.slice("score:".length);
    if (missing(v)) {
      td.className += " missing";
      td.textContent = "—";
      td.title = "no result for " + row.label + " on " + task + " under " + view.name;
      return;
    }
    td.className += " score";
    td.textContent = fmt("score", v);
    td.setAttribute("data-result", row.results[task]);
    td.title = task + ": " + c.title + " = " + v.toFixed(4) + " (click for details)";
    var result = DATA.results[row.results[task]] || {};
    var tie = ((view.separable || {})[task] || {})[row.label];
    if (tie && tie.tested && tie.p_holm >= 0.05) {  // tested and not separated: the group of the row above
      td.appendChild(el("span", { cls: "tie", text: "≈" }));
      td.title += "\nnot separable from the model ranked just above on this task (p = " + tie.p.toPrecision(2) +
        ", Holm-adjusted " + tie.p_holm.toPrecision(2) + "; " + DATA.correction + ")";
    }
    if ((result.chance || {}).at_chance) {
      td.className += " at-chance";
      td.appendChild(el("span", { cls: "flag", text: "chance" }));
      td.title += "\nat chance: not significantly above " + result.chance.baseline + " (" + num(result.chance.score, 4) + ")";
    }
    if (significantlyOff(result)) {
      td.appendChild(el("span", { cls: "flag", text: "≠" }));
      td.title += "\ndiffers significantly from " + (result.vs_exact.p_value < 0.05 ? "exact search" : "the float encoder");
    }
    paint(td, v, range);
  }

  function significantlyOff(r) {
    return ((r.vs_exact || {}).p_value < 0.05) || ((r.vs_float || {}).p_value < 0.05);
  }

  function renderMean(row, td, c, range) {
    var v = row.values[c.key], name = c.key.slice("mean:".length);
    var count = row.values["tasks:" + name];
    td.className += " mean";
    if (missing(v)) {
      td.className += " partial";
      td.textContent = count;
      td.title = "no mean: " + count + " tasks present; missing " + (row.missing[name] || []).join(", ");
      return;
    }
    td.textContent = fmt("mean", v);
    td.title = "mean over " + count + " tasks";
    paint(td, v, range);
  }

  function renderPlain(row, td, c) {
    var v = row.values[c.key];
    if (c.key === "retained" && !row.values.chain) return; // only post-processed rows keep a share
    td.textContent = fmt(c.kind, v);
    if (c.key === "retained" && !missing(v)) {
      var n = row.values.retained_tasks.split("/");
      td.title = "on the " + n[0] + " of " + n[1] + " tasks that both this chain and its plain encoder have";
      if (n[0] !== n[1]) td.appendChild(el("span", { cls: "sub-count", text: " " + row.values.retained_tasks }));
    }
    if (missing(v)) td.className += " missing";
    if (c.key === "items_per_second" && row.values.items_per_second_note) {
      td.title = row.values.items_per_second_note;
      if (!missing(v)) td.appendChild(el("span", { cls: "flag", text: "*" }));
    }
  }

  function visibleRows(view) {
    var q = state.query.trim().toLowerCase();
    return view.rows.filter(function (r) { return !q || r.label.toLowerCase().indexOf(q) >= 0; });
  }

  function drawMain() {
    var view = currentView(), rows = visibleRows(view), columns = mainColumns(view);
    if (!columns.some(function (c) { return c.key === state.sort.key; })) state.sort = { key: "mean:" + DATA.overall, dir: -1 };
    drawTable(document.getElementById("main-table"), {
      columns: columns, rows: rows, sort: state.sort, onSort: drawMain
    });
    document.getElementById("row-count").textContent =
      rows.length + " of " + view.rows.length + " rows shown · backend " + view.name +
      (view.approximate ? " (approximate)" : "");
  }

  // ---- operating points ------------------------------------------------------------------------
  function viewNamed(name) { return DATA.views[VIEW_INDEX[name]]; }
  function configOf(view) {
    return CONFIGS.filter(function (c) { return c.name === (view.config || view.name); })[0] || CONFIGS[0];
  }
  // among the points every row was searched at (a recall target adds points of its own), the cheapest
  // reaching the target recall; else the configuration's most exact one
  function defaultPoint(config) {
    var views = config.views.map(viewNamed);
    var most = Math.max.apply(null, views.map(function (v) { return v.n_results || 0; }));
    views = views.filter(function (v) { return (v.n_results || 0) === most; });
    var reached = views.filter(function (v) { return !missing(v.recall_at_10) && v.recall_at_10 >= TARGET_RECALL; });
    return reached[0] || views[views.length - 1];
  }
  function pointLabel(view) {
    if (!view.option) return view.name;
    return view.option + " = " + view.value + (missing(view.recall_at_10) ? "" : " · mean R@10 " + fmt("recall", view.recall_at_10));
  }
  function selectView(view) {
    state.view = VIEW_INDEX[view.name];
    if (view.compare) state.comparePoint = view.name;
    drawBackendControls();
    drawAll();
  }

  // ---- exact against approximate ----------------------------------------------------------------
  function fillComparePoints(select) {
    CONFIGS.forEach(function (config) {
      var views = config.views.map(viewNamed).filter(function (v) { return v.compare; });
      if (!views.length) return;
      var group = el("optgroup", { label: config.name });
      views.forEach(function (v) { group.appendChild(el("option", { value: v.name, text: pointLabel(v) })); });
      select.appendChild(group);
    });
  }

  function drawCompare() {
    var points = DATA.views.filter(function (v) { return v.compare; });
    document.getElementById("compare-section").hidden = points.length === 0;
    if (!points.length) return;
    var view = viewNamed(state.comparePoint);
    document.getElementById("compare-point").value = view.name;
    document.getElementById("compare-title").textContent = DATA.reference + " → " + view.name;
    var rows = visibleRows(view).map(function (r) { return { label: r.label, cells: view.compare.rows[r.label] || {} }; });
    document.getElementById("compare-summary").textContent = shiftSummary(view, rows);
    var table = document.getElementById("compare-table");
    var redraw = function () { drawCompareTable(table, view, rows, state.compareSort, redraw); };
    redraw();
  }

  function shiftSummary(view, rows) {
    var ranked = 0, moved = 0, largest = 0;
    rows.forEach(function (r) {
      var shifts = view.compare.tasks.map(function (t) { return r.cells[t] ? r.cells[t].shift : null; })
        .filter(function (v) { return !missing(v); }).map(Math.abs);
      if (!shifts.length) return;
      ranked++;
      var top = Math.max.apply(null, shifts);
      if (top > 0) moved++;
      largest = Math.max(largest, top);
    });
    var text = moved + " of " + ranked + " ranked models change rank on at least one task";
    if (largest) text += " (largest move: " + largest + " place" + (largest === 1 ? "" : "s") + ")";
    if (!missing(view.recall_at_10)) text += "; recall@10 against exact, mean over all results: " + fmt("recall", view.recall_at_10);
    return text + ".";
  }

  function drawCompareTable(table, view, rows, sort, redraw) {
    var columns = [{ key: "label", label: "model", kind: "text", first: true, group: "",
      value: function (r) { return r.label; }, render: function (r, td) { td.textContent = r.label; td.title = r.label; } }];
    var deep = rows.some(function (r) {
      return Object.keys(r.cells).some(function (t) { return !missing(r.cells[t].recall_at_100); });
    });
    view.compare.tasks.forEach(function (task) {
      var fields = [["exact_rank", DATA.reference + " #", "rank", "rank under " + DATA.reference],
        ["rank", "approx #", "rank", "rank under " + view.name], ["shift", "shift", "shift", "places moved"],
        ["recall_at_10", "R@10", "recall", "recall@10 against exact search"]];
      if (task !== DATA.overall) {
        if (deep) fields.push(["recall_at_100", "R@100", "recall", "recall@100 against exact search"]);
        fields.push(["main_score_delta", "Δ", "delta", "change in main score ×100"]);
      }
      fields.forEach(function (f, i) {
        columns.push({
          key: task + "|" + f[0], label: f[1], kind: f[2], title: f[3], group: task, groupStart: i === 0,
          value: function (r) { var c = r.cells[task]; return c ? c[f[0]] : null; },
          render: function (r, td) { renderCompareCell(r.cells[task], f[0], f[2], td); }
        });
      });
    });
    drawTable(table, { columns: columns, rows: rows, sort: sort, onSort: redraw });
  }

  function renderCompareCell(cell, field, kind, td) {
    var v = cell ? cell[field] : null;
    if (missing(v)) { td.textContent = "—"; td.className += " missing"; return; }
    if (kind === "shift") {
      td.textContent = v > 0 ? "▲" + v : v < 0 ? "▼" + (-v) : "=";
      td.className += v > 0 ? " up" : v < 0 ? " down" : " same";
      return;
    }
    td.textContent = fmt(kind, v);
  }

  // ---- quality against cost -------------------------------------------------------------------
  function drawPlots() {
    var host = clear(document.getElementById("plots")), view = currentView(), sc = view.scatter;
    ["bytes", "speed"].forEach(function (key) { host.appendChild(plot(sc[key])); });
    var note = "Mean main score over all " + (sc.modality ? sc.modality + " " : "") + "tasks (×100) under " +
      view.name + (sc.modality ? ", for the " + sc.modality + " rows (means over other modalities' tasks do not compare)" : "") +
      "; blue points and the dashed line are the Pareto front (nothing else is both cheaper and better).";
    if (sc.excluded.length) note += " Not plotted, no complete mean: " + sc.excluded.join(", ") + ".";
    document.getElementById("scatter-note").textContent = note;
  }

  function niceStep(span, count) {
    var raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
    return mag * (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10);
  }

  var PLOT = { W: 640, H: 360, m: { l: 56, r: 24, t: 14, b: 44 } };

  // log x, linear y, grid and ticks; returns the scales. ys in display units; minPad keeps a flat set readable
  function axes(root, xs, ys, spec) {
    var W = PLOT.W, H = PLOT.H, m = PLOT.m;
    var lx = xs.map(function (v) { return Math.log10(v); });
    var lo = Math.min.apply(null, lx), hi = Math.max.apply(null, lx), widen = Math.max(0, 0.6 - (hi - lo)) / 2;
    var x0 = lo - 0.1 - widen, x1 = hi + 0.1 + widen; // at least 0.8 decades, so one point still has ticks
    var ylo = Math.min.apply(null, ys), yhi = Math.max.apply(null, ys), pad = Math.max((yhi - ylo) * 0.12, spec.minPad);
    var step = niceStep(yhi - ylo + 2 * pad, 5), y0 = Math.floor((ylo - pad) / step) * step, y1 = Math.ceil((yhi + pad) / step) * step;
    y1 = Math.min(y1, spec.yMax); // no tick above what the quantity can reach (recall 1, a score ×100 100)
    var X = function (v) { return m.l + (Math.log10(v) - x0) / (x1 - x0) * (W - m.l - m.r); };
    var Y = function (v) { return H - m.b - (v - y0) / (y1 - y0) * (H - m.t - m.b); };
    for (var yv = y0; yv <= y1 + step / 1e6; yv += step) {
      root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: Y(yv), y2: Y(yv), "class": "grid" }));
      root.appendChild(svg("text", { x: m.l - 8, y: Y(yv) + 4, "text-anchor": "end", "class": "tick" }, +yv.toFixed(3) + ""));
    }
    for (var d = Math.floor(x0); d <= x1; d++) {
      [1, 2, 5].forEach(function (k) {
        var v = k * Math.pow(10, d);
        if (Math.log10(v) < x0 || Math.log10(v) > x1 || (k > 1 && x1 - x0 > 3)) return;
        root.appendChild(svg("line", { x1: X(v), x2: X(v), y1: m.t, y2: H - m.b, "class": "grid" }));
        root.appendChild(svg("text", { x: X(v), y: H - m.b + 16, "text-anchor": "middle", "class": "tick" }, compact(v)));
      });
    }
    root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, "class": "axis", stroke: "#cbd2dc" }));
    root.appendChild(svg("text", { x: (m.l + W - m.r) / 2, y: H - 8, "text-anchor": "middle", "class": "axis-label" }, spec.x));
    root.appendChild(svg("text", { x: 14, y: (m.t + H - m.b) / 2, "text-anchor": "middle", "class": "axis-label",
      transform: "rotate(-90 14 " + (m.t + H - m.b) / 2 + ")" }, spec.y));
    return { X: X, Y: Y };
  }

  function plotBox(title) {
    var root = svg("svg", { viewBox: "0 0 " + PLOT.W + " " + PLOT.H, role: "img", "aria-label": title });
    return { box: el("div", { cls: "plot" }, [el("h3", { text: title }), root]), root: root };
  }

  function emptyPlot(root, text) {
    root.appendChild(svg("text", { x: PLOT.W / 2, y: PLOT.H / 2, "text-anchor": "middle", "class": "empty" }, text));
  }

  function plot(spec) {
    var W = PLOT.W, figure = plotBox("mean score vs " + spec.label.replace(" (log)", "")), root = figure.root;
    var pts = spec.points;
    if (!pts.length) {
      emptyPlot(root, "no row has both a complete mean and this figure");
      return figure.box;
    }
    var scale = axes(root, pts.map(function (p) { return p.x; }), pts.map(function (p) { return 100 * p.y; }), {
      x: spec.label + (spec.lower_is_better ? " — lower is cheaper" : " — higher is faster"), y: "mean score ×100", minPad: 1, yMax: 100 });
    var X = scale.X, Y = scale.Y;
    var front = {};
    spec.front.forEach(function (r) { front[r] = true; });
    var frontPts = pts.filter(function (p) { return front[p.row]; }).sort(function (a, b) { return a.x - b.x; });
    if (frontPts.length > 1) {
      root.appendChild(svg("polyline", { "class": "front-line",
        points: frontPts.map(function (p) { return X(p.x) + "," + Y(100 * p.y); }).join(" ") }));
    }
    pts.forEach(function (p) {
      var c = svg("circle", { cx: X(p.x), cy: Y(100 * p.y), r: front[p.row] ? 6 : 5, "class": "pt" + (front[p.row] ? " front" : "") });
      c.appendChild(svg("title", {}, p.row + "\nmean " + (100 * p.y).toFixed(2) + "\n" + spec.label.replace(" (log)", "") + ": " + fmt("rate", p.x)));
      root.appendChild(c);
      if (front[p.row]) {
        // the front rises to the right when cheaper is left, falls when faster is right: label off the line
        var right = X(p.x) < W - 170, below = spec.lower_is_better;
        root.appendChild(svg("text", { x: X(p.x) + (right ? 9 : -9), y: Y(100 * p.y) + (below ? 16 : -8),
          "text-anchor": right ? "start" : "end", "class": "pt-label" }, p.row));
      }
    });
    return figure.box;
  }

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
    visibleRows(currentView()).forEach(function (r) { shown[r.label] = true; });
    var series = DATA.curves.series.filter(function (s) { return s.task === task && shown[s.row]; });
    var host = clear(document.getElementById("curves")), looks = rowLooks(series), groups = {};
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
        var fill = look.hollow ? "#fff" : colour, cls = "mark" + (look.hollow ? " hollow" : "");
        var mark = s.approximate ? svg("circle", { cx: x, cy: y, r: 4, fill: fill, stroke: colour, "class": cls })
          : svg("rect", { x: x - 4.5, y: y - 4.5, width: 9, height: 9, fill: fill, stroke: colour, "class": cls + " exact" });
        mark.appendChild(svg("title", {}, pointTitle(s, p)));
        mark.addEventListener("click", function () { openDetail(p.result); });
        g.appendChild(mark);
      });
      root.appendChild(g);
      (groups[s.row] = groups[s.row] || []).push(g);
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
      b.firstChild.style.backgroundColor = looks[row].hollow ? "#fff" : looks[row].colour;
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
    });
    var styles = clear(document.getElementById("curve-styles"));
    unique(series.map(function (s) { return s.config; })).forEach(function (name) {
      var sample = svg("svg", { width: 34, height: 10, "aria-hidden": "true" });
      var approximate = configOf({ config: name }).approximate;
      if (approximate) sample.appendChild(svg("line", { x1: 1, x2: 33, y1: 5, y2: 5, "class": "curve", stroke: "#475569", "stroke-dasharray": configDash(name) }));
      else sample.appendChild(svg("rect", { x: 12, y: 0.5, width: 9, height: 9, fill: "#475569" }));
      styles.appendChild(el("span", { cls: "style-item" }, [sample, name + (approximate ? "" : " (one point)")]));
    });
  }

  // ---- the detail panel -----------------------------------------------------------------------
  function kv(rows, highlight) {
    var table = el("table");
    rows.forEach(function (r) {
      var v = r[1];
      if (v !== null && typeof v === "object") v = JSON.stringify(v);
      table.appendChild(el("tr", { cls: r[0] === highlight ? "main-metric" : null },
        [el("td", { text: r[0] }), el("td", { text: missing(v) || v === "" ? "—" : String(v) })]));
    });
    return table;
  }
  function num(v, digits) { return missing(v) ? null : (+v).toFixed(digits); }
  function naturalKey(a, b) { return a.localeCompare(b, undefined, { numeric: true }); } // ndcg_at_5 before ndcg_at_10
  function entries(obj) { return Object.keys(obj || {}).sort(naturalKey).map(function (k) { return [k, obj[k]]; }); }

  function openDetail(index) {
    var r = DATA.results[index];
    if (!r) return;
    document.getElementById("detail-kicker").textContent = r.task + " · " + (r.backend_label || "no search");
    document.getElementById("detail-title").textContent = r.row;
    var body = clear(document.getElementById("detail-body"));
    var section = function (title, content, hint) {
      body.appendChild(el("h4", { text: title }));
      if (hint) body.appendChild(el("p", { cls: "hint", text: hint }));
      body.appendChild(content);
    };
    var ci = r.interval || {};
    var interval = missing(ci.low) ? "not kept (the result predates per-item scores, or its task gives none)" :
      "[" + num(ci.low, 4) + ", " + num(ci.high, 4) + "]";
    section("Main score", kv([[r.main_metric, num(r.main_score, 4)], ["×100", num(100 * r.main_score, 2)],
      [Math.round(100 * (ci.level || 0.95)) + "% interval", interval]], r.main_metric),
      missing(ci.low) ? null : ci.method + " over " + ((r.items || {}).n || "the") + " " + ((r.items || {}).unit || "item") +
        " scores, " + ci.resamples + " draws, seed " + ci.seed);
    if (Object.keys(r.chance || {}).length) {
      section("Chance level", kv([["baseline", r.chance.baseline], ["chance score", num(r.chance.score, 4)],
        ["p against chance", num(r.chance.p_value, 4)], ["at chance", r.chance.at_chance ? "yes" : "no"]]),
        "a result is at chance unless it is above the baseline and the paired randomization test says so (p < 0.05)");
    }
    if (!missing((r.vs_exact || {}).p_value) || !missing((r.vs_float || {}).p_value)) {
      var tests = [];
      if (!missing((r.vs_exact || {}).p_value)) tests.push(["differs from exact search", r.vs_exact.p_value < 0.05 ? "yes" : "no"]);
      if (!missing((r.vs_float || {}).p_value)) tests.push(["differs from the float encoder", r.vs_float.p_value < 0.05 ? "yes" : "no"]);
      section("Significance", kv(tests), "paired randomization test over per-item scores, p < 0.05; " +
        "delta_low and delta_high bound the main-score difference (paired bootstrap, 95%)");
    }
    section("All metrics", kv(entries(r.scores).map(function (e) { return [e[0], num(e[1], 4)]; }), r.main_metric));
    if (Object.keys(r.vs_exact || {}).length) {
      section("Against exact search", kv(entries(r.vs_exact).map(function (e) { return [e[0], num(e[1], 4)]; })),
        "recall of this backend's top k against exact search's top k on the same vectors");
    }
    if (Object.keys(r.vs_float || {}).length) {
      section("Share of the float score retained", kv([["float main score", num(r.vs_float.float_main_score, 4)],
        ["retained", missing(r.vs_float.retained) ? null : (100 * r.vs_float.retained).toFixed(1) + "%"],
        ["p (paired test)", num(r.vs_float.p_value, 4)], ["delta_low", num(r.vs_float.delta_low, 4)],
        ["delta_high", num(r.vs_float.delta_high, 4)]]),
        "same task and backend, same encoder without post-processing");
    }
    section("Cost", kv([["parameters", missing(r.n_parameters) ? null : r.n_parameters.toLocaleString("en-US")],
      ["dim", r.dim], ["similarity", r.similarity], ["bytes per vector", r.bytes_per_vector],
      ["items encoded", r.items_encoded], ["items from the cache", r.items_cached],
      ["encode seconds", num(r.encode_seconds, 3)], ["model load seconds", num(r.load_seconds, 3)],
      ["engine", r.engine],
      ["encode items/s", missing(r.items_per_second) ? "not measured (all from the cache)" : fmt("rate", r.items_per_second)],
      ["index build seconds", num(r.build_seconds, 3)], ["search seconds", num(r.search_seconds, 3)],
      ["queries", r.n_queries], ["documents", r.n_documents], ["latency p50 ms", num(r.latency_p50_ms, 3)],
      ["latency p99 ms", num(r.latency_p99_ms, 3)], ["queries/s", num(r.queries_per_second, 1)],
      ["index bytes", r.index_bytes], ["index bytes per vector", num(r.index_bytes_per_vector, 1)]]));
    section("Backend", kv([["backend", r.backend]].concat(entries(r.backend_params))));
    section("Provenance", kv([["task", r.task], ["task type", r.task_type], ["task version", r.task_version],
      ["split", r.split], ["data fingerprint", r.data_fingerprint], ["encoder", r.encoder],
      ["encoder fingerprint", r.encoder_fingerprint], ["chain", (r.chain || []).join(" + ")],
      ["chain fingerprint", r.chain_fingerprint], ["code fingerprint", r.code_fingerprint], ["date", r.date],
      ["run id", r.run_id], ["result file", r.source], ["older results replaced", r.superseded]]));
    section("Versions", kv(entries(r.versions)));
    if (Object.keys(r.provenance || {}).length) section("Provenance of an imported result", kv(entries(r.provenance)));
    section("Hardware", kv(entries(r.hardware)));
    var panel = document.getElementById("detail");
    panel.hidden = false;
    document.getElementById("detail-close").focus();
  }

  function closeDetail() { document.getElementById("detail").hidden = true; }

  // ---- controls -------------------------------------------------------------------------------
  function fillSelect(select, label, values) {
    clear(select);
    if (label !== null) select.appendChild(el("option", { value: "", text: label }));
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: v })); });
  }
  function unique(values) { return values.filter(function (v, i) { return values.indexOf(v) === i; }).sort(); }

  // one button per configuration, and a select for its operating point
  function drawBackendControls() {
    var host = clear(document.getElementById("view-buttons")), current = currentView(), config = configOf(current);
    CONFIGS.forEach(function (c) {
      var b = el("button", { type: "button", "aria-pressed": String(c === config), "data-config": c.name },
        [c.name, c.approximate ? el("span", { cls: "tag", text: "approx" }) : null]);
      b.addEventListener("click", function () { if (c !== config) selectView(defaultPoint(c)); });
      host.appendChild(b);
    });
    var select = clear(document.getElementById("point-select"));
    document.getElementById("point-control").hidden = !config.option;
    if (!config.option) return;
    config.views.forEach(function (name) { select.appendChild(el("option", { value: name, text: pointLabel(viewNamed(name)) })); });
    select.value = current.name;
  }

  function drawHeader() {
    var view = DATA.views[0];
    var points = DATA.views.length - CONFIGS.length;
    var parts = [DATA.results.length + " results", view.rows.length + " rows", DATA.tasks.length + " tasks",
      CONFIGS.length + " backend configuration" + (CONFIGS.length === 1 ? "" : "s") +
      (points > 0 ? " at " + DATA.views.length + " operating points" : ""), "generated " + DATA.generated.replace("T", " ")];
    document.getElementById("summary").textContent = parts.join(" · ");
    var legend = clear(document.getElementById("legend"));
    var ramp = el("span", { cls: "ramp" });
    ramp.style.background = "linear-gradient(90deg," + shade(0) + "," + shade(0.5) + "," + shade(1) + ")";
    legend.appendChild(el("span", {}, ["Main scores ×100 · per column: low", ramp, "high"]));
    legend.appendChild(el("span", { text: "— no result" }));
    legend.appendChild(el("span", { text: "2/3 incomplete row: no mean" }));
    legend.appendChild(el("span", { text: "* encode speed from another run of the same encoder" }));
    legend.appendChild(el("span", { text: "≈ not separable from the model ranked just above (" + DATA.correction + ")" }));
    legend.appendChild(el("span", { text: "chance: not significantly above the task's chance level" }));
    legend.appendChild(el("span", { text: "≠ differs significantly from exact search or the float encoder (p < 0.05)" }));
    var sources = "Result stores: " + DATA.stores.join(", ") + ".";
    if (DATA.superseded) sources += " " + DATA.superseded + " older duplicate result(s) replaced by newer ones.";
    document.getElementById("sources").textContent = sources;
  }

  function drawNotRun() {
    var missingEncoders = DATA.not_run || [];
    if (!missingEncoders.length) return;
    var list = clear(document.getElementById("not-run"));
    missingEncoders.forEach(function (e) {
      list.appendChild(el("li", {}, [el("code", { text: e.name }),
        el("span", { cls: "muted", text: " " + e.modalities.join("+") + " · " + e.family }),
        el("span", { text: e.description ? " — " + e.description : "" })]));
    });
    document.getElementById("not-run-section").hidden = false;
  }

  function drawAll() { drawMain(); drawCompare(); drawCurves(); drawPlots(); }

  function init() {
    drawHeader();
    drawNotRun();
    var approximate = CONFIGS.filter(function (c) { return c.approximate; })[0];
    if (approximate) state.comparePoint = defaultPoint(approximate).name;
    drawBackendControls();
    fillComparePoints(document.getElementById("compare-point"));
    fillSelect(document.getElementById("curve-task"), null, DATA.curves.tasks);
    fillSelect(document.getElementById("filter-type"), "all types", unique(DATA.tasks.map(function (t) { return t.type; })));
    fillSelect(document.getElementById("filter-modality"), "all modalities", unique(DATA.tasks.map(function (t) { return t.modality; })));
    document.getElementById("filter-type").addEventListener("change", function (e) { state.type = e.target.value; drawMain(); });
    document.getElementById("filter-modality").addEventListener("change", function (e) { state.modality = e.target.value; drawMain(); });
    document.getElementById("filter-text").addEventListener("input", function (e) {
      state.query = e.target.value; drawMain(); drawCompare(); drawCurves();
    });
    document.getElementById("point-select").addEventListener("change", function (e) { selectView(viewNamed(e.target.value)); });
    document.getElementById("compare-point").addEventListener("change", function (e) { state.comparePoint = e.target.value; drawCompare(); });
    document.getElementById("curve-task").addEventListener("change", function (e) { state.curveTask = e.target.value; drawCurves(); });
    document.getElementById("show-cost").addEventListener("change", function (e) { state.showCost = e.target.checked; drawMain(); });
    document.getElementById("main-table").addEventListener("click", function (e) {
      var td = e.target.closest ? e.target.closest("td[data-result]") : null;
      if (td) openDetail(+td.getAttribute("data-result"));
    });
    document.getElementById("detail-close").addEventListener("click", closeDetail);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeDetail(); });
    drawAll();
  }

  init();
})();
