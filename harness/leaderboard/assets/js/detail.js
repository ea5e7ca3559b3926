// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). The detail dialog for one
// result (openDetail, closeDetail, restoreFocus) and its table helpers (kv, num, entries).
// Relies on: DATA (state.js); el, byId, clear, fmt, missing (helpers.js).

  // ---- the detail panel -----------------------------------------------------------------------
  function kv(rows, highlight) {
    var table = el("table");
    rows.forEach(function (r) {
      var v = r[1];
      if (v !== null && typeof v === "object") v = JSON.stringify(v);
      table.appendChild(el("tr", { cls: r[0] === highlight ? "main-metric" : null },
        [el("td", { text: r[0] }), el("td", { text: missing(v) || v === "" ? "—" : String(v) })]));
    });
    return table;
  }
  function num(v, digits) { return missing(v) ? null : (+v).toFixed(digits); }
  function naturalKey(a, b) { return a.localeCompare(b, undefined, { numeric: true }); } // ndcg_at_5 before ndcg_at_10
  function entries(obj) { return Object.keys(obj || {}).sort(naturalKey).map(function (k) { return [k, obj[k]]; }); }

  function openDetail(index) {
    var r = DATA.results[index];
    if (!r) return;
    byId("detail-kicker").textContent = r.task + " · " + (r.backend_label || "no search");
    byId("detail-title").textContent = r.row;
    var body = clear(byId("detail-body"));
    var section = function (title, content, hint) {
      body.appendChild(el("h3", { text: title }));
      if (hint) body.appendChild(el("p", { cls: "hint", text: hint }));
      body.appendChild(content);
    };
    var ci = r.interval || {};
    var interval = missing(ci.low) ? "not kept (the result predates per-item scores, or its task gives none)" :
      "[" + num(ci.low, 4) + ", " + num(ci.high, 4) + "]";
    section("Main score", kv([[r.main_metric, num(r.main_score, 4)], ["×100", num(100 * r.main_score, 2)],
      [Math.round(100 * (ci.level || 0.95)) + "% interval", interval]], r.main_metric),
      missing(ci.low) ? null : ci.method + " over " + ((r.items || {}).n || "the") + " " + ((r.items || {}).unit || "item") +
        " scores, " + ci.resamples + " draws, seed " + ci.seed);
    if (Object.keys(r.chance || {}).length) {
      section("Chance level", kv([["baseline", r.chance.baseline], ["chance score", num(r.chance.score, 4)],
        ["p against chance", num(r.chance.p_value, 4)], ["at chance", r.chance.at_chance ? "yes" : "no"]]),
        "a result is at chance unless it is above the baseline and the paired randomization test says so (p < 0.05)");
    }
    if (!missing((r.vs_exact || {}).p_value) || !missing((r.vs_float || {}).p_value)) {
      var tests = [];
      if (!missing((r.vs_exact || {}).p_value)) tests.push(["differs from exact search", r.vs_exact.p_value < 0.05 ? "yes" : "no"]);
      if (!missing((r.vs_float || {}).p_value)) tests.push(["differs from the float encoder", r.vs_float.p_value < 0.05 ? "yes" : "no"]);
      section("Significance", kv(tests), "paired randomization test over per-item scores, p < 0.05; " +
        "delta_low and delta_high bound the main-score difference (paired bootstrap, 95%)");
    }
    section("All metrics", kv(entries(r.scores).map(function (e) { return [e[0], num(e[1], 4)]; }), r.main_metric));
    if (Object.keys(r.vs_exact || {}).length) {
      section("Against exact search", kv(entries(r.vs_exact).map(function (e) { return [e[0], num(e[1], 4)]; })),
        "recall of this backend's top k against exact search's top k on the same vectors");
    }
    if (Object.keys(r.vs_float || {}).length) {
      section("Share of the float score retained", kv([["float main score", num(r.vs_float.float_main_score, 4)],
        ["retained", missing(r.vs_float.retained) ? null : (100 * r.vs_float.retained).toFixed(1) + "%"],
        ["p (paired test)", num(r.vs_float.p_value, 4)], ["delta_low", num(r.vs_float.delta_low, 4)],
        ["delta_high", num(r.vs_float.delta_high, 4)]]),
        "same task and backend, same encoder without post-processing");
    }
    section("Cost", kv([["parameters", missing(r.n_parameters) ? null : r.n_parameters.toLocaleString("en-US")],
      ["dim", r.dim], ["similarity", r.similarity], ["bytes per vector (index codes)", r.bytes_per_vector],
      ["rescoring copy bytes per vector", (r.backend_params || {}).rescore_bytes_per_vector],
      ["items encoded", r.items_encoded], ["items from the cache", r.items_cached],
      ["encode seconds", num(r.encode_seconds, 3)], ["model load seconds", num(r.load_seconds, 3)],
      ["engine", r.engine],
      ["encode items/s", missing(r.items_per_second) ? "not measured (all from the cache)" : fmt("rate", r.items_per_second)],
      ["index build seconds", num(r.build_seconds, 3)], ["search seconds", num(r.search_seconds, 3)],
      ["queries", r.n_queries], ["documents", r.n_documents], ["latency p50 ms", num(r.latency_p50_ms, 3)],
      ["latency p99 ms", num(r.latency_p99_ms, 3)], ["queries/s", num(r.queries_per_second, 1)],
      ["index bytes", r.index_bytes], ["index bytes per vector", num(r.index_bytes_per_vector, 1)]]));
    if (!missing(r.api_tokens) || !missing(r.api_cost_usd)) {
      section("Served model's API", kv([["tokens", r.api_tokens], ["cost USD", r.api_cost_usd]]),
        "what the API counted and charged for this run's encoding");
    }
    section("Backend", kv([["backend", r.backend]].concat(entries(r.backend_params))));
    section("Provenance", kv([["task", r.task], ["task type", r.task_type], ["task version", r.task_version],
      ["split", r.split], ["data fingerprint", r.data_fingerprint], ["encoder", r.encoder],
      ["encoder fingerprint", r.encoder_fingerprint], ["chain", (r.chain || []).join(" + ")],
      ["chain fingerprint", r.chain_fingerprint], ["code fingerprint", r.code_fingerprint], ["date", r.date],
      ["run id", r.run_id], ["result file", r.source], ["older results replaced", r.superseded]]));
    section("Versions", kv(entries(r.versions)));
    if (Object.keys(r.provenance || {}).length) section("Provenance of an imported result", kv(entries(r.provenance)));
    section("Hardware", kv(entries(r.hardware)));
    var model = (DATA.models || {})[r.encoder];
    if (model) {
      var link = model.href ? el("a", { href: model.href, rel: "noopener noreferrer", text: model.href }) : null;
      body.insertBefore(el("p", { cls: "hint" }, ["Model source: " + model.text + (link ? " — " : ""), link]), body.firstChild);
    }
    openDialog();
  }

  // a modal dialog: the page behind is inert, Escape closes it, and focus goes back where it came from
  var opener = null;
  function openDialog() {
    var panel = byId("detail");
    if (!panel.open) {
      opener = document.activeElement;
      if (panel.showModal) panel.showModal(); else panel.setAttribute("open", "");
    }
    byId("detail-close").focus();
  }
  function closeDetail() {
    var panel = byId("detail");
    if (panel.close) panel.close(); else { panel.removeAttribute("open"); restoreFocus(); }
  }
  function restoreFocus() {
    var back = opener;
    opener = null;
    if (back && document.contains(back) && back !== document.body) back.focus();
  }

