// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). The current view as CSV
// or JSON (download): the shown rows in the shown order, the shown columns, full precision.
// Relies on: state, current, OVERALL_MEAN (state.js); el, missing (helpers.js); sortRows (table.js); mainColumns,
// matches (main-table.js).

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

