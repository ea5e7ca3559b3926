// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). Quality against cost: the
// Pareto front and drawPlots, the two scatter plots of the shown rows' means.
// Relies on: state, current, DATA, MODALITIES (state.js); byId, clear, missing (helpers.js); plot (plots.js).

  // ---- quality against cost: the shown rows of one modality, by the mean over the shown tasks ------
  function paretoFront(points, lowerIsBetter) {
    var ordered = points.slice().sort(function (a, b) { return (lowerIsBetter ? a.x - b.x : b.x - a.x) || b.y - a.y; });
    var front = {}, best = -Infinity;
    ordered.forEach(function (p) { if (p.y > best) { front[p.row] = true; best = p.y; } });
    return front;
  }

  function drawPlots() {
    var sel = current, host = clear(byId("plots")), modality = state.modality || MODALITIES[0];
    var rows = sel.rows.filter(function (r) { return sel.calc[r.label].modality === modality; });
    var complete = rows.filter(function (r) { return sel.calc[r.label].mean !== null; });
    var speedTask = (DATA.speed_tasks || {})[modality];
    [{ key: "bytes_per_vector", label: "bytes kept per vector (log)", lower: true },
      { key: "items_per_second", label: "encode items/s" + (speedTask ? " on " + speedTask : "") + " (log)", lower: false }
    ].forEach(function (spec) {
      var points = complete.filter(function (r) { return !missing(r.values[spec.key]) && r.values[spec.key] > 0; })
        .map(function (r) { return { row: r.label, x: r.values[spec.key], y: sel.calc[r.label].mean }; });
      host.appendChild(plot({ label: spec.label, lower_is_better: spec.lower, points: points, front: paretoFront(points, spec.lower) }));
    });
    var excluded = rows.filter(function (r) { return sel.calc[r.label].mean === null; }).map(function (r) { return r.label; });
    var note = "Mean main score over the " + (state.type ? state.type + " " : "") + modality + " tasks shown (×100) under " +
      sel.view.name + ", for the " + modality + " rows shown (means over other modalities' tasks do not compare" +
      (MODALITIES.length > 1 ? "; choose a modality above for another" : "") + "); filled points and the dashed " +
      "line are the Pareto front (nothing else is both cheaper and better).";
    if (excluded.length) note += " Not plotted, no complete mean: " + excluded.join(", ") + ".";
    byId("scatter-note").textContent = note;
  }

