// The leaderboard page's script. harness/leaderboard/page.py joins the files in assets/js, in its SCRIPT_PARTS
// order, into one function body: they share one scope, so a name declared in one part is used in others. This first
// part opens that scope and holds the data, the constants read from it and the view's state (state, defaults,
// current, curveNodes).
// Relies on: unique (helpers.js; function declarations are hoisted over the whole scope).

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

