// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). The controls and their
// events (listen), the header and legend, drawAll, and init, which draws the page. This last part closes the scope
// opened in state.js and runs init, once every part is declared.
// Relies on: state.js and helpers.js throughout; readHash, writeHash, writtenHash, number (hash.js); currentView
// (selection.js); drawMain (main-table.js); applySearch, holdHeight (search.js); configOf, defaultPoint, pointLabel,
// selectView, viewNamed (points.js); drawPlots (cost-plots.js); drawCompare, fillComparePoints (compare.js);
// drawCurves (curves.js); openDetail, closeDetail, restoreFocus (detail.js); download (downloads.js).

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
