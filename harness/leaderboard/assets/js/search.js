// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). The search: row windows
// that display only the rows near a table's box (mainRows, compareRows), applySearch, which hides the rows that do
// not match, holdHeight, the row-count line, and clearFilters.
// Relies on: state, current, curveNodes, DATA (state.js); byId, missing (helpers.js); rangeSet (selection.js);
// matches (main-table.js); syncControls, drawAll (controls.js).

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
