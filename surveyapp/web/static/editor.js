// The journey editor, enhanced: the page works without this script (every button posts
// the form back); with it, a language ticked or unticked shows or hides its fields at
// once, a kind's explanation follows the choice, and the preview follows what is typed.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) { return; }

  function showLocales() {
    var ticked = {};
    form.querySelectorAll("input[data-locale]").forEach(function (box) {
      ticked[box.getAttribute("data-locale")] = box.checked;
    });
    form.querySelectorAll(".locale-field[data-locale]").forEach(function (el) {
      el.hidden = !ticked[el.getAttribute("data-locale")];
    });
  }

  // A language may have been ticked before this deferred script ran (a quick hand, a
  // slow phone): its fields follow the boxes as they are now, not only their changes.
  showLocales();

  // The explanations are in the page once, in the "what each kind means" list.
  var explanations = {};
  var terms = document.querySelectorAll(".kinds-help dt");
  var select = form.querySelector("select[id$='-kind']");
  if (select) {
    Array.prototype.forEach.call(select.options, function (option, i) {
      if (terms[i]) { explanations[option.value] = terms[i].nextElementSibling.textContent; }
    });
  }

  function explain(kind) {
    var help = document.getElementById(kind.id + "-help");
    if (help && explanations[kind.value]) { help.textContent = explanations[kind.value]; }
  }

  var lastPreview = null;
  var timer = null;
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[formtarget='preview']");
    if (button) { lastPreview = button; }
  });
  // The preview asked for before this deferred script ran (or by a page posted back) is
  // the one the frame shows: its address is that button's formaction.
  function shownPreview() {
    var frame = document.querySelector("iframe[name=preview]");
    var shown = null;
    try { shown = frame && frame.contentWindow.location.href; } catch (e) { return null; }
    var buttons = form.querySelectorAll("button[formtarget='preview']");
    for (var i = 0; i < buttons.length; i += 1) {
      if (buttons[i].formAction === shown) { return buttons[i]; }
    }
    return null;
  }
  function refreshPreview() {
    var button = lastPreview || shownPreview();
    if (button && typeof form.requestSubmit === "function") {
      form.requestSubmit(button);
    }
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 600);
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-locale]")) { showLocales(); }
    if (target.matches("select[id$='-kind']")) { explain(target); }
  });
  // As for the languages: a kind chosen before the script ran gets its explanation.
  form.querySelectorAll("select[id$='-kind']").forEach(explain);
})();
