// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). Sorting rows (sortRows,
// compareValues) and drawTable, the sortable table with a group header row that the main table and the rank table
// both draw with.
// Relies on: current, MODALITIES, OVERALL_MEAN (state.js); el, clear, missing (helpers.js).

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

