// Part of the leaderboard page's script (see SCRIPT_PARTS in harness/leaderboard/page.py). Small DOM helpers (el,
// svg, clear, byId), missing and unique, and the number formats (fmt, compact) and the score shading (shade).
// Relies on: SVG_NS, DARK, RAMPS (state.js).

  // ---- small DOM helpers -------------------------------------------------------------------
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        if (k === "text") node.textContent = props[k];
        else if (k === "cls") node.className = props[k];
        else if (props[k] !== null && props[k] !== undefined) node.setAttribute(k, props[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function missing(v) { return v === null || v === undefined || (typeof v === "number" && isNaN(v)); }
  function unique(values, keepOrder) {
    var out = values.filter(function (v, i) { return values.indexOf(v) === i; });
    return keepOrder ? out : out.sort();
  }
  function byId(id) { return document.getElementById(id); }

  // ---- number formats (the Markdown export uses the same rules) -------------------------------
  function fmt(kind, v) {
    if (missing(v)) return "—";
    if (kind === "score" || kind === "mean") return (100 * v).toFixed(2);
    if (kind === "share") return (100 * v).toFixed(1) + "%";
    if (kind === "ms") return v >= 100 ? v.toFixed(0) : String(+v.toPrecision(3));
    if (kind === "rate") return Math.round(v).toLocaleString("en-US");
    if (kind === "size") return compact(v);
    if (kind === "usd") return "$" + (v >= 100 ? Math.round(v).toLocaleString("en-US") : String(+v.toPrecision(3)));
    if (kind === "rank") return "#" + v;
    if (kind === "recall") return v.toFixed(3);
    if (kind === "delta") return (v > 0 ? "+" : v < 0 ? "−" : "±") + Math.abs(100 * v).toFixed(2);
    if (typeof v === "number") {
      if (Number.isInteger(v) || Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
      return v.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    }
    return String(v);
  }
  function compact(v) {
    var units = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (v >= units[i][0]) return +(v / units[i][0]).toPrecision(3) + units[i][1];
    }
    return +v.toPrecision(3) + "";
  }
  function shade(t) {
    var ramp = DARK.matches ? RAMPS.dark : RAMPS.light;
    var seg = t < 0.5 ? 0 : 1, u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    var a = ramp[seg], b = ramp[seg + 1];
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(a[i] + (b[i] - a[i]) * u); }).join(",") + ")";
  }

