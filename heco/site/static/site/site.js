/* HE.CO Hub: progressive enhancement only; every page works without this file.
   Maps read their data from <script type="application/json"> blocks (CSP: no inline code). */
(function () {
  "use strict";

  function initMap(el) {
    if (el.dataset.ready || typeof window.L === "undefined") return;
    var dataEl = document.getElementById(el.dataset.map);
    if (!dataEl) return;
    var points;
    try { points = JSON.parse(dataEl.textContent); } catch (e) { return; }
    if (!points || !points.length) return;
    el.hidden = false;
    el.dataset.ready = "1";
    var map = window.L.map(el, { scrollWheelZoom: false });
    window.L.tileLayer(el.dataset.tiles, {
      maxZoom: 19,
      attribution: el.dataset.attribution || ""
    }).addTo(map);
    var bounds = [];
    points.forEach(function (p) {
      var marker = window.L.marker([p.lat, p.lon], { title: p.title, alt: p.title }).addTo(map);
      var box = document.createElement("div");
      if (p.url) {
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        box.appendChild(link);
      } else {
        var strong = document.createElement("strong");
        strong.textContent = p.title;
        box.appendChild(strong);
      }
      marker.bindPopup(box);
      if (p.main) {
        marker.setZIndexOffset(1000);
        marker.openPopup();
      }
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 14);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
    }
  }

  var pending = [];
  var loading = false;

  /* Leaflet is loaded only on pages with a map; its URLs come from the map element. */
  function loadLeaflet(el, callback) {
    if (typeof window.L !== "undefined") return callback();
    pending.push(callback);
    if (loading) return;
    loading = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = el.dataset.leafletCss;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = el.dataset.leafletJs;
    script.onload = function () {
      pending.splice(0).forEach(function (fn) { fn(); });
    };
    document.head.appendChild(script);
  }

  function initMaps(root) {
    var maps = (root || document).querySelectorAll("[data-map]");
    if (!maps.length) return;
    loadLeaflet(maps[0], function () { maps.forEach(initMap); });
  }

  document.addEventListener("DOMContentLoaded", function () { initMaps(document); });
  document.addEventListener("htmx:afterSwap", function (event) { initMaps(event.target); });
})();
