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
  var pending = null;
  function record() {
    if (sent || document.visibilityState !== "visible") {
      return;
    }
    sent = true;
    events.forEach(function (name) { window.removeEventListener(name, record, true); });
    pending = fetch(form.getAttribute("data-presence"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin"
    }).catch(function () { return null; }).then(function () { pending = null; });
  }
  events.forEach(function (name) {
    window.addEventListener(name, record, {capture: true, passive: true});
  });
  // Sent before that POST's answer came back, the form would reach the server without
  // the cookie the answer sets (which lets the survey be finished after a one-click
  // answer): wait for it, then send the form as the person did.
  form.addEventListener("submit", function (event) {
    if (!pending) {
      return;
    }
    event.preventDefault();
    var waiting = pending;
    var submitter = event.submitter;
    pending = null;
    waiting.then(function () {
      if (form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else {
        form.submit();
      }
    });
  });
}());
