// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). The main table: its
// columns (mainColumns), its cell renderers, matches (the search's test) and drawMain.
// Relies on: state, current, DATA, TASKS, MODALITIES, SUITES, HIDDEN_KINDS, OVERALL_MEAN (state.js); el, byId, fmt,
// missing, shade (helpers.js); writeHash (hash.js); drawTable (table.js); select, taskShown, hasScore
// (selection.js); mainRows, applySearch, clearFilters (search.js); num (detail.js).

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

