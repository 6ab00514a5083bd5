/* parks-kg graph view: search box, details panel and tooltips over a vis-network Network.
 *
 * kg.views writes the page's data as JSON into <script id="kg-data" type="application/json">
 * and calls kgInit(network, nodes, edges) right after the Network is created. Text from the
 * corpus enters the DOM only through textContent and createTextNode, never as HTML, so a name
 * such as "<script>" shows as text. Tests and notebooks reach the view through window.kg.
 */
"use strict";

function kgInit(network, nodes, edges) {
  var KG = JSON.parse(document.getElementById("kg-data").textContent);
  var container = document.getElementById("mynetwork");
  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  var tip = document.getElementById("kg-tip");
  var search = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  var state = { firstDrawMs: null, focused: null, moving: false, shown: null, matches: [], active: -1 };
  var mouse = { x: 0, y: 0 };
  var EVIDENCE_IN_PANEL = 50;
  var EVIDENCE_IN_TIP = 3;
  var NEIGHBOURS_IN_PANEL = 40;
  var TIP_CHARS = 120;

  window.kg = {
    network: network, nodes: nodes, edges: edges, data: KG, state: state,
    find: find, focus: focus, showNode: showNode, showEdge: showEdge
  };

  var ready = null;  // the explorer's first-draw step (explore.js), set at the end of kgInit

  network.once("afterDrawing", function () {
    state.firstDrawMs = performance.now();
    document.body.setAttribute("data-kg-drawn", "1");
    if (ready) { ready(); }
    if (KG.focus && KG.focus.length) {
      network.selectNodes(KG.focus);
      showNode(KG.focus[0]);
    }
  });

  // ------------------------------------------------------------------ building blocks

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function field(key, value) {
    var div = el("div", "kg-field");
    div.appendChild(el("span", "kg-key", key));
    div.appendChild(document.createTextNode(" "));
    div.appendChild(typeof value === "string" ? el("span", "kg-val", value) : value);
    return div;
  }

  function clip(text, n) {
    text = String(text).replace(/\s+/g, " ").trim();
    return text.length <= n ? text : text.slice(0, n - 1) + "…";
  }

  function info(id) { return KG.nodes[id] || {}; }

  function label(id) {
    var n = nodes.get(id);
    return info(id).name || (n ? String(n.label) : String(id));
  }

  function className(type) {
    var c = KG.classes[type];
    return c ? type + " " + c[0] : String(type || "?");
  }

  function entityButton(id) {
    var b = el("button", "kg-link", label(id));
    b.type = "button";
    b.title = className(info(id).type);
    b.addEventListener("click", function () { focus(id); });
    return b;
  }

  function evidenceBox(indices, limit) {
    var box = el("div", "kg-evidence");
    box.appendChild(el("div", "kg-section", "证据 Evidence (" + indices.length + ")"));
    var list = el("ol");
    indices.slice(0, limit).forEach(function (i) {
      var s = KG.sentences[i];
      var doc = KG.docs[s[0]];
      var item = el("li");
      item.appendChild(el("span", "kg-doc", "[" + doc[0] + "]"));
      item.appendChild(document.createTextNode(" " + s[1]));
      var rules = s[2] ? (s[2].indexOf(", ") >= 0 ? "rules " : "rule ") + s[2] : "";
      var source = [doc[1] ? "《" + doc[1] + "》" : "", doc[3] ? "发布 Published " + doc[3] : "",
                    doc[2], rules];
      item.appendChild(el("div", "kg-source", "来源 Source: " + source.filter(Boolean).join(" · ")));
      list.appendChild(item);
    });
    box.appendChild(list);
    if (indices.length > limit) {
      box.appendChild(el("div", "kg-more", "… 另有 " + (indices.length - limit) + " 条 / more"));
    }
    return box;
  }

  // ------------------------------------------------------------------ details panel

  function openPanel(children) {
    panelBody.replaceChildren.apply(panelBody, children);
    panel.hidden = false;
    panel.scrollTop = 0;
  }

  function closePanel() {
    panel.hidden = true;
    state.shown = null;
  }

  function showNode(id) {
    if (!nodes.get(id)) { return false; }
    var d = info(id);
    var parts = [el("h2", "kg-name", label(id))];
    parts.push(field("类型 Class", className(d.type) + (d.kind ? " (" + d.kind + ")" : "")));
    if (d.aliases && d.aliases.length) {
      parts.push(field("别名 Aliases", d.aliases.join("、")));
    }
    if (d.wikidata) {
      var a = el("a", "kg-wikidata", d.wikidata);
      a.href = KG.wikidataBase + d.wikidata;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parts.push(field("Wikidata", a));
    }
    (d.amounts || []).forEach(function (amount) { parts.push(field("投资额 Amount", amount)); });
    (d.times || []).forEach(function (t) { parts.push(field("时间 Time", t)); });
    if (d.totals) {
      Object.keys(d.totals).forEach(function (k) { parts.push(field(k, d.totals[k])); });
    }
    parts.push(field("提及 Mentions", String(d.mentions || 0)));
    if (d.indicators && d.indicators.length) { parts.push(indicatorBox(d.indicators)); }
    parts.push(relationsBox(id));
    parts.push(evidenceBox(d.evidence || [], EVIDENCE_IN_PANEL));
    parts.push(el("div", "kg-iri", d.iri || ""));
    openPanel(parts);
    state.shown = { node: id };
    return true;
  }

  // A park's figures (issue 16): one line each, by indicator and period.
  function indicatorBox(lines) {
    var box = el("div", "kg-indicators");
    box.appendChild(el("div", "kg-section", "指标 Indicators (" + lines.length + ")"));
    lines.forEach(function (line) { box.appendChild(el("div", "kg-indicator", line)); });
    return box;
  }

  function relationsBox(id) {
    var groups = {};
    var order = [];
    network.getConnectedEdges(id).forEach(function (eid) {
      var e = edges.get(eid);
      if (!e) { return; }
      var out = e.from === id;
      var key = (out ? "→ " : "← ") + (KG.edges[eid] || {}).relation;
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(out ? e.to : e.from);
    });
    var box = el("div", "kg-relations");
    box.appendChild(el("div", "kg-section", "关系 Relations (" + network.getConnectedEdges(id).length + ")"));
    order.sort().forEach(function (key) {
      var line = el("div", "kg-rel");
      line.appendChild(el("span", "kg-key", key + " (" + groups[key].length + ")"));
      groups[key].slice(0, NEIGHBOURS_IN_PANEL).forEach(function (other) {
        line.appendChild(entityButton(other));
      });
      if (groups[key].length > NEIGHBOURS_IN_PANEL) {
        line.appendChild(el("span", "kg-more", "… +" + (groups[key].length - NEIGHBOURS_IN_PANEL)));
      }
      box.appendChild(line);
    });
    return box;
  }

  function showEdge(eid) {
    var e = edges.get(eid);
    if (!e) { return false; }
    var d = KG.edges[eid] || {};
    var ends = el("div", "kg-ends");
    ends.appendChild(entityButton(e.from));
    ends.appendChild(el("span", "kg-arrow", " → "));
    ends.appendChild(entityButton(e.to));
    var parts = [el("h2", "kg-name", "关系 Relation: " + d.relation), ends];
    (d.times || []).forEach(function (t) { parts.push(field("时间 Time", t)); });
    parts.push(evidenceBox(d.evidence || [], EVIDENCE_IN_PANEL));
    openPanel(parts);
    state.shown = { edge: eid };
    return true;
  }

  network.on("click", function (p) {
    if (p.nodes.length) { showNode(p.nodes[0]); }
    else if (p.edges.length) { showEdge(p.edges[0]); }
    else { closePanel(); }
  });
  document.getElementById("kg-panel-close").addEventListener("click", closePanel);

  // ------------------------------------------------------------------ tooltips

  container.addEventListener("mousemove", function (ev) { mouse.x = ev.clientX; mouse.y = ev.clientY; });

  function showTip(children, pointer) {
    tip.replaceChildren.apply(tip, children);
    tip.hidden = false;
    var x = mouse.x, y = mouse.y;
    if (pointer && pointer.DOM) {
      var box = container.getBoundingClientRect();
      x = box.left + pointer.DOM.x;
      y = box.top + pointer.DOM.y;
    }
    var w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.max(4, Math.min(x + 14, window.innerWidth - w - 8)) + "px";
    tip.style.top = Math.max(4, Math.min(y + 14, window.innerHeight - h - 8)) + "px";
  }

  function hideTip() { tip.hidden = true; }

  function nodeTip(id) {
    var d = info(id);
    var parts = [el("div", "kg-tip-title", label(id)), el("div", "kg-tip-line", className(d.type))];
    if (d.amounts && d.amounts.length) { parts.push(el("div", "kg-tip-line", d.amounts[0])); }
    if (d.aliases && d.aliases.length) {
      parts.push(el("div", "kg-tip-line", "别名 " + d.aliases.slice(0, 3).join("、") +
                    (d.aliases.length > 3 ? "…" : "")));
    }
    if (d.wikidata) { parts.push(el("div", "kg-tip-line", "Wikidata " + d.wikidata)); }
    parts.push(el("div", "kg-tip-hint", (d.evidence || []).length + " 条证据 · 点击查看 click for details"));
    return parts;
  }

  function edgeTip(eid) {
    var e = edges.get(eid);
    var d = KG.edges[eid] || {};
    var parts = [el("div", "kg-tip-title", d.relation + ": " + label(e.from) + " → " + label(e.to))];
    var ev = d.evidence || [];
    ev.slice(0, EVIDENCE_IN_TIP).forEach(function (i) {
      var s = KG.sentences[i];
      parts.push(el("div", "kg-tip-line", "• [" + KG.docs[s[0]][0] + "] " + clip(s[1], TIP_CHARS)));
    });
    if (ev.length > EVIDENCE_IN_TIP) {
      parts.push(el("div", "kg-tip-hint", "… 另有 " + (ev.length - EVIDENCE_IN_TIP) + " 条 / more"));
    }
    return parts;
  }

  network.on("hoverNode", function (p) { showTip(nodeTip(p.node), p.pointer); });
  network.on("hoverEdge", function (p) { if (edges.get(p.edge)) { showTip(edgeTip(p.edge), p.pointer); } });
  ["blurNode", "blurEdge", "dragStart", "zoom"].forEach(function (name) { network.on(name, hideTip); });

  // ------------------------------------------------------------------ search

  function norm(text) { return String(text).normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }

  var index = [];
  var byIri = new Map();
  KG.nodes.forEach(function (d, id) {  // every entity of the view, drawn or folded
    if (d.iri) { byIri.set(d.iri, id); }
    index.push({ id: id, key: norm(label(id)), text: label(id), alias: false });
    (d.aliases || []).forEach(function (a) {
      index.push({ id: id, key: norm(a), text: a, alias: true });
    });
  });

  // Best matches first: exact name, exact alias, name prefix, alias prefix, then substrings.
  function find(query, limit) {
    var q = norm(query);
    if (!q) { return []; }
    var best = new Map();
    if (byIri.has(String(query).trim())) {
      var hit = byIri.get(String(query).trim());
      best.set(hit, { id: hit, score: -1, text: String(query).trim(), alias: false });
    }
    index.forEach(function (item) {
      var at = item.key.indexOf(q);
      if (at < 0) { return; }
      var score = (item.key === q ? 0 : at === 0 ? 2 : 4) + (item.alias ? 1 : 0);
      var seen = best.get(item.id);
      if (!seen || score < seen.score) { best.set(item.id, { id: item.id, score: score, text: item.text, alias: item.alias }); }
    });
    var found = Array.from(best.values());
    found.sort(function (a, b) {
      return a.score - b.score || label(a.id).length - label(b.id).length ||
        (label(a.id) < label(b.id) ? -1 : label(a.id) > label(b.id) ? 1 : 0);
    });
    return found.slice(0, limit || 10);
  }

  function focus(id) {
    if (window.kg.reveal) { window.kg.reveal(id); }
    if (!nodes.get(id)) { return false; }
    hideTip();
    network.selectNodes([id]);
    showNode(id);
    // Centre the node in the part of the canvas that the details panel leaves free.
    state.moving = true;
    network.once("animationFinished", function () { state.moving = false; });
    network.focus(id, {
      scale: Math.max(network.getScale(), 1.2),
      offset: { x: -(panel.offsetWidth + 12) / 2, y: 0 },
      animation: { duration: 400, easingFunction: "easeInOutQuad" }
    });
    state.focused = id;
    return true;
  }

  function listMatches() {
    state.matches = find(search.value, 10);
    state.active = state.matches.length ? 0 : -1;
    results.replaceChildren();
    if (!search.value.trim()) { results.hidden = true; return; }
    if (!state.matches.length) {
      results.appendChild(el("li", "kg-none", "无匹配 No match"));
    }
    state.matches.forEach(function (m, i) {
      var li = el("li", i === state.active ? "kg-active" : "");
      li.appendChild(el("span", "kg-hit", label(m.id)));
      li.appendChild(el("span", "kg-hit-class", " " + className(info(m.id).type)));
      if (m.alias) { li.appendChild(el("span", "kg-hit-alias", " 别名 " + m.text)); }
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
      results.appendChild(li);
    });
    results.hidden = false;
  }

  function choose(i) {
    var m = state.matches[i];
    if (!m) { return; }
    results.hidden = true;
    focus(m.id);
  }

  function highlight(step) {
    if (!state.matches.length) { return; }
    state.active = (state.active + step + state.matches.length) % state.matches.length;
    Array.prototype.forEach.call(results.children, function (li, i) {
      li.className = i === state.active ? "kg-active" : "";
    });
  }

  search.addEventListener("input", listMatches);
  search.addEventListener("focus", function () { if (search.value.trim()) { listMatches(); } });
  search.addEventListener("blur", function () { results.hidden = true; });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      if (!state.matches.length) { listMatches(); }
      choose(Math.max(state.active, 0));
    } else if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(-1); }
    else if (ev.key === "Escape") { results.hidden = true; search.blur(); }
  });

  if (typeof kgExplore === "function") { ready = kgExplore(network, nodes, edges, KG, window.kg); }
}
