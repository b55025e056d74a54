// kaohe report: the language switch, the sortable and filterable ranking table, CSV of the bar charts.
// No library and no network: everything this file needs is in the page.
(function () {
  "use strict";
  var root = document.documentElement;

  function setLanguage(lang) {
    var nodes = document.querySelectorAll("[data-en]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (!node.hasAttribute("data-zh")) node.setAttribute("data-zh", node.textContent);
      node.textContent = node.getAttribute(lang === "en" ? "data-en" : "data-zh");
    }
    var inputs = document.querySelectorAll("[data-placeholder-en]");
    for (var j = 0; j < inputs.length; j++) {
      inputs[j].placeholder = inputs[j].getAttribute("data-placeholder-" + lang);
    }
    root.lang = lang === "en" ? "en" : "zh-CN";
    root.setAttribute("data-lang", lang);
  }

  function cellValue(row, column) {
    var cell = row.cells[column];
    var text = cell ? (cell.getAttribute("data-v") || cell.textContent).trim() : "";
    var number = text === "" || text === "—" ? NaN : Number(text);
    return { text: text, number: number };
  }

  function sortBy(table, column, header) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) { var v = cellValue(r, column); return v.text === "" || v.text === "—" || !isNaN(v.number); });
    var before = header.getAttribute("aria-sort");
    var descending = before ? before === "ascending" : numeric;  // numbers: largest first on the first click
    var heads = table.tHead.rows[0].cells;
    for (var k = 0; k < heads.length; k++) heads[k].removeAttribute("aria-sort");
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var keyed = rows.map(function (r, i) { return { row: r, value: cellValue(r, column), index: i }; });
    keyed.sort(function (a, b) {
      var order;
      if (numeric) {
        var an = a.value.number, bn = b.value.number;
        if (isNaN(an) || isNaN(bn)) return isNaN(an) === isNaN(bn) ? a.index - b.index : (isNaN(an) ? 1 : -1);
        order = an - bn;
      } else {
        order = a.value.text.localeCompare(b.value.text, "zh-CN");
      }
      if (descending) order = -order;
      return order || a.index - b.index;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (k) { fragment.appendChild(k.row); });
    body.appendChild(fragment);
  }

  function filterRows(table, query) {
    var words = query.trim().toLowerCase();
    var rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var show = !words || rows[i].textContent.toLowerCase().indexOf(words) >= 0;
      rows[i].className = show ? "" : "hidden";
    }
  }

  function barsCsv(link) {
    var svg = link.parentNode.querySelector("svg.bars");
    var lines = ["\ufeffindicator,score,full"];
    var bars = svg ? svg.querySelectorAll("rect.bar") : [];
    for (var i = 0; i < bars.length; i++) {
      var text = bars[i].previousElementSibling;  // the label before each bar, whole in data-label when shortened
      var label = (bars[i].getAttribute("data-label") || (text ? text.textContent : "")).replace(/"/g, '""');
      lines.push('"' + label + '",' + bars[i].getAttribute("data-score").replace("—", "") + "," +
                 bars[i].getAttribute("data-full").replace("—", ""));
    }
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    link.href = URL.createObjectURL(blob);
  }

  // A large report carries its subject sections deflated (page.py _packed_subjects): unpacked once, on demand.
  var packed = null;
  function unpack() {
    if (packed) return packed;
    var node = document.getElementById("packed-sections");
    var text = atob(node.textContent.trim());
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    packed = new Response(stream).text().then(function (json) {
      var pairs = JSON.parse(json), map = {};
      pairs.forEach(function (pair) { map[pair[0]] = pair[1]; });
      return { order: pairs.map(function (pair) { return pair[0]; }), html: map };
    });
    return packed;
  }

  function place(id, html) {
    if (document.getElementById("s-" + id)) return;
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var section = holder.firstChild;
    document.getElementById("subjects").appendChild(section);
    if (root.getAttribute("data-lang") === "en") setLanguage("en");
  }

  function showSubject(id) {
    if (!document.getElementById("packed-sections") || document.getElementById("s-" + id)) return Promise.resolve();
    return unpack().then(function (sections) {
      if (sections.html[id] === undefined) return;
      place(id, sections.html[id]);
      document.getElementById("s-" + id).scrollIntoView();
    });
  }

  function showAll() {
    return unpack().then(function (sections) {
      sections.order.forEach(function (id) { place(id, sections.html[id]); });
    });
  }

  function fromHash() {
    var hash = decodeURIComponent(location.hash || "");
    if (hash.indexOf("#s-") === 0) showSubject(hash.slice(3));
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("packed-sections")) {
      window.addEventListener("hashchange", fromHash);
      fromHash();
      var all = document.getElementById("show-all");
      if (all) all.addEventListener("click", showAll);
    }
    var button = document.getElementById("lang");
    if (button) button.addEventListener("click", function () {
      setLanguage(root.getAttribute("data-lang") === "en" ? "zh" : "en");
    });
    if (root.getAttribute("data-lang") === "en") setLanguage("en");
    var table = document.getElementById("ranking");
    if (table) {
      var heads = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(heads, function (header, column) {
        header.addEventListener("click", function () { sortBy(table, column, header); });
      });
      var box = document.getElementById("filter");
      if (box) box.addEventListener("input", function () { filterRows(table, box.value); });
    }
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (target && target.classList && target.classList.contains("csv-bars")) barsCsv(target);
    });
  });
})();
