// The leaderboard page. Every string from the data is rendered with textContent or setAttribute,
// never parsed as HTML, so a model named like a script tag shows up as text.
(function () {
  "use strict";

  var START = "leaderboard start";
  performance.mark(START);
  var DATA = JSON.parse(document.getElementById("lb-data").textContent);
  var SVG_NS = "http://www.w3.org/2000/svg"; // a namespace name, not fetched
  var HIDDEN_KINDS = { count: true, note: true };
  // score shading, light to strong; the dark ramp keeps light text above 4.5:1 (WCAG AA) on every shade
  var RAMPS = { light: [[240, 249, 244], [176, 224, 196], [72, 176, 112]], dark: [[22, 32, 30], [24, 64, 44], [28, 96, 58]] };
  var DARK = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : { matches: false };
  var TASKS = {};
  DATA.tasks.forEach(function (t) { TASKS[t.name] = t; });
  var MODALITIES = unique(DATA.tasks.map(function (t) { return t.modality; }), true);
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
  var OVERALL_MEAN = "mean:" + DATA.overall;
  var SUITES = {}; // mean column key -> suite (its name and fixed task list)
  (DATA.suites || []).forEach(function (s) { SUITES[s.key] = s; });

  var state = defaults();
  function defaults() { return {
    view: 0,
    type: "",
    modality: "",
    query: "",
    showCost: true,
    pmin: null, // parameter range, in millions
    pmax: null,
    sort: { key: OVERALL_MEAN, dir: -1 },
    comparePoint: null,
    compareSort: { key: DATA.overall + "|rank", dir: 1 },
    curveTask: DATA.curves.tasks[0] || null
  }; }
  var current = null; // the selection the page shows: see select()
  var curveNodes = []; // the curves' lines and legend entries, for the search to hide

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
  function unique(values, keepOrder) {
    var out = values.filter(function (v, i) { return values.indexOf(v) === i; });
    return keepOrder ? out : out.sort();
  }
  function byId(id) { return document.getElementById(id); }

  // ---- number formats (the Markdown export uses the same rules) -------------------------------
  function fmt(kind, v) {
    if (missing(v)) return "—";
    if (kind === "score" || kind === "mean") return (100 * v).toFixed(2);
    if (kind === "share") return (100 * v).toFixed(1) + "%";
    if (kind === "ms") return v >= 100 ? v.toFixed(0) : String(+v.toPrecision(3));
    if (kind === "rate") return Math.round(v).toLocaleString("en-US");
    if (kind === "size") return compact(v);
    if (kind === "usd") return "$" + (v >= 100 ? Math.round(v).toLocaleString("en-US") : String(+v.toPrecision(3)));
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
    var ramp = DARK.matches ? RAMPS.dark : RAMPS.light;
    var seg = t < 0.5 ? 0 : 1, u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    var a = ramp[seg], b = ramp[seg + 1];
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(a[i] + (b[i] - a[i]) * u); }).join(",") + ")";
  }

  // ---- the view's state in the URL hash, so a link reproduces it --------------------------------
  var HASH = {
    backend: [function () { return state.view ? DATA.views[state.view].name : ""; },
      function (v) { if (v in VIEW_INDEX) state.view = VIEW_INDEX[v]; }],
    type: [function () { return state.type; },
      function (v) { if (DATA.tasks.some(function (t) { return t.type === v; })) state.type = v; }],
    modality: [function () { return state.modality; },
      function (v) { if (MODALITIES.indexOf(v) >= 0) state.modality = v; }],
    q: [function () { return state.query; }, function (v) { state.query = v; }],
    cost: [function () { return state.showCost ? "" : "hide"; }, function (v) { state.showCost = v !== "hide"; }],
    pmin: [function () { return missing(state.pmin) ? "" : String(state.pmin); }, function (v) { state.pmin = number(v); }],
    pmax: [function () { return missing(state.pmax) ? "" : String(state.pmax); }, function (v) { state.pmax = number(v); }],
    sort: [function () { return state.sort.key === OVERALL_MEAN && state.sort.dir < 0 ? "" : state.sort.key; },
      function (v) { state.sort.key = v; }],
    dir: [function () { return state.sort.key === OVERALL_MEAN && state.sort.dir < 0 ? "" : state.sort.dir < 0 ? "desc" : "asc"; },
      function (v) { state.sort.dir = v === "asc" ? 1 : -1; }],
    point: [function () { return state.comparePoint && state.comparePoint !== defaultComparePoint() ? state.comparePoint : ""; },
      function (v) { if (v in VIEW_INDEX && DATA.views[VIEW_INDEX[v]].compare) state.comparePoint = v; }],
    task: [function () { return state.curveTask && state.curveTask !== DATA.curves.tasks[0] ? state.curveTask : ""; },
      function (v) { if (DATA.curves.tasks.indexOf(v) >= 0) state.curveTask = v; }]
  };
  function number(text) {
    var v = text === "" || text === null ? NaN : Number(text);
    return isFinite(v) && v >= 0 ? v : null;
  }
  var writtenHash = null;
  function writeHash() {
    var params = new URLSearchParams();
    Object.keys(HASH).forEach(function (k) { var v = HASH[k][0](); if (v) params.set(k, v); });
    var hash = params.toString();
    writtenHash = hash;
    if (location.hash.slice(1) === hash) return;
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (e) {
      location.replace("#" + hash); // some browsers refuse replaceState on file: pages
    }
  }
  // what the hash does not name takes its default: a link shows the same view whatever was open before
  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    writtenHash = location.hash.slice(1);
    state = defaults();
    state.comparePoint = defaultComparePoint();
    Object.keys(HASH).forEach(function (k) { if (params.has(k)) HASH[k][1](params.get(k)); });
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
    var overall = sort.key === "rank" || sort.key === OVERALL_MEAN;
    return overall && current && current.calc[row.label] ? MODALITIES.indexOf(current.calc[row.label].modality) : 0;
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
  // headers are buttons (reachable and pressed from the keyboard) in cells that carry aria-sort
  function drawTable(table, spec) {
    clear(table);
    var thead = el("thead"), groupRow = el("tr", { cls: "groups" }), colRow = el("tr", { cls: "cols" });
    var i = 0;
    while (i < spec.columns.length) {
      var g = spec.columns[i].group, span = 0;
      while (i + span < spec.columns.length && spec.columns[i + span].group === g) span++;
      groupRow.appendChild(el(g ? "th" : "td", { colspan: span, scope: g ? "colgroup" : null,
        cls: (i === 0 ? "first " : "") + "group-start", text: g || "" }));
      i += span;
    }
    spec.columns.forEach(function (c) {
      var cls = [c.kind === "text" ? "text" : "", c.first ? "first" : "", c.groupStart ? "group-start" : "", c.cls || ""].join(" ");
      var sorted = spec.sort.key === c.key;
      var th = el("th", { cls: cls, "data-key": c.key, scope: "col",
        "aria-sort": sorted ? (spec.sort.dir < 0 ? "descending" : "ascending") : null });
      var label = [c.label, c.sub ? el("span", { cls: "sub", text: c.sub }) : null,
        sorted ? el("span", { cls: "arrow", "aria-hidden": "true", text: spec.sort.dir < 0 ? "▼" : "▲" }) : null];
      if (c.sortable === false) label.forEach(function (n) { if (n) th.appendChild(typeof n === "string" ? document.createTextNode(n) : n); });
      else {
        var button = el("button", { type: "button", cls: "sort", title: c.title || null }, label);
        button.addEventListener("click", function () {
          // first press: best first (high scores, low ranks), text from A
          if (spec.sort.key === c.key) spec.sort.dir = -spec.sort.dir;
          else { spec.sort.key = c.key; spec.sort.dir = c.kind === "text" || c.kind === "rank" ? 1 : -1; }
          spec.onSort();
          var again = table.querySelector("th[data-key=\"" + CSS.escape(c.key) + "\"] button");
          if (again) again.focus(); // the table was redrawn: keep the keyboard where it was
        });
        th.appendChild(button);
      }
      colRow.appendChild(th);
    });
    thead.appendChild(groupRow);
    thead.appendChild(colRow);
    table.appendChild(thead);
    var tbody = el("tbody"), order = [];
    sortRows(spec.rows, spec.columns, spec.sort).forEach(function (row) {
      var tr = el("tr", { "data-row": row.label });
      spec.columns.forEach(function (c) {
        var td = el(c.first ? "th" : "td", { scope: c.first ? "row" : null,
          cls: [c.kind === "text" ? "text" : "", c.first ? "first" : "", c.groupStart ? "group-start" : "", c.cls || ""].join(" ") });
        c.render(row, td);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
      order.push({ label: row.label, tr: tr });
    });
    if (!spec.rows.length && spec.empty) {
      tbody.appendChild(el("tr", { cls: "empty" }, [el("td", { colspan: spec.columns.length, cls: "text" }, spec.empty)]));
    }
    table.appendChild(tbody);
    fitHead(table, groupRow.firstChild);
    return { order: order };
  }

  // the column header row sticks below the group row, so its offset is that row's height: read when the
  // row is laid out (a ResizeObserver), so drawing a table forces no layout, and the rank table's (below the
  // fold, content-visibility: auto) none until it is scrolled to
  var headSizes = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (e) {
      var thead = e.target.parentNode.parentNode, height = e.target.getBoundingClientRect().height;
      if (height && thead.style.getPropertyValue("--head-h") !== height + "px") thead.style.setProperty("--head-h", height + "px");
    });
  }) : null;
  function fitHead(table, cell) {
    if (!headSizes) return cell.parentNode.parentNode.style.setProperty("--head-h", cell.getBoundingClientRect().height + "px");
    if (table.headCell) headSizes.unobserve(table.headCell); // the table was drawn anew
    table.headCell = cell;
    headSizes.observe(cell);
  }

  // ---- what the filters select: tasks, rows, and means and ranks over them ---------------------
  function currentView() { return expand(DATA.views[state.view]); }
  // rows travel as lists in the order of the view's keys and of the tasks; named once, when first shown
  function expand(view) {
    if (view.expanded) return view;
    view.byLabel = {};
    view.rows.forEach(function (r) {
      var values = {}, results = {};
      view.byLabel[r.label] = r;
      view.keys.forEach(function (k, i) { values[k] = r.values[i]; });
      DATA.tasks.forEach(function (t, i) { results[t.name] = r.results[i]; });
      r.values = values;
      r.results = results;
    });
    view.expanded = true;
    return view;
  }
  function taskShown(t) { return (!state.type || t.type === state.type) && (!state.modality || t.modality === state.modality); }
  function rangeSet() { return !missing(state.pmin) || !missing(state.pmax); }
  function paramsIn(row) {
    if (!rangeSet()) return true;
    var n = row.values.n_parameters;
    return !missing(n) && (missing(state.pmin) || n >= state.pmin * 1e6) && (missing(state.pmax) || n <= state.pmax * 1e6);
  }
  function hasScore(row, task) { return !missing(row.values["score:" + task]); }

  // the shown tasks and rows (a row with no result on any shown task is not shown); per row, the mean
  // over the shown tasks of its modality, only when it has all of them, and its rank among the shown
  // rows of that modality (ties share the better rank, as in harness.leaderboard.table.rank)
  function select() {
    var view = currentView();
    var tasks = DATA.tasks.filter(taskShown).map(function (t) { return t.name; });
    var rows = view.rows.filter(function (r) { return paramsIn(r) && tasks.some(function (t) { return hasScore(r, t); }); });
    var calc = {}, byModality = {};
    rows.forEach(function (r) {
      var modality = state.modality || r.values.modality;
      var own = tasks.filter(function (t) { return TASKS[t].modality === modality; });
      var present = own.filter(function (t) { return hasScore(r, t); });
      var mean = null;
      if (own.length && present.length === own.length) {
        mean = own.reduce(function (s, t) { return s + r.values["score:" + t]; }, 0) / own.length;
      }
      calc[r.label] = { modality: modality, mean: mean, present: present.length, total: own.length, rank: null,
        missing: own.filter(function (t) { return !hasScore(r, t); }), kept: kept(view, r, tasks) };
      if (mean !== null) (byModality[modality] = byModality[modality] || []).push(mean);
    });
    rows.forEach(function (r) {
      var c = calc[r.label];
      if (c.mean !== null) c.rank = 1 + byModality[c.modality].filter(function (m) { return m > c.mean; }).length;
    });
    var dropped = (DATA.suites || []).filter(function (s) { return s.tasks.some(function (t) { return tasks.indexOf(t) < 0; }); });
    return { view: view, tasks: tasks, rows: rows, calc: calc, dropped: dropped };
  }

  // "float kept" for the view: a chain's mean over its plain encoder's, on the shown tasks both have (as
  // harness.leaderboard.cost.retained does over every task), and how many of the plain encoder's shown
  // tasks that is
  function kept(view, row, tasks) {
    var base = view.byLabel[(DATA.plain_rows || {})[row.label]];
    if (!row.values.chain) return null;
    if (!base) return { share: null, common: 0, of: 0 };
    var common = tasks.filter(function (t) { return hasScore(row, t) && hasScore(base, t); });
    var total = function (r) { return common.reduce(function (sum, t) { return sum + r.values["score:" + t]; }, 0); };
    var reference = total(base); // equal counts: the ratio of the sums is the ratio of the means
    return { share: common.length && reference ? total(row) / reference : null, common: common.length,
      of: tasks.filter(function (t) { return hasScore(base, t); }).length };
  }

  // ---- the main table -------------------------------------------------------------------------
  function groupShown(name) {
    var group = DATA.groups.filter(function (g) { return g.name === name; })[0];
    return !group || taskShown(TASKS[group.tasks[0]]);
  }
  function groupSize(name) {
    var group = DATA.groups.filter(function (g) { return g.name === name; })[0];
    return group ? group.tasks.length : 0;
  }
  function range(values) {
    var vals = values.filter(function (v) { return !missing(v); });
    return vals.length ? [Math.min.apply(null, vals), Math.max.apply(null, vals)] : null;
  }
  function columnRange(rows, key) { return range(rows.map(function (r) { return r.values[key]; })); }

  // the model, its rank and its overall mean first (a phone shows them without scrolling), then the
  // task groups, the share of the float score a chain keeps, and the cost
  function mainColumns(sel) {
    var head = [], body = [], tail = [];
    sel.view.columns.forEach(function (c) {
      if (HIDDEN_KINDS[c.kind] || c.key === "model" || c.key === "chain") return;
      if (c.group === "cost" && !state.showCost) return;
      if (c.group && c.group !== "cost" && !groupShown(c.group)) return;
      if (c.kind === "mean" && c.group && groupSize(c.group) < 2) return; // equals its one task's score
      if (sel.dropped.some(function (s) { return s.key === c.key; })) return; // see suiteNote
      var col = mainColumn(sel, c);
      if (c.key === "label" || c.key === "rank" || c.key === OVERALL_MEAN) head.push(col);
      else if (c.key === "retained" || c.group === "cost") tail.push(col);
      else body.push(col);
    });
    var order = { label: 0, rank: 1 };
    head.sort(function (a, b) { return (order[a.key] === undefined ? 2 : order[a.key]) - (order[b.key] === undefined ? 2 : order[b.key]); });
    var cols = head.concat(body, tail), previous = null;
    cols.forEach(function (c, i) {
      c.groupStart = i > 0 && c.group !== previous;
      previous = c.group;
    });
    return cols;
  }

  function mainColumn(sel, c) {
    var col = { key: c.key, label: c.label, kind: c.kind, title: c.title, group: c.group || "",
      cls: c.group === "cost" ? "cost" : "" };
    col.value = function (row) { return c.key === "label" ? row.label : row.values[c.key]; };
    var filtered = state.type; // a modality alone leaves every row's own tasks whole
    if (c.key === "label") {
      col.first = true;
      col.render = renderModel;
    } else if (c.key === "rank") {
      col.title = "rank by the mean over the shown tasks of the row's modality, among the shown rows of that " +
        "modality (complete rows only)";
      col.value = function (row) { return sel.calc[row.label].rank; };
      col.render = function (row, td) { td.className += " pos"; td.textContent = missing(col.value(row)) ? "" : String(col.value(row)); };
    } else if (c.key === OVERALL_MEAN) {
      col.label = filtered ? "mean (shown)" : "mean (all)";
      col.title = "mean over every " + (filtered ? "shown " : "") + "task of the row's modality; only for rows with all of them";
      col.value = function (row) { return sel.calc[row.label].mean; };
      col.ranges = {}; // one colour scale per modality: means over different task sets do not compare
      MODALITIES.forEach(function (m) {
        col.ranges[m] = range(sel.rows.filter(function (r) { return sel.calc[r.label].modality === m; }).map(col.value));
      });
      col.render = function (row, td) { renderOverall(sel.calc[row.label], td, col.ranges[sel.calc[row.label].modality]); };
    } else if (c.kind === "score") {
      col.sub = c.title;
      col.title = c.label + " — " + c.title + " (press a cell for every metric)";
      col.range = columnRange(sel.rows, c.key);
      col.render = function (row, td) { renderScore(sel.view, row, td, c, col.range); };
    } else if (c.kind === "mean") {
      // a task group is shown whole or not at all (a filter picks a type or a modality, a group is one type
      // of one modality), and a suite only while every one of its tasks is: their means need no new average
      var suite = SUITES[c.key];
      if (suite) {
        col.title = "suite " + suite.name + ": the mean over its " + suite.tasks.length + " fixed tasks (" +
          suite.tasks.join(", ") + "), as the suite defines it; only for rows with all of them";
      }
      col.range = columnRange(sel.rows, c.key);
      col.render = function (row, td) { renderMean(row, td, c, col.range, suite); };
    } else if (c.key === "retained") {
      col.group = "chains";
      col.title = "this chain's mean ÷ the same encoder's mean without post-processing, over the " +
        (filtered ? "shown " : "") + "tasks both have";
      col.value = function (row) { var k = sel.calc[row.label].kept; return k ? k.share : null; };
      col.render = function (row, td) { renderKept(sel.calc[row.label].kept, td); };
    } else {
      col.render = function (row, td) { renderPlain(row, td, c); };
    }
    return col;
  }

  function renderModel(row, td) {
    var model = row.values.model, chain = row.values.chain, source = (DATA.models || {})[model] || {};
    td.title = row.label + (source.text ? "\nsource: " + source.text : "");
    td.appendChild(source.href ? el("a", { href: source.href, cls: "model", rel: "noopener noreferrer" }, [model])
      : el("span", { cls: "model" }, [model]));
    if (chain) td.appendChild(el("span", { cls: "chain", text: chain }));
    var plainLabel = chain ? model + " + " + chain : model;
    if (row.label !== plainLabel) td.appendChild(el("span", { cls: "chain", text: row.label.slice(plainLabel.length).trim() }));
  }

  function paint(td, v, span) {
    if (!span || missing(v)) return;
    var t = span[1] > span[0] ? (v - span[0]) / (span[1] - span[0]) : 0.5;
    td.style.backgroundColor = shade(t);
    td.className += " shaded";
  }

  function renderScore(view, row, td, c, span) {
    var v = row.values[c.key], task = c.key.slice("score:".length);
    if (missing(v)) {
      td.className += " missing";
      td.textContent = "—";
      td.title = "no result for " + row.label + " on " + task + " under " + view.name;
      return;
    }
    td.className += " score";
    var button = el("button", { type: "button", cls: "cell", "data-result": row.results[task] }, [fmt("score", v)]);
    var title = task + ": " + c.title + " = " + v.toFixed(4) + " (press for details)";
    var result = DATA.results[row.results[task]] || {};
    var tie = ((view.separable || {})[task] || {})[row.label];
    if (tie && tie.tested && tie.p_holm >= 0.05) {  // tested and not separated: the group of the row above
      button.appendChild(el("span", { cls: "tie", text: "≈" }));
      title += "\nnot separable from the model ranked just above on this task (p = " + tie.p.toPrecision(2) +
        ", Holm-adjusted " + tie.p_holm.toPrecision(2) + "; " + DATA.correction + ")";
    }
    if ((result.chance || {}).at_chance) {
      td.className += " at-chance";
      button.appendChild(el("span", { cls: "flag", text: "chance" }));
      title += "\nat chance: not significantly above " + result.chance.baseline + " (" + num(result.chance.score, 4) + ")";
    }
    if (significantlyOff(result)) {
      button.appendChild(el("span", { cls: "flag", text: "≠" }));
      title += "\ndiffers significantly from " + (result.vs_exact.p_value < 0.05 ? "exact search" : "the float encoder");
    }
    button.title = title;
    td.appendChild(button);
    paint(td, v, span);
  }

  function significantlyOff(r) {
    return ((r.vs_exact || {}).p_value < 0.05) || ((r.vs_float || {}).p_value < 0.05);
  }

  function renderMean(row, td, c, span, suite) {
    var v = row.values[c.key], name = c.key.slice("mean:".length);
    var count = row.values["tasks:" + name];
    td.className += " mean";
    if (missing(v)) {
      var group = suite || DATA.groups.filter(function (g) { return g.name === name; })[0] || { tasks: [] };
      td.className += " partial";
      td.textContent = count;
      td.title = "no mean: " + count + " tasks present; missing " +
        group.tasks.filter(function (t) { return !hasScore(row, t); }).join(", ");
      return;
    }
    td.textContent = fmt("mean", v);
    td.title = "mean over " + count + " tasks";
    paint(td, v, span);
  }

  function renderOverall(calc, td, span) {
    td.className += " mean";
    if (calc.mean === null) {
      td.className += " partial";
      td.textContent = calc.present + "/" + calc.total;
      td.title = "no mean: " + calc.present + " of the " + calc.total + " " + calc.modality + " tasks shown are present" +
        (calc.missing.length ? "; missing " + calc.missing.join(", ") : "");
      return;
    }
    td.textContent = fmt("mean", calc.mean);
    td.title = "mean over the " + calc.total + " " + calc.modality + " task(s) shown; coloured among " + calc.modality + " rows";
    paint(td, calc.mean, span);
  }

  // only post-processed rows with a plain row of their encoder keep a share
  function renderKept(k, td) {
    if (!k) return;
    td.textContent = fmt("share", k.share);
    if (missing(k.share)) { td.className += " missing"; return; }
    td.title = "on the " + k.common + " of the plain encoder's " + k.of + " tasks" + (state.type || state.modality ? " shown" : "") +
      " that this chain also has";
    if (k.common !== k.of) td.appendChild(el("span", { cls: "sub-count", text: " " + k.common + "/" + k.of }));
  }

  function renderPlain(row, td, c) {
    var v = row.values[c.key];
    td.textContent = fmt(c.kind, v);
    if (missing(v)) td.className += " missing";
    var note = row.values[c.key + "_note"];
    if (note) {
      td.title = note;
      if (!missing(v) && (c.key !== "items_per_second" || note.indexOf("from the cache") >= 0)) {
        td.appendChild(el("span", { cls: "flag", "aria-hidden": "true", text: "*" }));
      }
    }
  }

  function matches(label) {
    var q = state.query.trim().toLowerCase();
    return !q || label.toLowerCase().indexOf(q) >= 0;
  }

  function drawMain() {
    var sel = current = select(), columns = mainColumns(sel);
    if (!columns.some(function (c) { return c.key === state.sort.key; })) state.sort = { key: OVERALL_MEAN, dir: -1 };
    var empty = [sel.tasks.length ? "No model has a result on the tasks these filters select. " :
      "No task matches both the task type and the modality chosen. ",
      el("button", { type: "button", cls: "link", id: "clear-filters" }, ["Clear the filters"])];
    mainRows.order = drawTable(byId("main-table"), {
      columns: columns, rows: sel.rows, sort: state.sort, empty: empty,
      onSort: function () { drawMain(); writeHash(); }
    }).order;
    var clearButton = byId("clear-filters");
    if (clearButton) clearButton.addEventListener("click", clearFilters);
    applySearch();
  }

  // ---- a table in a scroll box displays only the rows near the box -----------------------------
  // Chromium styles and lays out every displayed table row, in view or not, and a table row cannot take
  // content-visibility (an internal table box has no size containment): showing 100 rows of the main
  // table and of the rank table again after a search cost a keystroke 50-80 ms here. So of the rows a
  // search leaves, a table displays the first ones, enough to fill its box (max-height 72vh) one and a
  // half times; a spacer below the table stands for the rest, and when the spacer comes within a quarter
  // of the box of view, as many again are displayed.
  var ROW_PX = 33; // a row of one line; the spacer uses the measured mean once rows are laid out
  var WINDOW = Math.max(24, Math.ceil(1.5 * 0.72 * window.innerHeight / ROW_PX));

  function rowWindow(scrollId, spacerId) {
    var spacer = byId(spacerId), w = { order: [], limit: WINDOW, rowPx: ROW_PX, matched: 0 };
    var nearEnd = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
      if (!entries.some(function (e) { return e.isIntersecting; })) return;
      var tbody = spacer.previousElementSibling.tBodies[0], displayed = Math.min(w.limit, w.matched);
      if (tbody && displayed) w.rowPx = tbody.getBoundingClientRect().height / displayed; // laid out already
      w.limit += WINDOW;
      w.display();
    }, { root: byId(scrollId), rootMargin: "0px 0px 25% 0px" }) : null;
    // the rows that match the search, up to the limit; the spacer is as tall as the rest would be
    w.display = function () {
      var matched = 0, limit = nearEnd ? w.limit : Infinity;
      w.order.forEach(function (row) {
        var on = matches(row.label);
        if (on) matched++;
        row.tr.hidden = !on;
        row.tr.classList.toggle("later", on && matched > limit);
      });
      var rest = Math.max(0, matched - limit);
      spacer.hidden = rest === 0;
      spacer.style.height = rest * w.rowPx + "px";
      if (rest) { nearEnd.unobserve(spacer); nearEnd.observe(spacer); } // observing anew reports at once if near
      w.matched = matched;
    };
    // a new table, or a new search: its best matches first
    w.reset = function (order) {
      if (order) w.order = order;
      w.limit = WINDOW;
      w.display();
    };
    return w;
  }
  var mainRows = rowWindow("main-scroll", "main-spacer"), compareRows = rowWindow("compare-scroll", "compare-spacer");

  // while a search is typed, the main table's box keeps the height it had before: the page does not jump
  // with each keystroke, and the sections below stay out of view, where content-visibility spares them the
  // rows a keystroke shows or hides. Read before this keystroke changes anything, so it forces no layout.
  function holdHeight(query) {
    var box = byId("main-scroll");
    if (!query.trim()) box.style.minHeight = "";
    else if (!box.style.minHeight) box.style.minHeight = box.offsetHeight + "px";
  }

  // search finds rows without re-ranking them: it only hides the others
  function applySearch() {
    var sel = current;
    mainRows.reset();
    compareRows.reset();
    var shown = mainRows.matched;
    curveNodes.forEach(function (n) { n.node.classList.toggle("off", !matches(n.row)); });
    var view = sel.view, why = [];
    if (state.type) why.push("type " + state.type);
    if (state.modality) why.push("modality " + state.modality);
    if (rangeSet()) why.push("parameters " + (missing(state.pmin) ? "0" : state.pmin + "M") + "–" + (missing(state.pmax) ? "∞" : state.pmax + "M"));
    if (state.query.trim()) why.push("search “" + state.query.trim() + "”");
    byId("row-count").textContent = shown + " of " + view.rows.length + " rows shown" +
      (why.length ? " (" + why.join(", ") + ")" : "") + " · " + sel.tasks.length + " of " + DATA.tasks.length +
      " tasks · backend " + view.name + (view.approximate ? " (approximate)" : "") + suiteNote(sel);
  }

  // a suite's mean is over its fixed tasks, so that it compares with the suite's score anywhere else: a view
  // that leaves one out hides the column and says so, rather than averaging a subset under the suite's name
  function suiteNote(sel) {
    return sel.dropped.map(function (s) {
      var shown = s.tasks.filter(function (t) { return sel.tasks.indexOf(t) >= 0; }).length;
      return " · suite " + s.name + " not shown: its mean is over its " + s.tasks.length + " fixed tasks, and " +
        (shown ? "only " + shown : "none") + " of them " + (shown === 1 ? "is" : "are") + " in this view";
    }).join("");
  }

  function clearFilters() {
    state.type = state.modality = state.query = "";
    state.pmin = state.pmax = null;
    syncControls();
    drawAll();
    byId("filter-type").focus();
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
  function defaultComparePoint() {
    var approximate = CONFIGS.filter(function (c) { return c.approximate; })[0];
    return approximate ? defaultPoint(approximate).name : null;
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
    writeHash();
  }

  // ---- quality against cost: the shown rows of one modality, by the mean over the shown tasks ------
  function paretoFront(points, lowerIsBetter) {
    var ordered = points.slice().sort(function (a, b) { return (lowerIsBetter ? a.x - b.x : b.x - a.x) || b.y - a.y; });
    var front = {}, best = -Infinity;
    ordered.forEach(function (p) { if (p.y > best) { front[p.row] = true; best = p.y; } });
    return front;
  }

  function drawPlots() {
    var sel = current, host = clear(byId("plots")), modality = state.modality || MODALITIES[0];
    var rows = sel.rows.filter(function (r) { return sel.calc[r.label].modality === modality; });
    var complete = rows.filter(function (r) { return sel.calc[r.label].mean !== null; });
    var speedTask = (DATA.speed_tasks || {})[modality];
    [{ key: "bytes_per_vector", label: "bytes kept per vector (log)", lower: true },
      { key: "items_per_second", label: "encode items/s" + (speedTask ? " on " + speedTask : "") + " (log)", lower: false }
    ].forEach(function (spec) {
      var points = complete.filter(function (r) { return !missing(r.values[spec.key]) && r.values[spec.key] > 0; })
        .map(function (r) { return { row: r.label, x: r.values[spec.key], y: sel.calc[r.label].mean }; });
      host.appendChild(plot({ label: spec.label, lower_is_better: spec.lower, points: points, front: paretoFront(points, spec.lower) }));
    });
    var excluded = rows.filter(function (r) { return sel.calc[r.label].mean === null; }).map(function (r) { return r.label; });
    var note = "Mean main score over the " + (state.type ? state.type + " " : "") + modality + " tasks shown (×100) under " +
      sel.view.name + ", for the " + modality + " rows shown (means over other modalities' tasks do not compare" +
      (MODALITIES.length > 1 ? "; choose a modality above for another" : "") + "); filled points and the dashed " +
      "line are the Pareto front (nothing else is both cheaper and better).";
    if (excluded.length) note += " Not plotted, no complete mean: " + excluded.join(", ") + ".";
    byId("scatter-note").textContent = note;
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
    byId("compare-section").hidden = points.length === 0;
    compareRows.order = [];
    if (!points.length) return;
    var view = viewNamed(state.comparePoint);
    document.getElementById("compare-point").value = view.name;
    document.getElementById("compare-title").textContent = DATA.reference + " → " + view.name;
    var rows = current.rows.map(function (r) { return { label: r.label, cells: compareCells(view, r.label) }; });
    var tasks = view.compare.tasks.filter(function (t) { return t === DATA.overall || current.tasks.indexOf(t) >= 0; });
    rankForView(view, rows, tasks);
    document.getElementById("compare-summary").textContent = shiftSummary(view, rows, tasks);
    var table = document.getElementById("compare-table");
    var redraw = function () {
      compareRows.order = drawCompareTable(table, view, rows, tasks, state.compareSort, redraw).order;
      applySearch();
    };
    compareRows.order = drawCompareTable(table, view, rows, tasks, state.compareSort, redraw).order;
  }

  // ranks for the view, as harness.leaderboard.rank.shifts takes them for the whole board: per task, among
  // the shown rows scored under both backends; overall, by the mean over the shown tasks of the row's
  // modality (complete rows only) within that modality, with recall@10 the mean over those that search
  function rankForView(view, rows, tasks) {
    var reference = expand(DATA.views[VIEW_INDEX[DATA.reference]]), point = expand(view);
    rows.forEach(function (r) {
      var calc = current.calc[r.label], own = current.tasks.filter(function (t) { return TASKS[t].modality === calc.modality; });
      var cell = r.cells[DATA.overall] = r.cells[DATA.overall] || {};
      cell.exact_score = meanOver(reference.byLabel[r.label], own);
      cell.score = meanOver(point.byLabel[r.label], own);
      var searched = own.filter(function (t) { return view.compare.tasks.indexOf(t) >= 0; });
      var recalls = searched.map(function (t) { return (r.cells[t] || {}).recall_at_10; });
      cell.recall_at_10 = searched.length && !recalls.some(missing) ?
        recalls.reduce(function (a, b) { return a + b; }, 0) / recalls.length : null;
      cell.modality = calc.modality;
    });
    tasks.forEach(function (task) {
      var both = rows.filter(function (r) { var c = r.cells[task]; return c && !missing(c.exact_score) && !missing(c.score); });
      rows.forEach(function (r) {
        var c = r.cells[task];
        if (!c) return;
        c.exact_rank = c.rank = c.shift = null;
        if (both.indexOf(r) < 0) return;
        var peers = both.filter(function (o) { return task !== DATA.overall || o.cells[task].modality === c.modality; });
        var above = function (field) { return peers.filter(function (o) { return o.cells[task][field] > c[field]; }).length; };
        c.exact_rank = 1 + above("exact_score");
        c.rank = 1 + above("score");
        c.shift = c.exact_rank - c.rank;
      });
    });
  }
  function meanOver(row, tasks) {
    if (!row || !tasks.length || !tasks.every(function (t) { return hasScore(row, t); })) return null;
    return tasks.reduce(function (sum, t) { return sum + row.values["score:" + t]; }, 0) / tasks.length;
  }

  // a row's cells travel as lists in the order of the comparison's fields
  function compareCells(view, label) {
    var lists = view.compare.rows[label] || {}, cells = {};
    Object.keys(lists).forEach(function (task) {
      var cell = cells[task] = {};
      view.compare.fields.forEach(function (f, i) { cell[f] = lists[task][i]; });
    });
    return cells;
  }

  function shiftSummary(view, rows, tasks) {
    var ranked = 0, moved = 0, largest = 0;
    rows.forEach(function (r) {
      var shifts = tasks.map(function (t) { return r.cells[t] ? r.cells[t].shift : null; })
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

  function drawCompareTable(table, view, rows, tasks, sort, redraw) {
    var columns = [{ key: "label", label: "model", kind: "text", first: true, group: "",
      value: function (r) { return r.label; }, render: function (r, td) { td.textContent = r.label; td.title = r.label; } }];
    var deep = rows.some(function (r) {
      return Object.keys(r.cells).some(function (t) { return !missing(r.cells[t].recall_at_100); });
    });
    tasks.forEach(function (task) {
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
    return drawTable(table, { columns: columns, rows: rows, sort: sort, onSort: redraw,
      empty: ["No model the filters select was searched under this backend."] });
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

  // ---- plots ---------------------------------------------------------------------------------
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
    root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, "class": "axis" }));
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
    var front = spec.front;
    var frontPts = pts.filter(function (p) { return front[p.row]; }).sort(function (a, b) { return a.x - b.x; });
    if (frontPts.length > 1) {
      root.appendChild(svg("polyline", { "class": "front-line",
        points: frontPts.map(function (p) { return X(p.x) + "," + Y(100 * p.y); }).join(" ") }));
    }
    pts.forEach(function (p) {
      var c = svg("circle", { cx: X(p.x), cy: Y(100 * p.y), r: front[p.row] ? 6 : 5, "class": "pt" + (front[p.row] ? " front" : ""), "data-row": p.row });
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
    byId("detail-kicker").textContent = r.task + " · " + (r.backend_label || "no search");
    byId("detail-title").textContent = r.row;
    var body = clear(byId("detail-body"));
    var section = function (title, content, hint) {
      body.appendChild(el("h3", { text: title }));
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
      ["dim", r.dim], ["similarity", r.similarity], ["bytes per vector (index codes)", r.bytes_per_vector],
      ["rescoring copy bytes per vector", (r.backend_params || {}).rescore_bytes_per_vector],
      ["items encoded", r.items_encoded], ["items from the cache", r.items_cached],
      ["encode seconds", num(r.encode_seconds, 3)], ["model load seconds", num(r.load_seconds, 3)],
      ["engine", r.engine],
      ["encode items/s", missing(r.items_per_second) ? "not measured (all from the cache)" : fmt("rate", r.items_per_second)],
      ["index build seconds", num(r.build_seconds, 3)], ["search seconds", num(r.search_seconds, 3)],
      ["queries", r.n_queries], ["documents", r.n_documents], ["latency p50 ms", num(r.latency_p50_ms, 3)],
      ["latency p99 ms", num(r.latency_p99_ms, 3)], ["queries/s", num(r.queries_per_second, 1)],
      ["index bytes", r.index_bytes], ["index bytes per vector", num(r.index_bytes_per_vector, 1)]]));
    if (!missing(r.api_tokens) || !missing(r.api_cost_usd)) {
      section("Served model's API", kv([["tokens", r.api_tokens], ["cost USD", r.api_cost_usd]]),
        "what the API counted and charged for this run's encoding");
    }
    section("Backend", kv([["backend", r.backend]].concat(entries(r.backend_params))));
    section("Provenance", kv([["task", r.task], ["task type", r.task_type], ["task version", r.task_version],
      ["split", r.split], ["data fingerprint", r.data_fingerprint], ["encoder", r.encoder],
      ["encoder fingerprint", r.encoder_fingerprint], ["chain", (r.chain || []).join(" + ")],
      ["chain fingerprint", r.chain_fingerprint], ["code fingerprint", r.code_fingerprint], ["date", r.date],
      ["run id", r.run_id], ["result file", r.source], ["older results replaced", r.superseded]]));
    section("Versions", kv(entries(r.versions)));
    if (Object.keys(r.provenance || {}).length) section("Provenance of an imported result", kv(entries(r.provenance)));
    section("Hardware", kv(entries(r.hardware)));
    var model = (DATA.models || {})[r.encoder];
    if (model) {
      var link = model.href ? el("a", { href: model.href, rel: "noopener noreferrer", text: model.href }) : null;
      body.insertBefore(el("p", { cls: "hint" }, ["Model source: " + model.text + (link ? " — " : ""), link]), body.firstChild);
    }
    openDialog();
  }

  // a modal dialog: the page behind is inert, Escape closes it, and focus goes back where it came from
  var opener = null;
  function openDialog() {
    var panel = byId("detail");
    if (!panel.open) {
      opener = document.activeElement;
      if (panel.showModal) panel.showModal(); else panel.setAttribute("open", "");
    }
    byId("detail-close").focus();
  }
  function closeDetail() {
    var panel = byId("detail");
    if (panel.close) panel.close(); else { panel.removeAttribute("open"); restoreFocus(); }
  }
  function restoreFocus() {
    var back = opener;
    opener = null;
    if (back && document.contains(back) && back !== document.body) back.focus();
  }

  // ---- the current view as CSV or JSON: shown rows in the shown order, shown columns, full precision
  var FORMULA_START = /^[=+\-@\t\r]/; // spreadsheets run cells that start with these (as harness.leaderboard.export)
  function viewTable() {
    var sel = current, columns = mainColumns(sel).filter(function (c) { return c.key !== "label"; });
    var rows = sortRows(sel.rows, mainColumns(sel), state.sort).filter(function (r) { return matches(r.label); });
    var head = ["backend", "row", "encoder", "chain"].concat(columns.map(function (c) {
      return c.kind === "score" ? c.label : c.key === OVERALL_MEAN ? c.label : (c.group && c.group !== "cost" && c.kind === "mean" ? c.group + " mean" : c.label);
    }));
    var body = rows.map(function (r) {
      return [sel.view.name, r.label, r.values.model, r.values.chain].concat(columns.map(function (c) { return c.value(r); }));
    });
    return { head: head, body: body };
  }
  function csvCell(v) {
    if (missing(v)) return "";
    var text = String(v);
    if (typeof v === "string" && FORMULA_START.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  function download(kind) {
    var t = viewTable(), text;
    if (kind === "csv") {
      text = [t.head].concat(t.body).map(function (line) { return line.map(csvCell).join(","); }).join("\n") + "\n";
    } else {
      text = JSON.stringify({ view: location.hash.slice(1), columns: t.head, rows: t.body.map(function (line) {
        var out = {};
        t.head.forEach(function (h, i) { out[h] = missing(line[i]) ? null : line[i]; });
        return out;
      }) }, null, 1);
    }
    var type = kind === "csv" ? "text/csv" : "application/json";
    var name = "leaderboard-" + current.view.name.replace(/[^A-Za-z0-9._-]+/g, "_") + "." + kind;
    // a data: address, downloaded, not fetched: the page stays one file that asks nothing of a network
    var a = el("a", { href: "data:" + type + ";charset=utf-8," + encodeURIComponent(text), download: name });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }

  // ---- controls -------------------------------------------------------------------------------
  function fillSelect(select, label, values) {
    clear(select);
    if (label !== null) select.appendChild(el("option", { value: "", text: label }));
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: v })); });
  }

  // one button per configuration, and a select for its operating point
  function drawBackendControls() {
    var host = clear(byId("view-buttons")), shown = currentView(), config = configOf(shown);
    CONFIGS.forEach(function (c) {
      var b = el("button", { type: "button", "aria-pressed": String(c === config), "data-config": c.name },
        [c.name, c.approximate ? el("span", { cls: "tag", text: "approx" }) : null]);
      b.addEventListener("click", function () { if (c !== config) selectView(defaultPoint(c)); });
      host.appendChild(b);
    });
    var select = clear(byId("point-select"));
    byId("point-control").hidden = !config.option;
    if (!config.option) return;
    config.views.forEach(function (name) { select.appendChild(el("option", { value: name, text: pointLabel(viewNamed(name)) })); });
    select.value = shown.name;
  }

  function drawHeader() {
    var view = DATA.views[0];
    var points = DATA.views.length - CONFIGS.length;
    var parts = [DATA.results.length + " results", view.rows.length + " rows", DATA.tasks.length + " tasks",
      CONFIGS.length + " backend configuration" + (CONFIGS.length === 1 ? "" : "s") +
      (points > 0 ? " at " + DATA.views.length + " operating points" : ""), "generated " + DATA.generated.replace("T", " ")];
    byId("summary").textContent = parts.join(" · ");
    var legend = clear(byId("legend"));
    var ramp = el("span", { cls: "ramp" });
    ramp.style.background = "linear-gradient(90deg," + shade(0) + "," + shade(0.5) + "," + shade(1) + ")";
    legend.appendChild(el("span", {}, ["Main scores ×100 · per column (the overall mean: per modality): low", ramp, "high"]));
    legend.appendChild(el("span", { text: "— no result" }));
    legend.appendChild(el("span", { text: "2/3 incomplete row: no mean" }));
    legend.appendChild(el("span", { text: "* encode speed from another run of the same encoder; bytes that include a rescoring copy" }));
    legend.appendChild(el("span", { text: "≈ not separable from the model ranked just above (" + DATA.correction + ")" }));
    legend.appendChild(el("span", { text: "chance: not significantly above the task's chance level" }));
    legend.appendChild(el("span", { text: "≠ differs significantly from exact search or the float encoder (p < 0.05)" }));
    var sources = "Result stores: " + DATA.stores.join(", ") + ".";
    if (DATA.superseded) sources += " " + DATA.superseded + " older duplicate result(s) replaced by newer ones.";
    byId("sources").textContent = sources;
  }

  function drawNotRun() {
    var missingEncoders = DATA.not_run || [];
    if (!missingEncoders.length) return;
    var list = clear(byId("not-run"));
    missingEncoders.forEach(function (e) {
      list.appendChild(el("li", {}, [el("code", { text: e.name }),
        el("span", { cls: "muted", text: " " + (e.modalities || []).join("+") + " · " + e.family }),
        el("span", { text: e.description ? " — " + e.description : "" })]));
    });
    byId("not-run-section").hidden = false;
  }

  // the controls show the state (after reading a link's hash, or clearing the filters)
  function syncControls() {
    byId("filter-type").value = state.type;
    byId("filter-modality").value = state.modality;
    byId("filter-text").value = state.query;
    byId("show-cost").checked = state.showCost;
    byId("params-min").value = missing(state.pmin) ? "" : state.pmin;
    byId("params-max").value = missing(state.pmax) ? "" : state.pmax;
    byId("curve-task").value = state.curveTask || "";
  }

  function drawAll() { drawMain(); drawCompare(); drawCurves(); drawPlots(); applySearch(); }

  function on(id, event, handler) { byId(id).addEventListener(event, handler); }
  function listen() {
    var redraw = function (change) { return function (e) { change(e.target); drawAll(); writeHash(); }; };
    on("filter-type", "change", redraw(function (t) { state.type = t.value; }));
    on("filter-modality", "change", redraw(function (t) { state.modality = t.value; }));
    on("params-min", "change", redraw(function (t) { state.pmin = number(t.value); }));
    on("params-max", "change", redraw(function (t) { state.pmax = number(t.value); }));
    on("show-cost", "change", function (e) { state.showCost = e.target.checked; drawMain(); writeHash(); });
    on("filter-text", "input", function (e) { holdHeight(e.target.value); state.query = e.target.value; applySearch(); writeHash(); });
    on("point-select", "change", function (e) { selectView(viewNamed(e.target.value)); });
    on("compare-point", "change", function (e) { state.comparePoint = e.target.value; drawCompare(); applySearch(); writeHash(); });
    on("curve-task", "change", function (e) { state.curveTask = e.target.value; drawCurves(); applySearch(); writeHash(); });
    on("download-csv", "click", function () { download("csv"); });
    on("download-json", "click", function () { download("json"); });
    on("main-table", "click", function (e) {
      var cell = e.target.closest ? e.target.closest("[data-result]") : null;
      if (cell) openDetail(+cell.getAttribute("data-result"));
    });
    on("detail-close", "click", closeDetail);
    on("detail", "close", restoreFocus);
    on("detail", "click", function (e) { if (e.target === byId("detail")) closeDetail(); }); // the backdrop
    window.addEventListener("hashchange", function () {
      if (location.hash.slice(1) === writtenHash) return; // our own replaceState fallback
      readHash();
      drawBackendControls();
      syncControls();
      drawAll();
    });
    if (DARK.addEventListener) DARK.addEventListener("change", function () { drawHeader(); drawAll(); });
  }

  function init() {
    drawHeader();
    drawNotRun();
    readHash();
    drawBackendControls();
    fillComparePoints(byId("compare-point"));
    fillSelect(byId("curve-task"), null, DATA.curves.tasks);
    fillSelect(byId("filter-type"), "all types", unique(DATA.tasks.map(function (t) { return t.type; })));
    fillSelect(byId("filter-modality"), "all modalities", MODALITIES);
    syncControls();
    listen();
    drawAll();
    document.body.offsetHeight; // the layout is part of the render
    performance.measure("leaderboard render", START);
  }

  init();
})();
