/* report.js - script of the reprint report (hand-written; see docs/report.md).
 * Draws a cluster's picture and side-by-side comparisons from its JSON block
 * when it is opened, and searches ids and texts. Builds every element with
 * createElement and textContent: no text of the data is ever parsed as HTML. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var meta = JSON.parse(document.getElementById("meta").textContent);
  var cache = {}, drawn = {};
  var q = document.getElementById("q"), info = document.getElementById("qinfo");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function svg(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function link(href, text) { var a = el("a", null, text); a.href = "#" + href; return a; }
  function pct(x) { return x >= 1 ? 100 : Math.min(99, Math.round(x * 100)); }
  function data(n) {
    if (!(n in cache)) {
      var s = document.getElementById("data-" + n);
      cache[n] = s ? JSON.parse(s.textContent) : null;
    }
    return cache[n];
  }
  var A = meta.mode === "diff" ? "A" : "R";
  function label(i) { return i ? (meta.mode === "diff" ? "B" : String(i)) : A; }

  /* ------------------------------------------------ pictures */
  function graph(d) {
    var n = d.docs.length, size = 200, c = size / 2, r = n > 2 ? 75 : 55;
    var s = svg("svg", { width: size, height: size, viewBox: "0 0 " + size + " " + size, role: "img" });
    svg("title", {}, s).textContent = "Verified pairs of the cluster: " + d.pairs.length +
      " of " + (n * (n - 1) / 2) + " possible; thicker lines score higher";
    var pos = [];
    for (var i = 0; i < n; i++) {
      var t = -Math.PI / 2 + 2 * Math.PI * i / n;
      pos.push([c + r * Math.cos(t), c + r * Math.sin(t)]);
    }
    d.pairs.forEach(function (p) {
      var w = 1 + 5 * Math.max(0, (p[2] - meta.threshold) / (1 - meta.threshold || 1));
      var l = svg("line", { x1: pos[p[0]][0], y1: pos[p[0]][1], x2: pos[p[1]][0], y2: pos[p[1]][1],
        "class": "edge", "stroke-width": w.toFixed(1) }, s);
      svg("title", {}, l).textContent = label(p[0]) + " and " + label(p[1]) + ": score " + p[2].toFixed(2);
    });
    d.docs.forEach(function (doc, k) {
      var g = svg("g", {}, s);
      svg("title", {}, g).textContent = label(k) + ": " + doc.id;
      svg("circle", { cx: pos[k][0], cy: pos[k][1], r: 15, "class": k ? "node" : "node rep" }, g);
      svg("text", { x: pos[k][0], y: pos[k][1] + 4, "text-anchor": "middle" }, g).textContent = label(k);
    });
    return s;
  }
  function heat(d) {
    var n = Math.min(d.docs.length, 40), cell = n > 25 ? 7 : 11, off = 26, size = off + n * cell + 4;
    var s = svg("svg", { width: size, height: size, viewBox: "0 0 " + size + " " + size, role: "img" });
    svg("title", {}, s).textContent = "Heat map of the scores of the verified pairs among the first " +
      n + " articles; darker is higher, empty is no verified pair";
    var m = {};
    d.pairs.forEach(function (p) { m[p[0] + "," + p[1]] = m[p[1] + "," + p[0]] = p[2]; });
    for (var i = 0; i < n; i++) {
      if (i % 5 === 0) {
        svg("text", { x: off + i * cell, y: 12 }, s).textContent = label(i);
        svg("text", { x: 2, y: off + i * cell + cell - 1 }, s).textContent = label(i);
      }
      for (var j = 0; j < n; j++) {
        var v = m[i + "," + j], x = off + j * cell, y = off + i * cell;
        var rc = svg("rect", { x: x, y: y, width: cell - 1, height: cell - 1,
          "class": v == null ? "empty" : "cell" }, s);
        if (v != null) {
          rc.setAttribute("fill-opacity", (0.25 + 0.75 * v).toFixed(2));
          svg("title", {}, rc).textContent = label(i) + " and " + label(j) + ": score " + v.toFixed(2);
        }
      }
    }
    return s;
  }

  /* ------------------------------------------------ one text */
  var NOTE = { 1: "reader comments", 2: "page furniture" };
  function side(doc, spans, notes, id, name, other) {
    var box = el("div", "side");
    var h = el("h4");
    h.appendChild(el("span", "badge", name));
    h.appendChild(document.createTextNode(doc.id));
    box.appendChild(h);
    if (doc.text == null) { box.appendChild(el("p", "missing", "The text could not be read again.")); return box; }
    var t = doc.text, paras = doc.paras || [[0, t.length, 0]], k = 0;
    paras.forEach(function (p, i) {
      var e = el("p");
      e.id = id + (i + 1);
      if (notes[i]) e.className = notes[i] === 1 ? "comments" : "furniture";
      var pn = link(e.id, "¶" + (i + 1));
      pn.className = "pn";
      pn.setAttribute("aria-label", "paragraph " + (i + 1) + " of " + name);
      e.appendChild(pn);
      if (notes[i] && (i === 0 || notes[i - 1] !== notes[i]))
        e.appendChild(el("span", "badge", NOTE[notes[i]]));
      var at = p[0];
      while (k < spans.length && spans[k][1] <= p[0]) k++;
      for (var j = k; j < spans.length && spans[j][0] < p[1]; j++) {
        var a = Math.max(spans[j][0], p[0]), b = Math.min(spans[j][1], p[1]);
        if (a > at) e.appendChild(document.createTextNode(t.slice(at, a)));
        var m = el("mark", spans[j][2] ? "moved" : "shared", t.slice(a, b));
        m.title = spans[j][2] ? "shared with " + other + ", but moved" : "shared with " + other;
        e.appendChild(m);
        at = b;
      }
      if (at < p[1]) e.appendChild(document.createTextNode(t.slice(at, p[1])));
      box.appendChild(e);
    });
    return box;
  }

  /* ------------------------------------------------ one comparison */
  var REL = ["=", "\u2282", "\u2283", "~"];
  function range(pre, side, f, l) {
    var s = el("span");
    s.appendChild(link(pre + side.toLowerCase() + (f + 1), side + "¶" + (f + 1)));
    if (l > f) s.appendChild(document.createTextNode("-" + (l + 1)));
    return s;
  }
  function comparison(n, d, i, body) {
    var c = d.cmp[i], a = d.docs[0], b = d.docs[i], pre = "cluster-" + n + "-m" + i + "-";
    var nameA = meta.mode === "diff" ? "A" : "representative", nameB = meta.mode === "diff" ? "B" : "#" + i;
    if (!c) { body.appendChild(el("p", "missing", "No comparison: a text could not be read again.")); return; }
    var nums = el("p", "nums");
    function fig(k, v) { nums.appendChild(document.createTextNode(k + " ")); nums.appendChild(el("b", null, v)); nums.appendChild(document.createTextNode(" \u00b7 ")); }
    fig("score", c.sim[0].toFixed(2));
    fig("Jaccard", c.sim[1].toFixed(2));
    fig("contained", pct(c.sim[2]) + "% of " + nameA + " is in " + nameB + ", " + pct(c.sim[3]) + "% of " + nameB + " is in " + nameA);
    fig("shared words", c.shared + " in " + c.spans.length + " passage" + (c.spans.length === 1 ? "" : "s"));
    nums.appendChild(el("b", null, c.similar ? "near-duplicates" : "not near-duplicates"));
    body.appendChild(nums);
    var notesA = {}, notesB = {}, map = el("ul", "map");
    map.setAttribute("aria-label", "paragraph map");
    c.map.forEach(function (m) {
      var li = el("li");
      if (m[0] <= 3) {
        li.appendChild(range(pre, "A", m[1], m[1]));
        li.appendChild(document.createTextNode(" " + REL[m[0]] + " "));
        li.appendChild(range(pre, "B", m[2], m[2]));
        var sh = m[0] === 0 ? Math.min(m[3], m[4]) : m[0] === 1 ? m[4] : m[3];
        li.appendChild(document.createTextNode(" (" + pct(m[0] === 3 ? m[3] : sh) + "%" +
          (m[0] === 3 ? ", " + pct(m[4]) + "%" : "") + ")"));
        li.dataset.a = m[1]; li.dataset.b = m[2];
      } else {
        var sd = m[0] === 4 ? "A" : "B", notes = m[0] === 4 ? notesA : notesB;
        li.appendChild(range(pre, sd, m[1], m[2]));
        li.appendChild(document.createTextNode(" only in " + sd + (m[3] ? " (" + NOTE[m[3]] + ")" : "")));
        for (var p = m[1]; p <= m[2]; p++) notes[p] = m[3];
      }
      map.appendChild(li);
    });
    if (c.map.length) {
      var mh = el("p", "note", "Paragraph map (= same, \u2282 inside, \u2283 holds, ~ overlap): ");
      body.appendChild(mh);
      body.appendChild(map);
    }
    var lg = el("p", "legend");
    lg.appendChild(el("mark", "shared", "shared passage"));
    lg.appendChild(el("mark", "moved", "shared, but moved"));
    lg.appendChild(el("span", null, "unmarked: only in this text"));
    body.appendChild(lg);
    var sides = el("div", "sides");
    var sa = [], sb = [];
    c.spans.forEach(function (s) { sa.push([s[0], s[1], s[4]]); sb.push([s[2], s[3], s[4]]); });
    sb.sort(function (x, y) { return x[0] - y[0]; });
    sides.appendChild(side(a, sa, notesA, pre + "a", meta.mode === "diff" ? "A" : "R", nameB));
    sides.appendChild(side(b, sb, notesB, pre + "b", meta.mode === "diff" ? "B" : "#" + i, nameA));
    body.appendChild(sides);
    map.addEventListener("click", function (ev) {
      var li = ev.target.closest("li");
      if (!li || li.dataset.a == null) return;
      body.querySelectorAll("p.hl").forEach(function (e) { e.classList.remove("hl"); });
      [pre + "a" + (+li.dataset.a + 1), pre + "b" + (+li.dataset.b + 1)].forEach(function (id) {
        var e = document.getElementById(id);
        if (e) e.classList.add("hl");
      });
    });
  }

  /* ------------------------------------------------ one cluster */
  function members(n, d) {
    var diff = meta.mode === "diff", t = el("table", "members"), tr = el("tr"), tb = el("tbody");
    ["#", "Article", "Score", diff ? "In A" : "In representative", diff ? "A in it" : "Representative in it",
      "Jaccard"].forEach(function (h, k) {
      var th = el("th", null, h);
      th.scope = "col";
      if (k === 3) th.title = "share of this article found in " + (diff ? "A" : "the representative");
      if (k === 4) th.title = "share of " + (diff ? "A" : "the representative") + " found in this article";
      tr.appendChild(th);
    });
    t.appendChild(el("thead")).appendChild(tr);
    d.docs.forEach(function (doc, i) {
      var r = el("tr", i ? "member" : "rep");
      r.appendChild(el("td", null, label(i)));
      var id = el("td", "id");
      id.appendChild(i ? link("cluster-" + n + "-m" + i, doc.id) : document.createTextNode(doc.id));
      r.appendChild(id);
      if (!i) {
        var td = el("td", null, diff ? "the text compared with" : "representative: the likely original");
        td.colSpan = 4;
        r.appendChild(td);
      } else {
        [doc.fig[0].toFixed(2), pct(doc.fig[2]) + "%", pct(doc.fig[3]) + "%", doc.fig[1].toFixed(2)]
          .forEach(function (v) { r.appendChild(el("td", null, v)); });
      }
      tb.appendChild(r);
    });
    t.appendChild(tb);
    return t;
  }
  function draw(n) {
    if (drawn[n]) return;
    var d = data(n), box = document.getElementById("detail-" + n);
    if (!d || !box) return;
    drawn[n] = true;
    box.textContent = "";
    var top = el("div", "top");
    top.appendChild(members(n, d));
    box.appendChild(top);
    var pic = el("div", "picture");
    if (d.docs.length > 2) {
      var fg = el("figure");
      fg.appendChild(d.docs.length <= 12 ? graph(d) : heat(d));
      fg.appendChild(el("figcaption", null, d.docs.length <= 12
        ? "Verified pairs (" + d.pairs.length + "); R is the representative, numbers are the rows of the table; thicker is closer."
        : "Scores of the verified pairs (" + d.pairs.length + ")" + (d.docs.length > 40 ? ", first 40 articles." : ".")));
      pic.appendChild(fg);
    }
    if (d.related && d.related.length) {
      var rel = el("div", "related");
      rel.appendChild(el("h3", null, "Related articles"));
      var ul = el("ul");
      d.related.forEach(function (r) {
        var li = el("li");
        if (r.cluster) li.appendChild(link("cluster-" + r.cluster, r.id));
        else li.appendChild(document.createTextNode(r.id));
        if (r.score != null) li.appendChild(document.createTextNode(" (score " + (+r.score).toFixed(2) +
          (r.with ? " with " + r.with : "") + ")"));
        ul.appendChild(li);
      });
      rel.appendChild(ul);
      pic.appendChild(rel);
    }
    if (pic.firstChild) top.appendChild(pic);
    var open = d.docs.length <= 6;
    for (var i = 1; i < d.docs.length; i++) (function (i) {
      var det = el("details", "cmp");
      det.id = "cluster-" + n + "-m" + i;
      var sum = el("summary"), h = el("h3");
      h.textContent = meta.mode === "diff" ? "A and B side by side"
        : "#" + i + " " + d.docs[i].id + " against the representative";
      sum.appendChild(h);
      det.appendChild(sum);
      var body = el("div", "cmp-body");
      det.appendChild(body);
      var done = false;
      function fill() { if (!done && det.open) { done = true; comparison(n, d, i, body); } }
      det.addEventListener("toggle", fill);
      det.open = open;
      fill();
      box.appendChild(det);
    })(i);
  }

  /* ------------------------------------------------ navigation */
  function go() {
    var h = decodeURIComponent(location.hash.slice(1)), m = /^cluster-(\d+)(?:-m(\d+))?/.exec(h);
    if (/^search=/.test(h) && q) { q.value = h.slice(7); search(); return; }
    if (!m) return;
    draw(m[1]);
    if (m[2]) { var det = document.getElementById("cluster-" + m[1] + "-m" + m[2]); if (det) det.open = true; }
    var e = document.getElementById(h);
    if (e) { e.scrollIntoView(); if (e.tagName === "P") e.classList.add("hl"); }
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.open");
    if (!b) return;
    draw(b.dataset.cluster);
  });
  window.addEventListener("hashchange", go);

  var sections = Array.prototype.slice.call(document.querySelectorAll("section.cluster"));
  if (sections.length <= 10) sections.forEach(function (s) { draw(s.id.slice(8)); });

  /* ------------------------------------------------ search */
  var aloneBox = document.getElementById("alone-list");
  var aloneStatic = aloneBox && aloneBox.firstChild ? Array.prototype.slice.call(aloneBox.children) : null;
  function search() {
    var s = q.value.trim().toLowerCase(), hits = 0;
    sections.forEach(function (sec) {
      var n = sec.id.slice(8), ok = !s;
      if (!ok) {
        var d = data(n);
        ok = d && d.docs.some(function (x) { return x.id.toLowerCase().indexOf(s) >= 0; }) ||
          (s.length >= 3 && d && d.docs.some(function (x) {
            if (x.lc == null) x.lc = x.text ? x.text.toLowerCase() : "";
            return x.lc.indexOf(s) >= 0;
          }));
      }
      sec.classList.toggle("hidden", !ok);
      var row = document.getElementById("row-" + n);
      if (row) row.classList.toggle("hidden", !ok);
      if (ok) hits++;
    });
    var alone = [];
    if (aloneStatic) {
      aloneStatic.forEach(function (li) {
        var hit = !s || li.textContent.toLowerCase().indexOf(s) >= 0;
        li.classList.toggle("hidden", !hit);
        if (hit && s) alone.push(li);
      });
    } else if (aloneBox) {
      aloneBox.textContent = "";
      if (s) meta.alone.forEach(function (id) { if (id.toLowerCase().indexOf(s) >= 0) alone.push(id); });
      alone.slice(0, 500).forEach(function (id) { aloneBox.appendChild(el("li", null, id)); });
    }
    info.textContent = s ? hits + " cluster" + (hits === 1 ? "" : "s") + " and " + alone.length +
      " article" + (alone.length === 1 ? "" : "s") + " with no reprint match" : "";
  }
  var timer;
  if (q) {
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
    document.getElementById("search").addEventListener("submit", function (ev) { ev.preventDefault(); search(); });
    var all = document.getElementById("alone-all");
    if (all) all.addEventListener("click", function () {
      aloneBox.textContent = "";
      meta.alone.forEach(function (id) { aloneBox.appendChild(el("li", null, id)); });
      all.remove();
    });
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target.tagName;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape" && q && t === "INPUT") { q.value = ""; search(); q.blur(); return; }
    if (t === "INPUT" || t === "TEXTAREA") return;
    if (ev.key === "/" && q) { ev.preventDefault(); q.focus(); return; }
    if (ev.key !== "j" && ev.key !== "k") return;
    var vis = sections.filter(function (s) { return !s.classList.contains("hidden"); });
    if (!vis.length) return;
    var y = window.scrollY + 5, i;
    if (ev.key === "j") { for (i = 0; i < vis.length && vis[i].offsetTop <= y; i++); }
    else { for (i = vis.length - 1; i >= 0 && vis[i].offsetTop >= y - 10; i--); }
    var sec = vis[Math.max(0, Math.min(vis.length - 1, i))];
    sec.scrollIntoView();
    sec.querySelector("h2 a").focus({ preventScroll: true });
  });
  go();
  /* for `make bench`: milliseconds from navigation to a usable page */
  document.documentElement.setAttribute("data-ready-ms", Math.round(performance.now()));
})();
