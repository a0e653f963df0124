// Draws the OpenAPI document named by #api-reference[data-spec] with Swagger UI, served by
// this app (vendor/swagger-ui-dist). Nothing leaves this server: the online validator
// Swagger UI calls by default is turned off. What Swagger UI draws without a name or a
// way in for the keyboard gets one here, as it is drawn (sections open on demand).
(function () {
  "use strict";
  function nameControls(root, words) {
    root.querySelectorAll("select, input, textarea").forEach(function (field) {
      if (field.id === "servers") {
        field.setAttribute("aria-label", words.server); // its label element holds no text
        return;
      }
      if (field.getAttribute("aria-label") || (field.labels && field.labels.length)) {
        return;
      }
      var row = field.closest("[data-param-name]");
      var name = row ? row.getAttribute("data-param-name") : field.tagName === "TEXTAREA" && words.body;
      if (name) {
        field.setAttribute("aria-label", name);
      }
    });
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", words.close); // an icon alone
    });
    // A spoken name must contain the visible one ("Apply credentials" on "Authorize").
    root.querySelectorAll("button[aria-label]").forEach(function (button) {
      var shown = button.textContent.trim();
      if (shown && button.getAttribute("aria-label").indexOf(shown) === -1) {
        button.removeAttribute("aria-label");
      }
    });
    // Examples scroll sideways: the keyboard must reach them too.
    root.querySelectorAll("pre.microlight:not([tabindex])").forEach(function (example) {
      example.setAttribute("tabindex", "0");
    });
  }
  function draw() {
    var target = document.getElementById("api-reference");
    if (!target || !window.SwaggerUIBundle) {
      return;
    }
    var words = {
      server: target.getAttribute("data-server"),
      body: target.getAttribute("data-body"),
      close: target.getAttribute("data-close")
    };
    window.SwaggerUIBundle({
      url: target.getAttribute("data-spec"),
      domNode: target,
      validatorUrl: null,
      deepLinking: false,
      defaultModelsExpandDepth: 0,
      tryItOutEnabled: false,
      onComplete: function () {
        var fallback = document.getElementById("api-reference-fallback");
        if (fallback) {
          fallback.parentNode.removeChild(fallback);
        }
        nameControls(target, words);
        new MutationObserver(function () {
          nameControls(target, words);
        }).observe(target, { childList: true, subtree: true });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
