// The route page: a click on the district map adds a stop there. The map is a linear
// projection (services/planning.py district_map); its constants are on the <svg>.
// Without this script, stops are added by typing their coordinates into the same form.
(function () {
  "use strict";
  const map = document.getElementById("district-map");
  const form = document.getElementById("stop-form");
  if (!map || !form || !map.classList.contains("clickable")) return;
  const west = parseFloat(map.dataset.west);
  const north = parseFloat(map.dataset.north);
  const scaleX = parseFloat(map.dataset.scaleX);
  const scaleY = parseFloat(map.dataset.scaleY);
  map.addEventListener("click", function (event) {
    const point = map.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const matrix = map.getScreenCTM();
    if (!matrix) return;
    const inner = point.matrixTransform(matrix.inverse());
    const longitude = west + inner.x / scaleX;
    const latitude = north - inner.y / scaleY;
    form.elements.latitude.value = latitude.toFixed(6);
    form.elements.longitude.value = longitude.toFixed(6);
    form.requestSubmit ? form.requestSubmit() : form.submit();
  });
})();
