// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). The view's state in the
// URL hash, so a link reproduces it (HASH, writeHash, readHash, writtenHash), and number, which reads a parameter
// bound.
// Relies on: state, defaults, DATA, VIEW_INDEX, MODALITIES, OVERALL_MEAN (state.js); missing (helpers.js);
// defaultComparePoint (points.js).

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

