// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). What the filters select:
// select() gives the shown tasks and rows and each row's mean and rank over them; currentView, expand, taskShown,
// rangeSet, hasScore.
// Relies on: state, DATA, TASKS (state.js); missing (helpers.js).

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

