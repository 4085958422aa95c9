// Draws the flowcharts of a page ([data-flowchart], the Mermaid text in its <pre>) with the vendored
// Mermaid, and wires the print buttons. A file, not an inline script, for the content security policy.
//
// The policy allows no inline styles (style-src 'self'). Mermaid writes its CSS as a <style> element
// and style="" attributes into the SVG it returns; those would be refused. So the SVG is parsed apart
// from the page, its <style> text becomes a constructed stylesheet and each style attribute is set
// through the CSSOM (el.style.cssText), which the policy does not govern, before it is shown.
(function () {
  "use strict";

  function adoptCss(css) {
    if (!css || typeof CSSStyleSheet === "undefined" || !("adoptedStyleSheets" in document)) { return; }
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    } catch (e) { /* a rule the browser cannot parse: the chart stays drawn, less styled */ }
  }

  function place(holder, svgText) {
    var doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
    var svg = doc.documentElement;
    if (!svg || svg.nodeName.toLowerCase() !== "svg") { return false; }
    Array.prototype.forEach.call(svg.querySelectorAll("style"), function (s) {
      adoptCss(s.textContent);
      s.parentNode.removeChild(s);
    });
    var styled = [];
    var all = [svg].concat(Array.prototype.slice.call(svg.querySelectorAll("[style]")));
    all.forEach(function (el) {
      if (el.hasAttribute("style")) {
        styled.push([el, el.getAttribute("style")]);
        el.removeAttribute("style");
      }
    });
    var node = document.adoptNode(svg);
    node.setAttribute("role", "img");
    holder.replaceChildren(node);
    styled.forEach(function (pair) { pair[0].style.cssText = pair[1]; });
    return true;
  }

  function draw() {
    var figures = document.querySelectorAll("[data-flowchart]");
    if (!figures.length || typeof window.mermaid === "undefined") { return; }
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: "neutral",
      htmlLabels: false,
      flowchart: { htmlLabels: false, useMaxWidth: true },
      // The page's font, so that Mermaid measures the labels in the font they are shown in.
      fontFamily: window.getComputedStyle(document.body).fontFamily,
    });
    Array.prototype.forEach.call(figures, function (figure, i) {
      var source = figure.querySelector("pre.mermaid-source");
      var holder = figure.querySelector(".flowchart-svg");
      if (!source || !holder) { return; }
      window.mermaid.render("flowchart-svg-" + i, source.textContent).then(function (out) {
        if (place(holder, out.svg)) {
          figure.classList.add("drawn");
          var details = figure.querySelector("details.flowchart-source");
          if (details) { details.removeAttribute("open"); }
        }
      }).catch(function () { figure.classList.add("failed"); });
    });
  }

  function wirePrint() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wirePrint(); draw(); });
  } else {
    wirePrint();
    draw();
  }
})();
