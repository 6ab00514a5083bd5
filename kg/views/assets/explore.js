/* parks-kg graph explorer: filters, neighbourhoods, paths, folding and exports over the view.
 *
 * kgInit (view.js) calls kgExplore once the Network exists. KG.nodes[i] and KG.edges[j] hold
 * every entity and relation of the view; the vis DataSets hold those drawn so far (all of
 * them, unless the overview is folded: then `off` nodes carry their name, group and position
 * and are added on demand). Filters set `hidden` on drawn nodes and edges; nodes the user
 * expanded or reached by a path are pinned and stay visible. As in view.js, corpus text
 * reaches the DOM only through textContent; exports are built as text and downloaded from a
 * Blob, with no network.
 */
"use strict";

function kgExplore(network, nodes, edges, KG, api) {
  var state = api.state;
  var N = KG.nodes.length;
  var LEGIBLE_PX = 14;       // park labels at least this tall on screen at the opening zoom
  var LEGIBLE_PARKS = 12;    // how many of the largest parks get such labels
  var MAX_PARK_FONT = 90;    // canvas units: bigger boxes would crowd out the rest
  var BOX_GAP = 8;           // canvas units left between two park boxes
  var DIM_NODE = 0.15, DIM_EDGE = 0.08;
  var adj = [];
  var i;
  for (i = 0; i < N; i++) { adj.push([]); }
  KG.edges.forEach(function (e, j) {
    adj[e.from].push([e.to, j]);
    if (e.to !== e.from) { adj[e.to].push([e.from, j]); }
  });
  var pinned = new Set();
  var filters = { classes: {}, relations: {}, minDegree: 0, hideIsolates: false,
                  invMin: null, invMax: null, dateFrom: null, dateTo: null,
                  hideUndated: false };
  var look = { size: "", colour: "class", highlight: null, path: null };
  state.filters = filters;
  state.look = look;
  state.readyMs = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function info(id) { return KG.nodes[id] || {}; }
  function name(id) { var n = nodes.get(id); return info(id).name || (n ? String(n.label) : String(id)); }
  function group(id) { var n = nodes.get(id); return n ? n.group : info(id).group; }

  // ------------------------------------------------------------------ drawn on demand

  function foldLabel(id) {
    var d = info(id);
    return d.folded ? name(id) + "\n(+" + d.folded + ")" : name(id);
  }

  /* Add the given entities to the drawing (with their relations to drawn ones); returns how
     many were added. */
  function ensure(ids) {
    var addNodes = [], addEdges = [], seen = new Set();
    ids.forEach(function (id) {
      if (nodes.get(id) || seen.has(id) || !KG.nodes[id]) { return; }
      var d = info(id);
      seen.add(id);
      addNodes.push({ id: id, label: foldLabel(id), group: d.group, x: d.x, y: d.y });
    });
    if (!addNodes.length) { return 0; }
    nodes.add(addNodes);
    var edgeSeen = new Set();
    addNodes.forEach(function (n) {
      adj[n.id].forEach(function (pair) {
        var j = pair[1];
        if (edgeSeen.has(j) || edges.get(j)) { return; }
        var e = KG.edges[j];
        if (nodes.get(e.from) && nodes.get(e.to)) {
          edgeSeen.add(j);
          addEdges.push({ id: j, from: e.from, to: e.to, label: e.relation });
        }
      });
    });
    if (addEdges.length) { edges.add(addEdges); }
    return addNodes.length;
  }

  // ------------------------------------------------------------------ filters

  function passes(id) {
    var d = info(id);
    var g = group(id);
    if (filters.classes[g] === false) { return false; }
    if (d.yuan !== undefined) {
      var yi = d.yuan / 1e8;
      if (filters.invMin !== null && yi < filters.invMin) { return false; }
      if (filters.invMax !== null && yi > filters.invMax) { return false; }
    }
    return true;
  }

  /* Whether a fact's time meets the date range: one of its times (KG.edges[j].span, first
     and last day as yyyymmdd, in pairs) overlaps it; an undated fact unless they are hidden. */
  function inDates(e) {
    var from = filters.dateFrom, to = filters.dateTo, span = e.span;
    if (!span || !span.length) { return !filters.hideUndated; }
    if (from === null && to === null) { return true; }
    for (var k = 0; k + 1 < span.length; k += 2) {
      if ((from === null || span[k + 1] >= from) && (to === null || span[k] <= to)) { return true; }
    }
    return false;
  }

  /* Whether the relation and date filters keep the fact KG.edges[j]. */
  function edgeOn(e) { return filters.relations[e.relation] !== false && inDates(e); }

  /* Which entities the filters keep: class, investment, then degree counted among the kept
     entities over the facts the relation and date filters keep (the degree of the view, not
     of the graph), so an entity left with no fact in the date range is an isolate. Pinned
     entities stay, and on the map only placed parks show. */
  function visibleSet() {
    var keep = filteredSet();
    for (var k = 0; k < N; k++) {
      if (pinned.has(k)) { keep[k] = 1; }
      if (map.on && !KG.nodes[k].geo) { keep[k] = 0; }  // the map shows placed parks only
    }
    return keep;
  }

  /* The entities the filters alone keep (no pins, no map), 1 or 0 by page id. */
  function filteredSet() {
    var ok = new Uint8Array(N);
    for (var k = 0; k < N; k++) { ok[k] = passes(k) ? 1 : 0; }
    var degree = new Int32Array(N);
    KG.edges.forEach(function (e) {
      if (!edgeOn(e) || !ok[e.from] || !ok[e.to]) { return; }
      degree[e.from] += 1;
      if (e.to !== e.from) { degree[e.to] += 1; }
    });
    var keep = new Uint8Array(N);
    for (k = 0; k < N; k++) {
      keep[k] = ok[k] && degree[k] >= filters.minDegree &&
                !(filters.hideIsolates && degree[k] === 0) ? 1 : 0;
    }
    return keep;
  }

  function applyFilters() {
    var keep = visibleSet();
    var nodeUpdates = [], edgeUpdates = [];
    nodes.forEach(function (n) {
      var hide = !keep[n.id];
      if (Boolean(n.hidden) !== hide) { nodeUpdates.push({ id: n.id, hidden: hide }); }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    edges.forEach(function (e) {
      var d = KG.edges[e.id] || {};
      var hide = !edgeOn(d) || !keep[e.from] || !keep[e.to];
      if (Boolean(e.hidden) !== hide) { edgeUpdates.push({ id: e.id, hidden: hide }); }
    });
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    var shown = document.getElementById("kg-visible");
    if (shown) { shown.textContent = " " + visibleNodes().length + " 可见 visible"; }
    return visibleNodes().length;
  }

  function visibleNodes() {
    return nodes.getIds({ filter: function (n) { return !n.hidden; } });
  }

  function visibleEdges() {
    return edges.getIds({ filter: function (e) {
      var a = nodes.get(e.from), b = nodes.get(e.to);
      return !e.hidden && a && b && !a.hidden && !b.hidden;
    } });
  }

  // ------------------------------------------------------------------ highlight and dim

  function clearDim() {
    var nu = [], eu = [];
    nodes.forEach(function (n) { if (n.opacity !== undefined && n.opacity !== 1) { nu.push({ id: n.id, opacity: 1 }); } });
    edges.forEach(function (e) {
      if (e.color && e.color.opacity !== 1) { eu.push({ id: e.id, color: { opacity: 1 }, width: 1 }); }
    });
    if (nu.length) { nodes.update(nu); }
    if (eu.length) { edges.update(eu); }
    look.highlight = null;
    look.path = null;
  }

  /* Keep `keepNodes` and `keepEdges` (Sets) at full strength and dim everything else. */
  function dimExcept(keepNodes, keepEdges, bold) {
    var nu = [], eu = [];
    nodes.forEach(function (n) { nu.push({ id: n.id, opacity: keepNodes.has(n.id) ? 1 : DIM_NODE }); });
    edges.forEach(function (e) {
      var on = keepEdges.has(e.id);
      eu.push({ id: e.id, color: { opacity: on ? 1 : DIM_EDGE }, width: on && bold ? 3 : 1 });
    });
    nodes.update(nu);
    edges.update(eu);
  }

  function neighbours(id) {
    var found = new Set([id]), via = new Set();
    network.getConnectedEdges(id).forEach(function (eid) {
      var e = edges.get(eid);
      if (!e || e.hidden) { return; }
      var other = e.from === id ? e.to : e.from;
      var o = nodes.get(other);
      if (o && !o.hidden) { found.add(other); via.add(eid); }
    });
    return { nodes: found, edges: via };
  }

  function highlight(id) {
    if (!nodes.get(id)) { return []; }
    var around = neighbours(id);
    dimExcept(around.nodes, around.edges, false);
    look.highlight = id;
    look.path = null;
    return Array.from(around.nodes);
  }

  /* Draw and show every neighbour of `id` that is folded, filtered out or not yet drawn. */
  function expand(id) {
    if (!KG.nodes[id]) { return 0; }
    ensure([id]);
    var others = adj[id].map(function (pair) { return pair[0]; });
    var added = ensure(others);
    var before = visibleNodes().length;
    pinned.add(id);
    others.forEach(function (o) { pinned.add(o); });
    if (info(id).folded) {
      info(id).folded = 0;
      nodes.update({ id: id, label: name(id) });
    }
    if (added) { restyleNew(); }
    applyFilters();
    highlight(id);
    return Math.max(added, visibleNodes().length - before);
  }

  /* Draw `id` and keep it visible whatever the filters say (search, links in the panel). */
  function reveal(id) {
    if (!KG.nodes[id]) { return false; }
    ensure([id]);
    if (!pinned.has(id)) {
      pinned.add(id);
      restyleNew();
      applyFilters();
    }
    return true;
  }

  /* Restyle only when a size or colour mode is on (else group styles already apply). */
  function restyleNew() { if (look.size || look.colour !== "class") { restyle(); } }

  // ------------------------------------------------------------------ paths

  /* The shortest chain of relations (either direction) from a to b, as node ids; [] when
     they are not connected. It goes only through what the filters keep (classes, relations,
     degree, investment and date range: `filteredSet`, `edgeOn`), the two ends excepted, unless
     `all`: then over the whole view. The relations it takes are in `chain.via`. */
  function shortestPath(a, b, all) {
    if (!KG.nodes[a] || !KG.nodes[b]) { return []; }
    var keep = all ? null : filteredSet();
    if (keep) { keep[a] = 1; keep[b] = 1; }
    var prev = new Int32Array(N).fill(-1), prevEdge = new Int32Array(N).fill(-1);
    prev[a] = a;
    var queue = [a], head = 0;
    while (head < queue.length) {
      var u = queue[head++];
      if (u === b) { break; }
      for (var k = 0; k < adj[u].length; k++) {
        var v = adj[u][k][0], j = adj[u][k][1];
        if (prev[v] !== -1 || (keep && (!keep[v] || !edgeOn(KG.edges[j])))) { continue; }
        prev[v] = u; prevEdge[v] = j; queue.push(v);
      }
    }
    if (prev[b] === -1) { return []; }
    var chain = [b], via = [];
    while (chain[0] !== a) { via.unshift(prevEdge[chain[0]]); chain.unshift(prev[chain[0]]); }
    chain.via = via;
    return chain;
  }

  /* Whether any filter is on (a path then keeps to what they show). */
  function filtering() {
    return Object.keys(filters.classes).some(function (k) { return filters.classes[k] === false; }) ||
      Object.keys(filters.relations).some(function (k) { return filters.relations[k] === false; }) ||
      filters.minDegree > 0 || filters.hideIsolates || filters.invMin !== null ||
      filters.invMax !== null || filters.dateFrom !== null || filters.dateTo !== null ||
      filters.hideUndated;
  }

  function showPath(a, b) {
    var chain = shortestPath(a, b);
    var out = document.getElementById("kg-path-result");
    if (out) { out.replaceChildren(); }
    if (!chain.length) {
      var around = filtering() ? shortestPath(a, b, true) : [];
      if (out) {
        out.textContent = around.length
          ? "筛选内无路径 No path within the filters (" + (around.length - 1) +
            " 步 steps without them)"
          : "无路径 No path";
      }
      clearDim();
      look.path = null;
      return [];
    }
    ensure(chain);
    chain.forEach(function (id) { pinned.add(id); });
    restyleNew();
    applyFilters();
    var via = new Set(chain.via);
    dimExcept(new Set(chain), via, true);
    look.path = chain;
    look.highlight = null;
    if (out) {
      chain.forEach(function (id, k) {
        if (k) { out.appendChild(el("span", "kg-arrow", " → ")); }
        var bt = el("button", "kg-link", name(id));
        bt.type = "button";
        bt.addEventListener("click", function () { api.focus(id); });
        out.appendChild(bt);
      });
      out.appendChild(el("span", "kg-note", " (" + (chain.length - 1) + " 步 steps)"));
    }
    network.fit({ nodes: chain, animation: false });
    if (network.getScale() > 0.8) { network.moveTo({ scale: 0.8 }); }  // keep some context
    return chain;
  }

  function pathByName(from, to) {
    var a = api.find(from, 1)[0], b = api.find(to, 1)[0];
    var out = document.getElementById("kg-path-result");
    if (!a || !b) {
      if (out) { out.textContent = "找不到 Not found: " + (!a ? from : to); }
      return [];
    }
    return showPath(a.id, b.id);
  }

  // ------------------------------------------------------------------ size and colour

  function restyle() {
    var updates = [];
    var top = 1;
    if (look.size) {
      nodes.forEach(function (n) { top = Math.max(top, sizeValue(n.id)); });
    }
    nodes.forEach(function (n) {
      var u = { id: n.id, color: colourOf(n.id) };
      var v = look.size ? sizeValue(n.id) : null;
      if (look.size) {
        u.value = v;
        if (group(n.id) === "Park") { u.font = { size: 18 + 42 * Math.sqrt(v / top) }; }
      } else {
        u.value = undefined;
      }
      updates.push(u);
    });
    nodes.update(updates);
  }

  function sizeValue(id) {
    var d = info(id);
    if (look.size === "degree") { return d.degree || 0; }
    if (look.size === "investment") { return d.yuan ? d.yuan / 1e8 : 0; }
    return 0;
  }

  function colourOf(id) {
    var fill, border;
    if (look.colour === "community" && info(id).community !== undefined &&
        info(id).community < KG.palette.length) {
      fill = KG.palette[info(id).community];
      border = "#424242";
    } else if (look.colour === "community") {
      fill = "#e0e0e0"; border = "#9e9e9e";
    } else {
      var s = KG.styles[group(id)] || KG.styles.Other;
      fill = s[0]; border = s[1];
    }
    return { background: fill, border: border, highlight: { background: fill, border: "#000000" },
             hover: { background: fill, border: "#000000" } };
  }

  function setSize(mode) { look.size = mode || ""; restyle(); }
  function setColour(mode) { look.colour = mode === "community" ? "community" : "class"; restyle(); }

  // ------------------------------------------------------------------ map by place

  /* The map: parks at their prefecture or county, else their province's seat (placed in
     Python, kg.views.geo; KG.provinces labels the provinces), sized by the
     measure chosen; the graph's positions and fonts come back when it is left. */
  var map = { on: false, saved: null, fonts: null, measure: "enterprises" };
  state.map = map;

  function mapValue(id) {
    var d = info(id);
    if (map.measure === "platforms") { return (d.parkStats || [0, 0])[1]; }
    if (map.measure === "investment") { return d.yuan ? d.yuan / 1e8 : 0; }
    return (d.parkStats || [0, 0])[0];
  }

  function mapSize() {
    var placed = nodes.getIds({ filter: function (n) { return Boolean(info(n.id).geo); } });
    var top = 0;
    placed.forEach(function (id) { top = Math.max(top, mapValue(id)); });
    nodes.update(placed.map(function (id) {
      var v = mapValue(id);
      return { id: id, font: { size: 16 + 44 * (top ? Math.sqrt(v / top) : 0) },
               title: undefined };
    }));
  }

  function setMode(mode) {
    var select = document.getElementById("kg-mode");
    if (select && select.value !== mode) { select.value = mode; }
    if (mode === "map" && !map.on) {
      ensure(KG.nodes.map(function (d, id) { return d.geo ? id : -1; })
        .filter(function (id) { return id >= 0; }));
      map.saved = network.getPositions();
      map.fonts = {};
      nodes.forEach(function (n) { if (info(n.id).geo) { map.fonts[n.id] = n.font; } });
      map.on = true;
      var placed = [];
      KG.nodes.forEach(function (d, id) {
        if (d.geo && nodes.get(id)) { placed.push({ id: id, x: d.geo[0], y: d.geo[1] }); }
      });
      nodes.update(placed);  // one update: moveNode per node stalls large pages
      clearDim();
      applyFilters();
      mapSize();
      separateParks();  // parks sharing a seat move apart, as little as their boxes need
      network.fit({ animation: false });
    } else if (mode !== "map" && map.on) {
      map.on = false;
      nodes.update(Object.keys(map.saved).map(function (key) {
        return { id: Number(key), x: map.saved[key].x, y: map.saved[key].y };
      }));
      nodes.update(Object.keys(map.fonts).map(function (key) {
        return { id: Number(key), font: map.fonts[key] || { size: 30 } };
      }));
      applyFilters();
      network.fit({ animation: false });
    }
    state.mode = map.on ? "map" : "graph";
    return state.mode;
  }

  // ------------------------------------------------------------------ prefecture markers

  var PREF_MIN_R = 45, PREF_MAX_R = 160;  // canvas units: the smallest and largest marker

  /* The prefecture markers as drawn: name, centre, radius and the measure summed over its
     parks that the map shows (KG.prefectures: [name, x, y, [park ids]], kg.views.geo). */
  function prefectureMarkers() {
    var out = (KG.prefectures || []).map(function (p) {
      var value = 0, shown = 0;
      p[3].forEach(function (id) {
        var n = nodes.get(id);
        if (n && !n.hidden) { value += mapValue(id); shown += 1; }
      });
      return { name: p[0], x: p[1], y: p[2], parks: p[3], shown: shown, value: value };
    });
    var top = 0;
    out.forEach(function (m) { top = Math.max(top, m.value); });
    out.forEach(function (m) {
      m.r = PREF_MIN_R + (PREF_MAX_R - PREF_MIN_R) * (top ? Math.sqrt(m.value / top) : 0);
    });
    return out.filter(function (m) { return m.shown > 0; });
  }

  function measureText(v) {
    if (map.measure === "investment") { return (Math.round(v * 100) / 100) + " 亿元"; }
    return String(v) + (map.measure === "platforms" ? " 平台" : " 企业");
  }

  /* The index in KG.prefectures of the marker under a canvas point (the smallest when they
     overlap), or -1. */
  function prefectureAt(x, y) {
    var best = -1, bestR = Infinity;
    prefectureMarkers().forEach(function (m) {
      var inside = Math.hypot(x - m.x, y - m.y) <= m.r;
      if (inside && m.r < bestR) {
        bestR = m.r;
        best = (KG.prefectures || []).findIndex(function (p) { return p[0] === m.name; });
      }
    });
    return best;
  }

  /* Leave the map for the graph with the parks of prefecture `k` (an index or a name)
     selected: shown even if filtered out, they and their relations at full strength, the
     rest dimmed, the view fitted to them. Returns their ids. */
  function selectPrefecture(k) {
    var all = KG.prefectures || [];
    var p = typeof k === "number" ? all[k] : all.find(function (q) { return q[0] === k; });
    if (!p) { return []; }
    var ids = p[3].slice();
    setMode("graph");
    ensure(ids);
    ids.forEach(function (id) { pinned.add(id); });
    restyleNew();
    applyFilters();
    var keepNodes = new Set(ids), keepEdges = new Set();
    ids.forEach(function (id) {
      var around = neighbours(id);
      around.nodes.forEach(function (n) { keepNodes.add(n); });
      around.edges.forEach(function (e) { keepEdges.add(e); });
    });
    dimExcept(keepNodes, keepEdges, false);
    network.selectNodes(ids, false);
    look.highlight = null;
    look.path = null;
    state.selected = { prefecture: p[0], parks: ids };
    network.fit({ nodes: ids, animation: false });
    if (network.getScale() > 0.8) { network.moveTo({ scale: 0.8 }); }  // keep some context
    return ids;
  }

  function setMeasure(measure) {
    map.measure = measure || "enterprises";
    var select = document.getElementById("kg-map-measure");
    if (select && select.value !== map.measure) { select.value = map.measure; }
    if (map.on) { mapSize(); }
  }

  network.on("beforeDrawing", function (ctx) {
    if (!map.on) { return; }
    ctx.save();
    ctx.font = "56px " + getComputedStyle(document.body).fontFamily;
    ctx.textAlign = "center";
    (KG.provinces || []).forEach(function (p) {
      ctx.fillStyle = "rgba(96, 125, 139, 0.18)";
      ctx.beginPath();
      ctx.arc(p[1], p[2], 90 + 12 * Math.sqrt(p[3]), 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = "#607d8b";
      ctx.fillText(String(p[0]), p[1], p[2] + 150 + 12 * Math.sqrt(p[3]));
    });
    // prefectures: a circle sized by the measure of their parks (their names: afterDrawing)
    ctx.lineWidth = 3;
    prefectureMarkers().forEach(function (m) {
      ctx.fillStyle = "rgba(255, 152, 0, 0.22)";
      ctx.strokeStyle = "rgba(230, 81, 0, 0.75)";
      ctx.beginPath();
      ctx.arc(m.x, m.y, m.r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
    ctx.restore();
  });

  /* A prefecture's name and sum under its marker, over the parks so that none hides it. */
  network.on("afterDrawing", function (ctx) {
    if (!map.on) { return; }
    ctx.save();
    var px = Math.max(30, 12 / network.getScale());  // names at least 12 px on screen
    ctx.font = px + "px " + getComputedStyle(document.body).fontFamily;
    ctx.textAlign = "center";
    ctx.lineWidth = px / 5;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillStyle = "#bf360c";
    prefectureMarkers().forEach(function (m) {
      var text = m.name + " " + measureText(m.value);
      ctx.strokeText(text, m.x, m.y + m.r + px);
      ctx.fillText(text, m.x, m.y + m.r + px);
    });
    ctx.restore();
  });

  // ------------------------------------------------------------------ readable overview

  /* Park boxes in canvas units: centre and half sizes, from their drawn bounding boxes. */
  function parkBoxes(ids) {
    var pos = network.getPositions(ids);
    return ids.map(function (id) {
      var b = network.getBoundingBox(id);
      return { id: id, x: pos[id].x, y: pos[id].y, w: (b.right - b.left) / 2 + BOX_GAP / 2,
               h: (b.bottom - b.top) / 2 + BOX_GAP / 2 };
    });
  }

  /* Push overlapping park boxes apart along their smaller overlap, carrying along the entities
     whose only relation is to that park. Returns the overlaps left (0 when done). */
  function separateParks() {
    var parks = nodes.getIds({ filter: function (n) { return n.group === "Park" && !n.hidden; } });
    if (parks.length < 2) { return 0; }
    network.redraw();
    var boxes = parkBoxes(parks);
    var left = 0;
    for (var round = 0; round < 200; round++) {
      left = 0;
      boxes.sort(function (p, q) { return (p.x - p.w) - (q.x - q.w); });
      for (var a = 0; a < boxes.length; a++) {
        var p = boxes[a];
        for (var b = a + 1; b < boxes.length; b++) {
          var q = boxes[b];
          if (q.x - q.w >= p.x + p.w) { break; }
          var ox = p.w + q.w - Math.abs(p.x - q.x), oy = p.h + q.h - Math.abs(p.y - q.y);
          if (ox <= 0 || oy <= 0) { continue; }
          left += 1;
          if (ox / (p.w + q.w) < oy / (p.h + q.h)) {
            var sx = (p.x <= q.x ? -1 : 1) * (ox / 2 + 0.5);
            p.x += sx; q.x -= sx;
          } else {
            var sy = (p.y <= q.y ? -1 : 1) * (oy / 2 + 0.5);
            p.y += sy; q.y -= sy;
          }
        }
      }
      if (!left) { break; }
    }
    // One DataSet update for every move: a moveNode call per node stalled the page for
    // minutes at 3,000 entities.
    var old = network.getPositions(parks);
    var leaves = [];
    var moves = new Map();
    boxes.forEach(function (box) {
      var dx = box.x - old[box.id].x, dy = box.y - old[box.id].y;
      if (!dx && !dy) { return; }
      moves.set(box.id, { id: box.id, x: box.x, y: box.y });
      adj[box.id].forEach(function (pair) {
        var o = pair[0];
        if (adj[o].length === 1 && nodes.get(o) && !moves.has(o)) { leaves.push([o, dx, dy]); }
      });
    });
    var at = network.getPositions(leaves.map(function (l) { return l[0]; }));
    leaves.forEach(function (l) {
      moves.set(l[0], { id: l[0], x: at[l[0]].x + l[1], y: at[l[0]].y + l[2] });
    });
    if (moves.size) { nodes.update(Array.from(moves.values())); }
    return left;
  }

  /* Labels of the largest parks legible at the opening zoom, no two park boxes overlapping. */
  function readable() {
    var scale = network.getScale();
    var parks = nodes.getIds({ filter: function (n) { return n.group === "Park"; } });
    parks.sort(function (a, b) { return (info(b).degree || 0) - (info(a).degree || 0) || a - b; });
    var font = Math.min(Math.max(30, LEGIBLE_PX / scale), MAX_PARK_FONT);
    var big = parks.slice(0, LEGIBLE_PARKS);
    var folded = parks.filter(function (id) { return info(id).folded; });
    folded.forEach(function (id) { info(id).name = name(id); });
    nodes.update(big.map(function (id) { return { id: id, font: { size: font } }; })
      .concat(folded.filter(function (id) { return big.indexOf(id) < 0; })
        .map(function (id) { return { id: id, label: foldLabel(id) }; }))
      .concat(big.filter(function (id) { return info(id).folded; })
        .map(function (id) { return { id: id, label: foldLabel(id), font: { size: font } }; })));
    state.overlaps = separateParks();  // the whole view stays in sight, even if labels must shrink
    state.parkFont = font;
    state.readyMs = performance.now();
    document.body.setAttribute("data-kg-ready", "1");
  }

  // ------------------------------------------------------------------ exports

  function csvCell(value) {
    var text = value === undefined || value === null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) { text = "'" + text; }  // never a spreadsheet formula
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csvRows(rows) {
    return rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  }

  /* A yyyymmdd number as an ISO date (2024-06-30). */
  function isoDay(n) {
    var t = String(n);
    return t.slice(0, 4) + "-" + t.slice(4, 6) + "-" + t.slice(6, 8);
  }

  /* A fact's times as the exports give them (as `kg export` does, kg/views/export.py): the
     values and precisions joined with "|", and the first and last day they cover. */
  function edgeTimes(e) {
    var when = e.when || [], span = e.span || [];
    var first = null, last = null;
    for (var k = 0; k + 1 < span.length; k += 2) {
      if (first === null || span[k] < first) { first = span[k]; }
      if (last === null || span[k + 1] > last) { last = span[k + 1]; }
    }
    return {
      value: when.map(function (w) { return w[0]; }).join("|"),
      precision: when.length ? when.map(function (w) { return w[1]; }).join("|") : "",
      start: first === null ? "" : isoDay(first),
      end: last === null ? "" : isoDay(last)
    };
  }

  /* A park's figures as GraphML attributes, named as `kg export` names them:
     {indicator}_{period} (value), …_unit, …_growth_pct, and `observations` (their number);
     for an indicator and period given twice, the first by value. */
  function obsAttributes(d) {
    var out = {}, seen = {};
    var rows = (d.obs || []).slice().sort(function (a, b) {
      var ka = String(a[0]) + "\u0000" + String(a[1] || ""), kb = String(b[0]) + "\u0000" + String(b[1] || "");
      if (ka !== kb) { return ka < kb ? -1 : 1; }
      if ((a[2] === null) !== (b[2] === null)) { return a[2] === null ? 1 : -1; }
      return (a[2] || 0) - (b[2] || 0);
    });
    rows.forEach(function (r) {
      var key = String(r[0] || "indicator") + (r[1] ? "_" + r[1] : "");
      if (seen[key]) { return; }
      seen[key] = true;
      if (r[2] !== null && r[2] !== undefined) {
        out[key] = ["double", r[2]];
        if (r[3]) { out[key + "_unit"] = ["string", r[3]]; }
      }
      if (r[4] !== null && r[4] !== undefined) { out[key + "_growth_pct"] = ["double", r[4]]; }
    });
    if (rows.length) { out.observations = ["long", rows.length]; }
    return out;
  }

  /* The drawn, visible subgraph as three CSV texts, keyed by IRI: nodes, edges (with the
     times of facts) and observations (the figures of the visible parks, one row each). */
  function exportCSV() {
    var ids = visibleNodes();
    var nodeRows = [["id", "label", "type", "degree", "community", "investment_yuan"]];
    var obsRows = [["park", "park_label", "indicator", "period", "value", "unit", "growth_pct",
                    "text"]];
    ids.forEach(function (id) {
      var d = info(id);
      nodeRows.push([d.iri, name(id), d.type, d.degree, d.community, d.yuan]);
      (d.obs || []).forEach(function (r) {
        obsRows.push([d.iri, name(id), r[0], r[1], r[2], r[3], r[4], r[5]]);
      });
    });
    var edgeRows = [["source", "target", "relation", "time_value", "time_precision",
                     "time_start", "time_end"]];
    visibleEdges().forEach(function (j) {
      var e = KG.edges[j], t = edgeTimes(e);
      edgeRows.push([info(e.from).iri, info(e.to).iri, e.relation, t.value, t.precision,
                     t.start, t.end]);
    });
    return { nodes: csvRows(nodeRows), edges: csvRows(edgeRows), observations: csvRows(obsRows) };
  }

  function xml(text) {
    return String(text === undefined || text === null ? "" : text)
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
  }

  /* The drawn, visible subgraph as GraphML text (node ids are IRIs): the times of facts on
     edges and the figures of parks as node attributes (obsAttributes). */
  function exportGraphML() {
    var ids = visibleNodes(), js = visibleEdges();
    var figures = {}, keys = {}, order = [];
    ids.forEach(function (id) {
      var attrs = obsAttributes(info(id));
      figures[id] = attrs;
      Object.keys(attrs).forEach(function (k) {
        if (!keys[k]) { keys[k] = "o" + order.length; order.push([k, attrs[k][0]]); }
      });
    });
    var out = ['<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
      '<key id="label" for="node" attr.name="label" attr.type="string"/>',
      '<key id="type" for="node" attr.name="type" attr.type="string"/>',
      '<key id="degree" for="node" attr.name="degree" attr.type="int"/>'];
    order.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    order.forEach(function (k) {
      out.push('<key id="' + keys[k[0]] + '" for="node" attr.name="' + xml(k[0]) +
               '" attr.type="' + k[1] + '"/>');
    });
    out.push('<key id="relation" for="edge" attr.name="relation" attr.type="string"/>');
    ["time_value", "time_precision", "time_start", "time_end"].forEach(function (k) {
      out.push('<key id="' + k + '" for="edge" attr.name="' + k + '" attr.type="string"/>');
    });
    out.push('<graph id="parks-kg" edgedefault="directed">');
    ids.forEach(function (id) {
      var d = info(id);
      var extra = order.filter(function (k) { return figures[id][k[0]]; }).map(function (k) {
        return '<data key="' + keys[k[0]] + '">' + xml(figures[id][k[0]][1]) + "</data>";
      }).join("");
      out.push('<node id="' + xml(d.iri) + '"><data key="label">' + xml(name(id)) +
               '</data><data key="type">' + xml(d.type) + '</data><data key="degree">' +
               (d.degree || 0) + "</data>" + extra + "</node>");
    });
    js.forEach(function (j) {
      var e = KG.edges[j], t = edgeTimes(e);
      var when = e.when && e.when.length ? '<data key="time_value">' + xml(t.value) +
        '</data><data key="time_precision">' + xml(t.precision) + "</data>" : "";
      if (t.start) {
        when += '<data key="time_start">' + t.start + '</data><data key="time_end">' + t.end +
                "</data>";
      }
      out.push('<edge id="e' + j + '" source="' + xml(info(e.from).iri) + '" target="' +
               xml(info(e.to).iri) + '"><data key="relation">' + xml(e.relation) + "</data>" +
               when + "</edge>");
    });
    out.push("</graph>", "</graphml>");
    return out.join("\n") + "\n";
  }

  /* The current view as a PNG data URL, on white (the canvas itself is transparent). */
  function exportPNG() {
    var canvas = document.querySelector("#mynetwork canvas");
    var copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(canvas, 0, 0);
    return copy.toDataURL("image/png");
  }

  function download(filename, href) {
    var a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function downloadText(filename, mime, text) {
    var url = URL.createObjectURL(new Blob([text], { type: mime }));
    download(filename, url);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  // ------------------------------------------------------------------ wiring

  function byId(id) { return document.getElementById(id); }

  function number(input) {
    var v = input && input.value.trim() !== "" ? Number(input.value) : null;
    return v === null || isNaN(v) ? null : v;
  }

  /* A day typed as a year (2021), a month (2021-06, 2021/6) or a date (2021-06-15) as a
     yyyymmdd number: its first day, or its last when `last` (a month's last day is taken as
     the 31st, which compares the same). null when empty, NaN when it is not a date. */
  function dayNumber(text, last) {
    var parts = String(text || "").trim().split(/\D+/).filter(Boolean);
    if (!parts.length) { return null; }
    var y = Number(parts[0]), m = parts.length > 1 ? Number(parts[1]) : null;
    var d = parts.length > 2 ? Number(parts[2]) : null;
    if (parts[0].length !== 4 || parts.length > 3 || (m !== null && (m < 1 || m > 12)) ||
        (d !== null && (d < 1 || d > 31))) { return NaN; }
    return y * 10000 + (m === null ? (last ? 12 : 1) : m) * 100 + (d === null ? (last ? 31 : 1) : d);
  }

  /* Read the date inputs: a bound that is not a date is marked invalid and ignored. */
  function readDates() {
    [["kg-date-from", "dateFrom", false], ["kg-date-to", "dateTo", true]].forEach(function (f) {
      var input = byId(f[0]);
      if (!input) { return; }
      var day = dayNumber(input.value, f[2]);
      var bad = typeof day === "number" && isNaN(day);
      input.setCustomValidity(bad ? "2021, 2021-06 or 2021-06-15" : "");
      input.classList.toggle("kg-invalid", bad);
      filters[f[1]] = bad ? null : day;
    });
    var undated = byId("kg-undated");
    filters.hideUndated = Boolean(undated && undated.checked);
  }

  /* Set the date range (texts as typed) and whether undated facts are hidden; returns how
     many entities stay visible. */
  function setDates(from, to, hideUndated) {
    if (byId("kg-date-from")) { byId("kg-date-from").value = from || ""; }
    if (byId("kg-date-to")) { byId("kg-date-to").value = to || ""; }
    if (byId("kg-undated") && hideUndated !== undefined) { byId("kg-undated").checked = Boolean(hideUndated); }
    readDates();
    return applyFilters();
  }

  ["kg-date-from", "kg-date-to", "kg-undated"].forEach(function (key) {
    var input = byId(key);
    if (input) { input.addEventListener("change", function () { readDates(); applyFilters(); }); }
  });

  document.querySelectorAll("[data-kg-class]").forEach(function (box) {
    box.addEventListener("change", function () {
      filters.classes[box.getAttribute("data-kg-class")] = box.checked;
      applyFilters();
    });
  });
  document.querySelectorAll("[data-kg-relation]").forEach(function (box) {
    box.addEventListener("change", function () {
      filters.relations[box.getAttribute("data-kg-relation")] = box.checked;
      applyFilters();
    });
  });
  var degree = byId("kg-degree");
  if (degree) {
    degree.addEventListener("input", function () {
      filters.minDegree = Number(degree.value) || 0;
      byId("kg-degree-value").textContent = String(filters.minDegree);
      applyFilters();
    });
  }
  var isolates = byId("kg-isolates");
  if (isolates) {
    isolates.addEventListener("change", function () {
      filters.hideIsolates = isolates.checked;
      applyFilters();
    });
  }
  ["kg-inv-min", "kg-inv-max"].forEach(function (key) {
    var input = byId(key);
    if (!input) { return; }
    input.addEventListener("change", function () {
      filters.invMin = number(byId("kg-inv-min"));
      filters.invMax = number(byId("kg-inv-max"));
      applyFilters();
    });
  });
  var size = byId("kg-size");
  if (size) { size.addEventListener("change", function () { setSize(size.value); }); }
  var colour = byId("kg-colour");
  if (colour) { colour.addEventListener("change", function () { setColour(colour.value); }); }
  var go = byId("kg-path-go");
  if (go) {
    go.addEventListener("click", function () { pathByName(byId("kg-path-from").value, byId("kg-path-to").value); });
    ["kg-path-from", "kg-path-to"].forEach(function (key) {
      byId(key).addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go.click(); } });
    });
  }
  var reset = byId("kg-reset");
  if (reset) {
    reset.addEventListener("click", function () {
      pinned.clear();
      document.querySelectorAll("[data-kg-class],[data-kg-relation]").forEach(function (b) { b.checked = true; });
      filters.classes = {}; filters.relations = {}; filters.minDegree = 0;
      filters.hideIsolates = false; filters.invMin = filters.invMax = null;
      if (degree) { degree.value = "0"; byId("kg-degree-value").textContent = "0"; }
      if (isolates) { isolates.checked = false; }
      ["kg-inv-min", "kg-inv-max"].forEach(function (key) { if (byId(key)) { byId(key).value = ""; } });
      if (byId("kg-undated")) { byId("kg-undated").checked = false; }
      ["kg-date-from", "kg-date-to"].forEach(function (key) { if (byId(key)) { byId(key).value = ""; } });
      readDates();
      clearDim();
      applyFilters();
      network.fit();
    });
  }
  byId("kg-export-png").addEventListener("click", function () { download("parks-kg-view.png", exportPNG()); });
  byId("kg-export-csv").addEventListener("click", function () {
    var csv = exportCSV();
    downloadText("parks-kg-nodes.csv", "text/csv;charset=utf-8", "\ufeff" + csv.nodes);
    downloadText("parks-kg-edges.csv", "text/csv;charset=utf-8", "\ufeff" + csv.edges);
    downloadText("parks-kg-observations.csv", "text/csv;charset=utf-8", "\ufeff" + csv.observations);
  });
  byId("kg-export-graphml").addEventListener("click", function () {
    downloadText("parks-kg-view.graphml", "application/graphml+xml", exportGraphML());
  });

  network.on("click", function (p) {
    if (map.on && !p.nodes.length && p.pointer && p.pointer.canvas) {
      var k = prefectureAt(p.pointer.canvas.x, p.pointer.canvas.y);
      if (k >= 0) { selectPrefecture(k); return; }
    }
    if (p.nodes.length) { highlight(p.nodes[0]); }
    else if (!p.edges.length) { clearDim(); }
  });
  network.on("doubleClick", function (p) {
    if (!p.nodes.length) { return; }
    if (map.on) { setMode("graph"); api.focus(p.nodes[0]); }  // from the map to the graph
    else { expand(p.nodes[0]); }
  });
  var mode = byId("kg-mode");
  if (mode) { mode.addEventListener("change", function () { setMode(mode.value); }); }
  var measure = byId("kg-map-measure");
  if (measure) { measure.addEventListener("change", function () { setMeasure(measure.value); }); }

  Object.assign(api, {
    ensure: ensure, reveal: reveal, applyFilters: applyFilters, visibleNodes: visibleNodes,
    visibleEdges: visibleEdges, highlight: highlight, clearDim: clearDim, expand: expand,
    shortestPath: shortestPath, showPath: showPath, pathByName: pathByName, setSize: setSize,
    setColour: setColour, setMode: setMode, setDates: setDates, inDates: inDates, setMeasure: setMeasure, separateParks: separateParks, exportCSV: exportCSV,
    prefectureMarkers: prefectureMarkers, prefectureAt: prefectureAt,
    selectPrefecture: selectPrefecture,
    exportGraphML: exportGraphML, exportPNG: exportPNG, pinned: pinned
  });
  return readable;
}
