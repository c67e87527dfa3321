// Draws every chart of the dashboard from its JSON specification (made on the server, see
// analysis/charts.py), on the first load and whenever htmx puts new results into the page.
// Without JavaScript the tables beside the charts carry the same figures.
(function () {
  "use strict";

  function draw(root) {
    var boxes = root.querySelectorAll ? root.querySelectorAll("[data-chart]") : [];
    Array.prototype.forEach.call(boxes, function (box) {
      var source = document.getElementById(box.getAttribute("data-chart"));
      if (!source || box.getAttribute("data-drawn") || !window.vegaEmbed) {
        return;
      }
      box.setAttribute("data-drawn", "1");
      var spec = JSON.parse(source.textContent);
      // On screen the chart takes the width of its column; reports keep the fixed width.
      spec.width = "container";
      spec.autosize = { type: "fit-x", contains: "padding" };
      box.hidden = false;
      window.vegaEmbed(box, spec, { actions: false, renderer: "svg" }).then(function () {
        // The box is role="img" with the chart's description; the figures are in the table
        // beside it, so the SVG's marks stay out of the accessibility tree.
        var svg = box.querySelector("svg");
        if (svg) {
          svg.setAttribute("aria-hidden", "true");
          svg.setAttribute("focusable", "false");
        }
        box.setAttribute("data-ready", "1");
      }).catch(function () {
        box.hidden = true;
      });
    });
  }

  // A short status for screen readers after a filter has replaced a section's results.
  function announce(event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.id) {
      return;
    }
    var results = target.querySelector("[data-status]");
    var status = document.getElementById(target.id.replace("-results", "-status"));
    if (status) {
      status.textContent = results ? results.getAttribute("data-status") : "";
    }
  }

  if (window.htmx) {
    window.htmx.onLoad(draw);
    document.body.addEventListener("htmx:afterSwap", announce);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
})();
