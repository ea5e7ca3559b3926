// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). The SVG plot frame (PLOT;
// axes, log x and linear y; plotBox; emptyPlot) and plot, a scatter plot with its Pareto front.
// Relies on: el, svg, fmt, compact (helpers.js).

  // ---- plots ---------------------------------------------------------------------------------
  function niceStep(span, count) {
    var raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
    return mag * (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10);
  }

  var PLOT = { W: 640, H: 360, m: { l: 56, r: 24, t: 14, b: 44 } };

  // log x, linear y, grid and ticks; returns the scales. ys in display units; minPad keeps a flat set readable
  function axes(root, xs, ys, spec) {
    var W = PLOT.W, H = PLOT.H, m = PLOT.m;
    var lx = xs.map(function (v) { return Math.log10(v); });
    var lo = Math.min.apply(null, lx), hi = Math.max.apply(null, lx), widen = Math.max(0, 0.6 - (hi - lo)) / 2;
    var x0 = lo - 0.1 - widen, x1 = hi + 0.1 + widen; // at least 0.8 decades, so one point still has ticks
    var ylo = Math.min.apply(null, ys), yhi = Math.max.apply(null, ys), pad = Math.max((yhi - ylo) * 0.12, spec.minPad);
    var step = niceStep(yhi - ylo + 2 * pad, 5), y0 = Math.floor((ylo - pad) / step) * step, y1 = Math.ceil((yhi + pad) / step) * step;
    y1 = Math.min(y1, spec.yMax); // no tick above what the quantity can reach (recall 1, a score ×100 100)
    var X = function (v) { return m.l + (Math.log10(v) - x0) / (x1 - x0) * (W - m.l - m.r); };
    var Y = function (v) { return H - m.b - (v - y0) / (y1 - y0) * (H - m.t - m.b); };
    for (var yv = y0; yv <= y1 + step / 1e6; yv += step) {
      root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: Y(yv), y2: Y(yv), "class": "grid" }));
      root.appendChild(svg("text", { x: m.l - 8, y: Y(yv) + 4, "text-anchor": "end", "class": "tick" }, +yv.toFixed(3) + ""));
    }
    for (var d = Math.floor(x0); d <= x1; d++) {
      [1, 2, 5].forEach(function (k) {
        var v = k * Math.pow(10, d);
        if (Math.log10(v) < x0 || Math.log10(v) > x1 || (k > 1 && x1 - x0 > 3)) return;
        root.appendChild(svg("line", { x1: X(v), x2: X(v), y1: m.t, y2: H - m.b, "class": "grid" }));
        root.appendChild(svg("text", { x: X(v), y: H - m.b + 16, "text-anchor": "middle", "class": "tick" }, compact(v)));
      });
    }
    root.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, "class": "axis" }));
    root.appendChild(svg("text", { x: (m.l + W - m.r) / 2, y: H - 8, "text-anchor": "middle", "class": "axis-label" }, spec.x));
    root.appendChild(svg("text", { x: 14, y: (m.t + H - m.b) / 2, "text-anchor": "middle", "class": "axis-label",
      transform: "rotate(-90 14 " + (m.t + H - m.b) / 2 + ")" }, spec.y));
    return { X: X, Y: Y };
  }

  function plotBox(title) {
    var root = svg("svg", { viewBox: "0 0 " + PLOT.W + " " + PLOT.H, role: "img", "aria-label": title });
    return { box: el("div", { cls: "plot" }, [el("h3", { text: title }), root]), root: root };
  }

  function emptyPlot(root, text) {
    root.appendChild(svg("text", { x: PLOT.W / 2, y: PLOT.H / 2, "text-anchor": "middle", "class": "empty" }, text));
  }

  function plot(spec) {
    var W = PLOT.W, figure = plotBox("mean score vs " + spec.label.replace(" (log)", "")), root = figure.root;
    var pts = spec.points;
    if (!pts.length) {
      emptyPlot(root, "no row has both a complete mean and this figure");
      return figure.box;
    }
    var scale = axes(root, pts.map(function (p) { return p.x; }), pts.map(function (p) { return 100 * p.y; }), {
      x: spec.label + (spec.lower_is_better ? " — lower is cheaper" : " — higher is faster"), y: "mean score ×100", minPad: 1, yMax: 100 });
    var X = scale.X, Y = scale.Y;
    var front = spec.front;
    var frontPts = pts.filter(function (p) { return front[p.row]; }).sort(function (a, b) { return a.x - b.x; });
    if (frontPts.length > 1) {
      root.appendChild(svg("polyline", { "class": "front-line",
        points: frontPts.map(function (p) { return X(p.x) + "," + Y(100 * p.y); }).join(" ") }));
    }
    pts.forEach(function (p) {
      var c = svg("circle", { cx: X(p.x), cy: Y(100 * p.y), r: front[p.row] ? 6 : 5, "class": "pt" + (front[p.row] ? " front" : ""), "data-row": p.row });
      c.appendChild(svg("title", {}, p.row + "\nmean " + (100 * p.y).toFixed(2) + "\n" + spec.label.replace(" (log)", "") + ": " + fmt("rate", p.x)));
      root.appendChild(c);
      if (front[p.row]) {
        // the front rises to the right when cheaper is left, falls when faster is right: label off the line
        var right = X(p.x) < W - 170, below = spec.lower_is_better;
        root.appendChild(svg("text", { x: X(p.x) + (right ? 9 : -9), y: Y(100 * p.y) + (below ? 16 : -8),
          "text-anchor": right ? "start" : "end", "class": "pt-label" }, p.row));
      }
    });
    return figure.box;
  }

