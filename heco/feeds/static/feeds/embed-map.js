/* The map widget: points from the JSON block, tiles from data-tiles. No other requests. */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("embed-map");
    var data = document.getElementById("embed-map-data");
    if (!el || !data || typeof window.L === "undefined") return;
    var points = JSON.parse(data.textContent || "[]");
    var map = window.L.map(el, { scrollWheelZoom: false });
    window.L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
    var bounds = [];
    points.forEach(function (p) {
      var link = document.createElement("a");
      link.href = p.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = p.title;
      window.L.marker([p.lat, p.lon], { title: p.title, alt: p.title }).bindPopup(link).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) map.setView(bounds[0], 14);
    else if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 });
    else map.setView([48.0, 14.0], 4);
  }
  document.addEventListener("DOMContentLoaded", init);
})();
