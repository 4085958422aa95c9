// Starts Swagger UI on /api/docs from the vendored bundle (static/vendor/swagger-ui); a file, not an
// inline script, so that the content security policy ('self' only) allows it.
(function () {
  "use strict";
  var data = document.body.dataset;
  window.SwaggerUIBundle({
    url: data.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // No call to the public validator service: nothing leaves the intranet.
    validatorUrl: null,
    requestInterceptor: function (req) {
      // "Try it out" with the browser session: the session's CSRF token, as the API requires.
      if (data.csrfToken) {
        req.headers["X-CSRFToken"] = data.csrfToken;
      }
      return req;
    },
  });
})();
