// Reviewers' keys on any page with rows (the inbox): j next, k previous, r relevant,
// n not relevant, c open a case, o or Enter open the publication. On a publication page the
// same r / n / c press its buttons. Nothing happens while typing in a field.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.row")); }
  function current() { return document.querySelector("tr.row.selected"); }
  function select(row) {
    var old = current();
    if (old) { old.classList.remove("selected"); }
    if (row) { row.classList.add("selected"); row.scrollIntoView({block: "nearest"}); }
  }
  function move(step) {
    var all = rows(), at = all.indexOf(current());
    var next = all[Math.min(all.length - 1, Math.max(0, at + step))];
    if (next) { select(next); }
  }
  function press(key) {
    var scope = current() || document.querySelector("[data-keys-here]");
    var button = scope && scope.querySelector("[data-key='" + key + "']");
    if (button) { button.click(); }
  }
  function open() {
    var link = current() && current().querySelector("a.open");
    if (link) { window.location.href = link.href; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var all = rows();
    if (!all.length) { return; }
    var wanted = window.location.hash.match(/^#row-(\d+)$/);
    var index = wanted ? Math.min(all.length - 1, parseInt(wanted[1], 10)) : 0;
    select(all[index]);
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var actions = {j: function () { move(1); }, k: function () { move(-1); },
                   r: function () { press("r"); }, n: function () { press("n"); }, c: function () { press("c"); },
                   o: open, Enter: open};
    var action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });
}());
