// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). Exact against approximate
// search: the rank table (drawCompare), each row's ranks under both backends, their shift and recall, and the
// summary line above it.
// Relies on: state, current, DATA, TASKS, CONFIGS, VIEW_INDEX (state.js); el, byId, fmt, missing (helpers.js);
// drawTable (table.js); expand, hasScore (selection.js); compareRows, applySearch (search.js); viewNamed, pointLabel
// (points.js).

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

