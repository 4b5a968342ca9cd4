// Keyboard shortcuts and small conveniences; every action also works without JavaScript.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function highlight(group) {
    document.querySelectorAll("mark.ev.active").forEach(function (m) { m.classList.remove("active"); });
    document.querySelectorAll("mark.ev").forEach(function (m) {
      if ((m.dataset.fields || "").split(" ").indexOf(group) >= 0) { m.classList.add("active"); }
    });
  }
  // Selecting a field scrolls to its evidence and highlights every span of it.
  document.querySelectorAll("a[data-field]").forEach(function (a) {
    a.addEventListener("click", function () { highlight(a.dataset.field); });
  });
  var item = document.querySelector("section.item");
  if (item) {
    var fieldName = (item.querySelector(".field-name") || {}).textContent;
    if (fieldName) {
      var group = fieldName === "foreigners_found" ? "foreigners" : fieldName;
      highlight(group);
      var first = document.querySelector("mark.ev.active");
      if (first) { first.scrollIntoView({block: "center"}); }
    }
  }
  // Pickers: fill datalists from the gazetteers.
  document.querySelectorAll("datalist[data-src]").forEach(function (dl) {
    fetch(dl.dataset.src, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (items) {
      items.forEach(function (it) {
        var o = document.createElement("option");
        o.value = it.value; o.label = it.label; dl.appendChild(o);
      });
    }).catch(function () {});
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var t = ev.target;
    if (typing(t)) {
      if (ev.key === "Escape") { t.blur(); }
      return;  // Enter inside the edit form submits it natively: save and go to the next item
    }
    if (!item) { return; }
    var go = function (url) { if (url) { window.location.href = url; } };
    if (ev.key === "j") { go(item.dataset.next); ev.preventDefault(); }
    else if (ev.key === "k") { go(item.dataset.prev); ev.preventDefault(); }
    else if (ev.key === "a") { var b = document.getElementById("accept-btn"); if (b) { b.click(); ev.preventDefault(); } }
    else if (ev.key === "e") {
      var v = document.getElementById("value");
      if (v) { v.focus(); if (v.select) { v.select(); } ev.preventDefault(); }
    }
    else if (ev.key === "Enter") { var s = document.getElementById("save-btn"); if (s) { s.click(); ev.preventDefault(); } }
  });
})();
