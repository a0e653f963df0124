// A job's page: the bar and its words follow the job without reloading the page, which
// reloads once when the job has finished (to show its file, or why it failed). Without
// this script the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) {
    return;
  }
  var bar = document.getElementById("job-bar");
  var text = document.getElementById("job-text");
  var state = document.querySelector("#job-state strong");
  function poll() {
    fetch(box.getAttribute("data-progress-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
        if (state && state.textContent !== job.state_label) {
          state.textContent = job.state_label;
        }
        if (bar && job.percent !== null) {
          bar.value = job.percent;
        }
        if (text && job.total !== null) {
          text.textContent = job.counted;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
