/* itsmctl catalog site: search over assets/search-index.js, loaded on first use.
   Works from file:// (a script, not fetch); every text is set with textContent. */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var waiting = [];
  var loading = false;

  function withIndex(callback) {
    if (window.ITSMCTL_SEARCH) { callback(window.ITSMCTL_SEARCH); return; }
    waiting.push(callback);
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = root + "assets/search-index.js";
    script.onload = function () {
      var index = window.ITSMCTL_SEARCH || [];
      for (var i = 0; i < index.length; i++) {
        var e = index[i];
        e.h = (e.n + " " + e.t + " " + e.d + " " + e.x + " " + e.k).toLowerCase();
        e.nl = e.n.toLowerCase();
        e.tl = e.t.toLowerCase();
      }
      var calls = waiting; waiting = [];
      calls.forEach(function (c) { c(index); });
    };
    document.head.appendChild(script);
  }

  function rank(entry, words) {
    var score = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (entry.h.indexOf(w) < 0) { return -1; }
      if (entry.nl === w) { score += 0; }
      else if (entry.nl.indexOf(w) === 0) { score += 1; }
      else if (entry.tl.indexOf(w) >= 0) { score += 2; }
      else if (entry.nl.indexOf(w) >= 0) { score += 3; }
      else { score += 5; }
    }
    return score + (entry.k === "service" ? 0 : 1);
  }

  function search(index, text, limit) {
    var words = text.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { return []; }
    var found = [];
    for (var i = 0; i < index.length; i++) {
      var s = rank(index[i], words);
      if (s >= 0) { found.push([s, index[i]]); }
    }
    found.sort(function (a, b) { return a[0] - b[0] || (a[1].n < b[1].n ? -1 : a[1].n > b[1].n ? 1 : 0); });
    return found.slice(0, limit).map(function (f) { return f[1]; });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function show(list, entries, text) {
    list.textContent = "";
    if (!entries.length) {
      list.appendChild(el("li", "none", "Nothing matches \u201c" + text + "\u201d."));
    }
    entries.forEach(function (e) {
      var item = el("li");
      var a = el("a");
      a.href = root + e.u;
      a.appendChild(el("span", "rk", e.k));
      a.appendChild(el("b", "", e.t));
      a.appendChild(el("span", "rn", e.n));
      if (e.d) { a.appendChild(el("span", "rd", e.d)); }
      item.appendChild(a);
      list.appendChild(item);
    });
    list.hidden = false;
  }

  function bind(input) {
    var list = input.parentNode.querySelector(".results");
    var current = -1;
    function links() { return list.querySelectorAll("a"); }
    function mark(i) {
      var all = links();
      for (var k = 0; k < all.length; k++) { all[k].classList.toggle("on", k === i); }
      current = i;
    }
    function run() {
      var text = input.value.trim();
      if (!text) { list.hidden = true; list.textContent = ""; return; }
      withIndex(function (index) {
        if (input.value.trim() !== text) { return; }
        show(list, search(index, text, 12), text);
        mark(-1);
      });
    }
    input.addEventListener("input", run);
    input.addEventListener("focus", function () { withIndex(function () {}); if (input.value.trim()) { run(); } });
    input.addEventListener("keydown", function (event) {
      var all = links();
      if (event.key === "ArrowDown" && all.length) { mark(Math.min(current + 1, all.length - 1)); event.preventDefault(); }
      else if (event.key === "ArrowUp" && all.length) { mark(Math.max(current - 1, 0)); event.preventDefault(); }
      else if (event.key === "Enter" && all.length) { (all[current >= 0 ? current : 0]).click(); event.preventDefault(); }
      else if (event.key === "Escape") { list.hidden = true; input.blur(); }
    });
    document.addEventListener("click", function (event) {
      if (!input.parentNode.contains(event.target)) { list.hidden = true; }
    });
  }

  var inputs = document.querySelectorAll("input[data-search]");
  for (var i = 0; i < inputs.length; i++) { bind(inputs[i]); }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "/" && !(target instanceof HTMLInputElement) && inputs.length) {
      inputs[inputs.length > 1 ? 1 : 0].focus();
      event.preventDefault();
    }
  });
  window.itsmctlSearch = function (text) {
    return new Promise(function (resolve) { withIndex(function (index) { resolve(search(index, text, 12)); }); });
  };
}());
