// A personal survey link says when a person is really here: mail security scanners
// open every link, so a GET never counts. Once the page is visible and someone moves,
// touches, scrolls or types, one POST tells the server: that the invitation was opened,
// or, when the email's one-click answer is preselected, that answer itself, so that the
// click counts even if they close the page without pressing the button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-presence]");
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
    fetch(form.getAttribute("data-presence"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin"
    });
  }
  events.forEach(function (name) {
    window.addEventListener(name, record, {capture: true, passive: true});
  });
}());
