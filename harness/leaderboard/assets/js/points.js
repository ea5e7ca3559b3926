// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). A backend configuration's
// operating points: viewNamed, configOf, defaultPoint, defaultComparePoint, pointLabel, selectView.
// Relies on: state, DATA, CONFIGS, VIEW_INDEX, TARGET_RECALL (state.js); fmt, missing (helpers.js); writeHash
// (hash.js); drawBackendControls, drawAll (controls.js).

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

