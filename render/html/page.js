(function () {
  "use strict";
  var d = document;
  var all = function (sel, root) { return Array.prototype.slice.call((root || d).querySelectorAll(sel)); };
  d.documentElement.classList.add("js");

  // A file view's payload (JSON, gzipped, in base64) holds the HTML of its
  // site lines, its number of lines and the windows of lines around its
  // sites: the first time the view is shown, put in the site lines and lay
  // the source out around them.
  function fill(file) {
    var src = file && file.querySelector(".src[data-gz]");
    if (!src) return Promise.resolve();
    if (src.filling) return src.filling;
    var bin = atob(src.getAttribute("data-gz")), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    src.filling = new Response(stream).text().then(function (text) {
      var p = JSON.parse(text);
      src.innerHTML = p.html;
      var sites = all("details.site", src), si = 0, next = 1, frag = d.createDocumentFragment();
      function gap(from, to) {
        if (from > to) return;
        var g = frag.appendChild(d.createElement("div"));
        g.className = "gap";
        g.textContent = "⋯ " + (from === to ? "line " + from : "lines " + from + "–" + to) + " not shown";
      }
      function plain(nums, code) {
        if (!nums.length) return;
        var b = frag.appendChild(d.createElement("div")), g = b.appendChild(d.createElement("pre")), c = b.appendChild(d.createElement("pre"));
        b.className = "pl";
        g.className = "g";
        c.className = "c";
        g.textContent = nums.join("\n") + "\n";
        c.textContent = code.join("\n") + "\n";
      }
      function line(k) { return +sites[k].getAttribute("data-line"); }
      function sitesBefore(n) { while (si < sites.length && line(si) < n) frag.appendChild(sites[si++]); }
      p.w.forEach(function (w) {
        var from = w[0], lines = w[1].split("\n"), nums = [], code = [];
        sitesBefore(from);
        gap(next, from - 1);
        lines.forEach(function (l, k) {
          var n = from + k;
          if (si < sites.length && line(si) === n) {
            plain(nums, code);
            nums = [];
            code = [];
            sitesBefore(n + 1);
          } else {
            nums.push(n);
            code.push(l);
          }
        });
        plain(nums, code);
        next = from + lines.length;
      });
      if (p.w.length) gap(next, p.n);
      sitesBefore(Infinity);
      src.textContent = "";
      src.appendChild(frag);
      src.setAttribute("data-filled", "");
    });
    return src.filling;
  }

  // Show the view of the fragment's target (the overview without one), lay
  // out its file, open the <details> around the target, bring it into view.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1)), el = id && d.getElementById(id), file = null;
    var site = /^s-(\d+)$/.exec(id);
    if (!el && site) file = d.querySelector('section.file[data-sites~="' + site[1] + '"]');
    else if (el) file = el.closest("section.file");
    var view = file || (el && el.closest(".view")) || d.getElementById("overview");
    all("main > .view").forEach(function (v) { v.classList.toggle("on", v === view); });
    return fill(file).then(function () {
      el = id && d.getElementById(id);
      if (!el || el === view) {
        window.scrollTo(0, 0);
        return;
      }
      for (var p = el; p; p = p.parentElement) {
        if (p.tagName === "DETAILS") p.open = true;
      }
      var det = el.tagName === "DETAILS" ? el : el.closest("details");
      if (det) det.querySelector("summary").focus({ preventScroll: true });
      (det && det.classList.contains("site") ? det : el).scrollIntoView({ block: "start" });
    });
  }
  window.addEventListener("hashchange", reveal);
  reveal();

  // The file list sorts by a column.
  var files = d.getElementById("file-list");
  if (files) {
    all("th button[data-sort]", files).forEach(function (b) {
      b.addEventListener("click", function () {
        var th = b.parentElement, key = b.getAttribute("data-sort");
        var asc = th.getAttribute("aria-sort") !== "ascending";
        all("th", files).forEach(function (h) { if (h.hasAttribute("aria-sort")) h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = files.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (x, y) {
          var a = x.getAttribute("data-" + key), c = y.getAttribute("data-" + key);
          var r = key === "path" ? a.localeCompare(c) : parseFloat(a) - parseFloat(c);
          if (r === 0) r = x.getAttribute("data-path").localeCompare(y.getAttribute("data-path"));
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // The anchors view: filter by verdict, search as you type.
  var q = d.getElementById("q"), shown = d.getElementById("shown");
  var anchors = all("#anchor-list > details.anchor");
  var texts = anchors.map(function (a) { return a.textContent.toLowerCase(); });
  var chips = all("#verdict-filter button");
  function filter() {
    var on = {};
    chips.forEach(function (c) { if (c.getAttribute("aria-pressed") === "true") on[c.getAttribute("data-verdict")] = true; });
    var words = q ? q.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    var n = 0;
    anchors.forEach(function (a, i) {
      var show = on[a.getAttribute("data-verdict")] === true && words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      a.hidden = !show;
      if (show) n++;
    });
    if (shown) shown.textContent = n + " of " + anchors.length + " anchors shown";
  }
  chips.forEach(function (c) {
    c.addEventListener("click", function () {
      c.setAttribute("aria-pressed", c.getAttribute("aria-pressed") === "true" ? "false" : "true");
      filter();
    });
  });
  if (q) q.addEventListener("input", filter);

  // The anchor × site matrix of one file, built from its site panels.
  var short = {};
  all("#legend li").forEach(function (li) { short[li.getAttribute("data-outcome")] = li.querySelector(".cell").textContent; });
  function matrix(section) {
    var sites = all("section.sp", section), rows = [], index = {};
    sites.forEach(function (s, j) {
      all("[data-anchor][data-outcome]", s).forEach(function (ev) {
        var a = ev.getAttribute("data-anchor"), link = ev.tagName === "A" ? ev : ev.querySelector("a");
        if (!(a in index)) { index[a] = rows.length; rows.push({ anchor: a, ref: link.getAttribute("href"), cells: {} }); }
        rows[index[a]].cells[j] = ev.getAttribute("data-outcome");
      });
    });
    if (!rows.length) {
      var p = d.createElement("p");
      p.textContent = "No anchor reaches a site of this file.";
      return p;
    }
    var t = d.createElement("table"), head = t.createTHead().insertRow();
    head.appendChild(d.createElement("th")).textContent = "anchor \\ site";
    sites.forEach(function (s) {
      var th = head.appendChild(d.createElement("th")), a = th.appendChild(d.createElement("a"));
      th.className = "site";
      th.setAttribute("data-site", s.getAttribute("data-site"));
      a.href = "#" + s.id;
      a.textContent = s.getAttribute("data-label");
    });
    var body = t.createTBody();
    rows.forEach(function (r) {
      var tr = body.insertRow(), th = tr.appendChild(d.createElement("th")), a = th.appendChild(d.createElement("a"));
      tr.setAttribute("data-anchor", r.anchor);
      th.className = "anchor";
      a.href = r.ref || "#anchors";
      a.textContent = r.anchor;
      sites.forEach(function (s, j) {
        var td = tr.insertCell(), o = r.cells[j];
        td.setAttribute("data-site", s.getAttribute("data-site"));
        if (o) {
          td.setAttribute("data-outcome", o);
          var c = td.appendChild(d.createElement("span"));
          c.className = "cell o-" + o;
          c.textContent = short[o] || o;
        }
      });
    });
    return t;
  }
  all("button.matrix-btn").forEach(function (b) {
    b.addEventListener("click", function () {
      var box = d.getElementById(b.getAttribute("aria-controls")), file = b.closest("section.file");
      fill(file).then(function () {
        if (!box.firstChild) box.appendChild(matrix(file));
        box.hidden = !box.hidden;
        b.setAttribute("aria-expanded", String(!box.hidden));
      });
    });
  });

  var help = d.getElementById("help"), helpBtn = d.getElementById("help-btn");
  function toggleHelp() {
    help.hidden = !help.hidden;
    helpBtn.setAttribute("aria-expanded", String(!help.hidden));
  }
  if (helpBtn) helpBtn.addEventListener("click", toggleHelp);

  // Keys: j and k move between the items of the view on screen, Escape
  // closes, / searches the anchors, ? shows the keys.
  function move(step) {
    var view = d.querySelector("main > .view.on");
    if (!view) return;
    var sel = view.id === "anchors" ? "details.anchor:not([hidden]) > summary" : view.id === "overview" ? "#file-list tbody a" : "details.site > summary";
    var items = all(sel, view);
    if (!items.length) return;
    var i = items.indexOf(d.activeElement);
    if (i < 0) {
      i = step > 0 ? 0 : items.length - 1;
    } else {
      i = Math.max(0, Math.min(items.length - 1, i + step));
    }
    items[i].focus();
    items[i].scrollIntoView({ block: "nearest" });
  }
  d.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target, typing = t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable;
    if (e.key === "Escape") {
      if (typing) { t.blur(); return; }
      var open = t.closest && t.closest("details[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
        e.preventDefault();
      }
      return;
    }
    if (typing) return;
    if (e.key === "j" || e.key === "k") {
      move(e.key === "j" ? 1 : -1);
      e.preventDefault();
    } else if (e.key === "/" && q) {
      if (location.hash !== "#anchors") {
        history.pushState(null, "", "#anchors");
        reveal();
      }
      q.focus();
      e.preventDefault();
    } else if (e.key === "?" && help) {
      toggleHelp();
    }
  });
})();
