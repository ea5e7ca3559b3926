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

  var state = {
    view: 0,
    type: "",
    modality: "",
    query: "",
    showCost: true,
    sort: { key: "mean:" + DATA.overall, dir: -1 },
    compareSort: {}
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
    paint(td, v, range);
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

  // ---- exact against approximate ----------------------------------------------------------------
  function drawCompare() {
    var host = clear(document.getElementById("compare-tables"));
    var views = DATA.views.filter(function (v) { return v.compare; });
    document.getElementById("compare-section").hidden = views.length === 0;
    views.forEach(function (view) {
      var block = el("div", { cls: "compare-block" }, [el("h3", { text: DATA.reference + " → " + view.name })]);
      var table = el("table", { cls: "board" });
      block.appendChild(el("div", { cls: "table-card" }, [el("div", { cls: "scroll" }, [table])]));
      host.appendChild(block);
      var sort = state.compareSort[view.name] || (state.compareSort[view.name] = { key: DATA.overall + "|rank", dir: 1 });
      var rows = visibleRows(view).map(function (r) { return { label: r.label, cells: view.compare.rows[r.label] || {} }; });
      var redraw = function () { drawCompareTable(table, view, rows, sort, redraw); };
      redraw();
    });
  }

  function drawCompareTable(table, view, rows, sort, redraw) {
    var columns = [{ key: "label", label: "model", kind: "text", first: true, group: "",
      value: function (r) { return r.label; }, render: function (r, td) { td.textContent = r.label; td.title = r.label; } }];
    view.compare.tasks.forEach(function (task) {
      var fields = [["exact_rank", DATA.reference + " #", "rank"], ["rank", view.name + " #", "rank"],
        ["shift", "shift", "shift"], ["recall_at_10", "R@10", "recall"]];
      if (task !== DATA.overall) fields.push(["recall_at_100", "R@100", "recall"], ["main_score_delta", "Δ", "delta"]);
      fields.forEach(function (f, i) {
        columns.push({
          key: task + "|" + f[0], label: f[1], kind: f[2], group: task, groupStart: i === 0,
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

  function plot(spec) {
    var W = 640, H = 360, m = { l: 56, r: 24, t: 14, b: 44 };
    var box = el("div", { cls: "plot" }, [el("h3", { text: "mean score vs " + spec.label.replace(" (log)", "") })]);
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "mean score against " + spec.label });
    box.appendChild(root);
    var pts = spec.points;
    if (!pts.length) {
      root.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "empty" }, "no row has both a complete mean and this figure"));
      return box;
    }
    var lx = pts.map(function (p) { return Math.log10(p.x); }), ys = pts.map(function (p) { return 100 * p.y; });
    var x0 = Math.floor(Math.min.apply(null, lx) - 0.15), x1 = Math.ceil(Math.max.apply(null, lx) + 0.15);
    var ylo = Math.min.apply(null, ys), yhi = Math.max.apply(null, ys), pad = Math.max((yhi - ylo) * 0.12, 1);
    var step = niceStep(yhi - ylo + 2 * pad, 5), y0 = Math.floor((ylo - pad) / step) * step, y1 = Math.ceil((yhi + pad) / step) * step;
    var X = function (v) { return m.l + (Math.log10(v) - x0) / (x1 - x0) * (W - m.l - m.r); };
    var Y = function (v) { return H - m.b - (v - y0) / (y1 - y0) * (H - m.t - m.b); };
    for (var yv = y0; yv <= y1 + 1e-9; yv += step) {
      root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: Y(yv), y2: Y(yv), "class": "grid" }));
      root.appendChild(svg("text", { x: m.l - 8, y: Y(yv) + 4, "text-anchor": "end", "class": "tick" }, +yv.toFixed(2) + ""));
    }
    for (var d = x0; d <= x1; d++) {
      [1, 2, 5].forEach(function (k) {
        var v = k * Math.pow(10, d);
        if (Math.log10(v) > x1 + 1e-9 || (k > 1 && x1 - x0 > 3)) return;
        root.appendChild(svg("line", { x1: X(v), x2: X(v), y1: m.t, y2: H - m.b, "class": "grid" }));
        root.appendChild(svg("text", { x: X(v), y: H - m.b + 16, "text-anchor": "middle", "class": "tick" }, compact(v)));
      });
    }
    root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, "class": "axis", stroke: "#cbd2dc" }));
    root.appendChild(svg("text", { x: (m.l + W - m.r) / 2, y: H - 8, "text-anchor": "middle", "class": "axis-label" },
      spec.label + (spec.lower_is_better ? " — lower is cheaper" : " — higher is faster")));
    root.appendChild(svg("text", { x: 14, y: (m.t + H - m.b) / 2, "text-anchor": "middle", "class": "axis-label",
      transform: "rotate(-90 14 " + (m.t + H - m.b) / 2 + ")" }, "mean score ×100"));
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
    return box;
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
    section("Main score", kv([[r.main_metric, num(r.main_score, 4)], ["×100", num(100 * r.main_score, 2)]], r.main_metric));
    section("All metrics", kv(entries(r.scores).map(function (e) { return [e[0], num(e[1], 4)]; }), r.main_metric));
    if (Object.keys(r.vs_exact || {}).length) {
      section("Against exact search", kv(entries(r.vs_exact).map(function (e) { return [e[0], num(e[1], 4)]; })),
        "recall of this backend's top k against exact search's top k on the same vectors");
    }
    if (Object.keys(r.vs_float || {}).length) {
      section("Share of the float score retained", kv([["float main score", num(r.vs_float.float_main_score, 4)],
        ["retained", missing(r.vs_float.retained) ? null : (100 * r.vs_float.retained).toFixed(1) + "%"]]),
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
    clear(select).appendChild(el("option", { value: "", text: label }));
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: v })); });
  }
  function unique(values) { return values.filter(function (v, i) { return values.indexOf(v) === i; }).sort(); }

  function drawViewButtons() {
    var host = clear(document.getElementById("view-buttons"));
    DATA.views.forEach(function (view, i) {
      var b = el("button", { type: "button", "aria-pressed": String(i === state.view), "data-view": view.name },
        [view.name, view.approximate ? el("span", { cls: "tag", text: "approx" }) : null]);
      b.addEventListener("click", function () { state.view = i; drawViewButtons(); drawAll(); });
      host.appendChild(b);
    });
  }

  function drawHeader() {
    var view = DATA.views[0];
    var parts = [DATA.results.length + " results", view.rows.length + " rows", DATA.tasks.length + " tasks",
      DATA.views.length + " backend view" + (DATA.views.length === 1 ? "" : "s"), "generated " + DATA.generated.replace("T", " ")];
    document.getElementById("summary").textContent = parts.join(" · ");
    var legend = clear(document.getElementById("legend"));
    var ramp = el("span", { cls: "ramp" });
    ramp.style.background = "linear-gradient(90deg," + shade(0) + "," + shade(0.5) + "," + shade(1) + ")";
    legend.appendChild(el("span", {}, ["Main scores ×100 · per column: low", ramp, "high"]));
    legend.appendChild(el("span", { text: "— no result" }));
    legend.appendChild(el("span", { text: "2/3 incomplete row: no mean" }));
    legend.appendChild(el("span", { text: "* encode speed from another run of the same encoder" }));
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

  function drawAll() { drawMain(); drawCompare(); drawPlots(); }

  function init() {
    drawHeader();
    drawNotRun();
    drawViewButtons();
    fillSelect(document.getElementById("filter-type"), "all types", unique(DATA.tasks.map(function (t) { return t.type; })));
    fillSelect(document.getElementById("filter-modality"), "all modalities", unique(DATA.tasks.map(function (t) { return t.modality; })));
    document.getElementById("filter-type").addEventListener("change", function (e) { state.type = e.target.value; drawMain(); });
    document.getElementById("filter-modality").addEventListener("change", function (e) { state.modality = e.target.value; drawMain(); });
    document.getElementById("filter-text").addEventListener("input", function (e) { state.query = e.target.value; drawMain(); drawCompare(); });
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
