/* HE.CO Hub routes: a Leaflet map with the numbered stops joined in order.
   Progressive enhancement; data from a <script type="application/json"> block (CSP: no
   inline code). Loads Leaflet the same way as site/site.js, from the element's data-*. */
(function () {
  "use strict";

  function draw(el) {
    if (el.dataset.ready || typeof window.L === "undefined") return;
    var dataEl = document.getElementById(el.dataset.routeMap);
    if (!dataEl) return;
    var data;
    try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }
    if (!data || !data.points || !data.points.length) return;
    el.hidden = false;
    el.dataset.ready = "1";
    var L = window.L;
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    if (data.line && data.line.length > 1) {
      L.polyline(data.line, { color: "#0b5563", weight: 4, dashArray: "8 6" }).addTo(map);
    }
    var bounds = [];
    data.points.forEach(function (p) {
      /* the number only (an integer), never text from the data, goes into the icon's HTML */
      var icon = L.divIcon({ className: "route-marker", html: String(parseInt(p.n, 10) || ""), iconSize: [28, 28] });
      var marker = L.marker([p.lat, p.lon], { title: p.title, alt: p.title, icon: icon }).addTo(map);
      var box = document.createElement("div");
      var label = document.createElement(p.url ? "a" : "strong");
      if (p.url) label.href = p.url;
      label.textContent = p.title;
      box.appendChild(label);
      marker.bindPopup(box);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) map.setView(bounds[0], 14);
    else map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  }

  function load(el, callback) {
    if (typeof window.L !== "undefined") return callback();
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = el.dataset.leafletCss;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = el.dataset.leafletJs;
    script.onload = callback;
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var maps = document.querySelectorAll("[data-route-map]");
    if (!maps.length) return;
    load(maps[0], function () { maps.forEach(draw); });
  });
})();
