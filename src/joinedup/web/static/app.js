// Workbench behaviour with no inline script (the CSP forbids it): every htmx request
// carries the CSRF token from <body data-csrf>, and small page helpers hook in by id.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.body.dataset.csrf;
    if (token) { event.detail.headers["X-CSRF-Token"] = token; }
  });
})();
