// The email's one-click answer is preselected on this page; a GET never records it,
// because mail security scanners open every link. Once a person is really here (the page
// is visible and they move, touch, scroll or type), record it at once, so that the
// click counts even if they close the page without pressing the button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-first-answer]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var events = ["pointermove", "pointerdown", "touchstart", "keydown", "scroll", "wheel"];
  var sent = false;
  function record() {
    if (sent || document.visibilityState !== "visible") {
      return;
    }
    sent = true;
    events.forEach(function (name) { window.removeEventListener(name, record, true); });
    fetch(form.getAttribute("data-first-answer"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin"
    });
  }
  events.forEach(function (name) {
    window.addEventListener(name, record, {capture: true, passive: true});
  });
}());
